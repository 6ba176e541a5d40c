// sign_crl: CRLs re-parsed with OpenSSL's d2i_X509_CRL and checked field by field;
// crl_serials; the revocation reason names `revoke --reason` takes.

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ca/crl_builder.h"
#include "cert_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;

namespace {

// Serials as the store keeps them, deliberately out of order and of mixed lengths.
const std::string hold_serial = "7e1c0a5b2f00d3c4e5f60718293a4b00010000c8";  // 20 bytes, the most RFC 5280 allows
const std::string key_serial = "0a";
const std::string plain_serial = "80ff00aa";  // high bit set: DER needs a 00 pad

ossl::Ptr<X509_CRL> parse(const Bytes& der) {
  const unsigned char* p = der.data();
  auto crl = ossl::adopt(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  REQUIRE(crl);
  REQUIRE(p == der.data() + der.size());
  return crl;
}

CrlSpec base_spec(const Certificate& issuer) {
  return CrlSpec{.issuer = issuer,
                 .number = 4,
                 .delta_of = std::nullopt,
                 .this_update = sample_time(),
                 .next_update = sample_time(days(7)),
                 .next_publish = std::nullopt,
                 .freshest_crl_url = "",
                 .entries = {{hold_serial, sample_time(-days(1)), "certificateHold"},
                             {key_serial, sample_time(-days(3)), "keyCompromise"},
                             {plain_serial, sample_time(-days(2)), "unspecified"}}};
}

// What an ASN1_TIME holds as written, e.g. "261123085724Z", with a "G:" prefix for GeneralizedTime.
std::string time_text(const ASN1_TIME* t) {
  REQUIRE(t != nullptr);
  const std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(t)),
                         static_cast<size_t>(ASN1_STRING_length(t)));
  return ASN1_STRING_type(t) == V_ASN1_GENERALIZEDTIME ? "G:" + text : text;
}

// The CRL's extensions as dotted OIDs, in order.
std::vector<std::string> extension_oids(const X509_CRL* crl) {
  std::vector<std::string> out;
  for (int i = 0; i < X509_CRL_get_ext_count(crl); ++i) {
    char oid[80];
    REQUIRE(OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(X509_CRL_get_ext(crl, i)), 1) > 0);
    out.emplace_back(oid);
  }
  return out;
}

X509_EXTENSION* extension(const X509_CRL* crl, const char* oid) {
  auto obj = ossl::adopt(OBJ_txt2obj(oid, 1));
  const int at = X509_CRL_get_ext_by_OBJ(crl, obj.get(), -1);
  REQUIRE(at >= 0);
  return X509_CRL_get_ext(crl, at);
}

int64_t integer_extension(const X509_CRL* crl, int nid, int* critical) {
  auto value = ossl::adopt(static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, nid, critical, nullptr)));
  REQUIRE(value);
  int64_t out = -1;
  REQUIRE(ASN1_INTEGER_get_int64(&out, value.get()) == 1);
  return out;
}

// The tbsCertList exactly as signed, sliced out of the CRL's DER.
Bytes tbs_as_signed(const Bytes& der) {
  const unsigned char* p = der.data();
  long length = 0;
  int tag = 0;
  int cls = 0;
  REQUIRE(ASN1_get_object(&p, &length, &tag, &cls, static_cast<long>(der.size())) == V_ASN1_CONSTRUCTED);
  const unsigned char* tbs = p;
  REQUIRE(ASN1_get_object(&p, &length, &tag, &cls, der.data() + der.size() - p) == V_ASN1_CONSTRUCTED);
  return Bytes(tbs, p + length);
}

// The same tbsCertList as OpenSSL writes it afresh from the fields it parsed.
Bytes tbs_reencoded(X509_CRL* crl) { return der_with(i2d_re_X509_CRL_tbs, crl); }

std::string serial_of(const X509_REVOKED* entry) {
  const ASN1_INTEGER* serial = X509_REVOKED_get0_serialNumber(entry);
  return to_hex_lower(ASN1_STRING_get0_data(serial), static_cast<size_t>(ASN1_STRING_length(serial)));
}

// The entry's CRLReason code, -1 when it has none.
int reason_of(const X509_REVOKED* entry, int* critical) {
  auto reason =
      ossl::adopt(static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, critical, nullptr)));
  return reason ? static_cast<int>(ASN1_ENUMERATED_get(reason.get())) : -1;
}

}  // namespace

TEST_CASE("a base CRL with three entries, re-parsed through OpenSSL", "[crl]") {
  const Certificate& ca = test_chain().intermediate;  // P-384 key: SHA-384
  const Bytes der = sign_crl(base_spec(ca), shared_key("ec:p384"));
  const auto crl = parse(der);

  SECTION("version 2, ecdsa-with-SHA384, and the signature verifies with the CA's key") {
    CHECK(X509_CRL_get_version(crl.get()) == X509_CRL_VERSION_2);
    CHECK(X509_CRL_get_signature_nid(crl.get()) == NID_ecdsa_with_SHA384);
    CHECK(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.native())) == 1);
    CHECK(X509_CRL_verify(crl.get(), X509_get0_pubkey(test_chain().root.native())) != 1);
    ERR_clear_error();
  }
  SECTION("the issuer is the CA certificate's subject, byte for byte") {
    CHECK(der_of(X509_CRL_get_issuer(crl.get())) == der_of(X509_get_subject_name(ca.native())));
  }
  SECTION("thisUpdate and nextUpdate as UTCTime") {
    CHECK(time_text(X509_CRL_get0_lastUpdate(crl.get())) == "261123085724Z");
    CHECK(time_text(X509_CRL_get0_nextUpdate(crl.get())) == "261130085724Z");
  }
  SECTION("entries sorted by serial value, each with its date and reason") {
    const STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(crl.get());
    REQUIRE(sk_X509_REVOKED_num(entries) == 3);
    const X509_REVOKED* first = sk_X509_REVOKED_value(entries, 0);
    const X509_REVOKED* second = sk_X509_REVOKED_value(entries, 1);
    const X509_REVOKED* third = sk_X509_REVOKED_value(entries, 2);
    CHECK(serial_of(first) == key_serial);
    CHECK(serial_of(second) == plain_serial);
    CHECK(serial_of(third) == hold_serial);
    CHECK(time_text(X509_REVOKED_get0_revocationDate(first)) == "261120085724Z");
    CHECK(time_text(X509_REVOKED_get0_revocationDate(second)) == "261121085724Z");
    CHECK(time_text(X509_REVOKED_get0_revocationDate(third)) == "261122085724Z");

    int critical = -2;
    CHECK(reason_of(first, &critical) == 1);  // keyCompromise
    CHECK(critical == 0);
    CHECK(reason_of(third, &critical) == 6);  // certificateHold
    CHECK(critical == 0);
    // RFC 5280 5.3.1: unspecified is written as no reasonCode at all.
    CHECK(reason_of(second, &critical) == -1);
    CHECK(X509_REVOKED_get_ext_count(second) == 0);
  }
  SECTION("AKI keyid and CRL number, nothing else: no IDP, no delta indicator, no freshest CRL") {
    CHECK(extension_oids(crl.get()) == std::vector<std::string>{"2.5.29.35", "2.5.29.20"});
    int critical = -2;
    auto aki = ossl::adopt(static_cast<AUTHORITY_KEYID*>(
        X509_CRL_get_ext_d2i(crl.get(), NID_authority_key_identifier, &critical, nullptr)));
    REQUIRE(aki);
    CHECK(critical == 0);
    CHECK(octets(aki->keyid) == octets(X509_get0_subject_key_id(ca.native())));
    CHECK_FALSE(octets(aki->keyid).empty());
    CHECK(aki->issuer == nullptr);
    CHECK(aki->serial == nullptr);
    CHECK(integer_extension(crl.get(), NID_crl_number, &critical) == 4);
    CHECK(critical == 0);
    CHECK(X509_CRL_get_ext_by_NID(crl.get(), NID_issuing_distribution_point, -1) < 0);
  }
  SECTION("the entries are written byte for byte as OpenSSL writes them") {
    CHECK(tbs_reencoded(crl.get()) == tbs_as_signed(der));
  }
  SECTION("crl_serials lists the serials in the store's form, sorted") {
    CHECK(crl_serials(der) == std::vector<std::string>{key_serial, plain_serial, hold_serial});
  }
}

TEST_CASE("an RSA CA signs its CRLs with SHA-256", "[crl]") {
  const PrivateKey& key = shared_key("rsa:2048");
  const Certificate ca = make_ca_cert("CN=CRL RSA CA, O=Contoso Ltd, C=US", key, 9);
  const auto crl = parse(sign_crl(base_spec(ca), key));
  CHECK(X509_CRL_get_signature_nid(crl.get()) == NID_sha256WithRSAEncryption);
  CHECK(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.native())) == 1);
}

TEST_CASE("a delta CRL and a base CRL that points at it", "[crl]") {
  const Certificate& ca = test_chain().intermediate;
  CrlSpec spec = base_spec(ca);
  spec.freshest_crl_url = "http://pki.contoso.com/pki/chain-issuing-ca+.crl";

  SECTION("the base carries Freshest CRL, one full-name URI, non-critical") {
    const auto crl = parse(sign_crl(spec, shared_key("ec:p384")));
    CHECK(extension_oids(crl.get()) == std::vector<std::string>{"2.5.29.35", "2.5.29.20", "2.5.29.46"});
    int critical = -2;
    auto points = ossl::adopt(
        static_cast<CRL_DIST_POINTS*>(X509_CRL_get_ext_d2i(crl.get(), NID_freshest_crl, &critical, nullptr)));
    REQUIRE(points);
    CHECK(critical == 0);
    REQUIRE(sk_DIST_POINT_num(points.get()) == 1);
    const DIST_POINT* point = sk_DIST_POINT_value(points.get(), 0);
    REQUIRE(point->distpoint != nullptr);
    REQUIRE(point->distpoint->type == 0);
    CHECK(point->reasons == nullptr);
    CHECK(point->CRLissuer == nullptr);
    const GENERAL_NAMES* names = point->distpoint->name.fullname;
    REQUIRE(sk_GENERAL_NAME_num(names) == 1);
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, 0);
    REQUIRE(name->type == GEN_URI);
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    CHECK(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      static_cast<size_t>(ASN1_STRING_length(uri))) == spec.freshest_crl_url);
  }
  SECTION("the delta carries a critical Delta CRL Indicator and never Freshest CRL") {
    spec.number = 5;
    spec.delta_of = 4;
    spec.entries.add({"0b", sample_time(-days(1)), "removeFromCRL"});
    const Bytes der = sign_crl(spec, shared_key("ec:p384"));
    const auto crl = parse(der);
    CHECK(extension_oids(crl.get()) == std::vector<std::string>{"2.5.29.35", "2.5.29.20", "2.5.29.27"});
    int critical = -2;
    CHECK(integer_extension(crl.get(), NID_crl_number, &critical) == 5);
    CHECK(critical == 0);
    CHECK(integer_extension(crl.get(), NID_delta_crl, &critical) == 4);
    CHECK(critical == 1);
    const X509_REVOKED* removed = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl.get()), 1);
    CHECK(serial_of(removed) == "0b");
    CHECK(reason_of(removed, &critical) == 8);
    CHECK(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.native())) == 1);
    CHECK(tbs_reencoded(crl.get()) == tbs_as_signed(der));
  }
}

TEST_CASE("Next CRL Publish, and times from 2050 on as GeneralizedTime", "[crl]") {
  const Certificate& ca = test_chain().intermediate;
  CrlSpec spec = base_spec(ca);
  spec.freshest_crl_url = "http://pki.contoso.com/pki/chain-issuing-ca+.crl";
  spec.next_publish = sample_time(days(6));
  spec.entries.add({"0c", utc(2050, 1, 1), "superseded"});
  spec.next_update = utc(2049, 12, 31, 23, 59, 59);
  const Bytes der = sign_crl(spec, shared_key("ec:p384"));
  const auto crl = parse(der);

  CHECK(extension_oids(crl.get()) ==
        std::vector<std::string>{"2.5.29.35", "2.5.29.20", "2.5.29.46", "1.3.6.1.4.1.311.21.4"});
  X509_EXTENSION* publish = extension(crl.get(), "1.3.6.1.4.1.311.21.4");
  CHECK(X509_EXTENSION_get_critical(publish) == 0);
  const Bytes value = octets(X509_EXTENSION_get_data(publish));
  const unsigned char* p = value.data();
  auto when = ossl::adopt(d2i_ASN1_TIME(nullptr, &p, static_cast<long>(value.size())));
  REQUIRE(when);
  CHECK(p == value.data() + value.size());
  CHECK(time_text(when.get()) == "261129085724Z");

  CHECK(time_text(X509_CRL_get0_nextUpdate(crl.get())) == "491231235959Z");
  const X509_REVOKED* late = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl.get()), 1);
  REQUIRE(serial_of(late) == "0c");
  CHECK(time_text(X509_REVOKED_get0_revocationDate(late)) == "G:20500101000000Z");
  CHECK(tbs_reencoded(crl.get()) == tbs_as_signed(der));
}

TEST_CASE("revocation dates are the DER that ASN1_TIME_adj writes, from 1900 to 2150", "[crl]") {
  const Certificate& ca = test_chain().intermediate;
  CrlSpec spec = base_spec(ca);
  spec.entries.clear();
  std::vector<Time> dates = {utc(1949, 12, 31, 23, 59, 59), utc(1950, 1, 1), utc(1970, 1, 1),
                             utc(2000, 2, 29, 12, 0, 1),    utc(2049, 12, 31, 23, 59, 59), utc(2050, 1, 1),
                             utc(2099, 12, 31, 23, 59, 59), utc(9999, 12, 31, 23, 59, 59)};
  for (Time t = utc(1900, 1, 1); t < utc(2150, 1, 1); t += std::chrono::seconds(86400 * 37 + 3607)) dates.push_back(t);
  for (size_t i = 0; i < dates.size(); ++i) {
    char serial[20];
    std::snprintf(serial, sizeof serial, "%zx", i + 1);
    spec.entries.add(serial, dates[i], "");
  }
  const auto crl = parse(sign_crl(spec, shared_key("ec:p384")));
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  REQUIRE(sk_X509_REVOKED_num(revoked) == static_cast<int>(dates.size()));
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    const X509_REVOKED* entry = sk_X509_REVOKED_value(revoked, i);
    const long serial = ASN1_INTEGER_get(X509_REVOKED_get0_serialNumber(entry));
    REQUIRE(serial >= 1);
    const Time when = dates.at(static_cast<size_t>(serial - 1));
    auto expected = ossl::adopt(ASN1_TIME_adj(nullptr, static_cast<time_t>(when.time_since_epoch().count()), 0, 0));
    REQUIRE(expected);
    INFO("revocation date " << to_iso8601(when));
    CHECK(der_with(i2d_ASN1_TIME, X509_REVOKED_get0_revocationDate(entry)) == der_with(i2d_ASN1_TIME, expected.get()));
  }
}

TEST_CASE("an empty CRL has no revokedCertificates at all and verifies", "[crl]") {
  const Certificate& ca = test_chain().intermediate;
  CrlSpec spec = base_spec(ca);
  spec.entries.clear();
  const Bytes der = sign_crl(spec, shared_key("ec:p384"));
  const auto crl = parse(der);
  CHECK(X509_CRL_get_REVOKED(crl.get()) == nullptr);  // RFC 5280 5.1.2.6: absent, not an empty list
  CHECK(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.native())) == 1);
  CHECK(crl_serials(der).empty());
  CHECK(tbs_reencoded(crl.get()) == tbs_as_signed(der));
}

TEST_CASE("many entries come out in serial order and verify", "[crl]") {
  const Certificate& ca = test_chain().intermediate;
  CrlSpec spec = base_spec(ca);
  spec.entries.clear();
  std::vector<std::string> expected;
  for (uint32_t id = 5000; id > 0; --id) {  // descending request IDs, one random top each
    const std::string serial = to_hex_lower(make_serial(id, 2));
    spec.entries.add({serial, sample_time(-std::chrono::seconds(id)), id % 3 == 0 ? "superseded" : ""});
    expected.push_back(serial);
  }
  std::sort(expected.begin(), expected.end());  // same length, so text order is value order
  const Bytes der = sign_crl(spec, shared_key("ec:p384"));
  CHECK(crl_serials(der) == expected);
  const auto crl = parse(der);
  CHECK(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.native())) == 1);
  CHECK(tbs_reencoded(crl.get()) == tbs_as_signed(der));  // long-form lengths too
}

TEST_CASE("crl_serials matches Certificate::serial_hex and refuses what is no CRL", "[crl]") {
  const Certificate& ca = test_chain().intermediate;
  CrlSpec spec = base_spec(ca);
  // The store's form of a real certificate's serial; the same number typed with a leading 00 and odd length.
  spec.entries = {{test_chain().leaf.serial_hex(), sample_time(), "superseded"},
                  {"00000a", sample_time(), "keyCompromise"},
                  {"abc", sample_time(), ""}};
  const Bytes der = sign_crl(spec, shared_key("ec:p384"));
  CHECK(crl_serials(der) == std::vector<std::string>{"0a", "0abc", test_chain().leaf.serial_hex()});

  CHECK(kind_thrown([] { (void)crl_serials(to_bytes("not a CRL")); }) == ErrorKind::invalid_input);
  CHECK(kind_thrown([&] { (void)crl_serials(Bytes(der.begin(), der.end() - 1)); }) == ErrorKind::invalid_input);
  Bytes trailing = der;
  trailing.push_back(0);
  CHECK(kind_thrown([&] { (void)crl_serials(trailing); }) == ErrorKind::invalid_input);
  CHECK(kind_thrown([&] { (void)crl_serials(test_chain().leaf.der()); }) == ErrorKind::invalid_input);
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("sign_crl refuses a spec it cannot sign honestly", "[crl]") {
  const Certificate& ca = test_chain().intermediate;
  const PrivateKey& key = shared_key("ec:p384");
  const auto refused = [&](CrlSpec spec) { return kind_thrown([&] { (void)sign_crl(spec, key); }); };
  CrlSpec spec = base_spec(ca);

  SECTION("the same serial twice, however it is written") {
    spec.entries.add({"000A", sample_time(), "superseded"});
    CHECK(contains(error_from([&] { (void)sign_crl(spec, key); }).what(), "listed twice"));
  }
  SECTION("a serial that is not hex, or too long, is refused as it is added and leaves nothing behind") {
    const size_t before = spec.entries.size();
    const Bytes serials_before = spec.entries.serials();
    for (const std::string& serial : std::vector<std::string>{"0x1f", "", "12 34", std::string(512, 'a')}) {
      CHECK(kind_thrown([&] { spec.entries.add(serial, sample_time(), ""); }) == ErrorKind::invalid_input);
    }
    CHECK(spec.entries.size() == before);
    CHECK(spec.entries.serials() == serials_before);
    CHECK(crl_serials(sign_crl(spec, key)).size() == before);
  }
  SECTION("a reason that is not a canonical name, or removeFromCRL in a base CRL") {
    CHECK(kind_thrown([&] { spec.entries.add({"0d", sample_time(), "KeyCompromise"}); }) == ErrorKind::invalid_input);
    spec.entries.add({"0d", sample_time(), "removeFromCRL"});
    CHECK(contains(error_from([&] { (void)sign_crl(spec, key); }).what(), "delta CRL only"));
  }
  SECTION("times, numbers and URLs that make no sense") {
    CrlSpec backwards = spec;
    backwards.next_update = spec.this_update;
    CHECK(refused(backwards) == ErrorKind::invalid_input);
    CrlSpec delta_of_itself = spec;
    delta_of_itself.delta_of = spec.number;
    CHECK(refused(delta_of_itself) == ErrorKind::invalid_input);
    CrlSpec negative = spec;
    negative.number = -1;
    CHECK(refused(negative) == ErrorKind::invalid_input);
    CrlSpec bad_url = spec;
    bad_url.freshest_crl_url = "ldap:///CN=Contoso,CN=CDP";
    CHECK(refused(bad_url) == ErrorKind::invalid_input);
  }
  SECTION("a key that is not the CA's, or a CA certificate without a subject key identifier") {
    CHECK(kind_thrown([&] { (void)sign_crl(spec, shared_key("ec:p256")); }) == ErrorKind::invalid_input);
    auto name = parse_distinguished_name("CN=No SKI CA, O=Contoso Ltd, C=US");
    const Certificate bare = CertificateBuilder(name.get(), key.native(), make_serial(11, 1), sample_time(),
                                                sample_time(days(365)))
                                 .basic_constraints(true, std::nullopt)
                                 .key_usage({"keyCertSign", "cRLSign"})
                                 .sign(key);
    CHECK(contains(error_from([&] { (void)sign_crl(base_spec(bare), key); }).what(), "subject key identifier"));
  }
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("revocation reasons by RFC 5280 name or AD CS code", "[crl]") {
  struct Row {
    std::string typed;
    std::string canonical;
  };
  const std::vector<Row> rows = {
      {"unspecified", "unspecified"},   {"0", "unspecified"},
      {"keyCompromise", "keyCompromise"}, {"KEYCOMPROMISE", "keyCompromise"}, {"1", "keyCompromise"},
      {"caCompromise", "caCompromise"}, {"cACompromise", "caCompromise"},   {"2", "caCompromise"},
      {"affiliationchanged", "affiliationChanged"}, {"3", "affiliationChanged"},
      {"Superseded", "superseded"},     {"4", "superseded"},
      {"cessationOfOperation", "cessationOfOperation"}, {"5", "cessationOfOperation"},
      {"certificatehold", "certificateHold"}, {"6", "certificateHold"},
  };
  for (const Row& row : rows) {
    INFO(row.typed);
    CHECK(parse_revocation_reason(row.typed) == row.canonical);
  }
  for (const char* bad : {"", "7", "8", "-1", "01", " 1", "removeFromCRL", "keyCompromise ", "compromise"}) {
    INFO(bad);
    CHECK(kind_thrown([&] { (void)parse_revocation_reason(bad); }) == ErrorKind::invalid_input);
  }
  const std::string message = error_from([] { (void)parse_revocation_reason("stolen"); }).what();
  CHECK(contains(message, "\"stolen\""));
  CHECK(contains(message, "keyCompromise (1)"));
  CHECK(contains(message, "certificateHold (6)"));

  CHECK(revocation_reason_code("unspecified") == 0);
  CHECK(revocation_reason_code("caCompromise") == 2);
  CHECK(revocation_reason_code("certificateHold") == 6);
  CHECK(revocation_reason_code("removeFromCRL") == 8);
  CHECK(kind_thrown([] { (void)revocation_reason_code("keycompromise"); }) == ErrorKind::invalid_input);
}
