// Certificate as a value: decoding from DER/PEM, refusing what is not exactly
// one certificate, and the accessors admins see (thumbprint, serial, names, times).

#include <algorithm>
#include <cctype>
#include <string>

#include <catch2/catch.hpp>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "ca/certificate.h"
#include "cert_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;

namespace {

std::string openssl_digest(const Bytes& der, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(der.data(), der.size(), out, &len, md, nullptr) == 1);
  return to_hex_lower(out, len);
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

bool all_of_chars(const std::string& s, const char* allowed) {
  return s.find_first_not_of(allowed) == std::string::npos;
}

}  // namespace

TEST_CASE("Certificate::from_der takes exactly one DER certificate", "[certificate]") {
  const Certificate& leaf = test_chain().leaf;
  const Bytes& der = leaf.der();

  SECTION("a certificate decodes and keeps its bytes") {
    const Certificate again = Certificate::from_der(der);
    CHECK(again.der() == der);
    CHECK(again.native() != nullptr);
  }
  SECTION("trailing bytes are refused") {
    for (const Bytes& tail : {Bytes{0x00}, Bytes{0x30, 0x00}, der}) {
      Bytes padded = der;
      padded.insert(padded.end(), tail.begin(), tail.end());
      CHECK(error_from([&] { (void)Certificate::from_der(padded); }).kind() == ErrorKind::invalid_input);
    }
  }
  SECTION("what is not a certificate is refused") {
    const Bytes truncated(der.begin(), der.end() - 1);
    const Bytes public_key = shared_key("ec:p256").public_key_der();
    const Bytes pem_text = to_bytes(leaf.pem());
    for (const Bytes& bad : {Bytes{}, Bytes{0x30}, Bytes{0x30, 0x00}, truncated, public_key, pem_text,
                             to_bytes("not a certificate at all")}) {
      CHECK(error_from([&] { (void)Certificate::from_der(bad); }).kind() == ErrorKind::invalid_input);
      CHECK(ERR_peek_error() == 0);
    }
  }
}

TEST_CASE("Certificate::from_pem reads the first CERTIFICATE block", "[certificate]") {
  const TestChain& chain = test_chain();
  const std::string pem = chain.leaf.pem();
  CHECK(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
  CHECK(pem.size() > 28);
  CHECK(pem.substr(pem.size() - 26) == "-----END CERTIFICATE-----\n");
  CHECK(Certificate::from_pem(pem).der() == chain.leaf.der());

  SECTION("text around it and further blocks are ignored") {
    const std::string wrapped = "Subject: mail\r\n" + pem + chain.intermediate.pem() + "trailer\n";
    CHECK(Certificate::from_pem(wrapped).der() == chain.leaf.der());
  }
  SECTION("CRLF line ends") {
    std::string crlf;
    for (char c : pem) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    CHECK(Certificate::from_pem(crlf).der() == chain.leaf.der());
  }
  SECTION("no certificate is invalid input") {
    for (const std::string& bad : {std::string(), std::string("hello"), shared_key("ec:p256").to_pem(),
                                   std::string("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")}) {
      CHECK(error_from([&] { (void)Certificate::from_pem(bad); }).kind() == ErrorKind::invalid_input);
      CHECK(ERR_peek_error() == 0);
    }
  }
}

TEST_CASE("thumbprints: SHA-1 upper case as Windows prints it, SHA-256 lower case", "[certificate]") {
  for (const Certificate* cert : {&test_chain().root, &test_chain().intermediate, &test_chain().leaf}) {
    const std::string sha1 = cert->sha1_thumbprint();
    CHECK(sha1.size() == 40);
    CHECK(all_of_chars(sha1, "0123456789ABCDEF"));
    CHECK(sha1 == upper(openssl_digest(cert->der(), EVP_sha1())));
    const std::string sha256 = cert->sha256_fingerprint();
    CHECK(sha256.size() == 64);
    CHECK(all_of_chars(sha256, "0123456789abcdef"));
    CHECK(sha256 == openssl_digest(cert->der(), EVP_sha256()));
  }
  CHECK(test_chain().root.sha1_thumbprint() != test_chain().leaf.sha1_thumbprint());
}

TEST_CASE("serial_hex is lower-case hex of the serial, no separators", "[certificate]") {
  const Bytes serial = make_serial(0xABCDEF01, 0x0A0B, [](unsigned char* out, size_t n) {
    for (size_t i = 0; i < n; ++i) out[i] = 0xEE;
  });
  auto name = parse_distinguished_name("CN=serial test");
  const PrivateKey& key = shared_key("ec:p256");
  const Certificate cert = Certificate::from_der(
      CertificateBuilder(name.get(), key.native(), serial, sample_time(), sample_time(days(1))).sign(key).der());
  const std::string hex = cert.serial_hex();
  CHECK(hex == to_hex_lower(serial));
  CHECK(hex.size() == 38);
  CHECK(all_of_chars(hex, "0123456789abcdef"));
  CHECK(hex.substr(26) == "0a0babcdef01");
  CHECK(normalize_serial(upper(hex)) == hex);
  // OpenSSL's own reading of the serial agrees.
  auto bn = ossl::adopt(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.native()), nullptr));
  char* openssl_hex = BN_bn2hex(bn.get());
  CHECK(upper(hex) == openssl_hex);
  OPENSSL_free(openssl_hex);
}

TEST_CASE("Certificate accessors", "[certificate]") {
  const TestChain& chain = test_chain();
  CHECK(chain.leaf.subject() == "CN=mail.contoso.com,O=Contoso Ltd,C=US");
  CHECK(chain.leaf.issuer() == "CN=Chain Issuing CA,O=Contoso Ltd,C=US");
  CHECK(chain.leaf.common_name() == "mail.contoso.com");
  CHECK(chain.leaf.not_before() == sample_time());
  CHECK(chain.leaf.not_after() == sample_time(days(730)));
  CHECK_FALSE(chain.leaf.is_ca());
  CHECK(chain.leaf.path_len() == std::nullopt);
  CHECK_FALSE(chain.leaf.is_self_signed());
  CHECK(chain.leaf.subject_key_id().size() == 20);

  CHECK(chain.intermediate.is_ca());
  CHECK(chain.intermediate.path_len() == std::optional<int>(0));
  CHECK(chain.root.is_ca());
  CHECK(chain.root.path_len() == std::nullopt);
  CHECK(chain.root.is_self_signed());

  SECTION("a certificate without SKI or CN") {
    auto name = parse_distinguished_name("O=No CN Inc");
    const PrivateKey& key = shared_key("ec:p256");
    const Certificate bare =
        CertificateBuilder(name.get(), key.native(), make_serial(1, 1), sample_time(), sample_time(days(1))).sign(key);
    CHECK(bare.subject_key_id().empty());
    CHECK(bare.common_name().empty());
    CHECK_FALSE(bare.is_ca());
    CHECK(bare.subject() == "O=No CN Inc");
  }
  SECTION("copies are cheap and equal") {
    const Certificate copy = chain.leaf;  // NOLINT(performance-unnecessary-copy-initialization)
    CHECK(copy.der() == chain.leaf.der());
    CHECK(copy.native() == chain.leaf.native());
  }
  SECTION("the chain verifies in OpenSSL") {
    CHECK(openssl_verify(chain.leaf, {chain.intermediate}, chain.root, sample_time(days(1))) == X509_V_OK);
    CHECK(openssl_verify(chain.leaf, {}, chain.root, sample_time(days(1))) ==
          X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  }
}
