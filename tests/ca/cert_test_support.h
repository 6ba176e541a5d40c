#pragma once
// Small CA certificates for the engine tests, built with CertificateBuilder,
// and readers that look at them through OpenSSL rather than through our own code.

#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ca/certificate.h"
#include "ca/certificate_builder.h"
#include "ca/distinguished_name.h"
#include "ca/key.h"
#include "ca/serial.h"
#include "ca_test_support.h"

namespace pocketca::ca_testing {

// A CA certificate for `subject`, self-signed with `key` unless an issuer is given.
inline Certificate make_ca_cert(const std::string& subject, const PrivateKey& key, uint32_t request_id,
                                const Certificate* issuer = nullptr, const PrivateKey* issuer_key = nullptr,
                                std::optional<int> path_len = std::nullopt) {
  auto name = parse_distinguished_name(subject);
  CertificateBuilder builder(name.get(), key.native(), make_serial(request_id, 1), sample_time(),
                             sample_time(days(3650)));
  if (issuer != nullptr) builder.issued_by(*issuer);
  builder.basic_constraints(true, path_len)
      .key_usage({"digitalSignature", "keyCertSign", "cRLSign"})
      .subject_key_identifier()
      .authority_key_identifier();
  return builder.sign(issuer_key != nullptr ? *issuer_key : key);
}

// A small three-certificate chain (leaf-most first), built once per process.
struct TestChain {
  Certificate root;
  Certificate intermediate;
  Certificate leaf;
};

inline const TestChain& test_chain() {
  static const TestChain chain = [] {
    const PrivateKey& root_key = shared_key("ec:p256");
    const PrivateKey& sub_key = shared_key("ec:p384");
    const PrivateKey& leaf_key = shared_key("rsa:2048");
    Certificate root = make_ca_cert("CN=Chain Root CA, O=Contoso Ltd, C=US", root_key, 1);
    Certificate sub = make_ca_cert("CN=Chain Issuing CA, O=Contoso Ltd, C=US", sub_key, 2, &root, &root_key, 0);
    auto leaf_name = parse_distinguished_name("CN=mail.contoso.com, O=Contoso Ltd, C=US");
    Certificate leaf = CertificateBuilder(leaf_name.get(), leaf_key.native(), make_serial(3, 2), sample_time(),
                                          sample_time(days(730)))
                           .issued_by(sub)
                           .basic_constraints(false, std::nullopt)
                           .key_usage({"digitalSignature", "keyEncipherment"})
                           .extended_key_usage({"serverAuth"})
                           .subject_key_identifier()
                           .authority_key_identifier()
                           .sign(sub_key);
    return TestChain{root, sub, leaf};
  }();
  return chain;
}

// The URIs in a certificate's CRL distribution points, in order.
inline std::vector<std::string> crl_urls(const X509* cert) {
  std::vector<std::string> out;
  auto* points = static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr));
  if (points == nullptr) return out;
  ossl::Ptr<CRL_DIST_POINTS> owner(points);
  for (int i = 0; i < sk_DIST_POINT_num(points); ++i) {
    const DIST_POINT* point = sk_DIST_POINT_value(points, i);
    if (point->distpoint == nullptr || point->distpoint->type != 0) continue;
    const GENERAL_NAMES* names = point->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, j);
      if (gn->type != GEN_URI) continue;
      const ASN1_IA5STRING* uri = gn->d.uniformResourceIdentifier;
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                       static_cast<size_t>(ASN1_STRING_length(uri)));
    }
  }
  return out;
}

// The AIA entries of a certificate as "caIssuers URL" / "OCSP URL", in order.
inline std::vector<std::string> aia_entries(const X509* cert) {
  std::vector<std::string> out;
  auto* aia = static_cast<AUTHORITY_INFO_ACCESS*>(X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr));
  if (aia == nullptr) return out;
  ossl::Ptr<AUTHORITY_INFO_ACCESS> owner(aia);
  for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); ++i) {
    const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia, i);
    const int method = OBJ_obj2nid(ad->method);
    std::string label = method == NID_ad_ca_issuers ? "caIssuers" : method == NID_ad_OCSP ? "OCSP" : "other";
    if (ad->location->type == GEN_URI) {
      const ASN1_IA5STRING* uri = ad->location->d.uniformResourceIdentifier;
      // Appended piece by piece: `" " + std::string(...)` trips GCC 12's -Wrestrict false positive at -O3.
      label += ' ';
      label.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)), static_cast<size_t>(ASN1_STRING_length(uri)));
    }
    out.push_back(label);
  }
  return out;
}

inline bool has_extension(const X509* cert, int nid) { return X509_get_ext_by_NID(cert, nid, -1) >= 0; }

inline bool extension_is_critical(const X509* cert, int nid) {
  const int at = X509_get_ext_by_NID(cert, nid, -1);
  REQUIRE(at >= 0);
  return X509_EXTENSION_get_critical(X509_get_ext(cert, at)) == 1;
}

inline Bytes octets(const ASN1_OCTET_STRING* s) {
  if (s == nullptr) return {};
  const unsigned char* data = ASN1_STRING_get0_data(s);
  return Bytes(data, data + ASN1_STRING_length(s));
}

inline Bytes der_of(const X509_NAME* name) { return der_with(i2d_X509_NAME, name); }

// Verifies `leaf` up to `root` with OpenSSL's own chain builder, strict RFC 5280
// checks on, at `when`. Returns the X509_V_* result.
inline int openssl_verify(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                          const Certificate& root, Time when) {
  auto store = ossl::adopt(X509_STORE_new());
  REQUIRE(X509_STORE_add_cert(store.get(), root.native()) == 1);
  ossl::Ptr<STACK_OF(X509)> untrusted(sk_X509_new_null());
  for (const Certificate& c : intermediates) sk_X509_push(untrusted.get(), ossl::up_ref(c.native()).release());
  auto ctx = ossl::adopt(X509_STORE_CTX_new());
  REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native(), untrusted.get()) == 1);
  X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_X509_STRICT);
  X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(when.time_since_epoch().count()));
  const int ok = X509_verify_cert(ctx.get());
  const int err = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  return ok == 1 ? X509_V_OK : (err == X509_V_OK ? -1 : err);
}

}  // namespace pocketca::ca_testing
