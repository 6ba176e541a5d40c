// The WAL copier: another connection's checkpoints while the store goes on writing.

#include <chrono>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "store/store.h"
#include "store/wal_copier.h"
#include "store_test_support.h"

using namespace pocketca::store;
using namespace pocketca::store::testing;

namespace {

void add(Store& store, const RequestRecord& request) {
  store.write([&](Writer& w) { (void)w.add_request(request); });
}

// Waits up to five seconds for `done`.
template <typename Condition>
bool eventually(Condition done) {
  for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

}  // namespace

TEST_CASE("the WAL copier copies the WAL back while the writer keeps its connection", "[store][wal]") {
  TempDir dir;
  const std::string path = dir.file("pocketca.db");
  auto store = open_sqlite_store(path);
  store->write([](Writer& w) { w.add_ca(sample_ca(1, "Contoso Root", "contoso-root")); });
  store->set_bulk_writes(true);  // the writer itself copies back only past 64 MB
  const auto size = [](const std::string& file) { return std::filesystem::file_size(file); };

  add(*store, large_request());
  add(*store, large_request());
  const auto database_before = size(path);
  const auto wal_before = size(path + "-wal");
  REQUIRE(wal_before > 400u * 4096);  // both commits are only in the WAL

  WalCopier copier(path);
  copier.request();
  // The pages reach the database file, which grows by them.
  CHECK(eventually([&] { return size(path) > database_before + 300u * 4096; }));
  // Everything was copied back, so the next commit starts the WAL over instead of growing it.
  add(*store, large_request());
  CHECK(size(path + "-wal") <= wal_before);

  store->set_bulk_writes(false);
  CHECK(size(path + "-wal") == 0);
  CHECK(store->find_request(3).has_value());  // nothing lost on the way
}

TEST_CASE("in bulk mode the store's own copier copies the WAL back before the writer would", "[store][wal]") {
  TempDir dir;
  const std::string path = dir.file("pocketca.db");
  auto store = open_sqlite_store(path);
  store->write([](Writer& w) { w.add_ca(sample_ca(1, "Contoso Root", "contoso-root")); });
  store->set_bulk_writes(true);
  const auto size = [](const std::string& file) { return std::filesystem::file_size(file); };
  // ~200 pages a commit: past 16 MB of WAL the copier is asked, long before the writer's own
  // 64 MB limit, and the pages reach the database file while the writer goes on.
  int commits = 0;
  while (size(path + "-wal") <= 16u * 1024 * 1024 && commits < 40) {
    add(*store, large_request());
    ++commits;
  }
  const auto database = size(path);
  CHECK(eventually([&] { return size(path) > database + 8u * 1024 * 1024; }));
  add(*store, large_request());  // the writer goes on meanwhile
  store->set_bulk_writes(false);
  CHECK(size(path + "-wal") == 0);
  const auto requests = store->list_requests({});
  CHECK(requests.size() == static_cast<size_t>(commits) + 1);  // nothing lost on the way
  for (const auto& r : requests) CHECK(r.request_der.size() == 200u * 4096);
}
