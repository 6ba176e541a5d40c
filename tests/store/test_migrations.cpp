// Opening a database: pragmas, schema migrations, and refusing files that are
// not (or not yet) ours. A second, raw SQLite connection looks at the file.

#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include "store/migrations.h"
#include "store/sqlite_store.h"
#include "store/store.h"
#include "store_test_support.h"

using namespace pocketca;
using namespace pocketca::store;
using namespace pocketca::store::testing;

namespace {

std::set<std::string> schema_objects(SQLite::Database& db, const char* type) {
  SQLite::Statement q(db, "SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%'");
  q.bind(1, type);
  std::set<std::string> names;
  while (q.executeStep()) names.insert(q.getColumn(0).getString());
  return names;
}

int pragma(SQLite::Database& db, const std::string& name) {
  return db.execAndGet("PRAGMA " + name).getInt();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("a new database is migrated to the latest schema", "[store][migrations]") {
  REQUIRE(latest_schema_version() >= 1);

  SECTION("in memory") {
    auto store = open_sqlite_store(":memory:");
    CHECK(store->schema_version() == latest_schema_version());
  }

  SECTION("on a file") {
    TempDir dir;
    const std::string path = dir.file("pocketca.db");
    CHECK(open_sqlite_store(path)->schema_version() == latest_schema_version());

    SQLite::Database raw(path, SQLite::OPEN_READONLY);
    CHECK(pragma(raw, "user_version") == latest_schema_version());
    CHECK(pragma(raw, "application_id") == 0x706b6361);
    CHECK(schema_objects(raw, "table") ==
          std::set<std::string>{"audit", "cas", "certificates", "crl_der", "crls", "requests"});
    const auto indexes = schema_objects(raw, "index");
    for (const char* index : {"cas_one_default", "requests_by_disposition", "certificates_by_not_after",
                              "certificates_revoked", "requests_by_requester", "audit_by_at"}) {
      INFO(index);
      CHECK(indexes.count(index) == 1);
    }
    for (const char* dropped : {"certificates_by_common_name", "certificates_by_serial"}) {
      INFO(dropped);
      CHECK(indexes.count(dropped) == 0);
    }
  }
}

TEST_CASE("a file database runs in WAL mode with synchronous commits", "[store][migrations]") {
  TempDir dir;
  const std::string path = dir.file("pocketca.db");
  auto store = open_sqlite_store(path);
  // journal_mode=wal is stored in the file, so a second connection sees it.
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA journal_mode").getString() == "wal");
  // foreign_keys is per connection: tests/store/test_sqlite_store.cpp checks it by
  // recording a certificate of a CA that does not exist, on ":memory:" and on a file.
}

TEST_CASE("reopening a file database keeps its data and does not migrate again", "[store][migrations]") {
  TempDir dir;
  const std::string path = dir.file("pocketca.db");
  {
    auto store = open_sqlite_store(path);
    store->write([](Writer& w) { w.add_ca(sample_ca(1, "Contoso Root", "contoso-root")); });
  }
  auto objects_before = [&] {
    SQLite::Database raw(path, SQLite::OPEN_READONLY);
    return std::make_pair(schema_objects(raw, "table"), schema_objects(raw, "index"));
  }();

  auto reopened = open_sqlite_store(path);
  CHECK(reopened->schema_version() == latest_schema_version());
  const auto ca = reopened->find_ca(1);
  REQUIRE(ca.has_value());
  CHECK(ca->name == "Contoso Root");

  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  CHECK(std::make_pair(schema_objects(raw, "table"), schema_objects(raw, "index")) == objects_before);
}

TEST_CASE("a database from a newer pocketca is refused", "[store][migrations]") {
  TempDir dir;
  const std::string path = dir.file("pocketca.db");
  (void)open_sqlite_store(path);
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = " + std::to_string(latest_schema_version() + 1));
  }
  const Error e = error_from([&] { (void)open_sqlite_store(path); });
  CHECK(e.kind() == ErrorKind::storage);
  CHECK_THAT(e.what(), Catch::Contains("database schema version " + std::to_string(latest_schema_version() + 1) +
                                       " is newer than this pocketca understands (" +
                                       std::to_string(latest_schema_version()) + ")"));
}

TEST_CASE("a file that is not a SQLite database is refused and left alone", "[store][migrations]") {
  TempDir dir;
  const std::string path = dir.file("pocketca.db");
  const std::string text = "-----BEGIN CERTIFICATE-----\nnot a database, but long enough to have a header\n";
  std::ofstream(path, std::ios::binary) << text;

  const Error e = error_from([&] { (void)open_sqlite_store(path); });
  CHECK(e.kind() == ErrorKind::storage);
  CHECK_THAT(e.what(), Catch::Contains(path) && Catch::Contains("is not a SQLite database"));
  CHECK(read_file(path) == text);
}

TEST_CASE("another program's SQLite database is refused", "[store][migrations]") {
  TempDir dir;
  const std::string path = dir.file("other.db");

  SECTION("one with tables but no schema version") {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)");
  }
  SECTION("one with a schema version but another application ID") {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE cas (x)");
    raw.exec("PRAGMA user_version = 1");
  }

  const Error e = error_from([&] { (void)open_sqlite_store(path); });
  CHECK(e.kind() == ErrorKind::storage);
  CHECK_THAT(e.what(), Catch::Contains("not a pocketca database"));
}

TEST_CASE("a database that cannot be opened is a storage error naming the path", "[store][migrations]") {
  TempDir dir;
  const std::string path = dir.file("no-such-folder/pocketca.db");
  const Error e = error_from([&] { (void)open_sqlite_store(path); });
  CHECK(e.kind() == ErrorKind::storage);
  CHECK_THAT(e.what(), Catch::Contains(path));
}

TEST_CASE("migration 6 moves the kept CRL DER into crl_der and drops the column", "[store][migrations][crl]") {
  TempDir dir;
  const std::string path = dir.file("pocketca.db");
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    migrate(raw, path, 5);
    // CRL 1 is an older base whose DER was already dropped (x''); 2 is the newest base, 3 the newest delta.
    raw.exec(
        "INSERT INTO crls (ca_index, number, is_delta, this_update, next_update, der, entries) VALUES"
        " (1, 1, 0, '2026-01-01T00:00:00Z', '2026-01-08T00:00:00Z', x'', 3),"
        " (1, 2, 0, '2026-01-02T00:00:00Z', '2026-01-09T00:00:00Z', x'3003020101', 4),"
        " (1, 3, 1, '2026-01-03T00:00:00Z', '2026-01-04T00:00:00Z', x'3000', 0)");
  }
  auto store = open_sqlite_store(path);
  CHECK(store->schema_version() == latest_schema_version());
  CHECK_FALSE(store->crl_der(1, 1).has_value());
  CHECK(store->crl_der(1, 2) == Bytes{0x30, 0x03, 0x02, 0x01, 0x01});
  CHECK(store->crl_der(1, 3) == Bytes{0x30, 0x00});
  const auto base = store->latest_crl(1, false);
  REQUIRE(base.has_value());
  CHECK(base->number == 2);
  CHECK(base->entries == 4);
  CHECK(base->this_update == time_from_text("2026-01-02T00:00:00Z"));

  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("SELECT count(*) FROM pragma_table_info('crls') WHERE name = 'der'").getInt() == 0);
}
