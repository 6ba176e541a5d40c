// IssuingSession::submit, the issuance pipeline, against a real home: what is
// recorded, and the issued certificate read back through OpenSSL, not our code.

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/x509v3.h>

#include "ca/hierarchy.h"
#include "ca/issuance.h"
#include "cert_test_support.h"
#include "request_factory.h"

using namespace pocketca;
using namespace pocketca::ca_testing;
using namespace pocketca::request_testing;
namespace fs = std::filesystem;

namespace {

const std::string lab_passphrase = "lab passphrase";

InitOptions lab_options(const std::string& issuing_key = "rsa:2048") {
  InitOptions o;
  o.name = "Pocket Test";
  o.subject_suffix = "O=Pocket Test Ltd, C=US";
  o.root_key = KeySpec::parse("ec:p256");
  o.issuing_key = KeySpec::parse(issuing_key);
  o.base_url = "http://pki.test";
  o.encrypt_keys = false;
  o.actor = "tester";
  o.now = sample_time();
  return o;
}

PassphraseSource counting(int& calls) {
  return [&calls] {
    ++calls;
    return lab_passphrase;
  };
}

// For homes with unencrypted keys: asking would be a bug.
PassphraseSource never_asked() {
  return []() -> std::string { throw std::logic_error("the passphrase source was asked"); };
}

// A home made by init_home, opened, with its templates.
struct LabHome {
  explicit LabHome(const InitOptions& options) : dir(tmp / "pki") {
    int ignored = 0;
    created = init_home(dir, options, counting(ignored));
    home.emplace(Home::open(dir));
    templates = TemplateSet::load(home->templates_dir());
  }
  store::Store& store() { return home->store(); }
  [[nodiscard]] const store::CaRecord& issuing() const { return created.cas.at(1); }

  TempDir tmp;
  fs::path dir;
  CreatedCas created;
  std::optional<Home> home;
  TemplateSet templates;
};

// Shared by the tests that do not depend on request IDs.
LabHome& shared_home() {
  static LabHome home(lab_options());
  return home;
}

SubmitOptions web_server(std::string template_name = "WebServer") {
  SubmitOptions o;
  o.template_name = std::move(template_name);
  o.requester = "tester";
  o.now = sample_time();
  return o;
}

RequestSpec mail_request(std::vector<std::string> sans = {"DNS:mail.contoso.lab"}) {
  RequestSpec s;
  s.subject = {{"CN", "mail.contoso.lab"}, {"O", "Contoso Ltd"}};
  s.sans = std::move(sans);
  return s;
}

std::string ec_pem(const RequestSpec& s = mail_request()) { return make_request_pem(s, ec_p256_key()); }

ossl::Ptr<X509> parsed(const Bytes& der) {
  const unsigned char* p = der.data();
  auto cert = ossl::adopt(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  REQUIRE(cert != nullptr);
  return cert;
}

std::vector<int> eku_nids(const X509* cert) {
  std::vector<int> out;
  auto* eku = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
  ossl::Ptr<EXTENDED_KEY_USAGE> owner(eku);
  for (int i = 0; eku != nullptr && i < sk_ASN1_OBJECT_num(eku); ++i) out.push_back(OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)));
  return out;
}

// The extension with this dotted OID, or nullptr.
X509_EXTENSION* extension(const X509* cert, const char* oid) {
  auto object = ossl::adopt(OBJ_txt2obj(oid, 1));
  const int at = X509_get_ext_by_OBJ(cert, object.get(), -1);
  return at < 0 ? nullptr : X509_get_ext(cert, at);
}

// The template-name extension's BMPString as UTF-8; "" when it is not one.
std::string template_name_in(X509_EXTENSION* ext) {
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  const unsigned char* p = ASN1_STRING_get0_data(data);
  auto value = ossl::adopt(d2i_ASN1_TYPE(nullptr, &p, ASN1_STRING_length(data)));
  if (value == nullptr || value->type != V_ASN1_BMPSTRING) return "";
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, value->value.bmpstring);
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(std::max(len, 0)));
  OPENSSL_free(utf8);
  return out;
}

std::string sha1_upper(const Bytes& der) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(EVP_Digest(der.data(), der.size(), md, &len, EVP_sha1(), nullptr) == 1);
  return to_hex_upper(md, len);
}

std::string serial_of(const X509* cert) {
  auto bn = ossl::adopt(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  char* hex = BN_bn2hex(bn.get());
  std::string out(hex);
  OPENSSL_free(hex);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A batch's inputs: `raws` in order, each named by its index.
std::function<std::optional<BatchInput>()> inputs_from(const std::vector<std::string>& raws) {
  return [&raws, next = size_t{0}]() mutable -> std::optional<BatchInput> {
    if (next == raws.size()) return std::nullopt;
    const size_t i = next++;
    return BatchInput{std::to_string(i), [&raws, i] { return raws[i]; }, "input-" + std::to_string(i) + ".req"};
  };
}

std::vector<std::string> audit_actions(store::Store& store, int64_t request_id) {
  std::vector<std::string> out;
  for (const auto& entry : store.list_audit(std::nullopt)) {
    if (entry.request_id == request_id) out.push_back(entry.action);
  }
  return out;
}

}  // namespace

TEST_CASE("submit issues a certificate: its record, its chain and its extensions as OpenSSL reads them", "[issuance]") {
  LabHome lab(lab_options());
  IssuingSession session(*lab.home, lab.templates, never_asked());
  const SubmitResult r = session.submit(
      ec_pem(mail_request({"DNS:mail.contoso.lab", "DNS:autodiscover.contoso.lab", "IP:192.0.2.10"})), web_server());

  CHECK(r.request_id == 3);  // 1 and 2 are the root and the issuing CA
  CHECK(r.disposition == store::Disposition::issued);
  CHECK(r.template_name == "WebServer");
  CHECK(r.ca.index == lab.issuing().index);
  CHECK(r.warnings.empty());
  REQUIRE(r.chain.size() == 3);
  REQUIRE(r.record.has_value());
  const store::CertificateRecord& rec = *r.record;
  const auto leaf = parsed(rec.der);
  CHECK(rec.der == r.chain[0].der());
  CHECK(rec.serial == serial_of(leaf.get()));
  CHECK(rec.request_id == 3);
  CHECK(rec.ca_index == lab.issuing().index);
  CHECK(rec.template_name == "WebServer");
  CHECK(rec.sans == std::vector<std::string>{"DNS:mail.contoso.lab", "DNS:autodiscover.contoso.lab", "IP:192.0.2.10"});
  CHECK(rec.sha1_thumbprint == sha1_upper(rec.der));
  CHECK(r.chain[1].der() == lab.issuing().certificate_der);
  CHECK(r.chain[2].der() == lab.created.cas.at(0).certificate_der);

  const auto stored = lab.store().find_certificate_by_request(3);
  REQUIRE(stored.has_value());
  CHECK(stored->serial == rec.serial);
  CHECK(lab.store().find_request(3)->disposition == store::Disposition::issued);
  CHECK(audit_actions(lab.store(), 3) == std::vector<std::string>{"submitted", "issued"});

  const auto issuer = parsed(lab.issuing().certificate_der);
  CHECK(X509_NAME_cmp(X509_get_issuer_name(leaf.get()), X509_get_subject_name(issuer.get())) == 0);
  CHECK(X509_verify(leaf.get(), X509_get0_pubkey(issuer.get())) == 1);
  CHECK(openssl_verify(r.chain[0], {r.chain[1]}, r.chain[2], sample_time(days(1))) == X509_V_OK);
  CHECK(r.chain[0].not_before() == sample_time() - clock_skew_allowance);
  CHECK(r.chain[0].not_after() == add_years(sample_time(), 2));

  CHECK(extension_is_critical(leaf.get(), NID_key_usage));
  CHECK(X509_get_key_usage(leaf.get()) == KU_DIGITAL_SIGNATURE);  // an EC key: no keyEncipherment (RFC 5480)
  CHECK(eku_nids(leaf.get()) == std::vector<int>{NID_server_auth});
  CHECK_FALSE(has_extension(leaf.get(), NID_basic_constraints));
  X509_EXTENSION* tmpl = extension(leaf.get(), "1.3.6.1.4.1.311.20.2");
  REQUIRE(tmpl != nullptr);
  CHECK(X509_EXTENSION_get_critical(tmpl) == 0);
  CHECK(template_name_in(tmpl) == "WebServer");
  const std::string slug = lab.issuing().slug;
  CHECK(crl_urls(leaf.get()) == std::vector<std::string>{"http://pki.test/pki/" + slug + ".crl"});
  CHECK(aia_entries(leaf.get()) == std::vector<std::string>{"caIssuers http://pki.test/pki/" + slug + ".crt"});
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(leaf.get());
  REQUIRE(aki != nullptr);
  CHECK(octets(aki) == octets(X509_get0_subject_key_id(issuer.get())));
  CHECK_FALSE(octets(X509_get0_subject_key_id(leaf.get())).empty());

  SECTION("an Exchange-like RSA request signed with SHA-1: keyEncipherment too, and a warning") {
    RequestSpec s = mail_request();
    s.digest = EVP_sha1();
    const SubmitResult rsa = session.submit(make_request_pem(s, rsa_key(2048)), web_server());
    CHECK(rsa.request_id == 4);
    const auto cert = parsed(rsa.record->der);
    CHECK(X509_get_key_usage(cert.get()) == (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
    CHECK(X509_get_signature_nid(cert.get()) == NID_sha256WithRSAEncryption);
    REQUIRE(rsa.warnings.size() == 1);
    CHECK_THAT(rsa.warnings[0], Catch::Contains("SHA-1"));
  }
}

TEST_CASE("submit copies nothing but SANs from the request's extensions (CVE-2024-49019)", "[issuance]") {
  LabHome& lab = shared_home();
  IssuingSession session(*lab.home, lab.templates, never_asked());
  RequestSpec s = mail_request();
  s.extensions = {{"basicConstraints", "critical,CA:TRUE"},
                  {"keyUsage", "critical,keyCertSign,cRLSign,digitalSignature"},
                  {"extendedKeyUsage", "clientAuth,codeSigning"},
                  // Application policies = { clientAuth }: the ESC15 vector.
                  {"1.3.6.1.4.1.311.21.10", "DER:30:0c:30:0a:06:08:2b:06:01:05:05:07:03:02"}};
  const SubmitResult r = session.submit(ec_pem(s), web_server());
  const auto leaf = parsed(r.record->der);
  CHECK_FALSE(has_extension(leaf.get(), NID_basic_constraints));
  CHECK(X509_check_ca(leaf.get()) == 0);
  CHECK(X509_get_key_usage(leaf.get()) == KU_DIGITAL_SIGNATURE);
  CHECK(eku_nids(leaf.get()) == std::vector<int>{NID_server_auth});
  CHECK(extension(leaf.get(), "1.3.6.1.4.1.311.21.10") == nullptr);
}

TEST_CASE("submit hands the chain to before_commit while the certificate is not yet committed", "[issuance]") {
  LabHome& lab = shared_home();
  IssuingSession session(*lab.home, lab.templates, never_asked());
  Home reader = Home::open(lab.dir);  // another connection sees only what is committed

  SECTION("the chain is the certificate's, and nobody else sees the certificate yet") {
    std::vector<Certificate> handed;
    bool visible_then = true;
    SubmitOptions options = web_server();
    options.before_commit = [&](const std::vector<Certificate>& chain) {
      handed = chain;
      visible_then = reader.store().find_certificate(lab.issuing().index, chain.front().serial_hex()).has_value();
    };
    const SubmitResult result = session.submit(ec_pem(), options);
    REQUIRE(handed.size() == 3);
    CHECK(handed.front().der() == result.record->der);
    CHECK(handed.back().subject() == lab.created.cas.at(0).subject);
    CHECK_FALSE(visible_then);
    CHECK(reader.store().find_certificate(lab.issuing().index, result.record->serial).has_value());
  }
  SECTION("a failure there undoes the issuance: the request is marked failed, no certificate") {
    const size_t certificates = lab.store().list_certificates({}).size();
    SubmitOptions options = web_server();
    options.before_commit = [](const std::vector<Certificate>&) {
      throw Error(ErrorKind::storage, "cannot create mail.cer: no space left");
    };
    const Error e = error_from([&] { (void)session.submit(ec_pem(), options); });
    REQUIRE(e.request_id().has_value());
    CHECK_THAT(e.what(), Catch::Contains("no space left"));
    CHECK(lab.store().find_request(*e.request_id())->disposition == store::Disposition::failed);
    CHECK(lab.store().list_certificates({}).size() == certificates);
  }
}

TEST_CASE("submit records a denied request: a denied row with the reason, audit entries, no certificate", "[issuance]") {
  LabHome& lab = shared_home();
  IssuingSession session(*lab.home, lab.templates, never_asked());
  const size_t certificates = lab.store().list_certificates({}).size();
  const Error e = error_from([&] {
    (void)session.submit(ec_pem(mail_request({"DNS:mail.contoso.lab", "email:admin@contoso.lab"})), web_server());
  });
  CHECK(e.kind() == ErrorKind::policy_denied);
  REQUIRE(e.request_id().has_value());
  const int64_t id = *e.request_id();
  CHECK_THAT(e.what(), Catch::Contains("request " + std::to_string(id) + " denied"));
  const auto row = lab.store().find_request(id);
  REQUIRE(row.has_value());
  CHECK(row->disposition == store::Disposition::denied);
  CHECK_THAT(row->disposition_message, Catch::Contains("email:admin@contoso.lab"));
  CHECK(row->template_name == "WebServer");
  CHECK(row->resolved_at.has_value());
  CHECK(lab.store().list_certificates({}).size() == certificates);
  CHECK_FALSE(lab.store().find_certificate_by_request(id).has_value());
  CHECK(audit_actions(lab.store(), id) == std::vector<std::string>{"submitted", "denied"});
}

TEST_CASE("submit refuses input that is no request: an audit entry, no request row", "[issuance]") {
  LabHome& lab = shared_home();
  IssuingSession session(*lab.home, lab.templates, never_asked());
  const size_t requests = lab.store().list_requests({}).size();
  const Error e = error_from([&] { (void)session.submit("this is not a certificate request\n", web_server()); });
  CHECK(e.kind() == ErrorKind::invalid_request);
  CHECK_FALSE(e.request_id().has_value());
  CHECK(lab.store().list_requests({}).size() == requests);
  const auto audit = lab.store().list_audit(std::nullopt);
  REQUIRE_FALSE(audit.empty());
  CHECK(audit.back().action == "denied");
  CHECK_FALSE(audit.back().request_id.has_value());
  CHECK(audit.back().actor == "tester");
}

TEST_CASE("an issuing session asks for the CA key's passphrase once, and never for a refused request", "[issuance]") {
  InitOptions options = lab_options("ec:p256");
  options.encrypt_keys = true;
  LabHome lab(options);
  int calls = 0;
  IssuingSession session(*lab.home, lab.templates, counting(calls));
  CHECK(kind_thrown([&] { (void)session.submit(ec_pem(mail_request({"UPN:admin@contoso.lab"})), web_server()); }) ==
        ErrorKind::policy_denied);
  SubmitOptions pending = web_server();
  pending.pending = true;
  CHECK(session.submit(ec_pem(), pending).disposition == store::Disposition::pending);
  CHECK(calls == 0);
  CHECK(session.submit(ec_pem(), web_server()).disposition == store::Disposition::issued);
  CHECK(session.submit(ec_pem(), web_server()).disposition == store::Disposition::issued);
  CHECK(calls == 1);
}

TEST_CASE("submit holds a request as pending for --pending and for a template that requires approval", "[issuance]") {
  LabHome& lab = shared_home();
  IssuingSession session(*lab.home, lab.templates, never_asked());
  const auto check_pending = [&](const SubmitResult& r, const std::string& why) {
    CHECK(r.disposition == store::Disposition::pending);
    CHECK_FALSE(r.record.has_value());
    CHECK(r.chain.empty());
    const auto row = lab.store().find_request(r.request_id);
    REQUIRE(row.has_value());
    CHECK(row->disposition == store::Disposition::pending);
    CHECK_THAT(row->disposition_message, Catch::Contains(why));
    CHECK_FALSE(row->resolved_at.has_value());
    CHECK_FALSE(lab.store().find_certificate_by_request(r.request_id).has_value());
    CHECK(audit_actions(lab.store(), r.request_id) == std::vector<std::string>{"submitted", "pending"});
  };
  const size_t certificates = lab.store().list_certificates({}).size();
  SECTION("--pending") {
    SubmitOptions o = web_server();
    o.pending = true;
    check_pending(session.submit(ec_pem(), o), "--pending");
  }
  SECTION("SubCA, submitted to the root (the issuing CA has pathLen 0)") {
    RequestSpec s;
    s.subject = {{"CN", "Contoso Enterprise CA"}, {"O", "Contoso Ltd"}};
    SubmitOptions o = web_server("SubCA");
    o.ca = "1";
    const SubmitResult r = session.submit(ec_pem(s), o);
    CHECK(r.template_name == "SubCA");
    check_pending(r, "requires approval");
  }
  SECTION("SubCA to the pathLen 0 issuing CA is denied") {
    RequestSpec s;
    s.subject = {{"CN", "Contoso Enterprise CA"}};
    const Error e = error_from([&] { (void)session.submit(ec_pem(s), web_server("SubCA")); });
    CHECK(e.kind() == ErrorKind::policy_denied);
    CHECK_THAT(e.what(), Catch::Contains("pathLen 0"));
  }
  CHECK(lab.store().list_certificates({}).size() == certificates);
}

TEST_CASE("submit uses the template named inside the request, but never a CA template", "[issuance]") {
  LabHome& lab = shared_home();
  IssuingSession session(*lab.home, lab.templates, never_asked());
  RequestSpec s = mail_request();
  SECTION("WebServer named in the request") {
    s.windows_template = "WebServer";
    const SubmitResult r = session.submit(ec_pem(s), web_server(""));
    CHECK(r.disposition == store::Disposition::issued);
    CHECK(r.template_name == "WebServer");
    CHECK(template_name_in(extension(parsed(r.record->der).get(), "1.3.6.1.4.1.311.20.2")) == "WebServer");
  }
  SECTION("SubCA named in the request") {
    s.windows_template = "SubCA";
    const Error e = error_from([&] { (void)session.submit(ec_pem(s), web_server("")); });
    CHECK(e.kind() == ErrorKind::policy_denied);
    CHECK_THAT(e.what(), Catch::Contains("CA template SubCA"));
    REQUIRE(e.request_id().has_value());
    CHECK(lab.store().find_request(*e.request_id())->disposition == store::Disposition::denied);
  }
  SECTION("no template anywhere") {
    const Error e = error_from([&] { (void)session.submit(ec_pem(s), web_server("")); });
    CHECK(e.kind() == ErrorKind::policy_denied);
    CHECK_THAT(e.what(), Catch::Contains("--template"));
  }
}

TEST_CASE("submit cuts the validity to the issuing CA's notAfter, with a warning", "[issuance]") {
  InitOptions options = lab_options("ec:p256");
  options.issuing_days = 100;
  LabHome lab(options);
  IssuingSession session(*lab.home, lab.templates, never_asked());
  const SubmitResult r = session.submit(ec_pem(), web_server());
  CHECK(r.chain[0].not_after() == lab.issuing().not_after);
  CHECK(r.record->not_after == lab.issuing().not_after);
  REQUIRE(r.warnings.size() == 1);
  CHECK_THAT(r.warnings[0], Catch::Contains("cut to the notAfter") && Catch::Contains(to_iso8601(lab.issuing().not_after)));
}

TEST_CASE("serials are unique, and each reads its request ID and CA index off its last bytes", "[issuance]") {
  LabHome& lab = shared_home();
  IssuingSession session(*lab.home, lab.templates, never_asked());
  std::set<std::string> serials;
  for (int i = 0; i < 20; ++i) {
    const SubmitResult r = session.submit(ec_pem(), web_server());
    const std::string& serial = r.record->serial;
    CAPTURE(serial, r.request_id);
    serials.insert(serial);
    REQUIRE(serial.size() == 2 * serial_size);
    CHECK(std::stoull(serial.substr(serial.size() - 8), nullptr, 16) == static_cast<uint64_t>(r.request_id));
    CHECK(std::stoull(serial.substr(serial.size() - 12, 4), nullptr, 16) == static_cast<uint64_t>(lab.issuing().index));
  }
  CHECK(serials.size() == 20);
}

TEST_CASE("submit_batch: every input reported once, refusals alone, each certificate committed before its report",
          "[issuance][batch]") {
  const int jobs = GENERATE(1, 3);
  CAPTURE(jobs);
  LabHome lab(lab_options("ec:p256"));
  IssuingSession session(*lab.home, lab.templates, never_asked());
  const std::string good = ec_pem();
  const std::string denied = ec_pem(mail_request({"DNS:mail.contoso.lab", "email:admin@contoso.lab"}));
  const auto kind_of = [](size_t i) {
    return i % 97 == 5 ? "junk" : i % 101 == 7 ? "denied" : i % 89 == 3 ? "unreadable" : "good";
  };
  const size_t total = 2 * batch_group_size + 40;  // three groups: they overlap on their way through
  const size_t certificates_before = lab.store().list_certificates({}).size();
  const size_t audit_before = lab.store().list_audit(std::nullopt).size();

  size_t next = 0;
  std::map<std::string, BatchOutcome> outcomes;
  std::set<std::string> serials;
  session.submit_batch(
      [&]() -> std::optional<BatchInput> {
        if (next == total) return std::nullopt;
        const std::string kind = kind_of(next);
        const std::string raw = kind == "junk" ? "not a request" : kind == "denied" ? denied : good;
        const std::string name = std::to_string(next++);
        if (kind == "unreadable") {
          return BatchInput{name, [name]() -> std::string { throw Error(ErrorKind::invalid_input, "cannot read " + name); },
                            name};
        }
        return BatchInput{name, [raw] { return raw; }, name};
      },
      web_server(), jobs,
      [&](BatchOutcome&& outcome) {
        if (outcome.result) {
          REQUIRE(outcome.result->record.has_value());
          const store::CertificateRecord& record = *outcome.result->record;
          CHECK(lab.store().find_certificate(outcome.result->ca.index, record.serial).has_value());  // durable first
          serials.insert(record.serial);
        }
        const std::string name = outcome.name;
        CHECK(outcomes.emplace(name, std::move(outcome)).second);  // reported once
      });

  REQUIRE(outcomes.size() == total);
  size_t issued = 0;
  for (size_t i = 0; i < total; ++i) {
    CAPTURE(i);
    const BatchOutcome& outcome = outcomes.at(std::to_string(i));
    const std::string kind = kind_of(i);
    if (kind == "junk" || kind == "unreadable") {
      CHECK_FALSE(outcome.result.has_value());
      CHECK_FALSE(outcome.request_id.has_value());
      if (kind == "unreadable") CHECK(outcome.error == "cannot read " + std::to_string(i));
    } else if (kind == "denied") {
      CHECK_FALSE(outcome.result.has_value());
      CHECK_THAT(outcome.error, Catch::Contains("email:admin@contoso.lab"));
      REQUIRE(outcome.request_id.has_value());
      CHECK(lab.store().find_request(*outcome.request_id)->disposition == store::Disposition::denied);
    } else {
      REQUIRE(outcome.result.has_value());
      ++issued;
      const SubmitResult& r = *outcome.result;
      CHECK(r.disposition == store::Disposition::issued);
      CHECK(lab.store().find_request(r.request_id)->disposition == store::Disposition::issued);
      CHECK(std::stoull(r.record->serial.substr(r.record->serial.size() - 8), nullptr, 16) ==
            static_cast<uint64_t>(r.request_id));
      REQUIRE(r.chain.size() == 3);  // the certificate, the issuing CA, the root
      CHECK(r.chain.front().der() == r.record->der);
    }
  }
  CHECK(issued == total - 6 - 6 - 7);
  // Audited: each submission (two entries) and each input that is no request; not an unreadable file.
  CHECK(lab.store().list_audit(std::nullopt).size() == audit_before + 2 * (issued + 6) + 6);
  CHECK(serials.size() == issued);
  CHECK(lab.store().list_certificates({}).size() == certificates_before + issued);
}

TEST_CASE("submit_batch: each certificate is its own request's, drafted while checked and signed after",
          "[issuance][batch]") {
  const int jobs = GENERATE(1, 2);
  CAPTURE(jobs);
  LabHome lab(lab_options("ec:p256"));
  IssuingSession session(*lab.home, lab.templates, never_asked());
  const size_t total = batch_group_size + 30;  // two groups: one is drafted while the other signs
  const auto host = [](size_t i) { return "host" + std::to_string(i) + ".contoso.lab"; };
  std::vector<std::string> pems;
  for (size_t i = 0; i < total; ++i) {
    RequestSpec spec;
    spec.subject = {{"CN", host(i)}};
    spec.sans = {"DNS:" + host(i)};
    pems.push_back(ec_pem(spec));
  }
  const auto issuer_cert = parsed(lab.issuing().certificate_der);
  X509* issuer = issuer_cert.get();

  size_t checked = 0;
  session.submit_batch(
      inputs_from(pems), web_server(), jobs,
      [&](BatchOutcome&& outcome) {
        REQUIRE(outcome.result.has_value());
        const std::string expected = host(std::stoul(outcome.name));
        const auto cert = parsed(outcome.result->record->der);
        CHECK(to_rfc4514(X509_get_subject_name(cert.get())) == "CN=" + expected);
        CHECK(outcome.result->record->sans == std::vector<std::string>{"DNS:" + expected});
        CHECK(serial_of(cert.get()) == outcome.result->record->serial);
        CHECK(std::stoull(serial_of(cert.get()).substr(2 * serial_size - 8), nullptr, 16) ==
              static_cast<uint64_t>(outcome.result->request_id));
        CHECK(X509_check_issued(issuer, cert.get()) == X509_V_OK);
        CHECK(X509_verify(cert.get(), X509_get0_pubkey(issuer)) == 1);
        ++checked;
      });
  CHECK(checked == total);
}

TEST_CASE("a batch's certificates carry, byte for byte, the extensions one submit gives the same request",
          "[issuance][batch]") {
  // A batch drafts from profiles built once per template (LeafProfile); one submit builds each
  // extension itself. Only the serial, the signature and nothing else may differ.
  const bool ec_request = GENERATE(false, true);
  CAPTURE(ec_request);
  LabHome lab(lab_options("ec:p256"));
  IssuingSession session(*lab.home, lab.templates, never_asked());
  const std::string pem = make_request_pem(mail_request({"DNS:mail.contoso.lab", "DNS:autodiscover.contoso.lab"}),
                                           ec_request ? ec_p256_key() : rsa_key(2048));
  SubmitOptions options = web_server("Computer");
  const SubmitResult single = session.submit(pem, options);

  std::vector<Bytes> batch_der;
  const std::vector<std::string> one{pem};
  session.submit_batch(
      inputs_from(one), options, 2, [&](BatchOutcome&& outcome) {
        REQUIRE(outcome.result.has_value());
        batch_der.push_back(outcome.result->record->der);
      });
  REQUIRE(batch_der.size() == 1);

  const auto extensions_of = [](const Bytes& der) {
    const auto cert = parsed(der);
    std::vector<Bytes> out;
    for (int i = 0; i < X509_get_ext_count(cert.get()); ++i) {
      unsigned char* buffer = nullptr;
      const int length = i2d_X509_EXTENSION(X509_get_ext(cert.get(), i), &buffer);
      REQUIRE(length > 0);
      out.emplace_back(buffer, buffer + length);
      OPENSSL_free(buffer);
    }
    return out;
  };
  const std::vector<Bytes> from_batch = extensions_of(batch_der.front());
  CHECK(from_batch.size() == 8);  // KU, EKU, SAN, SKI, AKI, CDP, AIA, template name
  CHECK(from_batch == extensions_of(single.record->der));
  const auto batch_cert = parsed(batch_der.front());
  const auto single_cert = parsed(single.record->der);
  CHECK(X509_get_key_usage(batch_cert.get()) ==
        (ec_request ? KU_DIGITAL_SIGNATURE : static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT)));
  CHECK(X509_NAME_cmp(X509_get_issuer_name(batch_cert.get()), X509_get_issuer_name(single_cert.get())) == 0);
  CHECK(ASN1_TIME_compare(X509_get0_notAfter(batch_cert.get()), X509_get0_notAfter(single_cert.get())) == 0);
}
