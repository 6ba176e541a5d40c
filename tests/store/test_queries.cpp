// The lookups and list filters behind `show` and `list`.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "store_test_support.h"

namespace pocketca::store::testing {
namespace {

using std::chrono::hours;

// A CA and three certificates: mail (valid), old (expired), web (revoked), in that order.
void seed(Store& store) {
  store.write([](Writer& w) {
    w.add_ca(sample_ca(1, "Contoso Root", "contoso-root"));
    for (int i = 0; i < 3; ++i) w.add_request(sample_request(1));
    CertificateRecord mail = sample_certificate(1, "0a01", 1);
    CertificateRecord old = sample_certificate(1, "0a02", 2);
    old.common_name = "old.contoso.com";
    old.sans = {"DNS:old.contoso.com"};
    old.template_name = "Computer";
    old.not_after = sample_time(hours{1});
    CertificateRecord web = sample_certificate(1, "0a03", 3);
    web.common_name = "Contoso Web 100%";
    web.sans = {"DNS:www.fabrikam.com"};
    web.status = CertStatus::revoked;
    web.revoked_at = sample_time(hours{2});
    web.revocation_reason = "keyCompromise";
    for (const auto& cert : {mail, old, web}) w.add_certificate(cert);
  });
}

std::vector<std::string> serials(const std::vector<CertificateRecord>& certs) {
  std::vector<std::string> out;
  for (const auto& c : certs) out.push_back(c.serial);
  return out;
}

}  // namespace

TEST_CASE("certificates are found by serial, thumbprint and request", "[store][queries]") {
  TestStore t(GENERATE(false, true));
  seed(*t.store);
  CHECK(t.store->find_certificate_by_serial("0a02")->request_id == 2);
  CHECK_FALSE(t.store->find_certificate_by_serial("0a09"));
  CHECK(t.store->find_certificate_by_thumbprint("D1CE1-0a03")->serial == "0a03");
  CHECK_FALSE(t.store->find_certificate_by_thumbprint("nope"));
  CHECK(t.store->find_certificate_by_request(1)->serial == "0a01");
  CHECK_FALSE(t.store->find_certificate_by_request(99));
}

TEST_CASE("list_certificates filters and orders newest first", "[store][queries]") {
  TestStore t(GENERATE(false, true));
  seed(*t.store);
  CertificateFilter f;
  f.now = sample_time(hours{48});  // after old's notAfter

  SECTION("no filter: everything, newest first") { CHECK(serials(t.store->list_certificates(f)) == std::vector<std::string>{"0a03", "0a02", "0a01"}); }
  SECTION("status valid excludes expired and revoked") {
    f.status = "valid";
    CHECK(serials(t.store->list_certificates(f)) == std::vector<std::string>{"0a01"});
  }
  SECTION("status expired is a valid certificate past notAfter") {
    f.status = "expired";
    CHECK(serials(t.store->list_certificates(f)) == std::vector<std::string>{"0a02"});
  }
  SECTION("status revoked") {
    f.status = "revoked";
    CHECK(serials(t.store->list_certificates(f)) == std::vector<std::string>{"0a03"});
  }
  SECTION("template, case-insensitively") {
    f.template_name = "computer";
    CHECK(serials(t.store->list_certificates(f)) == std::vector<std::string>{"0a02"});
  }
  SECTION("name matches the CN or any SAN, case-insensitively") {
    f.name_contains = "FABRIKAM";
    CHECK(serials(t.store->list_certificates(f)) == std::vector<std::string>{"0a03"});
    f.name_contains = "autodiscover";
    CHECK(serials(t.store->list_certificates(f)) == std::vector<std::string>{"0a01"});
  }
  SECTION("LIKE wildcards in a name are literal") {
    f.name_contains = "100%";
    CHECK(serials(t.store->list_certificates(f)) == std::vector<std::string>{"0a03"});
    f.name_contains = "_";
    CHECK(t.store->list_certificates(f).empty());
  }
  SECTION("expiring-within takes valid certificates ending before the bound") {
    f.now = sample_time();
    f.expiring_before = sample_time(hours{24 * 30});
    CHECK(serials(t.store->list_certificates(f)) == std::vector<std::string>{"0a02"});
  }
  SECTION("limit") {
    f.limit = 2;
    CHECK(t.store->list_certificates(f).size() == 2);
  }
}

TEST_CASE("list_requests filters by disposition, template and subject", "[store][queries]") {
  TestStore t(GENERATE(false, true));
  seed(*t.store);
  t.store->write([](Writer& w) {
    RequestRecord denied = sample_request(1);
    denied.disposition = Disposition::denied;
    denied.disposition_message = "RSA 1024 is too small";
    denied.subject = "CN=weak.contoso.com";
    w.add_request(denied);
  });
  RequestFilter f;
  CHECK(t.store->list_requests(f).front().id == 4);
  f.disposition = Disposition::denied;
  const auto denied = t.store->list_requests(f);
  REQUIRE(denied.size() == 1);
  CHECK(denied.front().disposition_message == "RSA 1024 is too small");
  f = {};
  f.name_contains = "WEAK";
  CHECK(t.store->list_requests(f).size() == 1);
  f = {};
  f.template_name = "nosuch";
  CHECK(t.store->list_requests(f).empty());
}

TEST_CASE("a lookup by serial alone uses an index, not a scan", "[store][queries]") {
  TestStore t(true);
  t.store.reset();  // close, then look at the file with a connection of our own
  SQLite::Database db(t.path);
  auto plan_of = [&db](const char* sql) {
    SQLite::Statement q(db, std::string("EXPLAIN QUERY PLAN ") + sql);
    REQUIRE(q.executeStep());
    return q.getColumn(3).getString();  // the "detail" column
  };
  // The statement of find_certificate_by_serial: one seek per CA in UNIQUE (ca_index, serial).
  CHECK_THAT(plan_of("SELECT * FROM certificates WHERE ca_index IN (SELECT ca_index FROM cas) AND serial = '0a01'"
                     " ORDER BY rowid DESC LIMIT 1"),
             Catch::Contains("SEARCH certificates USING INDEX") && Catch::Contains("(ca_index=? AND serial=?)"));
  CHECK_THAT(plan_of("SELECT * FROM certificates WHERE sha1_thumbprint = 'X'"), Catch::Contains("USING INDEX"));
}

}  // namespace pocketca::store::testing
