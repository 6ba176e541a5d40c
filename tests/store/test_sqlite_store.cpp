// The store's verbs, each run on ":memory:" and on a file (GENERATE).

#include <atomic>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "store/store.h"
#include "store_test_support.h"

using namespace pocketca;
using namespace pocketca::store;
using namespace pocketca::store::testing;
using namespace std::chrono;

namespace {

void check_same(const CaRecord& got, const CaRecord& want) {
  CHECK(got.index == want.index);
  CHECK(got.name == want.name);
  CHECK(got.slug == want.slug);
  CHECK(got.parent_index == want.parent_index);
  CHECK(got.subject == want.subject);
  CHECK(got.serial == want.serial);
  CHECK(got.not_before == want.not_before);
  CHECK(got.not_after == want.not_after);
  CHECK(got.key_spec == want.key_spec);
  CHECK(got.key_file == want.key_file);
  CHECK(got.key_encrypted == want.key_encrypted);
  CHECK(got.certificate_der == want.certificate_der);
  CHECK(got.sha1_thumbprint == want.sha1_thumbprint);
  CHECK(got.sha256_fingerprint == want.sha256_fingerprint);
  CHECK(got.base_url == want.base_url);
  CHECK(got.path_len == want.path_len);
  CHECK(got.is_default == want.is_default);
  CHECK(got.crl_days == want.crl_days);
  CHECK(got.delta_crl_days == want.delta_crl_days);
  CHECK(got.ocsp_enabled == want.ocsp_enabled);
  CHECK(got.created_at == want.created_at);
}

// Adds the root CA 1 ("Contoso Root") in its own write.
void add_root(Store& store) {
  store.write([](Writer& w) { w.add_ca(sample_ca(1, "Contoso Root", "contoso-root")); });
}

int64_t add_request(Store& store, const RequestRecord& request) {
  int64_t id = 0;
  store.write([&](Writer& w) { id = w.add_request(request); });
  return id;
}

int count_defaults(Store& store) {
  int n = 0;
  for (const auto& ca : store.list_cas()) n += ca.is_default ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("CAs round-trip every field", "[store][cas]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;

  CaRecord root = sample_ca(1, "Contoso Root", "contoso-root");  // optional fields empty
  root.is_default = true;
  CaRecord issuing = sample_ca(2, "Contoso Lab Issuing CA", "contoso-lab-issuing-ca");
  issuing.parent_index = 1;
  issuing.key_spec = "ec:p256";
  issuing.key_encrypted = false;
  issuing.base_url = "http://pki.contoso.lab/";
  issuing.path_len = 0;
  issuing.crl_days = 2;
  issuing.delta_crl_days = 1;
  issuing.ocsp_enabled = true;
  issuing.certificate_der = {};  // an empty blob comes back empty, not as NULL
  store.write([&](Writer& w) {
    w.add_ca(root);
    w.add_ca(issuing);
  });

  const auto cas = store.list_cas();
  REQUIRE(cas.size() == 2);
  check_same(cas[0], root);
  check_same(cas[1], issuing);
  const auto found = store.find_ca(2);
  REQUIRE(found.has_value());
  check_same(*found, issuing);
  CHECK_FALSE(store.find_ca(3).has_value());
}

TEST_CASE("CA names and slugs are unique, names case-insensitively", "[store][cas]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_root(store);

  SECTION("same name in other case") {
    const Error e = error_from([&] {
      store.write([](Writer& w) { w.add_ca(sample_ca(2, "CONTOSO root", "other-slug")); });
    });
    CHECK(e.kind() == ErrorKind::conflict);
    CHECK_THAT(e.what(), Catch::Contains("CONTOSO root"));
  }
  SECTION("same slug") {
    const Error e = error_from([&] {
      store.write([](Writer& w) { w.add_ca(sample_ca(2, "Other Name", "contoso-root")); });
    });
    CHECK(e.kind() == ErrorKind::conflict);
  }
  CHECK(store.list_cas().size() == 1);
}

TEST_CASE("next_ca_index counts up from 1 and add_ca insists on it", "[store][cas]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  store.write([](Writer& w) {
    CHECK(w.next_ca_index() == 1);
    w.add_ca(sample_ca(1, "Contoso Root", "contoso-root"));
    CHECK(w.next_ca_index() == 2);
    w.add_ca(sample_ca(2, "Contoso Issuing", "contoso-issuing"));
    CHECK(w.next_ca_index() == 3);
  });
  for (int64_t wrong : {1, 2, 4}) {
    INFO(wrong);
    const Error e = error_from([&] {
      store.write([&](Writer& w) { w.add_ca(sample_ca(wrong, "CA " + std::to_string(wrong), "ca")); });
    });
    CHECK(e.kind() == ErrorKind::invalid_input);
  }
}

TEST_CASE("set_default_ca leaves exactly one default", "[store][cas]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  CaRecord root = sample_ca(1, "Contoso Root", "contoso-root");
  root.is_default = true;
  store.write([&](Writer& w) {
    w.add_ca(root);
    w.add_ca(sample_ca(2, "Contoso Issuing", "contoso-issuing"));
  });
  CHECK(count_defaults(store) == 1);

  store.write([](Writer& w) { w.set_default_ca(2); });
  CHECK(count_defaults(store) == 1);
  CHECK(store.find_ca(2)->is_default);

  SECTION("a CA added as default takes over") {
    CaRecord third = sample_ca(3, "Contoso Other", "contoso-other");
    third.is_default = true;
    store.write([&](Writer& w) { w.add_ca(third); });
    CHECK(count_defaults(store) == 1);
    CHECK(store.find_ca(3)->is_default);
  }
  SECTION("an unknown CA cannot become the default, and the old default stays") {
    const Error e = error_from([&] { store.write([](Writer& w) { w.set_default_ca(99); }); });
    CHECK(e.kind() == ErrorKind::not_found);
    CHECK(store.find_ca(2)->is_default);
  }
}

TEST_CASE("request IDs count up and every field round-trips", "[store][requests]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_root(store);

  RequestRecord first = sample_request(1);
  RequestRecord denied = sample_request(std::nullopt);  // no CA chosen, denied on arrival
  denied.disposition = Disposition::denied;
  denied.disposition_message = "the request's key is RSA 1024, the template needs at least 2048";
  denied.resolved_at = sample_time(minutes{11});
  denied.template_name = "";
  denied.attributes_json = "{}";
  CHECK(add_request(store, first) == 1);
  CHECK(add_request(store, denied) == 2);
  CHECK(add_request(store, sample_request(1)) == 3);

  // A rolled-back request does not stop committed IDs from increasing.
  CHECK_THROWS_AS(store.write([](Writer& w) {
    (void)w.add_request(sample_request(1));
    throw std::runtime_error("signing failed");
  }),
                  std::runtime_error);
  CHECK(add_request(store, sample_request(1)) > 3);

  const auto got = store.find_request(2);
  REQUIRE(got.has_value());
  CHECK(got->id == 2);
  CHECK(got->ca_index == denied.ca_index);
  CHECK(got->submitted_at == denied.submitted_at);
  CHECK(got->resolved_at == denied.resolved_at);
  CHECK(got->requester == denied.requester);
  CHECK(got->template_name == denied.template_name);
  CHECK(got->disposition == Disposition::denied);
  CHECK(got->disposition_message == denied.disposition_message);
  CHECK(got->request_der == denied.request_der);
  CHECK(got->subject == denied.subject);
  CHECK(got->attributes_json == denied.attributes_json);

  const auto pending = store.find_request(1);
  REQUIRE(pending.has_value());
  CHECK(pending->ca_index == std::optional<int64_t>(1));
  CHECK(pending->disposition == Disposition::pending);
  CHECK_FALSE(pending->resolved_at.has_value());
  CHECK_FALSE(store.find_request(99).has_value());
}

TEST_CASE("resolve_request records the disposition, its message and time", "[store][requests]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_root(store);
  const int64_t id = add_request(store, sample_request(1));

  store.write([&](Writer& w) {
    w.resolve_request(id, Disposition::failed, "the key file is missing", sample_time(minutes{12}));
  });
  const auto got = store.find_request(id);
  REQUIRE(got.has_value());
  CHECK(got->disposition == Disposition::failed);
  CHECK(got->disposition_message == "the key file is missing");
  CHECK(got->resolved_at == std::optional<Time>(sample_time(minutes{12})));

  CHECK(error_from([&] { store.write([](Writer& w) { w.resolve_request(99, Disposition::issued, "", Time{}); }); })
            .kind() == ErrorKind::not_found);
  CHECK(error_from([&] { store.write([&](Writer& w) { w.resolve_request(id, Disposition::pending, "", Time{}); }); })
            .kind() == ErrorKind::invalid_input);
}

TEST_CASE("a change that throws leaves nothing behind", "[store][transactions]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;

  SECTION("the change's own exception propagates unchanged") {
    CHECK_THROWS_AS(store.write([](Writer& w) {
      w.add_ca(sample_ca(1, "Contoso Root", "contoso-root"));
      (void)w.add_request(sample_request(1));
      w.add_audit({0, sample_time(), "exadmin", "ca-created", std::nullopt, "", ""});
      throw std::runtime_error("disk full while writing the key");
    }),
                    std::runtime_error);
  }
  SECTION("a failing verb rolls back what came before it in the same change") {
    const Error e = error_from([&] {
      store.write([](Writer& w) {
        w.add_ca(sample_ca(1, "Contoso Root", "contoso-root"));
        w.add_audit({0, sample_time(), "exadmin", "ca-created", std::nullopt, "", ""});
        w.add_ca(sample_ca(2, "contoso ROOT", "contoso-root-2"));
      });
    });
    CHECK(e.kind() == ErrorKind::conflict);
  }

  CHECK(store.list_cas().empty());
  CHECK_FALSE(store.find_request(1).has_value());
  CHECK(store.list_audit(std::nullopt).empty());
  store.write([](Writer& w) { CHECK(w.next_ca_index() == 1); });
  // The store is still usable after the rollback.
  add_root(store);
  CHECK(store.list_cas().size() == 1);
}

TEST_CASE("two stores on one file see each other's commits", "[store][transactions]") {
  TempDir dir;
  auto writer = open_sqlite_store(dir.file("pocketca.db"));
  auto reader = open_sqlite_store(dir.file("pocketca.db"));
  add_root(*writer);
  CHECK(reader->find_ca(1).has_value());
  reader->write([](Writer& w) { CHECK(w.next_ca_index() == 2); });
}

TEST_CASE("a write waits while another connection writes, then goes ahead", "[store][transactions]") {
  TempDir dir;
  auto first = open_sqlite_store(dir.file("pocketca.db"));
  auto second = open_sqlite_store(dir.file("pocketca.db"));
  std::atomic<bool> first_is_writing = false;
  std::thread holder([&] {
    first->write([&](Writer& w) {
      w.add_ca(sample_ca(1, "Contoso Root", "contoso-root"));
      first_is_writing = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // well past SQLite's first sleeps of 1–10 ms
    });
  });
  while (!first_is_writing) std::this_thread::yield();
  // Waits for the first writer (not SQLITE_BUSY), then sees its CA.
  CHECK_NOTHROW(second->write([](Writer& w) { CHECK(w.next_ca_index() == 2); }));
  holder.join();
}

TEST_CASE("bulk writes let the WAL grow between checkpoints, and end with an empty one", "[store][transactions]") {
  TempDir dir;
  const std::string path = dir.file("pocketca.db");
  auto store = open_sqlite_store(path);
  add_root(*store);
  const auto wal_bytes = [&] { return std::filesystem::file_size(path + "-wal"); };
  const RequestRecord large = large_request();
  const auto add_large = [&] { (void)add_request(*store, large); };

  add_large();
  CHECK(wal_bytes() == 0);  // copied back and truncated after the commit

  store->set_bulk_writes(true);
  add_large();
  add_large();
  CHECK(wal_bytes() > 400u * 4096);  // both commits still in the WAL
  store->checkpoint();
  CHECK(wal_bytes() == 0);  // copied back on request, as a batch does while its last group signs
  add_large();
  CHECK(wal_bytes() > 200u * 4096);  // still in bulk: the writer's own limit stays 64 MB
  store->set_bulk_writes(false);
  CHECK(wal_bytes() == 0);  // checkpointed when the batch ends

  CHECK(store->find_request(4).has_value());  // nothing lost on the way
}
