// Revocation and CRLs: set_revocation, each_revoked, the CRL number sequence,
// add_crl and latest_crl, and the list filters by requester and CA. Each runs
// on ":memory:" and on a file (GENERATE) unless it needs a second connection.

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include "store/store.h"
#include "store_test_support.h"

using namespace pocketca;
using namespace pocketca::store;
using namespace pocketca::store::testing;
using namespace std::chrono;

namespace {

// CAs 1 and 2; requests 1 and 2 to CA 1, request 3 to CA 2.
void add_cas_and_requests(Store& store) {
  store.write([](Writer& w) {
    w.add_ca(sample_ca(1, "Contoso Root", "contoso-root"));
    w.add_ca(sample_ca(2, "Contoso Issuing", "contoso-issuing"));
    RequestRecord exadmin = sample_request(1);
    RequestRecord alice = sample_request(1);
    alice.requester = "CONTOSO\\alice";
    RequestRecord alice_again = sample_request(2);
    alice_again.requester = "contoso\\Alice";
    for (const auto& r : {exadmin, alice, alice_again}) (void)w.add_request(r);
  });
}

void add_certificates(Store& store, const std::vector<CertificateRecord>& certs) {
  store.write([&](Writer& w) {
    for (const auto& c : certs) w.add_certificate(c);
  });
}

void revoke(Store& store, int64_t ca_index, const std::string& serial, Time at, const std::string& reason) {
  store.write([&](Writer& w) { w.set_revocation(ca_index, serial, at, reason); });
}

CrlRecord sample_crl(int64_t ca_index, int64_t number, bool delta) {
  CrlRecord crl;
  crl.ca_index = ca_index;
  crl.number = number;
  crl.is_delta = delta;
  crl.this_update = sample_time(hours{number});
  crl.next_update = sample_time(hours{number + (delta ? 24 : 24 * 7)});
  crl.entries = number * 10;
  crl.der = {0x30, 0x82, static_cast<unsigned char>(ca_index), static_cast<unsigned char>(number)};
  return crl;
}

void add_crl(Store& store, const CrlRecord& crl) {
  store.write([&](Writer& w) { w.add_crl(crl); });
}

// `got` from latest_crl: the facts of `want`, and its DER kept apart.
void check_same(Store& store, const CrlRecord& got, const CrlRecord& want) {
  CHECK(got.ca_index == want.ca_index);
  CHECK(got.number == want.number);
  CHECK(got.is_delta == want.is_delta);
  CHECK(got.this_update == want.this_update);
  CHECK(got.next_update == want.next_update);
  CHECK(got.entries == want.entries);
  CHECK(got.der.empty());
  CHECK(store.crl_der(want.ca_index, want.number) == want.der);
}

// Sorted by serial: each_revoked promises no order.
std::vector<RevokedCertificate> sorted(std::vector<RevokedCertificate> revoked) {
  std::sort(revoked.begin(), revoked.end(), [](const auto& a, const auto& b) { return a.serial < b.serial; });
  return revoked;
}

std::vector<std::string> serials(const std::vector<RevokedCertificate>& revoked) {
  std::vector<std::string> out;
  for (const auto& r : sorted(revoked)) out.push_back(r.serial);
  return out;
}

std::vector<std::string> serials(const std::vector<CertificateRecord>& certs) {
  std::vector<std::string> out;
  for (const auto& c : certs) out.push_back(c.serial);
  return out;
}

// (number, DER length) of every CRL of a CA, read with a connection of our own.
std::vector<std::pair<int64_t, int64_t>> crl_der_lengths(const std::string& path, int64_t ca_index) {
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(raw,
                      "SELECT number, coalesce(length(der), 0) FROM crls LEFT JOIN crl_der USING (ca_index, number)"
                      " WHERE ca_index = ? ORDER BY number");
  q.bind(1, ca_index);
  std::vector<std::pair<int64_t, int64_t>> out;
  while (q.executeStep()) out.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getInt64());
  return out;
}

// Every "detail" line of a query plan, joined.
std::string plan_of(SQLite::Database& db, const std::string& sql) {
  SQLite::Statement q(db, "EXPLAIN QUERY PLAN " + sql);
  std::string plan;
  while (q.executeStep()) plan += q.getColumn(3).getString() + "\n";
  return plan;
}

}  // namespace

TEST_CASE("set_revocation revokes a certificate and makes it valid again", "[store][revocation]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);
  // The same serial under CA 2 is another certificate and must not be touched.
  add_certificates(store, {sample_certificate(1, "0a01", 1), sample_certificate(1, "0a02", 2),
                           sample_certificate(2, "0a01", 3)});

  revoke(store, 1, "0a01", sample_time(hours{2}), "keyCompromise");
  auto got = store.find_certificate(1, "0a01");
  REQUIRE(got.has_value());
  CHECK(got->status == CertStatus::revoked);
  CHECK(got->revoked_at == std::optional<Time>(sample_time(hours{2})));
  CHECK(got->revocation_reason == "keyCompromise");
  for (const auto& [ca, serial] : std::vector<std::pair<int64_t, std::string>>{{1, "0a02"}, {2, "0a01"}}) {
    INFO(ca << " " << serial);
    const auto other = store.find_certificate(ca, serial);
    REQUIRE(other.has_value());
    CHECK(other->status == CertStatus::valid);
    CHECK_FALSE(other->revoked_at.has_value());
    CHECK(other->revocation_reason.empty());
  }

  SECTION("revoking again replaces the time and reason") {
    revoke(store, 1, "0a01", sample_time(hours{3}), "superseded");
    got = store.find_certificate(1, "0a01");
    REQUIRE(got.has_value());
    CHECK(got->status == CertStatus::revoked);
    CHECK(got->revoked_at == std::optional<Time>(sample_time(hours{3})));
    CHECK(got->revocation_reason == "superseded");
  }
  SECTION("an empty time makes it valid again and clears the reason, whatever reason is given") {
    store.write([](Writer& w) { w.set_revocation(1, "0a01", std::nullopt, "removeFromCRL"); });
    got = store.find_certificate(1, "0a01");
    REQUIRE(got.has_value());
    CHECK(got->status == CertStatus::valid);
    CHECK_FALSE(got->revoked_at.has_value());
    CHECK(got->revocation_reason.empty());
    CHECK(list_revoked(store, 1, sample_time()).empty());
  }
}

TEST_CASE("set_revocation of an unknown certificate is not_found and changes nothing", "[store][revocation]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);
  add_certificates(store, {sample_certificate(1, "0a01", 1)});

  const std::optional<Time> at = GENERATE(std::optional<Time>(sample_time(hours{2})), std::optional<Time>());
  SECTION("an unknown serial") {
    const Error e =
        error_from([&] { store.write([&](Writer& w) { w.set_revocation(1, "0bad", at, "keyCompromise"); }); });
    CHECK(e.kind() == ErrorKind::not_found);
    CHECK_THAT(e.what(), Catch::Contains("0bad") && Catch::Contains("CA 1"));
  }
  SECTION("a known serial under another CA") {
    const Error e =
        error_from([&] { store.write([&](Writer& w) { w.set_revocation(2, "0a01", at, "keyCompromise"); }); });
    CHECK(e.kind() == ErrorKind::not_found);
  }
  SECTION("an unknown CA") {
    const Error e =
        error_from([&] { store.write([&](Writer& w) { w.set_revocation(7, "0a01", at, "keyCompromise"); }); });
    CHECK(e.kind() == ErrorKind::not_found);
  }
  SECTION("what came before it in the same change is rolled back") {
    const Error e = error_from([&] {
      store.write([&](Writer& w) {
        w.set_revocation(1, "0a01", sample_time(hours{2}), "keyCompromise");
        w.add_audit({0, sample_time(hours{2}), "root", "revoked", 1, "0a01", "keyCompromise"});
        w.set_revocation(1, "0bad", at, "keyCompromise");
      });
    });
    CHECK(e.kind() == ErrorKind::not_found);
    CHECK(store.list_audit(std::nullopt).empty());
  }
  const auto cert = store.find_certificate(1, "0a01");
  REQUIRE(cert.has_value());
  CHECK(cert->status == CertStatus::valid);
  CHECK_FALSE(cert->revoked_at.has_value());
  CHECK(list_revoked(store, 1, sample_time()).empty());
}

TEST_CASE("a certificate is revoked exactly when it has a revocation time", "[store][revocation]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);

  SECTION("the database refuses a revoked certificate without a time") {
    CertificateRecord cert = sample_certificate(1, "0a01", 1);
    cert.status = CertStatus::revoked;
    cert.revocation_reason = "keyCompromise";
    const Error e = error_from([&] { add_certificates(store, {cert}); });
    CHECK(e.kind() == ErrorKind::storage);
    CHECK_THAT(e.what(), Catch::Contains("CHECK constraint failed"));
    CHECK_FALSE(store.find_certificate(1, "0a01").has_value());
  }
  SECTION("the database refuses a valid certificate with a time") {
    CertificateRecord cert = sample_certificate(1, "0a01", 1);
    cert.revoked_at = sample_time(hours{2});
    const Error e = error_from([&] { add_certificates(store, {cert}); });
    CHECK(e.kind() == ErrorKind::storage);
    CHECK_THAT(e.what(), Catch::Contains("CHECK constraint failed"));
  }
  SECTION("set_revocation keeps status and time together either way") {
    add_certificates(store, {sample_certificate(1, "0a01", 1), sample_certificate(1, "0a02", 2)});
    revoke(store, 1, "0a01", sample_time(hours{2}), "keyCompromise");
    revoke(store, 1, "0a02", sample_time(hours{2}), "certificateHold");
    store.write([](Writer& w) { w.set_revocation(1, "0a02", std::nullopt, ""); });
    CertificateFilter all;
    all.now = sample_time();
    for (const auto& c : store.list_certificates(all)) {
      INFO(c.serial);
      CHECK((c.status == CertStatus::revoked) == c.revoked_at.has_value());
      CHECK((c.status == CertStatus::revoked) == !c.revocation_reason.empty());
    }
  }
}

TEST_CASE("the CHECK on status and revocation time holds for any writer of the file", "[store][revocation]") {
  TestStore t(true);
  add_cas_and_requests(*t.store);
  add_certificates(*t.store, {sample_certificate(1, "0a01", 1)});
  t.store.reset();

  SQLite::Database raw(t.path, SQLite::OPEN_READWRITE);
  CHECK_THROWS_AS(raw.exec("UPDATE certificates SET status = 'revoked' WHERE serial = '0a01'"), SQLite::Exception);
  CHECK_THROWS_AS(raw.exec("UPDATE certificates SET revoked_at = '2026-11-23T10:57:24Z' WHERE serial = '0a01'"),
                  SQLite::Exception);
  CHECK(raw.execAndGet("SELECT status FROM certificates WHERE serial = '0a01'").getString() == "valid");
}

TEST_CASE("each_revoked visits a CA's revoked certificates that have not expired", "[store][revocation][crl]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);
  CertificateRecord short_lived = sample_certificate(1, "0a02", 0);
  short_lived.not_after = sample_time(hours{24});
  add_certificates(store, {sample_certificate(1, "0a01", 1),  // stays valid
                           short_lived,                       // revoked, expires after a day
                           sample_certificate(1, "0a03", 2),  // revoked
                           sample_certificate(1, "0a04", 0),  // revoked, then valid again
                           sample_certificate(2, "0b01", 3)});  // revoked, of CA 2
  revoke(store, 1, "0a02", sample_time(hours{1}), "superseded");
  revoke(store, 1, "0a03", sample_time(hours{2}), "keyCompromise");
  revoke(store, 1, "0a04", sample_time(hours{2}), "certificateHold");
  store.write([](Writer& w) { w.set_revocation(1, "0a04", std::nullopt, ""); });
  revoke(store, 2, "0b01", sample_time(hours{3}), "cessationOfOperation");

  const auto now = sorted(list_revoked(store, 1, sample_time()));
  REQUIRE(now.size() == 2);
  CHECK(now[0].serial == "0a02");
  CHECK(now[0].revoked_at == sample_time(hours{1}));
  CHECK(now[0].reason == "superseded");
  CHECK(now[1].serial == "0a03");
  CHECK(now[1].revoked_at == sample_time(hours{2}));
  CHECK(now[1].reason == "keyCompromise");

  // notAfter itself still counts; a second later the certificate drops off.
  CHECK(serials(list_revoked(store, 1, sample_time(hours{24}))) == std::vector<std::string>{"0a02", "0a03"});
  CHECK(serials(list_revoked(store, 1, sample_time(hours{24}) + seconds{1})) == std::vector<std::string>{"0a03"});
  CHECK(list_revoked(store, 1, sample_time(hours{24 * 398})).empty());

  const auto other_ca = list_revoked(store, 2, sample_time());
  REQUIRE(other_ca.size() == 1);
  CHECK(other_ca[0].serial == "0b01");
  CHECK(other_ca[0].reason == "cessationOfOperation");
  CHECK(list_revoked(store, 3, sample_time()).empty());
}

TEST_CASE("each_revoked, the requester and the expiring filters are served by indexes", "[store][revocation][queries]") {
  TestStore t(true);
  t.store.reset();  // close, then look at the file with a connection of our own
  SQLite::Database db(t.path);

  // The statement of SqliteStore::each_revoked.
  CHECK_THAT(plan_of(db,
                     "SELECT serial, revoked_at, revocation_reason FROM certificates"
                     " WHERE status = 'revoked' AND ca_index = ? AND not_after >= ?"),
             Catch::Contains("USING COVERING INDEX certificates_revoked"));  // migration 5: no table reads
  // The index is partial: valid certificates, the vast majority, are not in it.
  CHECK_THAT(db.execAndGet("SELECT sql FROM sqlite_master WHERE name = 'certificates_revoked'").getString(),
             Catch::Contains("WHERE status = 'revoked'"));

  // query_certificates with --expiring-within alone: a range of certificates_by_not_after.
  CHECK_THAT(plan_of(db,
                     "SELECT * FROM certificates WHERE status = 'valid' AND not_after >= :now AND not_after < :expiring"
                     " ORDER BY rowid DESC LIMIT :limit"),
             Catch::Contains("USING INDEX certificates_by_not_after"));

  // The requester subquery of query_certificates.
  CHECK_THAT(plan_of(db, "SELECT id FROM requests WHERE requester = ? COLLATE NOCASE"),
             Catch::Contains("USING COVERING INDEX requests_by_requester") ||
                 Catch::Contains("USING INDEX requests_by_requester"));
}

TEST_CASE("CRL numbers start at 1 and count up across base and delta, per CA", "[store][crl]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);

  store.write([](Writer& w) {
    CHECK(w.next_crl_number(1) == 1);
    CHECK(w.next_crl_number(1) == 1);  // asking is not using
    w.add_crl(sample_crl(1, 1, false));
    CHECK(w.next_crl_number(1) == 2);
    w.add_crl(sample_crl(1, 2, true));
    CHECK(w.next_crl_number(1) == 3);
    CHECK(w.next_crl_number(2) == 1);  // CA 2 has its own sequence
  });
  add_crl(store, sample_crl(1, 3, true));
  add_crl(store, sample_crl(1, 4, false));
  store.write([](Writer& w) {
    CHECK(w.next_crl_number(1) == 5);
    CHECK(w.next_crl_number(2) == 1);
    CHECK(w.next_crl_number(99) == 1);  // a CA that does not exist has used no number
  });

  SECTION("it is one more than the highest, even after a gap") {
    add_crl(store, sample_crl(2, 10, true));
    store.write([](Writer& w) {
      CHECK(w.next_crl_number(2) == 11);
      CHECK(w.next_crl_number(1) == 5);
    });
  }
}

TEST_CASE("add_crl keeps the DER of the newest base and delta CRL only", "[store][crl]") {
  TestStore t(true);  // older CRLs are only visible through a connection of our own
  Store& store = *t.store;
  add_cas_and_requests(store);

  CHECK_FALSE(store.latest_crl(1, false).has_value());
  CHECK_FALSE(store.latest_crl(1, true).has_value());

  const CrlRecord other_ca = sample_crl(2, 1, false);
  add_crl(store, other_ca);
  add_crl(store, sample_crl(1, 1, false));
  CHECK(crl_der_lengths(t.path, 1) == std::vector<std::pair<int64_t, int64_t>>{{1, 4}});
  CHECK_FALSE(store.latest_crl(1, true).has_value());  // no delta yet

  add_crl(store, sample_crl(1, 2, true));
  add_crl(store, sample_crl(1, 3, true));
  CHECK(crl_der_lengths(t.path, 1) == std::vector<std::pair<int64_t, int64_t>>{{1, 4}, {2, 0}, {3, 4}});

  const CrlRecord base = sample_crl(1, 4, false);
  CrlRecord delta = sample_crl(1, 5, true);
  delta.entries = 0;
  delta.der = {0x30, 0x00};  // an empty CRL
  store.write([&](Writer& w) {
    w.add_crl(base);
    w.add_crl(delta);
  });
  CHECK(crl_der_lengths(t.path, 1) == std::vector<std::pair<int64_t, int64_t>>{{1, 0}, {2, 0}, {3, 0}, {4, 4}, {5, 2}});

  const auto latest_base = store.latest_crl(1, false);
  REQUIRE(latest_base.has_value());
  check_same(store, *latest_base, base);
  const auto latest_delta = store.latest_crl(1, true);
  REQUIRE(latest_delta.has_value());
  check_same(store, *latest_delta, delta);

  // Another CA's CRLs are left alone.
  const auto other = store.latest_crl(2, false);
  REQUIRE(other.has_value());
  check_same(store, *other, other_ca);
  CHECK_FALSE(store.latest_crl(2, true).has_value());
}

TEST_CASE("latest_crl returns the newest of each kind", "[store][crl]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);
  // Base 1, deltas 2 and 3, base 4, delta 5, base 6: the newest delta is older than the newest base.
  for (const auto& [number, delta] : std::vector<std::pair<int64_t, bool>>{
           {1, false}, {2, true}, {3, true}, {4, false}, {5, true}, {6, false}}) {
    add_crl(store, sample_crl(1, number, delta));
  }
  const auto base = store.latest_crl(1, false);
  REQUIRE(base.has_value());
  check_same(store, *base, sample_crl(1, 6, false));
  const auto delta = store.latest_crl(1, true);
  REQUIRE(delta.has_value());
  check_same(store, *delta, sample_crl(1, 5, true));
  CHECK_FALSE(store.latest_crl(2, false).has_value());
}

TEST_CASE("a CRL number used before is a conflict, and the newest CRL survives it", "[store][crl]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);
  const CrlRecord first = sample_crl(1, 1, false);
  add_crl(store, first);

  // Base and delta share the sequence, so either kind clashes.
  const bool delta = GENERATE(false, true);
  CrlRecord again = sample_crl(1, 1, delta);
  again.der = {0x30, 0x03, 0x09};
  const Error e = error_from([&] { add_crl(store, again); });
  CHECK(e.kind() == ErrorKind::conflict);
  CHECK_THAT(e.what(), Catch::Contains("CRL 1 of CA 1"));

  // The DER it cleared on the way was rolled back with the write.
  const auto latest = store.latest_crl(1, false);
  REQUIRE(latest.has_value());
  check_same(store, *latest, first);
  CHECK_FALSE(store.latest_crl(1, true).has_value());

  // Another CA may use the same number.
  add_crl(store, sample_crl(2, 1, delta));
  CHECK(store.latest_crl(2, delta).has_value());
}

// add_crl clears the older DER before it inserts, so a rejected add_crl is not
// atomic on its own: a caller that catches the conflict and lets the write
// commit is left with no DER for its newest base CRL (and publish_crl then
// refuses delta CRLs: "has no base CRL yet"). No caller does that today.
TEST_CASE("a rejected add_crl changes nothing even when the change goes on", "[store][crl]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);
  const CrlRecord first = sample_crl(1, 1, false);
  add_crl(store, first);

  store.write([&](Writer& w) {
    const Error e = error_from([&] { w.add_crl(sample_crl(1, 1, false)); });
    CHECK(e.kind() == ErrorKind::conflict);
  });
  const auto latest = store.latest_crl(1, false);
  REQUIRE(latest.has_value());
  CHECK(store.crl_der(1, 1) == first.der);
}

TEST_CASE("CRL numbers taken by two stores on one file in turn never repeat", "[store][crl][transactions]") {
  TempDir dir;
  auto a = open_sqlite_store(dir.file("pocketca.db"));
  auto b = open_sqlite_store(dir.file("pocketca.db"));
  add_cas_and_requests(*a);

  std::vector<int64_t> numbers;
  for (int i = 0; i < 8; ++i) {
    Store& store = i % 2 == 0 ? *a : *b;
    store.write([&](Writer& w) {
      const int64_t n = w.next_crl_number(1);
      numbers.push_back(n);
      w.add_crl(sample_crl(1, n, i % 3 == 1));  // deltas are 2, 5 and 8
    });
  }
  CHECK(numbers == std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8});

  // Both see the same newest CRLs: base 7, delta 8.
  for (Store* store : {a.get(), b.get()}) {
    const auto base = store->latest_crl(1, false);
    const auto delta = store->latest_crl(1, true);
    REQUIRE(base.has_value());
    REQUIRE(delta.has_value());
    CHECK(base->number == 7);
    CHECK(delta->number == 8);
    CHECK(store->crl_der(1, 7).has_value());
    CHECK(store->crl_der(1, 8).has_value());
    CHECK_FALSE(store->crl_der(1, 6).has_value());
  }
  a->write([](Writer& w) { CHECK(w.next_crl_number(1) == 9); });
  b->write([](Writer& w) { CHECK(w.next_crl_number(1) == 9); });
}

TEST_CASE("a write that throws after adding a CRL leaves no CRL behind", "[store][crl][transactions]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);

  SECTION("the first CRL") {
    CHECK_THROWS_AS(store.write([](Writer& w) {
      w.add_crl(sample_crl(1, w.next_crl_number(1), false));
      throw std::runtime_error("could not write public/contoso-root.crl");
    }),
                    std::runtime_error);
    CHECK_FALSE(store.latest_crl(1, false).has_value());
    CHECK_FALSE(store.latest_crl(1, true).has_value());
    store.write([](Writer& w) { CHECK(w.next_crl_number(1) == 1); });
  }
  SECTION("a CRL after one that was committed") {
    const CrlRecord first = sample_crl(1, 1, false);
    add_crl(store, first);
    const bool delta = GENERATE(false, true);
    CHECK_THROWS_AS(store.write([&](Writer& w) {
      w.add_crl(sample_crl(1, w.next_crl_number(1), delta));
      throw std::runtime_error("could not write public/contoso-root.crl");
    }),
                    std::runtime_error);
    const auto base = store.latest_crl(1, false);
    REQUIRE(base.has_value());
    check_same(store, *base, first);  // DER too: clearing it was rolled back
    CHECK_FALSE(store.latest_crl(1, true).has_value());
    store.write([](Writer& w) { CHECK(w.next_crl_number(1) == 2); });
  }
}

TEST_CASE("list_certificates narrows by requester and by CA", "[store][queries][revocation]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);
  // In order of issue: exadmin's on CA 1, alice's on CA 1, Alice's on CA 2, and a CA certificate (no request).
  add_certificates(store, {sample_certificate(1, "0a01", 1), sample_certificate(1, "0a02", 2),
                           sample_certificate(2, "0b01", 3), sample_certificate(1, "0a09", 0)});
  revoke(store, 1, "0a02", sample_time(hours{2}), "keyCompromise");
  CertificateFilter f;
  f.now = sample_time();

  SECTION("requester, case-insensitively, newest first") {
    f.requester = "contoso\\ALICE";
    CHECK(serials(store.list_certificates(f)) == std::vector<std::string>{"0b01", "0a02"});
    f.requester = "CONTOSO\\exadmin";
    CHECK(serials(store.list_certificates(f)) == std::vector<std::string>{"0a01"});
  }
  SECTION("requester is the whole name, not a pattern or a substring") {
    for (const char* requester : {"alice", "CONTOSO\\", "%", "CONTOSO\\_lice", "nobody"}) {
      INFO(requester);
      f.requester = requester;
      CHECK(store.list_certificates(f).empty());
    }
  }
  SECTION("CA") {
    f.ca_index = 1;
    CHECK(serials(store.list_certificates(f)) == std::vector<std::string>{"0a09", "0a02", "0a01"});
    f.ca_index = 2;
    CHECK(serials(store.list_certificates(f)) == std::vector<std::string>{"0b01"});
    f.ca_index = 3;
    CHECK(store.list_certificates(f).empty());
  }
  SECTION("requester and CA together, and with the other filters") {
    f.requester = "contoso\\alice";
    f.ca_index = 1;
    CHECK(serials(store.list_certificates(f)) == std::vector<std::string>{"0a02"});
    f.status = "revoked";
    CHECK(serials(store.list_certificates(f)) == std::vector<std::string>{"0a02"});
    f.status = "valid";
    CHECK(store.list_certificates(f).empty());
    f.status.reset();
    f.ca_index = 2;
    f.limit = 1;
    CHECK(serials(store.list_certificates(f)) == std::vector<std::string>{"0b01"});
  }
  SECTION("the defaults match everything") {
    CHECK(store.list_certificates(f).size() == 4);
  }
}

// Migration 3 -> 4 on an existing file is not tested here: the store tests have no
// way to build a database at an older schema version (migrations are private to
// store/ and only ever run to the latest).

TEST_CASE("latest_crl_this_update is the newest thisUpdate of any CRL of the CA", "[store][crl]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);
  CHECK_FALSE(store.latest_crl_this_update(1).has_value());

  add_crl(store, sample_crl(1, 1, false));
  add_crl(store, sample_crl(1, 3, true));  // a delta, newer than the base
  add_crl(store, sample_crl(2, 9, false));  // another CA, newer still
  const auto latest = store.latest_crl_this_update(1);
  REQUIRE(latest.has_value());
  CHECK(*latest == sample_crl(1, 3, true).this_update);
  CHECK(store.latest_crl_this_update(2) == sample_crl(2, 9, false).this_update);
}
