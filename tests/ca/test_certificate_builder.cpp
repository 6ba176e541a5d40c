// CertificateBuilder: a self-signed root and certificates signed by it,
// re-parsed from DER and checked field by field through OpenSSL.

#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "ca/certificate_builder.h"
#include "cert_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;

namespace {

// SHA-1 of the subjectPublicKey BIT STRING: RFC 5280 4.2.1.2 method (1), what "hash" means.
Bytes rfc5280_key_id(const X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(X509_pubkey_digest(cert, EVP_sha1(), md, &len) == 1);
  return Bytes(md, md + len);
}

ossl::Ptr<X509_EXTENSION> template_name_extension() {
  // 1.3.6.1.4.1.311.20.2 = BMPString "WebServer", as AD CS v1 templates carry it.
  auto oid = ossl::adopt(OBJ_txt2obj("1.3.6.1.4.1.311.20.2", 1));
  static const unsigned char value[] = {0x1e, 0x12, 0, 'W', 0, 'e', 0, 'b', 0, 'S', 0, 'e', 0, 'r', 0, 'v', 0, 'e', 0, 'r'};
  auto octets = ossl::adopt(ASN1_OCTET_STRING_new());
  REQUIRE(ASN1_OCTET_STRING_set(octets.get(), value, sizeof value) == 1);
  return ossl::adopt(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, octets.get()));
}

}  // namespace

TEST_CASE("a self-signed root and an intermediate signed by it", "[certificate_builder]") {
  const PrivateKey& root_key = shared_key("ec:p256");
  const PrivateKey& sub_key = shared_key("rsa:2048");
  auto root_name = parse_distinguished_name("CN=Builder Root CA, O=Contoso Ltd, C=US");
  auto sub_name = parse_distinguished_name("CN=Builder Issuing CA, O=Contoso Ltd, C=US");
  const Bytes root_serial = make_serial(1, 1);
  const Bytes sub_serial = make_serial(2, 1);
  const Time root_from = sample_time();
  const Time root_until = add_years(sample_time(), 20);  // 2046: UTCTime
  const Time sub_until = utc(2051, 3, 1, 12, 0, 0);      // 2051: GeneralizedTime

  const Certificate built_root = CertificateBuilder(root_name.get(), root_key.native(), root_serial, root_from, root_until)
                                     .basic_constraints(true, std::nullopt)
                                     .key_usage({"digitalSignature", "keyCertSign", "cRLSign"})
                                     .subject_key_identifier()
                                     .authority_key_identifier()
                                     .sign(root_key);
  const Certificate built_sub = CertificateBuilder(sub_name.get(), sub_key.native(), sub_serial, root_from, sub_until)
                                    .issued_by(built_root)
                                    .basic_constraints(true, 0)
                                    .key_usage({"digitalSignature", "keyCertSign", "cRLSign"})
                                    .subject_key_identifier()
                                    .authority_key_identifier()
                                    .add(extensions::crl_distribution_point("http://pki.contoso.com/pki/builder-root-ca.crl"))
                                    .add(extensions::authority_info_access("http://pki.contoso.com/pki/builder-root-ca.crt", ""))
                                    .sign(root_key);
  // Everything below reads what went over the wire, not the builder's in-memory object.
  const Certificate root = Certificate::from_der(built_root.der());
  const Certificate sub = Certificate::from_der(built_sub.der());
  X509* r = root.native();
  X509* s = sub.native();

  SECTION("version 3 and the serial given") {
    CHECK(X509_get_version(r) == X509_VERSION_3);
    CHECK(X509_get_version(s) == X509_VERSION_3);
    CHECK(root.serial_hex() == to_hex_lower(root_serial));
    CHECK(sub.serial_hex() == to_hex_lower(sub_serial));
    const ASN1_INTEGER* serial = X509_get0_serialNumber(s);
    CHECK(ASN1_STRING_type(serial) == V_ASN1_INTEGER);  // positive
    CHECK(ASN1_STRING_length(serial) == 19);
  }
  SECTION("subject and issuer names") {
    CHECK(root.subject() == "CN=Builder Root CA,O=Contoso Ltd,C=US");
    CHECK(root.issuer() == root.subject());
    CHECK(sub.subject() == "CN=Builder Issuing CA,O=Contoso Ltd,C=US");
    CHECK(sub.issuer() == root.subject());
    CHECK(X509_NAME_cmp(X509_get_issuer_name(s), X509_get_subject_name(r)) == 0);
    CHECK(der_of(X509_get_issuer_name(s)) == der_of(X509_get_subject_name(r)));  // byte-equal
    CHECK(X509_check_issued(r, s) == X509_V_OK);
    CHECK(X509_check_issued(r, r) == X509_V_OK);
    CHECK(root.is_self_signed());
    CHECK_FALSE(sub.is_self_signed());
  }
  SECTION("basicConstraints: critical, CA, pathLen only when given") {
    for (X509* cert : {r, s}) {
      REQUIRE(has_extension(cert, NID_basic_constraints));
      CHECK(extension_is_critical(cert, NID_basic_constraints));
      ossl::Ptr<BASIC_CONSTRAINTS> bc(
          static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(cert, NID_basic_constraints, nullptr, nullptr)));
      REQUIRE(bc);
      CHECK(bc->ca != 0);
      if (cert == r) {
        CHECK(bc->pathlen == nullptr);
      } else {
        REQUIRE(bc->pathlen != nullptr);
        CHECK(ASN1_INTEGER_get(bc->pathlen) == 0);
      }
    }
    CHECK(root.is_ca());
    CHECK(sub.is_ca());
    CHECK(root.path_len() == std::nullopt);
    CHECK(sub.path_len() == std::optional<int>(0));
  }
  SECTION("keyUsage: critical, exactly what was asked") {
    for (X509* cert : {r, s}) {
      CHECK(extension_is_critical(cert, NID_key_usage));
      CHECK(X509_get_key_usage(cert) == (KU_DIGITAL_SIGNATURE | KU_KEY_CERT_SIGN | KU_CRL_SIGN));
      CHECK_FALSE(has_extension(cert, NID_ext_key_usage));
    }
  }
  SECTION("SKI is the RFC 5280 key hash; AKI keyid is the issuer's SKI") {
    REQUIRE(X509_get0_subject_key_id(r) != nullptr);
    REQUIRE(X509_get0_subject_key_id(s) != nullptr);
    CHECK_FALSE(extension_is_critical(r, NID_subject_key_identifier));
    CHECK_FALSE(extension_is_critical(s, NID_authority_key_identifier));
    CHECK(octets(X509_get0_subject_key_id(r)) == rfc5280_key_id(r));
    CHECK(octets(X509_get0_subject_key_id(s)) == rfc5280_key_id(s));
    CHECK(root.subject_key_id() == rfc5280_key_id(r));
    CHECK(octets(X509_get0_authority_key_id(s)) == octets(X509_get0_subject_key_id(r)));
    CHECK(octets(X509_get0_authority_key_id(r)) == octets(X509_get0_subject_key_id(r)));
    CHECK(X509_get0_subject_key_id(s) != nullptr);
    CHECK(root.subject_key_id() != sub.subject_key_id());
  }
  SECTION("CDP and AIA only where asked") {
    CHECK_FALSE(has_extension(r, NID_crl_distribution_points));
    CHECK_FALSE(has_extension(r, NID_info_access));
    CHECK(crl_urls(s) == std::vector<std::string>{"http://pki.contoso.com/pki/builder-root-ca.crl"});
    CHECK(aia_entries(s) == std::vector<std::string>{"caIssuers http://pki.contoso.com/pki/builder-root-ca.crt"});
    CHECK_FALSE(extension_is_critical(s, NID_crl_distribution_points));
    CHECK_FALSE(extension_is_critical(s, NID_info_access));
  }
  SECTION("extensions appear in the order they were added") {
    const std::vector<int> expected = {NID_basic_constraints, NID_key_usage, NID_subject_key_identifier,
                                       NID_authority_key_identifier, NID_crl_distribution_points, NID_info_access};
    REQUIRE(X509_get_ext_count(s) == static_cast<int>(expected.size()));
    for (size_t i = 0; i < expected.size(); ++i) {
      CHECK(OBJ_obj2nid(X509_EXTENSION_get_object(X509_get_ext(s, static_cast<int>(i)))) == expected[i]);
    }
    CHECK(X509_get_ext_count(r) == 4);
  }
  SECTION("signatures verify against the issuer's key and no other") {
    CHECK(X509_verify(r, X509_get0_pubkey(r)) == 1);
    CHECK(X509_verify(s, root_key.native()) == 1);
    CHECK(X509_verify(s, sub_key.native()) != 1);
    ERR_clear_error();
    CHECK(X509_get_signature_nid(r) == NID_ecdsa_with_SHA256);
    CHECK(X509_get_signature_nid(s) == NID_ecdsa_with_SHA256);  // signed by the P-256 root
    CHECK(sub_key.matches(X509_get0_pubkey(s)));
  }
  SECTION("validity as given, UTCTime before 2050 and GeneralizedTime after") {
    CHECK(root.not_before() == root_from);
    CHECK(root.not_after() == root_until);
    CHECK(sub.not_after() == sub_until);
    CHECK(ASN1_STRING_type(X509_get0_notAfter(r)) == V_ASN1_UTCTIME);
    CHECK(ASN1_STRING_type(X509_get0_notAfter(s)) == V_ASN1_GENERALIZEDTIME);
  }
  SECTION("OpenSSL builds and verifies the chain under strict RFC 5280 checks") {
    CHECK(openssl_verify(sub, {}, root, sample_time(days(1))) == X509_V_OK);
    CHECK(openssl_verify(root, {}, root, sample_time(days(1))) == X509_V_OK);
    CHECK(openssl_verify(sub, {}, root, sample_time(-days(1))) == X509_V_ERR_CERT_NOT_YET_VALID);
  }
}

TEST_CASE("end-entity certificates: CA:FALSE, EKU, OCSP and custom extensions", "[certificate_builder]") {
  const PrivateKey& ca_key = shared_key("ec:p384");
  const PrivateKey& leaf_key = shared_key("ec:p256");
  const Certificate ca = make_ca_cert("CN=Leaf Test CA", ca_key, 1);
  auto name = parse_distinguished_name("CN=mail.contoso.com, O=Contoso");
  const Certificate leaf = Certificate::from_der(
      CertificateBuilder(name.get(), leaf_key.native(), make_serial(9, 1), sample_time(), sample_time(days(730)))
          .issued_by(ca)
          .basic_constraints(false, 3)  // a path length means nothing on a leaf and must not appear
          .key_usage({"digitalSignature"})
          .extended_key_usage({"serverAuth", "clientAuth"})
          .subject_key_identifier()
          .authority_key_identifier()
          .add(extensions::authority_info_access("http://pki.example/pki/ca.crt", "http://pki.example/ocsp"))
          .add(template_name_extension())
          .sign(ca_key)
          .der());
  X509* c = leaf.native();

  CHECK_FALSE(leaf.is_ca());
  CHECK(leaf.path_len() == std::nullopt);
  CHECK(X509_check_ca(c) == 0);
  REQUIRE(has_extension(c, NID_basic_constraints));
  CHECK_FALSE(extension_is_critical(c, NID_basic_constraints));
  ossl::Ptr<BASIC_CONSTRAINTS> bc(static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(c, NID_basic_constraints, nullptr, nullptr)));
  REQUIRE(bc);
  CHECK(bc->ca == 0);
  CHECK(bc->pathlen == nullptr);

  CHECK(extension_is_critical(c, NID_key_usage));
  CHECK(X509_get_key_usage(c) == KU_DIGITAL_SIGNATURE);
  CHECK_FALSE(extension_is_critical(c, NID_ext_key_usage));
  CHECK(X509_get_extended_key_usage(c) == (XKU_SSL_SERVER | XKU_SSL_CLIENT));
  CHECK(aia_entries(c) == std::vector<std::string>{"OCSP http://pki.example/ocsp", "caIssuers http://pki.example/pki/ca.crt"});
  CHECK_FALSE(has_extension(c, NID_crl_distribution_points));

  const int at = X509_get_ext_by_OBJ(c, X509_EXTENSION_get_object(template_name_extension().get()), -1);
  REQUIRE(at >= 0);
  CHECK(X509_EXTENSION_get_critical(X509_get_ext(c, at)) == 0);

  CHECK(X509_get_signature_nid(c) == NID_ecdsa_with_SHA384);  // signed by a P-384 key
  CHECK(X509_verify(c, ca_key.native()) == 1);
  CHECK(openssl_verify(leaf, {}, ca, sample_time(days(1))) == X509_V_OK);
  CHECK(octets(X509_get0_authority_key_id(c)) == ca.subject_key_id());
}

TEST_CASE("a certificate drafted from a request's key gets its serial last, and signs only with one",
          "[certificate_builder]") {
  const PrivateKey& ca_key = shared_key("ec:p256");
  const PrivateKey& leaf_key = shared_key("rsa:2048");
  const Certificate ca = make_ca_cert("CN=Draft Test CA", ca_key, 1);
  auto name = parse_distinguished_name("CN=mail.contoso.com");
  X509_PUBKEY* raw_spki = nullptr;
  REQUIRE(X509_PUBKEY_set(&raw_spki, leaf_key.native()) == 1);
  const auto spki = ossl::adopt(raw_spki);

  CertificateBuilder draft(name.get(), spki.get(), sample_time(), sample_time(days(730)));
  draft.issued_by(ca).key_usage({"digitalSignature"}).subject_key_identifier().authority_key_identifier();
  CHECK(error_from([&] { (void)draft.sign(ca_key); }).kind() == ErrorKind::crypto);  // no serial yet

  const Bytes serial = make_serial(77, 2);
  const Certificate leaf = Certificate::from_der(draft.serial(serial).sign(ca_key).der());
  CHECK(leaf.serial_hex() == to_hex_lower(serial));
  CHECK(leaf.subject() == "CN=mail.contoso.com");
  CHECK(leaf.issuer() == ca.subject());  // the issuer's name, not the subject's
  CHECK(EVP_PKEY_eq(leaf.public_key(), leaf_key.native()) == 1);
  CHECK(openssl_verify(leaf, {}, ca, sample_time(days(1))) == X509_V_OK);
}

TEST_CASE("a certificate without an issuer is self-signed: its issuer is its subject", "[certificate_builder]") {
  const PrivateKey& key = shared_key("ec:p256");
  auto name = parse_distinguished_name("CN=Self Signed, O=Contoso");
  const Certificate self = Certificate::from_der(
      CertificateBuilder(name.get(), key.native(), make_serial(3, 1), sample_time(), sample_time(days(1)))
          .sign(key)
          .der());
  CHECK(self.issuer() == "CN=Self Signed,O=Contoso");
  CHECK(self.issuer() == self.subject());
  CHECK(X509_verify(self.native(), key.native()) == 1);
}

TEST_CASE("RSA signers sign with SHA-256", "[certificate_builder]") {
  const PrivateKey& key = shared_key("rsa:2048");
  const Certificate root = make_ca_cert("CN=RSA Root", key, 1);
  CHECK(X509_get_signature_nid(root.native()) == NID_sha256WithRSAEncryption);
  CHECK(root.is_self_signed());
}

TEST_CASE("CertificateBuilder refuses unusable URLs and unknown names", "[certificate_builder]") {
  const PrivateKey& key = shared_key("ec:p256");
  auto name = parse_distinguished_name("CN=x");
  CertificateBuilder builder(name.get(), key.native(), make_serial(1, 1), sample_time(), sample_time(days(1)));

  SECTION("CDP") {
    for (const char* bad : {"", "ftp://pki.example/x.crl", "http://pki.example/a b.crl", "http://a,URI:http://evil"}) {
      INFO(bad);
      CHECK(error_from([&] { (void)extensions::crl_distribution_point(bad); }).kind() == ErrorKind::invalid_input);
    }
  }
  SECTION("AIA") {
    CHECK(error_from([&] { (void)extensions::authority_info_access("ldap://x", ""); }).kind() == ErrorKind::invalid_input);
    CHECK(error_from([&] { (void)extensions::authority_info_access("", "http://a,OCSP;URI:http://evil"); }).kind() ==
          ErrorKind::invalid_input);
  }
  SECTION("an AIA with no URL is no extension") { CHECK(extensions::authority_info_access("", "") == nullptr); }
  SECTION("unknown usage names fail loudly and leave OpenSSL's queue empty") {
    CHECK_THROWS_AS(builder.key_usage({"digitalSignature", "fooSign"}), Error);
    CHECK(ERR_peek_error() == 0);
    CHECK_THROWS_AS(builder.extended_key_usage({"notAnEku"}), Error);
    CHECK(ERR_peek_error() == 0);
  }
}

TEST_CASE("is_publishable_url", "[certificate_builder]") {
  for (const char* good : {"http://pki.contoso.com", "https://pki.contoso.com/pki/contoso-lab-root-ca.crl",
                           "http://192.0.2.10:8080/pki/x.crt", "http://[2001:db8::1]/ocsp", "http://pki/a?b=c&d=e"}) {
    INFO(good);
    CHECK(is_publishable_url(good));
  }
  for (const char* bad : {"", "pki.contoso.com", "ftp://pki.contoso.com", "ldap://dc01/CN=x", "file:///etc/passwd",
                          "http:/pki", " http://pki", "http://pki ", "http://pki/a b", "http://pki/a,b",
                          "http://pki/\"x\"", "http://pki\\x", "http://pki/\x01", "http://pki/\x7f",
                          "http://pki.example/caf\xC3\xA9", "http://pki/\t"}) {
    INFO(bad);
    CHECK_FALSE(is_publishable_url(bad));
  }
}

TEST_CASE("is_publishable_url wants a host", "[certificate_builder]") {
  // "http://" alone would put "http:///pki/<ca>.crl" into every subordinate certificate.
  for (const char* bad : {"http://", "https://", "http:///pki"}) {
    INFO(bad);
    CHECK_FALSE(is_publishable_url(bad));
  }
}
