// Text forms of record values: enum names, timestamps, SAN lists.

#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "store/records.h"
#include "store/sqlite_store.h"
#include "store_test_support.h"

using namespace pocketca;
using namespace pocketca::store;
using namespace pocketca::store::testing;
using namespace std::chrono;

TEST_CASE("dispositions and certificate statuses round-trip through their names", "[store][records]") {
  for (auto d : {Disposition::pending, Disposition::issued, Disposition::denied, Disposition::failed}) {
    CHECK(disposition_from_string(to_string(d)) == d);
  }
  CHECK(std::string(to_string(Disposition::denied)) == "denied");
  CHECK(cert_status_from_string(to_string(CertStatus::valid)) == CertStatus::valid);
  CHECK(cert_status_from_string(to_string(CertStatus::revoked)) == CertStatus::revoked);
  CHECK(std::string(to_string(CertStatus::revoked)) == "revoked");

  SECTION("unknown names are invalid input") {
    for (const char* bad : {"", "Issued", "expired", "pending "}) {
      INFO(bad);
      CHECK(error_from([&] { (void)disposition_from_string(bad); }).kind() == ErrorKind::invalid_input);
    }
    CHECK(error_from([] { (void)cert_status_from_string("expired"); }).kind() == ErrorKind::invalid_input);
  }
}

TEST_CASE("times are stored as fixed-width ISO 8601 UTC text", "[store][records]") {
  CHECK(time_to_text(sample_time()) == "2026-11-23T08:57:24Z");
  CHECK(time_to_text(Time{}) == "1970-01-01T00:00:00Z");
  CHECK(time_to_text(sys_days{year{1950} / 1 / 2} + hours{3}) == "1950-01-02T03:00:00Z");
  CHECK(time_to_text(sys_days{year{2024} / 2 / 29}) == "2024-02-29T00:00:00Z");
  // X.509's "no well-defined expiration date" (RFC 5280, 4.1.2.5).
  CHECK(time_to_text(sys_days{year{9999} / 12 / 31} + hours{23} + minutes{59} + seconds{59}) ==
        "9999-12-31T23:59:59Z");

  SECTION("text round-trips and sorts like time") {
    const std::vector<Time> times = {sys_days{year{1950} / 6 / 1} + seconds{1}, Time{}, sample_time(),
                                     sample_time(seconds{1}), sys_days{year{2050} / 1 / 1}};
    for (size_t i = 0; i < times.size(); ++i) {
      CHECK(time_from_text(time_to_text(times[i])) == times[i]);
      if (i > 0 && times[i - 1] < times[i]) CHECK(time_to_text(times[i - 1]) < time_to_text(times[i]));
    }
  }

  SECTION("years X.509 cannot carry are refused") {
    CHECK(error_from([] { (void)time_to_text(sys_days{year{10000} / 1 / 1}); }).kind() == ErrorKind::invalid_input);
  }

  SECTION("anything but the exact form is a damaged database") {
    for (const char* bad : {"", "2026-11-23 08:57:24Z", "2026-11-23T08:57:24", "2026-11-23T08:57:24+01:00",
                            "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-23T24:00:00Z",
                            "2026-11-23T08:60:00Z", "2026-11-23T08:57:60Z", "2026-1a-23T08:57:24Z"}) {
      INFO(bad);
      CHECK(error_from([&] { (void)time_from_text(bad); }).kind() == ErrorKind::storage);
    }
  }
}

TEST_CASE("SAN lists are stored as JSON arrays of strings", "[store][records]") {
  const std::vector<std::string> sans = {"DNS:mail.contoso.com", "IP:192.0.2.10", "DNS:odd\nname\"with,quote"};
  CHECK(strings_to_json({"DNS:a.example", "IP:192.0.2.1"}) == R"(["DNS:a.example","IP:192.0.2.1"])");
  CHECK(strings_from_json(strings_to_json(sans)) == sans);
  CHECK(strings_to_json({}) == "[]");
  CHECK(strings_from_json("[]").empty());

  SECTION("a SAN that is not UTF-8 cannot be stored") {
    CHECK(error_from([] { (void)strings_to_json({"DNS:\xff\xfe"}); }).kind() == ErrorKind::invalid_input);
  }
  SECTION("text that is not a list of strings is a damaged database") {
    for (const char* bad : {"", "DNS:a.example", "[1, 2]", R"({"a":"b"})"}) {
      INFO(bad);
      CHECK(error_from([&] { (void)strings_from_json(bad); }).kind() == ErrorKind::storage);
    }
  }
}
