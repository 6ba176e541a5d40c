// Csr: a PKCS#10 request read as an untrusted value. Fixtures come from
// tests/data/make-requests.py; hostile variants are built here with OpenSSL.

#include <algorithm>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/pkcs12.h>

#include "ca/bundle.h"
#include "ca/csr.h"
#include "ca_test_support.h"
#include "request_factory.h"
#include "request_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;
using namespace pocketca::request_testing;
using Type = SubjectAltName::Type;

namespace {

// A PFX holding a key and no certificate: what matters is that it is PKCS#12.
Bytes pfx_of_key_only() {
  auto pfx = ossl::adopt(PKCS12_create("password", nullptr, shared_key("ec:p256").native(), nullptr, nullptr, 0, 0, 0, 0, 0));
  REQUIRE(pfx != nullptr);
  return der_with(i2d_PKCS12, pfx.get());
}

Bytes bytes_of_fixture(const std::string& name) {
  const std::string raw = fixture(name);
  return Bytes(raw.begin(), raw.end());
}

Bytes encode(X509_REQ* req) { return der_with(i2d_X509_REQ, req); }

// A request with CN=hostile.contoso.lab for `public_key`, shaped by `shape`, signed by `signer`.
Bytes build_request(EVP_PKEY* public_key, const PrivateKey& signer, const std::function<void(X509_REQ*)>& shape) {
  auto req = ossl::adopt(X509_REQ_new());
  auto name = ossl::adopt(X509_NAME_new());
  const std::string cn = "hostile.contoso.lab";
  REQUIRE(X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(cn.data()), -1, -1, 0) == 1);
  REQUIRE(X509_REQ_set_subject_name(req.get(), name.get()) == 1);
  REQUIRE(X509_REQ_set_pubkey(req.get(), public_key) == 1);
  shape(req.get());
  REQUIRE(X509_REQ_sign(req.get(), signer.native(), EVP_sha256()) > 0);
  return encode(req.get());
}

void add_attribute(X509_REQ* req, const char* oid, int type, const Bytes& content) {
  auto object = ossl::adopt(OBJ_txt2obj(oid, 1));
  REQUIRE(X509_REQ_add1_attr_by_OBJ(req, object.get(), type, content.data(), static_cast<int>(content.size())) == 1);
}

void add_extension(STACK_OF(X509_EXTENSION) * extensions, const char* oid, const Bytes& value) {
  auto object = ossl::adopt(OBJ_txt2obj(oid, 1));
  auto data = ossl::adopt(ASN1_OCTET_STRING_new());
  REQUIRE(ASN1_OCTET_STRING_set(data.get(), value.data(), static_cast<int>(value.size())) == 1);
  X509_EXTENSION* extension = X509_EXTENSION_create_by_OBJ(nullptr, object.get(), 0, data.get());
  REQUIRE(extension != nullptr);
  REQUIRE(sk_X509_EXTENSION_push(extensions, extension) > 0);
}

ossl::Ptr<EVP_PKEY> rsa_public_key(const BIGNUM* n, const BIGNUM* e) {
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> build(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  REQUIRE(OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n) == 1);
  REQUIRE(OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e) == 1);
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(build.get()), OSSL_PARAM_free);
  auto ctx = ossl::adopt(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  REQUIRE(EVP_PKEY_fromdata_init(ctx.get()) == 1);
  EVP_PKEY* key = nullptr;
  REQUIRE(EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) == 1);
  return ossl::adopt(key);
}

Error csr_error(const Bytes& der) {
  return error_from([&] { (void)Csr::from_der(der); });
}

}  // namespace

TEST_CASE("a New-ExchangeCertificate request decodes in full", "[csr]") {
  const Csr csr = fixture_csr("windows-exchange.pem");
  CHECK(csr.der() == bytes_of_fixture("windows-exchange.der"));
  CHECK(csr.subject() == "CN=mail.contoso.lab,OU=IT,O=Contoso,L=Redmond,ST=WA,C=US");
  CHECK(csr.common_name() == "mail.contoso.lab");
  CHECK(csr.common_names() == std::vector<std::string>{"mail.contoso.lab"});
  CHECK(csr.requested_sans() == std::vector<SubjectAltName>{{Type::dns, "mail.contoso.lab"},
                                                            {Type::dns, "autodiscover.contoso.lab"},
                                                            {Type::dns, "owa.contoso.lab"}});
  CHECK(csr.requested_extension_oids() ==
        std::vector<std::string>{"2.5.29.17", "2.5.29.15", "2.5.29.19", "2.5.29.14", "1.3.6.1.4.1.311.20.2"});
  CHECK(csr.signature_verifies());  // a SHA-1 self-signature is proof of possession all the same
  CHECK(csr.signature_digest() == "sha1");

  const WindowsRequestInfo info = csr.windows_info();
  CHECK_FALSE(info.empty());
  CHECK(info.os_version == "10.0.20348.2");
  CHECK(info.client_id == 5);
  CHECK(info.client_machine == "EXCH01.contoso.lab");
  CHECK(info.client_user == "CONTOSO\\administrator");
  CHECK(info.client_process == "powershell.exe");
  CHECK(info.csp_name == "Microsoft RSA SChannel Cryptographic Provider");
  CHECK(info.template_name == "WebServer");
  CHECK(info.made_on_windows());
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("an openssl req request decodes, with no Windows information", "[csr]") {
  const Csr csr = fixture_csr("rsa2048.pem");
  CHECK(csr.subject() == "CN=mail.contoso.lab");
  CHECK(csr.requested_sans() ==
        std::vector<SubjectAltName>{{Type::dns, "mail.contoso.lab"}, {Type::dns, "autodiscover.contoso.lab"}});
  CHECK(csr.requested_extension_oids() == std::vector<std::string>{"2.5.29.17"});
  CHECK(csr.signature_digest() == "sha256");
  CHECK(csr.windows_info().empty());
  CHECK_FALSE(csr.windows_info().made_on_windows());
  CHECK(csr.native() != nullptr);
  CHECK(X509_NAME_entry_count(csr.subject_name()) == 1);
}

TEST_CASE("key() describes the request's key before it is used", "[csr]") {
  struct Row {
    const char* fixture;
    std::string algorithm;
    int bits;
    std::string exponent;
    std::string curve;
    bool explicit_curve;
  };
  const Row rows[] = {
      {"rsa2048.pem", "RSA", 2048, "65537", "", false},
      {"windows-exchange.der", "RSA", 2048, "65537", "", false},
      {"rsa1024.pem", "RSA", 1024, "65537", "", false},
      {"rsa3072-e3.pem", "RSA", 3072, "3", "", false},
      {"ec-p256.pem", "EC", 256, "", "P-256", false},
      {"ec-explicit-curve.pem", "EC", 0, "", "", true},
      {"dsa2048.pem", "DSA", 2048, "", "", false},
      {"ed25519.pem", "ED25519", 256, "", "", false},  // OpenSSL reports 256
  };
  for (const Row& row : rows) {
    SECTION(row.fixture) {
      const RequestKey key = fixture_csr(row.fixture).key();
      CHECK(key.algorithm == row.algorithm);
      CHECK(key.bits == row.bits);
      CHECK(key.rsa_exponent == row.exponent);
      CHECK(key.curve == row.curve);
      CHECK(key.explicit_curve == row.explicit_curve);
    }
  }
}

TEST_CASE("signature_verifies is proof of possession and never throws", "[csr]") {
  struct Row {
    const char* fixture;
    bool verifies;
    std::string digest;
  };
  const Row rows[] = {
      {"rsa2048.pem", true, "sha256"},
      {"windows-exchange.pem", true, "sha1"},
      {"ec-p256.pem", true, "sha256"},
      {"dsa2048.pem", true, "sha256"},
      {"ed25519.pem", true, ""},
      {"rsa3072-e3.pem", true, "sha256"},
      {"rsa2048-tampered-signature.pem", false, "sha256"},
      {"ec-explicit-curve.pem", false, "sha256"},  // never verified: no arithmetic on a requester's curve
  };
  for (const Row& row : rows) {
    SECTION(row.fixture) {
      const Csr csr = fixture_csr(row.fixture);
      bool verifies = !row.verifies;
      CHECK_NOTHROW(verifies = csr.signature_verifies());
      CHECK(verifies == row.verifies);
      CHECK(csr.signature_digest() == row.digest);
      CHECK(ERR_peek_error() == 0);
    }
  }
}

// from_der decodes keys with one reused decoder per algorithm (public_key_decoder.h): each
// request must still come out with its own key, whatever was decoded before it.
TEST_CASE("each request's key is its own, decoded one after another and on other threads", "[csr]") {
  const auto spki_of = [](const EVP_PKEY* key) { return der_with(i2d_PUBKEY, key); };
  const std::vector<EVP_PKEY*> keys = {rsa_key(2048), ec_p256_key(), rsa_key(3072), ed25519_key(), rsa_key(2048, 3),
                                       ec_p256_key(), rsa_key(2048)};
  const auto check_all = [&] {
    for (EVP_PKEY* key : keys) {
      RequestSpec spec;
      if (key == ed25519_key()) spec.digest = nullptr;  // Ed25519 hashes inside the algorithm
      const Csr csr = make_csr(spec, key);
      REQUIRE(csr.public_key() != nullptr);
      CHECK(spki_of(csr.public_key()) == spki_of(key));
      CHECK(csr.signature_verifies());
      CHECK_FALSE(make_tampered_csr(spec, key).signature_verifies());
    }
  };
  check_all();
  std::thread other(check_all);
  other.join();
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("a key that does not decode leaves the reused decoder working for the next", "[csr]") {
  const Bytes good = make_request_der({}, rsa_key(2048));
  // The RSAPublicKey inside the SubjectPublicKeyInfo's BIT STRING, its SEQUENCE tag made an
  // OCTET STRING: the request still parses, its key does not.
  const Bytes spki_der = der_with(i2d_PUBKEY, rsa_key(2048));
  Bytes broken = good;
  const auto at = std::search(broken.begin(), broken.end(), spki_der.begin(), spki_der.end());
  REQUIRE(at != broken.end());
  // SPKI = 30 82 01 22 | 30 0d <algorithm> | 03 82 01 0f 00 | 30 82 01 0a <n, e>
  const size_t inner = static_cast<size_t>(at - broken.begin()) + 4 + 15 + 5;
  REQUIRE(broken.at(inner) == 0x30);
  broken[inner] = 0x04;

  const Csr bad = Csr::from_der(broken);
  CHECK(bad.public_key() == nullptr);
  CHECK(bad.key().algorithm == "RSA");
  CHECK(bad.key().bits == 0);
  CHECK_FALSE(bad.signature_verifies());
  const Csr next = Csr::from_der(good);
  REQUIRE(next.public_key() != nullptr);
  CHECK(EVP_PKEY_eq(next.public_key(), rsa_key(2048)) == 1);
  CHECK(next.signature_verifies());
  CHECK(ERR_peek_error() == 0);
}

// RSA and named-curve EC keys are imported from their parts, not decoded: a point that is not
// on its curve must still be refused, and the next key still load.
TEST_CASE("an EC key whose point is off its curve does not load", "[csr]") {
  const Bytes good = make_request_der({}, ec_p256_key());
  const Bytes spki_der = der_with(i2d_PUBKEY, ec_p256_key());
  Bytes off_curve = good;
  const auto at = std::search(off_curve.begin(), off_curve.end(), spki_der.begin(), spki_der.end());
  REQUIRE(at != off_curve.end());
  off_curve[static_cast<size_t>(at - off_curve.begin()) + spki_der.size() - 1] ^= 0x01;  // the point's last byte

  const Csr bad = Csr::from_der(off_curve);
  CHECK(bad.public_key() == nullptr);
  CHECK(bad.key().algorithm == "EC");
  CHECK(bad.key().curve == "P-256");
  CHECK_FALSE(bad.signature_verifies());
  const Csr next = Csr::from_der(good);
  REQUIRE(next.public_key() != nullptr);
  CHECK(EVP_PKEY_eq(next.public_key(), ec_p256_key()) == 1);
  CHECK(next.signature_verifies());
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("requested SANs come out in order, every type, bytes intact", "[csr]") {
  SECTION("one of each type") {
    CHECK(fixture_csr("sans-mixed.pem").requested_sans() ==
          std::vector<SubjectAltName>{
              {Type::dns, "mail.contoso.lab"},
              {Type::ip, "192.0.2.10"},
              {Type::ip, "2001:db8::1"},  // RFC 5952
              {Type::email, "administrator@contoso.lab"},
              {Type::uri, "https://mail.contoso.lab/owa"},
              {Type::upn, "administrator@contoso.lab"},
              {Type::other_name, "1.3.6.1.4.1.311.25.1"},
              {Type::directory_name, "CN=Contoso Mail"},
              {Type::registered_id, "1.2.3.4"},
          });
  }
  SECTION("a NUL inside a DNS name is kept for policy to refuse") {
    const std::vector<SubjectAltName> sans = fixture_csr("san-dns-nul.pem").requested_sans();
    REQUIRE(sans.size() == 1);
    CHECK(sans[0].type == Type::dns);
    CHECK(sans[0].value.size() == 30);
    CHECK(sans[0].value == std::string("mail.contoso.lab\0.evil.example", 30));
  }
  SECTION("100 SANs are accepted") { CHECK(fixture_csr("sans-100.pem").requested_sans().size() == 100); }
  SECTION("101 SANs are refused") {
    const Error e = error_from([] { (void)fixture_csr("sans-101.pem"); });
    CHECK(e.kind() == ErrorKind::invalid_request);
    CHECK_THAT(e.what(), Catch::StartsWith("the request has 101 SANs; at most 100 are accepted — split the names"));
  }
  SECTION("no extension request, no SANs") {
    const Bytes der = build_request(shared_key("ec:p256").native(), shared_key("ec:p256"), [](X509_REQ*) {});
    const Csr csr = Csr::from_der(der);
    CHECK(csr.requested_sans().empty());
    CHECK(csr.requested_extension_oids().empty());
    CHECK(csr.signature_verifies());
  }
}

TEST_CASE("from_der refuses what is not exactly one request", "[csr]") {
  const Bytes good = bytes_of_fixture("windows-exchange.der");
  struct Row {
    const char* what;
    Bytes der;
    std::string message;  // a prefix of the message
  };
  Bytes trailing = good;
  trailing.insert(trailing.end(), {0x00, 0x00});
  Bytes truncated(good.begin(), good.end() - 1);
  Bytes wrong_tag = good;
  wrong_tag[4] = 0x31;  // the CertificationRequestInfo is a SET now
  const std::vector<Row> rows = {
      {"empty", {}, "not a PKCS#10 request: the input is empty"},
      {"trailing bytes", trailing, "not a PKCS#10 request: 2 bytes of trailing data after the request"},
      {"a byte short", truncated, "not a PKCS#10 request: "},
      {"a wrong tag", wrong_tag, "not a PKCS#10 request: "},
      {"a certificate", bytes_of_fixture("certificate.der"), "this is a certificate, not a certificate request"},
      {"a certificate chain (.p7b)", pkcs7_certs_only({Certificate::from_der(bytes_of_fixture("certificate.der"))}),
       "this is a PKCS#7 certificate chain (.p7b), not a certificate request"},
      {"a PFX", pfx_of_key_only(), "this is a PFX (PKCS#12) file, a certificate with its private key — never send it"},
      {"over 64 KiB", Bytes(64 * 1024 + 1, 0x30), "the request is larger than 64 KiB; a request is at most 64 KiB"},
  };
  for (const Row& row : rows) {
    SECTION(row.what) {
      const Error e = csr_error(row.der);
      CHECK(e.kind() == ErrorKind::invalid_request);
      CHECK_THAT(e.what(), Catch::StartsWith(row.message));
      CHECK(ERR_peek_error() == 0);
    }
  }
}

TEST_CASE("from_der stays fast on 60 KiB of hostile DER", "[csr]") {
  const size_t size = 60 * 1024;
  SECTION("deeply nested definite-length SEQUENCEs") {
    Bytes nested;
    while (nested.size() + 4 <= size) {
      const size_t len = nested.size();
      Bytes header = {0x30, 0x82, static_cast<unsigned char>(len >> 8), static_cast<unsigned char>(len & 0xFF)};
      nested.insert(nested.begin(), header.begin(), header.end());
    }
    CHECK(seconds_for([&] { CHECK(csr_error(nested).kind() == ErrorKind::invalid_request); }) < 0.5);
  }
  SECTION("deeply nested indefinite-length SEQUENCEs") {
    Bytes nested;
    for (size_t i = 0; i < size / 2; ++i) nested.insert(nested.end(), {0x30, 0x80});
    CHECK(seconds_for([&] { CHECK(csr_error(nested).kind() == ErrorKind::invalid_request); }) < 0.5);
  }
  SECTION("random bytes behind a SEQUENCE header") {
    std::mt19937 random(5);
    Bytes noise(size);
    for (auto& b : noise) b = static_cast<unsigned char>(random() & 0xFF);
    noise[0] = 0x30;
    noise[1] = 0x82;
    noise[2] = 0xEF;
    noise[3] = 0xFC;
    CHECK(seconds_for([&] { CHECK(csr_error(noise).kind() == ErrorKind::invalid_request); }) < 0.5);
  }
}

TEST_CASE("windows_info tolerates malformed Microsoft attributes", "[csr]") {
  const PrivateKey& key = shared_key("ec:p256");
  const Bytes der = build_request(key.native(), key, [](X509_REQ* req) {
    add_attribute(req, "1.3.6.1.4.1.311.13.2.3", V_ASN1_INTEGER, {0x05});                      // OS version not a string
    add_attribute(req, "1.3.6.1.4.1.311.21.20", V_ASN1_SEQUENCE, {0x30, 0x03, 0x02, 0x05, 0x01});  // INTEGER cut off
    add_attribute(req, "1.3.6.1.4.1.311.13.2.2", V_ASN1_SEQUENCE, {0x30, 0x03, 0x1E, 0x01, 0x41});  // odd BMPString
    auto extensions = ossl::adopt(sk_X509_EXTENSION_new_null());
    add_extension(extensions.get(), "1.3.6.1.4.1.311.20.2", {0x02, 0x01, 0x07});  // template name as INTEGER
    add_extension(extensions.get(), "1.3.6.1.4.1.311.21.7", {0x30, 0x05, 0xFF});  // not DER at all
    REQUIRE(X509_REQ_add_extensions(req, extensions.get()) == 1);
  });
  const Csr csr = Csr::from_der(der);
  WindowsRequestInfo info;
  CHECK_NOTHROW(info = csr.windows_info());
  CHECK(info.empty());
  CHECK_FALSE(info.client_id.has_value());
  CHECK(csr.requested_extension_oids() == std::vector<std::string>{"1.3.6.1.4.1.311.20.2", "1.3.6.1.4.1.311.21.7"});
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("windows_info reads fields of the right type and skips the others", "[csr]") {
  const PrivateKey& key = shared_key("ec:p256");
  const Bytes der = build_request(key.native(), key, [](X509_REQ* req) {
    // ClientInformation { 9, INTEGER (not a name), UTF8String "CONTOSO\\svc" } — the process name missing.
    add_attribute(req, "1.3.6.1.4.1.311.21.20", V_ASN1_SEQUENCE,
                  {0x30, 0x13, 0x02, 0x01, 0x09, 0x02, 0x01, 0x01, 0x0C, 0x0B, 'C', 'O', 'N', 'T', 'O', 'S', 'O', '\\',
                   's', 'v', 'c'});
    // CertificateTemplate v2: { templateID 1.3.6.1.4.1.311.21.8.1.2.3, major 100, minor 4 }
    auto extensions = ossl::adopt(sk_X509_EXTENSION_new_null());
    add_extension(extensions.get(), "1.3.6.1.4.1.311.21.7",
                  {0x30, 0x14, 0x06, 0x0C, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x15, 0x08, 0x01, 0x02, 0x03, 0x02,
                   0x01, 0x64, 0x02, 0x01, 0x04});
    REQUIRE(X509_REQ_add_extensions(req, extensions.get()) == 1);
  });
  const WindowsRequestInfo info = Csr::from_der(der).windows_info();
  CHECK(info.client_id == 9);
  CHECK(info.client_machine.empty());
  CHECK(info.client_user == "CONTOSO\\svc");
  CHECK(info.client_process.empty());
  CHECK(info.template_name == "1.3.6.1.4.1.311.21.8.1.2.3");
  CHECK(info.made_on_windows());  // client information alone is Windows enrollment's
}

TEST_CASE("a template name alone does not make a request Windows-made", "[csr]") {
  const PrivateKey& key = shared_key("ec:p256");
  const Bytes der = build_request(key.native(), key, [](X509_REQ* req) {
    // What `openssl req -addext "1.3.6.1.4.1.311.20.2=ASN1:BMPSTRING:WebServer"` writes.
    auto extensions = ossl::adopt(sk_X509_EXTENSION_new_null());
    add_extension(extensions.get(), "1.3.6.1.4.1.311.20.2",
                  {0x1E, 0x12, 0, 'W', 0, 'e', 0, 'b', 0, 'S', 0, 'e', 0, 'r', 0, 'v', 0, 'e', 0, 'r'});
    REQUIRE(X509_REQ_add_extensions(req, extensions.get()) == 1);
  });
  const WindowsRequestInfo info = Csr::from_der(der).windows_info();
  CHECK(info.template_name == "WebServer");
  CHECK_FALSE(info.empty());
  CHECK_FALSE(info.made_on_windows());
}

TEST_CASE("a huge RSA exponent is refused at the door", "[csr]") {
  // 50 KiB of exponent: verifying with it, or even printing it, would take a long time.
  const PrivateKey& signer = shared_key("rsa:2048");
  BIGNUM* n = nullptr;
  REQUIRE(EVP_PKEY_get_bn_param(signer.native(), OSSL_PKEY_PARAM_RSA_N, &n) == 1);
  auto modulus = ossl::adopt(n);
  for (const int top_bit : {64, 50 * 1024 * 8}) {
    INFO("exponent 2^" << top_bit << " + 1");
    auto exponent = ossl::adopt(BN_new());
    REQUIRE(BN_set_bit(exponent.get(), top_bit) == 1);
    REQUIRE(BN_set_bit(exponent.get(), 0) == 1);
    auto hostile = rsa_public_key(modulus.get(), exponent.get());
    const Bytes der = build_request(hostile.get(), signer, [](X509_REQ*) {});
    REQUIRE(der.size() <= max_request_file_size);
    Error e(ErrorKind::crypto, "");
    CHECK(seconds_for([&] { e = csr_error(der); }) < 0.5);
    CHECK(e.kind() == ErrorKind::invalid_request);
    CHECK(std::string(e.what()) == "the request's RSA public exponent is " + std::to_string(top_bit + 1) +
                                       " bits long; at most 64 bits are accepted (65537 is usual)");
  }
  SECTION("a 64-bit exponent is still read, and printed in decimal") {
    auto exponent = ossl::adopt(BN_new());
    REQUIRE(BN_set_bit(exponent.get(), 63) == 1);
    REQUIRE(BN_set_bit(exponent.get(), 0) == 1);
    auto key = rsa_public_key(modulus.get(), exponent.get());
    const Csr csr = Csr::from_der(build_request(key.get(), signer, [](X509_REQ*) {}));
    CHECK(csr.key().rsa_exponent == "9223372036854775809");
    CHECK_FALSE(csr.signature_verifies());  // signed by another key than its own
  }
}
