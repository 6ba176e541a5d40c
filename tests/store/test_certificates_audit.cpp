// Certificates and the audit log, each run on ":memory:" and on a file (GENERATE).

#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "store/store.h"
#include "store_test_support.h"

using namespace pocketca;
using namespace pocketca::store;
using namespace pocketca::store::testing;
using namespace std::chrono;

namespace {

void check_same(const CertificateRecord& got, const CertificateRecord& want) {
  CHECK(got.ca_index == want.ca_index);
  CHECK(got.serial == want.serial);
  CHECK(got.request_id == want.request_id);
  CHECK(got.subject == want.subject);
  CHECK(got.common_name == want.common_name);
  CHECK(got.sans == want.sans);
  CHECK(got.template_name == want.template_name);
  CHECK(got.not_before == want.not_before);
  CHECK(got.not_after == want.not_after);
  CHECK(got.sha1_thumbprint == want.sha1_thumbprint);
  CHECK(got.sha256_fingerprint == want.sha256_fingerprint);
  CHECK(got.der == want.der);
  CHECK(got.status == want.status);
  CHECK(got.revoked_at == want.revoked_at);
  CHECK(got.revocation_reason == want.revocation_reason);
}

// A store with CAs 1 and 2 and requests 1 and 2 (to CA 1).
void add_cas_and_requests(Store& store) {
  store.write([](Writer& w) {
    w.add_ca(sample_ca(1, "Contoso Root", "contoso-root"));
    w.add_ca(sample_ca(2, "Contoso Issuing", "contoso-issuing"));
    (void)w.add_request(sample_request(1));
    (void)w.add_request(sample_request(1));
  });
}

Error error_adding(Store& store, const CertificateRecord& cert) {
  return error_from([&] { store.write([&](Writer& w) { w.add_certificate(cert); }); });
}

}  // namespace

TEST_CASE("certificates round-trip every field", "[store][certificates]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);

  const CertificateRecord issued = sample_certificate(1, "0100000000000000000000000000000001", 1);
  CertificateRecord revoked = sample_certificate(1, "01ff", 2);
  revoked.status = CertStatus::revoked;
  revoked.revoked_at = sample_time(hours{48});
  revoked.revocation_reason = "keyCompromise";
  revoked.sans = {};
  CertificateRecord ca_cert = sample_certificate(1, "02", 0);  // a CA's own certificate: no request
  ca_cert.template_name = "SubCA";
  store.write([&](Writer& w) {
    w.add_certificate(issued);
    w.add_certificate(revoked);
    w.add_certificate(ca_cert);
  });

  for (const CertificateRecord* want : std::vector<const CertificateRecord*>{&issued, &revoked, &ca_cert}) {
    INFO(want->serial);
    const auto got = store.find_certificate(want->ca_index, want->serial);
    REQUIRE(got.has_value());
    check_same(*got, *want);
  }
  CHECK_FALSE(store.find_certificate(2, issued.serial).has_value());
  CHECK_FALSE(store.find_certificate(1, "03").has_value());
}

TEST_CASE("a certificate clashing with a recorded one is a conflict", "[store][certificates]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);
  store.write([](Writer& w) { w.add_certificate(sample_certificate(1, "0a", 1)); });

  SECTION("same CA and serial") {
    CertificateRecord again = sample_certificate(1, "0a", 2);
    again.sha1_thumbprint = "0000";
    const Error e = error_adding(store, again);
    CHECK(e.kind() == ErrorKind::conflict);
    CHECK_THAT(e.what(), Catch::Contains("0a") && Catch::Contains("CA 1"));
  }
  SECTION("same thumbprint") {
    CertificateRecord twin = sample_certificate(2, "0b", 2);
    twin.sha1_thumbprint = sample_certificate(1, "0a", 1).sha1_thumbprint;
    CHECK(error_adding(store, twin).kind() == ErrorKind::conflict);
  }
  SECTION("same request") {
    CHECK(error_adding(store, sample_certificate(1, "0b", 1)).kind() == ErrorKind::conflict);
  }
  SECTION("the same serial under another CA is a different certificate") {
    store.write([](Writer& w) { w.add_certificate(sample_certificate(2, "0a", 2)); });
    CHECK(store.find_certificate(2, "0a").has_value());
  }
}

TEST_CASE("a certificate must point at a CA and request that exist", "[store][certificates]") {
  // Also proves foreign_keys=ON on this connection, in memory and on a file.
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);

  const Error no_ca = error_adding(store, sample_certificate(7, "0a", 1));
  CHECK(no_ca.kind() == ErrorKind::storage);
  CHECK_THAT(no_ca.what(), Catch::Contains("FOREIGN KEY"));
  CHECK(error_adding(store, sample_certificate(1, "0a", 42)).kind() == ErrorKind::storage);
  CHECK_FALSE(store.find_certificate(7, "0a").has_value());
}

TEST_CASE("serials are stored as lower-case hex only", "[store][certificates]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);
  for (const char* bad : {"", "0A", "0a:1b", "0x0a", "0a "}) {
    INFO(bad);
    CHECK(error_adding(store, sample_certificate(1, bad, 1)).kind() == ErrorKind::storage);
  }
}

TEST_CASE("audit entries come back oldest first, from `since` on", "[store][audit]") {
  TestStore t(GENERATE(false, true));
  Store& store = *t.store;
  add_cas_and_requests(store);

  const AuditEntry created{0, sample_time(), "root", "ca-created", std::nullopt, "", "Contoso Root"};
  const AuditEntry submitted{0, sample_time(minutes{10}), "CONTOSO\\exadmin", "submitted", 1, "", "WebServer"};
  const AuditEntry issued{0, sample_time(minutes{10}), "CONTOSO\\exadmin", "issued", 1, "0a", ""};
  const AuditEntry revoked{0, sample_time(hours{2}), "root", "revoked", std::nullopt, "0a", "keyCompromise"};
  // Written out of time order: the log orders by time, then by order of writing.
  store.write([&](Writer& w) {
    w.add_audit(revoked);
    w.add_audit(created);
    w.add_audit(submitted);
    w.add_audit(issued);
  });

  const auto all = store.list_audit(std::nullopt);
  REQUIRE(all.size() == 4);
  const std::vector<const AuditEntry*> want = {&created, &submitted, &issued, &revoked};
  for (size_t i = 0; i < want.size(); ++i) {
    INFO(i);
    CHECK(all[i].at == want[i]->at);
    CHECK(all[i].actor == want[i]->actor);
    CHECK(all[i].action == want[i]->action);
    CHECK(all[i].request_id == want[i]->request_id);
    CHECK(all[i].serial == want[i]->serial);
    CHECK(all[i].details == want[i]->details);
  }
  CHECK(all[0].id == 2);  // IDs are the order of writing
  CHECK(all[3].id == 1);

  const auto since = store.list_audit(sample_time(minutes{10}));  // inclusive
  REQUIRE(since.size() == 3);
  CHECK(since[0].action == "submitted");
  CHECK(since[2].action == "revoked");
  CHECK(store.list_audit(sample_time(hours{3})).empty());
}
