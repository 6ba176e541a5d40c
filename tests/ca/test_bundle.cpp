// Certificate bundles: format names, PKCS#7 certs-only, and every encoding,
// each read back with OpenSSL.

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>

#include "ca/bundle.h"
#include "cert_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;

namespace {

std::vector<Certificate> chain_vector() {
  const TestChain& c = test_chain();
  return {c.leaf, c.intermediate, c.root};
}

// The certificates in a DER PKCS#7, in the order they are stored, as DER.
std::vector<Bytes> certs_in_pkcs7(const Bytes& der, PKCS7** keep = nullptr) {
  const unsigned char* p = der.data();
  PKCS7* raw = d2i_PKCS7(nullptr, &p, static_cast<long>(der.size()));
  REQUIRE(raw != nullptr);
  CHECK(p == der.data() + der.size());
  ossl::Ptr<PKCS7> p7(raw);
  REQUIRE(PKCS7_type_is_signed(p7.get()));
  std::vector<Bytes> out;
  const STACK_OF(X509)* certs = p7->d.sign->cert;
  for (int i = 0; i < sk_X509_num(certs); ++i) {
    unsigned char* cert_der = nullptr;
    const int len = i2d_X509(sk_X509_value(certs, i), &cert_der);
    REQUIRE(len > 0);
    out.emplace_back(cert_der, cert_der + len);
    OPENSSL_free(cert_der);
  }
  if (keep != nullptr) *keep = p7.release();
  return out;
}

std::vector<Bytes> ders_of(const std::vector<Certificate>& certs) {
  std::vector<Bytes> out;
  for (const auto& c : certs) out.push_back(c.der());
  return out;
}

size_t count_of(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// Every line of a PEM text is at most 64 characters.
bool pem_lines_ok(const std::string& pem) {
  size_t start = 0;
  while (start < pem.size()) {
    const size_t end = pem.find('\n', start);
    if (end == std::string::npos) return false;  // ends with a newline
    const std::string line = pem.substr(start, end - start);
    if (line.size() > 64 && line.rfind("-----", 0) != 0) return false;
    if (line.find('\r') != std::string::npos) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

TEST_CASE("parse_bundle_format knows the five names", "[bundle]") {
  CHECK(parse_bundle_format("cer") == BundleFormat::cer);
  CHECK(parse_bundle_format("cer-b64") == BundleFormat::cer_b64);
  CHECK(parse_bundle_format("pem-bundle") == BundleFormat::pem_bundle);
  CHECK(parse_bundle_format("p7b") == BundleFormat::p7b);
  CHECK(parse_bundle_format("p7b-b64") == BundleFormat::p7b_b64);

  CHECK(is_binary(BundleFormat::cer));
  CHECK(is_binary(BundleFormat::p7b));
  CHECK_FALSE(is_binary(BundleFormat::cer_b64));
  CHECK_FALSE(is_binary(BundleFormat::pem_bundle));
  CHECK_FALSE(is_binary(BundleFormat::p7b_b64));

  for (const char* bad : {"", "der", "pem", "pfx", "p7c", "cer_b64", "pem_bundle", " cer", "cer ", "p7b-b64x"}) {
    INFO("\"" << bad << "\"");
    const Error e = error_from([&] { (void)parse_bundle_format(bad); });
    CHECK(e.kind() == ErrorKind::invalid_input);
    CHECK(contains(e.what(), "pem-bundle"));
  }
}

TEST_CASE("pkcs7_certs_only is a degenerate SignedData with the certificates in order", "[bundle]") {
  const std::vector<Certificate> chain = chain_vector();
  const Bytes der = pkcs7_certs_only(chain);
  PKCS7* raw = nullptr;
  CHECK(certs_in_pkcs7(der, &raw) == ders_of(chain));
  ossl::Ptr<PKCS7> p7(raw);

  SECTION("no signers, no CRLs, no content") {
    CHECK(sk_PKCS7_SIGNER_INFO_num(PKCS7_get_signer_info(p7.get())) == 0);
    CHECK(sk_X509_CRL_num(p7->d.sign->crl) <= 0);
    CHECK(PKCS7_type_is_data(p7->d.sign->contents));
    CHECK(p7->d.sign->contents->d.data == nullptr);  // detached, as crl2pkcs7 writes it
    CHECK(ASN1_INTEGER_get(p7->d.sign->version) == 1);
  }
  SECTION("the order given is kept, whatever it is") {
    const std::vector<Certificate> reversed = {chain[2], chain[1], chain[0]};
    CHECK(certs_in_pkcs7(pkcs7_certs_only(reversed)) == ders_of(reversed));
    CHECK(certs_in_pkcs7(pkcs7_certs_only({chain[1]})) == ders_of({chain[1]}));
  }
  SECTION("the PEM form reads back with PEM_read_bio_PKCS7") {
    const std::string pem = encode_bundle(chain, BundleFormat::p7b_b64);
    auto bio = ossl::adopt(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    ossl::Ptr<PKCS7> from_pem(PEM_read_bio_PKCS7(bio.get(), nullptr, nullptr, nullptr));
    REQUIRE(from_pem);
    CHECK(sk_X509_num(from_pem->d.sign->cert) == 3);
  }
}

TEST_CASE("encode_bundle writes every format", "[bundle]") {
  const std::vector<Certificate> chain = chain_vector();
  const Certificate& first = chain.front();

  SECTION("cer is the first certificate's DER") {
    const std::string out = encode_bundle(chain, BundleFormat::cer);
    CHECK(to_bytes(out) == first.der());
    CHECK(Certificate::from_der(to_bytes(out)).der() == first.der());
  }
  SECTION("cer-b64 is the first certificate as one PEM block") {
    const std::string out = encode_bundle(chain, BundleFormat::cer_b64);
    CHECK(out.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
    CHECK(count_of(out, "-----BEGIN CERTIFICATE-----") == 1);
    CHECK(pem_lines_ok(out));
    auto bio = ossl::adopt(BIO_new_mem_buf(out.data(), static_cast<int>(out.size())));
    ossl::Ptr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    REQUIRE(cert);
    CHECK(X509_cmp(cert.get(), first.native()) == 0);
  }
  SECTION("pem-bundle has one block per certificate, in chain order") {
    const std::string out = encode_bundle(chain, BundleFormat::pem_bundle);
    CHECK(count_of(out, "-----BEGIN CERTIFICATE-----") == chain.size());
    CHECK(count_of(out, "-----END CERTIFICATE-----") == chain.size());
    CHECK(pem_lines_ok(out));
    auto bio = ossl::adopt(BIO_new_mem_buf(out.data(), static_cast<int>(out.size())));
    for (const Certificate& expected : chain) {
      ossl::Ptr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
      REQUIRE(cert);
      CHECK(X509_cmp(cert.get(), expected.native()) == 0);
    }
    CHECK(encode_bundle({first}, BundleFormat::pem_bundle) == first.pem());
  }
  SECTION("p7b is the PKCS#7 DER") {
    const std::string out = encode_bundle(chain, BundleFormat::p7b);
    CHECK(to_bytes(out) == pkcs7_certs_only(chain));
    CHECK(certs_in_pkcs7(to_bytes(out)) == ders_of(chain));
  }
  SECTION("p7b-b64 is the PKCS#7 in a PEM PKCS7 block") {
    const std::string out = encode_bundle(chain, BundleFormat::p7b_b64);
    CHECK(out.rfind("-----BEGIN PKCS7-----\n", 0) == 0);
    CHECK(out.size() > 20);
    CHECK(out.substr(out.size() - 20) == "-----END PKCS7-----\n");
    CHECK(pem_lines_ok(out));
    CHECK(out == pem_block("PKCS7", pkcs7_certs_only(chain)));
  }
  SECTION("an empty chain is invalid input in every format") {
    for (const char* name : {"cer", "cer-b64", "pem-bundle", "p7b", "p7b-b64"}) {
      INFO(name);
      CHECK(error_from([&] { (void)encode_bundle({}, parse_bundle_format(name)); }).kind() == ErrorKind::invalid_input);
    }
  }
}
