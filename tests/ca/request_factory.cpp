#include "request_factory.h"

#include <map>
#include <stdexcept>
#include <tuple>

#include <openssl/dsa.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "ca/ossl.h"

namespace pocketca::request_testing {
namespace {

// The factory's own failures are test bugs: say which call failed.
void need(bool ok, const std::string& what) {
  if (ok) return;
  ERR_clear_error();
  throw std::runtime_error("request_factory: " + what + " failed");
}

ossl::Ptr<GENERAL_NAME> general_name(const std::string& text) {
  const size_t colon = text.find(':');
  need(colon != std::string::npos, "SAN \"" + text + "\" without a type prefix");
  const std::string type = text.substr(0, colon);
  const std::string value = text.substr(colon + 1);
  auto name = ossl::adopt(GENERAL_NAME_new());
  need(name != nullptr, "GENERAL_NAME_new");
  auto ia5 = [&](int kind) {
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    need(s != nullptr && ASN1_STRING_set(s, value.data(), static_cast<int>(value.size())) == 1, "IA5String " + value);
    GENERAL_NAME_set0_value(name.get(), kind, s);
  };
  if (type == "DNS") {
    ia5(GEN_DNS);
  } else if (type == "email") {
    ia5(GEN_EMAIL);
  } else if (type == "URI") {
    ia5(GEN_URI);
  } else if (type == "IP") {
    ASN1_OCTET_STRING* ip = a2i_IPADDRESS(value.c_str());
    need(ip != nullptr, "a2i_IPADDRESS " + value);
    GENERAL_NAME_set0_value(name.get(), GEN_IPADD, ip);
  } else if (type == "UPN") {
    ASN1_TYPE* utf8 = ASN1_TYPE_new();
    ASN1_UTF8STRING* s = ASN1_UTF8STRING_new();
    need(utf8 != nullptr && s != nullptr && ASN1_STRING_set(s, value.data(), static_cast<int>(value.size())) == 1,
         "UPN value");
    ASN1_TYPE_set(utf8, V_ASN1_UTF8STRING, s);
    need(GENERAL_NAME_set0_othername(name.get(), OBJ_txt2obj("1.3.6.1.4.1.311.20.2.3", 1), utf8) == 1, "UPN");
  } else {
    need(false, "SAN type " + type);
  }
  return name;
}

// 1.3.6.1.4.1.311.20.2 = BMPString `name` (ASCII only), as certreq writes it.
ossl::Ptr<X509_EXTENSION> windows_template_extension(const std::string& name) {
  std::string utf16be;
  for (char c : name) utf16be += std::string{'\0', c};
  auto bmp = ossl::adopt(ASN1_STRING_type_new(V_ASN1_BMPSTRING));
  need(bmp != nullptr && ASN1_STRING_set(bmp.get(), utf16be.data(), static_cast<int>(utf16be.size())) == 1, "BMPString");
  unsigned char* der = nullptr;
  const int len = i2d_ASN1_BMPSTRING(bmp.get(), &der);
  need(len > 0, "i2d_ASN1_BMPSTRING");
  auto data = ossl::adopt(ASN1_OCTET_STRING_new());
  const bool set = data != nullptr && ASN1_OCTET_STRING_set(data.get(), der, len) == 1;
  OPENSSL_free(der);
  need(set, "template-name value");
  auto oid = ossl::adopt(OBJ_txt2obj("1.3.6.1.4.1.311.20.2", 1));
  auto ext = ossl::adopt(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, data.get()));
  need(ext != nullptr, "template-name extension");
  return ext;
}

ossl::Ptr<STACK_OF(X509_EXTENSION)> requested_extensions(const RequestSpec& spec, X509_REQ* req) {
  ossl::Ptr<STACK_OF(X509_EXTENSION)> exts(sk_X509_EXTENSION_new_null());
  if (!spec.sans.empty()) {
    auto names = ossl::adopt(GENERAL_NAMES_new());
    for (const std::string& san : spec.sans) {
      need(sk_GENERAL_NAME_push(names.get(), general_name(san).release()) > 0, "pushing a SAN");
    }
    STACK_OF(X509_EXTENSION)* raw = exts.release();
    const int added = X509V3_add1_i2d(&raw, NID_subject_alt_name, names.get(), 0, X509V3_ADD_APPEND);
    exts.reset(raw);
    need(added == 1, "subjectAltName extension");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, nullptr, nullptr, req, nullptr, 0);
  for (const auto& [name, value] : spec.extensions) {
    X509_EXTENSION* ext = X509V3_EXT_nconf(nullptr, &ctx, name.c_str(), value.c_str());
    need(ext != nullptr && sk_X509_EXTENSION_push(exts.get(), ext) > 0, "extension " + name + " = " + value);
  }
  if (!spec.windows_template.empty()) {
    need(sk_X509_EXTENSION_push(exts.get(), windows_template_extension(spec.windows_template).release()) > 0,
         "template-name extension");
  }
  return exts;
}

ossl::Ptr<X509_REQ> signed_request(const RequestSpec& spec, EVP_PKEY* key) {
  auto req = ossl::adopt(X509_REQ_new());
  need(req != nullptr && X509_REQ_set_version(req.get(), 0) == 1, "X509_REQ_new");
  X509_NAME* subject = X509_REQ_get_subject_name(req.get());
  // A plain string type (not MBSTRING_*) skips OpenSSL's upper bounds, so the
  // factory can make the over-long CNs that the policy must refuse.
  for (const auto& [field, value] : spec.subject) {
    need(X509_NAME_add_entry_by_txt(subject, field.c_str(), V_ASN1_UTF8STRING,
                                    reinterpret_cast<const unsigned char*>(value.data()), static_cast<int>(value.size()),
                                    -1, 0) == 1,
         "subject " + field + "=" + value);
  }
  need(X509_REQ_set_pubkey(req.get(), key) == 1, "X509_REQ_set_pubkey");
  auto exts = requested_extensions(spec, req.get());
  if (sk_X509_EXTENSION_num(exts.get()) > 0) need(X509_REQ_add_extensions(req.get(), exts.get()) == 1, "add extensions");
  need(X509_REQ_sign(req.get(), key, spec.digest) > 0, "X509_REQ_sign");
  return req;
}

ossl::Ptr<EVP_PKEY> keygen(EVP_PKEY_CTX* ctx) {
  EVP_PKEY* key = nullptr;
  need(EVP_PKEY_keygen(ctx, &key) == 1, "EVP_PKEY_keygen");
  return ossl::adopt(key);
}

}  // namespace

Bytes make_request_der(const RequestSpec& spec, EVP_PKEY* key) {
  auto req = signed_request(spec, key);
  unsigned char* der = nullptr;
  const int len = i2d_X509_REQ(req.get(), &der);
  need(len > 0, "i2d_X509_REQ");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::string make_request_pem(const RequestSpec& spec, EVP_PKEY* key) {
  auto req = signed_request(spec, key);
  auto bio = ossl::adopt(BIO_new(BIO_s_mem()));
  need(bio != nullptr && PEM_write_bio_X509_REQ(bio.get(), req.get()) == 1, "PEM_write_bio_X509_REQ");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Csr make_csr(const RequestSpec& spec, EVP_PKEY* key) { return Csr::from_der(make_request_der(spec, key)); }

Csr make_tampered_csr(const RequestSpec& spec, EVP_PKEY* key) {
  Bytes der = make_request_der(spec, key);
  der.back() ^= 0x01;  // the last byte of the signature BIT STRING
  return Csr::from_der(der);
}

EVP_PKEY* ec_p256_key() {
  static const ossl::Ptr<EVP_PKEY> key = ossl::adopt(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  need(key != nullptr, "EC P-256 key generation");
  return key.get();
}

EVP_PKEY* rsa_key(int bits, unsigned long exponent) {
  static std::map<std::pair<int, unsigned long>, ossl::Ptr<EVP_PKEY>> keys;
  auto& key = keys[{bits, exponent}];
  if (key == nullptr) {
    auto ctx = ossl::adopt(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    auto e = ossl::adopt(BN_new());
    need(ctx != nullptr && e != nullptr && BN_set_word(e.get(), exponent) == 1, "RSA context");
    need(EVP_PKEY_keygen_init(ctx.get()) == 1 && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) == 1 &&
             EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e.get()) == 1,
         "RSA key parameters");
    key = keygen(ctx.get());
  }
  return key.get();
}

EVP_PKEY* dsa_key() {
  static const ossl::Ptr<EVP_PKEY> key = [] {
    auto ctx = ossl::adopt(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr));
    EVP_PKEY* params = nullptr;
    need(ctx != nullptr && EVP_PKEY_paramgen_init(ctx.get()) == 1 &&
             EVP_PKEY_CTX_set_dsa_paramgen_bits(ctx.get(), 1024) == 1 && EVP_PKEY_paramgen(ctx.get(), &params) == 1,
         "DSA parameters");
    auto owned_params = ossl::adopt(params);
    auto key_ctx = ossl::adopt(EVP_PKEY_CTX_new_from_pkey(nullptr, params, nullptr));
    need(key_ctx != nullptr && EVP_PKEY_keygen_init(key_ctx.get()) == 1, "DSA key context");
    return keygen(key_ctx.get());
  }();
  return key.get();
}

EVP_PKEY* ed25519_key() {
  static const ossl::Ptr<EVP_PKEY> key = ossl::adopt(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  need(key != nullptr, "Ed25519 key generation");
  return key.get();
}

}  // namespace pocketca::request_testing
