// The policy every template enforces (design.md, "Policy"), one row per rule as
// step-ca's table tests do it: the request, and what the admin is told.

#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ca/certificate_template.h"
#include "ca/error.h"
#include "ca/policy.h"
#include "ca_test_support.h"
#include "request_factory.h"
#include "request_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;
using namespace pocketca::request_testing;
using T = SubjectAltName::Type;

namespace {

const TemplateSet& builtins() {
  static const TemplateSet set = TemplateSet::load("");
  return set;
}

const CertificateTemplate& web_server() {
  const CertificateTemplate* t = builtins().find("WebServer");
  REQUIRE(t != nullptr);
  return *t;
}

RequestSpec spec(const std::string& cn, std::vector<std::string> sans = {}) {
  RequestSpec s;
  s.subject = {{"CN", cn}, {"O", "Contoso Ltd"}};
  if (cn.empty()) s.subject = {{"O", "Contoso Ltd"}};
  s.sans = std::move(sans);
  return s;
}

Csr ec_csr(const std::string& cn, std::vector<std::string> sans = {}) { return make_csr(spec(cn, std::move(sans)), ec_p256_key()); }

std::vector<std::string> dns_names(size_t n, const std::string& prefix) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back("DNS:" + prefix + std::to_string(i) + ".contoso.lab");
  return out;
}

std::vector<SubjectAltName> dns_attrib(size_t n) {
  std::vector<SubjectAltName> out;
  for (size_t i = 0; i < n; ++i) out.push_back({T::dns, "attrib" + std::to_string(i) + ".contoso.lab"});
  return out;
}

std::vector<std::string> strings(const std::vector<SubjectAltName>& sans) {
  std::vector<std::string> out;
  for (const auto& san : sans) out.push_back(san.to_string());
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

struct DenyRow {
  const char* rule;
  std::function<Csr()> request;
  std::string expected;  // a substring of the message
  std::vector<SubjectAltName> extra_sans = {};
  std::function<CertificateTemplate()> tmpl = [] { return web_server(); };
};

}  // namespace

TEST_CASE("policy denies each broken rule with policy_denied and a message naming it", "[policy]") {
  const std::vector<DenyRow> rows = {
      {"proof of possession: a tampered signature", [] { return make_tampered_csr(spec("mail.contoso.lab"), ec_p256_key()); },
       "proof of possession failed"},
      {"RSA below the template's 2048 bits", [] { return make_csr(spec("mail.contoso.lab"), rsa_key(1024)); },
       "RSA 1024-bit key; template WebServer requires at least 2048 bits"},
      // A 1024-bit key keeps the row fast; the template's minimum is lowered so only the exponent rule can fire.
      {"RSA exponent 3", [] { return make_csr(spec("mail.contoso.lab"), rsa_key(1024, 3)); },
       "RSA public exponent is 3; it must be odd and at least 65537", {},
       [] {
         CertificateTemplate t = web_server();
         t.rsa_min_bits = 1024;
         return t;
       }},
      {"DSA keys", [] { return make_csr(spec("mail.contoso.lab"), dsa_key()); },
       "a DSA key; template WebServer accepts only RSA or EC keys — make a new request with an RSA key"},
      {"Ed25519 keys", [] {
         RequestSpec s = spec("mail.contoso.lab");
         s.digest = nullptr;
         return make_csr(s, ed25519_key());
       },
       "an Ed25519 key; template WebServer accepts only RSA or EC keys"},
      {"explicit EC curve parameters, named as such (not as a failed signature)",
       [] { return fixture_csr("ec-explicit-curve.pem"); }, "named curve"},
      {"email SAN in a server request", [] { return ec_csr("mail.contoso.lab", {"DNS:mail.contoso.lab", "email:admin@contoso.lab"}); },
       "SAN email:admin@contoso.lab, but template WebServer issues only dns, ip names"},
      {"URI SAN in a server request", [] { return ec_csr("mail.contoso.lab", {"URI:https://mail.contoso.lab/"}); },
       "SAN URI:https://mail.contoso.lab/, but template WebServer issues only dns, ip names"},
      {"UPN SAN: the logon abuse pattern", [] { return ec_csr("mail.contoso.lab", {"UPN:administrator@contoso.lab"}); },
       "lets it log on as that user: the AD CS ESC abuse pattern"},
      {"DNS U-label gets its A-label suggested", [] { return ec_csr("Contoso Mail", {"DNS:bücher.contoso.lab"}); },
       "use \"xn--bcher-kva.contoso.lab\""},
      {"DNS partial wildcard", [] { return ec_csr("Contoso Mail", {"DNS:mail*.contoso.lab"}); },
       "has a partial wildcard \"mail*\""},
      {"DNS wildcard not left-most", [] { return ec_csr("Contoso Mail", {"DNS:mail.*.contoso.lab"}); },
       "has '*' as its 2nd label"},
      {"CN of 65 characters", [] { return ec_csr(std::string(53, 'm') + ".contoso.lab", {"DNS:mail.contoso.lab"}); },
       "is 65 characters; RFC 5280 allows 64 — put the long name in the SAN"},
      {"CN with a look-alike letter", [] { return ec_csr("m\xd0\xb0il.contoso.lab", {"DNS:mail.contoso.lab"}); },
       "a look-alike of Latin \"a\""},
      {"non-host CN and no SAN", [] { return ec_csr("Contoso Mail"); },
       "the CN \"Contoso Mail\" is not a host name and the request has no SAN"},
      {"no CN and no SAN", [] { return ec_csr(""); }, "neither a CN nor a SAN"},
      {"--attrib SANs are checked like requested ones: email",
       [] { return ec_csr("mail.contoso.lab"); }, "SAN email:admin@contoso.lab, but template WebServer",
       {{T::email, "admin@contoso.lab"}}},
      {"--attrib SANs are checked like requested ones: U-label", [] { return ec_csr("mail.contoso.lab"); },
       "use \"xn--bcher-kva.contoso.lab\"", {{T::dns, "bücher.contoso.lab"}}},
      {"--attrib IP that is no IP address", [] { return ec_csr("mail.contoso.lab"); },
       "\"10.0.0.256\" is not an IP address", {{T::ip, "10.0.0.256"}}},
      {"101 SANs, requested and --attrib together", [] { return ec_csr("Contoso Mail", dns_names(60, "req")); },
       "ask for 101 SANs; at most 100 are accepted", dns_attrib(41)},
  };
  for (const DenyRow& row : rows) {
    CAPTURE(row.rule);
    const Csr csr = row.request();
    const CertificateTemplate tmpl = row.tmpl();
    std::string message;
    const auto kind = kind_thrown([&] {
      try {
        (void)apply_policy(csr, tmpl, row.extra_sans);
      } catch (const Error& e) {
        message = e.what();
        throw;
      }
    });
    CAPTURE(message);
    CHECK(kind == ErrorKind::policy_denied);
    CHECK_THAT(message, Catch::Contains(row.expected));
  }
}

TEST_CASE("policy: SHA-1 and RSA 2048 pass; SANs are put in order, de-duplicated and canonical", "[policy]") {
  const auto sans_of = [](const Csr& csr, const std::vector<SubjectAltName>& extra = {}) {
    return strings(apply_policy(csr, web_server(), extra).sans);
  };
  using V = std::vector<std::string>;

  SECTION("a plain EC request: its names, no warnings") {
    const PolicyDecision d = apply_policy(ec_csr("mail.contoso.lab", {"DNS:mail.contoso.lab", "DNS:autodiscover.contoso.lab"}),
                                          web_server(), {});
    CHECK(strings(d.sans) == V{"DNS:mail.contoso.lab", "DNS:autodiscover.contoso.lab"});
    CHECK(d.warnings.empty());
  }
  SECTION("a host-name CN missing from the SAN is added first") {
    CHECK(sans_of(ec_csr("mail.contoso.lab", {"DNS:autodiscover.contoso.lab"})) ==
          V{"DNS:mail.contoso.lab", "DNS:autodiscover.contoso.lab"});
  }
  SECTION("a host-name CN already in the SAN is moved first, not repeated") {
    CHECK(sans_of(ec_csr("Mail.Contoso.lab", {"DNS:autodiscover.contoso.lab", "DNS:mail.contoso.lab"})) ==
          V{"DNS:mail.contoso.lab", "DNS:autodiscover.contoso.lab"});
  }
  SECTION("a host-name CN and no SAN: the CN becomes the SAN") {
    CHECK(sans_of(ec_csr("mail.contoso.lab")) == V{"DNS:mail.contoso.lab"});
  }
  SECTION("an IPv4 CN becomes the first SAN, as an IP address") {
    CHECK(sans_of(ec_csr("192.0.2.10", {"DNS:mail.contoso.lab"})) == V{"IP:192.0.2.10", "DNS:mail.contoso.lab"});
  }
  SECTION("an IPv6 CN becomes the first SAN, in RFC 5952 form") {
    CHECK(sans_of(ec_csr("2001:DB8:0:0:0:0:0:A", {"DNS:mail.contoso.lab"})) ==
          V{"IP:2001:db8::a", "DNS:mail.contoso.lab"});
  }
  SECTION("a CN that is not a host name is kept with a warning when there are SANs") {
    const PolicyDecision d = apply_policy(ec_csr("Contoso Mail", {"DNS:mail.contoso.lab"}), web_server(), {});
    CHECK(strings(d.sans) == V{"DNS:mail.contoso.lab"});
    REQUIRE(d.warnings.size() == 1);
    CHECK_THAT(d.warnings[0], Catch::Contains("the CN \"Contoso Mail\" is not a host name"));
  }
  SECTION("a host-name CN under a template without host-name SANs (User) is kept, and the warning says why") {
    const CertificateTemplate* user = builtins().find("User");
    REQUIRE(user != nullptr);
    const PolicyDecision d = apply_policy(ec_csr("alice.contoso.lab", {"email:alice@contoso.lab"}), *user, {});
    CHECK(strings(d.sans) == V{"email:alice@contoso.lab"});
    REQUIRE(d.warnings.size() == 1);
    CHECK(d.warnings[0] == "the CN \"alice.contoso.lab\" is kept, but template User puts no host names in the SAN, "
                           "and clients match only the SANs");
  }
  SECTION("DNS SANs are de-duplicated case-insensitively; the first spelling is kept, lower-cased") {
    // design.md: "SANs are de-duplicated case-insensitively". policy.cpp also lower-cases every DNS
    // name, which DNS allows (names compare case-insensitively) and the contract does not forbid.
    CHECK(sans_of(ec_csr("Contoso Mail", {"DNS:Mail.Contoso.LAB", "DNS:autodiscover.contoso.lab",
                                          "DNS:MAIL.contoso.lab", "DNS:mail.contoso.lab"})) ==
          V{"DNS:mail.contoso.lab", "DNS:autodiscover.contoso.lab"});
  }
  SECTION("IP SANs are canonical, so two spellings of one address are one SAN") {
    const std::vector<SubjectAltName> extra = {{T::ip, "2001:DB8:0:0:0:0:0:1"}, {T::ip, "2001:db8::1"}};
    CHECK(sans_of(ec_csr("mail.contoso.lab", {"IP:2001:db8::1"}), extra) ==
          V{"DNS:mail.contoso.lab", "IP:2001:db8::1"});
    CHECK(sans_of(ec_csr("mail.contoso.lab"), {{T::ip, "2001:0DB8::0:0:0:00FF"}}) ==
          V{"DNS:mail.contoso.lab", "IP:2001:db8::ff"});
  }
  SECTION("--attrib SANs are merged after the requested ones, de-duplicated against them") {
    const std::vector<SubjectAltName> extra = {{T::dns, "AutoDiscover.contoso.lab"}, {T::dns, "legacy.contoso.lab"},
                                               {T::ip, "10.0.0.5"}};
    CHECK(sans_of(ec_csr("mail.contoso.lab", {"DNS:autodiscover.contoso.lab"}), extra) ==
          V{"DNS:mail.contoso.lab", "DNS:autodiscover.contoso.lab", "DNS:legacy.contoso.lab", "IP:10.0.0.5"});
  }
  SECTION("100 SANs, requested and --attrib together, are accepted") {
    const auto d = apply_policy(ec_csr("Contoso Mail", dns_names(60, "req")), web_server(), dns_attrib(40));
    CHECK(d.sans.size() == 100);
  }
  SECTION("a SHA-1 signed RSA 2048 request passes with a warning about SHA-1") {
    RequestSpec s = spec("mail.contoso.lab", {"DNS:mail.contoso.lab"});
    s.digest = EVP_sha1();
    const PolicyDecision d = apply_policy(make_csr(s, rsa_key(2048)), web_server(), {});
    CHECK(strings(d.sans) == V{"DNS:mail.contoso.lab"});
    CAPTURE(joined(d.warnings));
    REQUIRE(d.warnings.size() == 1);
    CHECK_THAT(d.warnings[0], Catch::Contains("SHA-1"));
  }
  SECTION("a .local name passes with a warning about mDNS") {
    const PolicyDecision d = apply_policy(ec_csr("exch01.contoso.local"), web_server(), {});
    CHECK(strings(d.sans) == V{"DNS:exch01.contoso.local"});
    CAPTURE(joined(d.warnings));
    REQUIRE(d.warnings.size() == 1);
    CHECK_THAT(d.warnings[0], Catch::Contains(".local") && Catch::Contains("multicast DNS"));
  }
}

TEST_CASE("parse_san_attribute reads certreq's SAN attribute", "[policy]") {
  using V = std::vector<SubjectAltName>;
  SECTION("several names joined by &") {
    CHECK(parse_san_attribute("dns=a.example&dns=b.example&ipaddress=10.0.0.5") ==
          V{{T::dns, "a.example"}, {T::dns, "b.example"}, {T::ip, "10.0.0.5"}});
  }
  SECTION("name types in any case; values as typed") {
    CHECK(parse_san_attribute("DNS=Mail.Contoso.LAB&IPAddress=10.0.0.5&Email=a@b.lab&UPN=u@corp&URL=http://x/?a=b") ==
          V{{T::dns, "Mail.Contoso.LAB"},
            {T::ip, "10.0.0.5"},
            {T::email, "a@b.lab"},
            {T::upn, "u@corp"},
            {T::uri, "http://x/?a=b"}});
  }
  SECTION("empty entries are skipped") {
    CHECK(parse_san_attribute("&dns=a.example&&dns=b.example&") == V{{T::dns, "a.example"}, {T::dns, "b.example"}});
  }
  SECTION("refusals are invalid_input") {
    for (const std::string bad : {"foo=x", "dns=", "dns", "=a.example", "", "&&", "dns=a.example&rid=1.2.3"}) {
      CAPTURE(bad);
      CHECK(kind_thrown([&] { (void)parse_san_attribute(bad); }) == ErrorKind::invalid_input);
    }
    CHECK_THAT(error_from([] { (void)parse_san_attribute("foo=x"); }).what(), Catch::Contains("foo=x"));
    CHECK_THAT(error_from([] { (void)parse_san_attribute("dns="); }).what(), Catch::Contains("has no value"));
  }
}
