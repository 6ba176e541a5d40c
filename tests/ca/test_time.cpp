// Time as text (ISO 8601 UTC) and as ASN.1 (UTCTime / GeneralizedTime).

#include <string>

#include <catch2/catch.hpp>

#include "ca/time.h"
#include "ca_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;
using std::chrono::seconds;
using std::chrono::system_clock;
using std::chrono::time_point_cast;

TEST_CASE("to_iso8601 and parse_iso8601 round-trip", "[time]") {
  CHECK(to_iso8601(sample_time()) == "2026-11-23T08:57:24Z");
  CHECK(to_iso8601(Time{}) == "1970-01-01T00:00:00Z");
  CHECK(to_iso8601(utc(2049, 12, 31, 23, 59, 59)) == "2049-12-31T23:59:59Z");
  CHECK(to_iso8601(utc(1999, 1, 2, 3, 4, 5)) == "1999-01-02T03:04:05Z");

  for (const Time t : {sample_time(), Time{}, utc(2024, 2, 29, 12), utc(2050, 1, 1), utc(9999, 12, 31, 23, 59, 59),
                       utc(1950, 1, 1)}) {
    INFO(to_iso8601(t));
    CHECK(parse_iso8601(to_iso8601(t)) == t);
  }
}

TEST_CASE("parse_iso8601 accepts the three documented forms", "[time]") {
  CHECK(parse_iso8601("2026-11-23T08:57:24Z") == sample_time());
  CHECK(parse_iso8601("2026-11-23 08:57:24") == sample_time());
  CHECK(parse_iso8601("2026-11-23") == utc(2026, 11, 23));
  CHECK(parse_iso8601("2024-02-29") == utc(2024, 2, 29));
  CHECK(parse_iso8601("2026-12-31T23:59:59Z") == utc(2026, 12, 31, 23, 59, 59));
}

TEST_CASE("parse_iso8601 rejects garbage and impossible dates", "[time]") {
  for (const char* bad : {"", "garbage", "2026", "2026-11", "2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10",
                          "2026-11-00", "2026-11-23T24:00:00Z", "2026-11-23T08:60:00Z", "2026-11-23T08:57",
                          "2026-11-23T08:57:24+01:00", "2026-11-23T08:57:24ZZ", "2026-11-23X08:57:24Z",
                          "2026-11-23T08:57:24Z junk", "2026-11-23 ", "2026-11-23junk", "23.11.2026", "11/23/2026"}) {
    INFO("\"" << bad << "\"");
    const Error e = error_from([&] { (void)parse_iso8601(bad); });
    CHECK(e.kind() == ErrorKind::invalid_input);
    CHECK(contains(e.what(), "ISO 8601"));
  }
}

TEST_CASE("parse_iso8601 rejects signed and short fields", "[time]") {
  // sscanf's %d takes signs, spaces and single digits: "T-1:00:00" is today read as one hour
  // before midnight, "2026-1-5" as 5 January.
  for (const char* bad : {"2026-11-23T-1:00:00Z", "2026-11-23T08:-5:00Z", "2026-11-23T08:00:-9Z", "2026-1-5",
                          "2026-11-23T8:5:2Z", " 2026-11-23", "+2026-11-23"}) {
    INFO("\"" << bad << "\"");
    CHECK(kind_thrown([&] { (void)parse_iso8601(bad); }) == ErrorKind::invalid_input);
  }
}

TEST_CASE("ASN.1 times: UTCTime through 2049, GeneralizedTime from 2050", "[time]") {
  struct Row {
    Time t;
    int type;
  };
  const Row rows[] = {
      {utc(2030, 6, 15, 12, 34, 56), V_ASN1_UTCTIME},
      {utc(2049, 12, 31, 23, 59, 59), V_ASN1_UTCTIME},
      {utc(1950, 1, 1), V_ASN1_UTCTIME},
      {utc(2050, 1, 1), V_ASN1_GENERALIZEDTIME},
      {utc(2060, 2, 29, 1, 2, 3), V_ASN1_GENERALIZEDTIME},
      {utc(9999, 12, 31, 23, 59, 59), V_ASN1_GENERALIZEDTIME},  // RFC 5280's "no expiration"
  };
  for (const Row& row : rows) {
    INFO(to_iso8601(row.t));
    auto asn1 = to_asn1_time(row.t);
    REQUIRE(asn1);
    CHECK(ASN1_STRING_type(asn1.get()) == row.type);
    CHECK(ASN1_TIME_check(asn1.get()) == 1);
    CHECK(from_asn1_time(asn1.get()) == row.t);
  }
  // The exact encodings RFC 5280 asks for: Z, seconds, no fractions.
  auto utc_time = to_asn1_time(utc(2030, 6, 15, 12, 34, 56));
  CHECK(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(utc_time.get()))) == "300615123456Z");
  auto gen_time = to_asn1_time(utc(2060, 2, 29, 1, 2, 3));
  CHECK(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gen_time.get()))) == "20600229010203Z");
}

TEST_CASE("from_asn1_time reads times OpenSSL made", "[time]") {
  ossl::Ptr<ASN1_STRING> t(ASN1_TIME_new());
  REQUIRE(ASN1_TIME_set_string(t.get(), "20610704000000Z") == 1);
  CHECK(from_asn1_time(t.get()) == utc(2061, 7, 4));
  REQUIRE(ASN1_TIME_set_string(t.get(), "991231235959Z") == 1);
  CHECK(from_asn1_time(t.get()) == utc(1999, 12, 31, 23, 59, 59));
}

TEST_CASE("add_years ends on the anniversary", "[time]") {
  CHECK(add_years(sample_time(), 10) == utc(2036, 11, 23, 8, 57, 24));
  CHECK(add_years(utc(2024, 2, 29, 6), 1) == utc(2025, 2, 28, 6));
  CHECK(add_years(utc(2024, 2, 29, 6), 4) == utc(2028, 2, 29, 6));
  CHECK(add_years(utc(2026, 1, 31), 20) == utc(2046, 1, 31));
  CHECK(add_years(sample_time(), 0) == sample_time());
}

TEST_CASE("days() counts seconds", "[time]") {
  CHECK(pocketca::days(1) == seconds(86400));
  CHECK(pocketca::days(3650).count() == 315360000L);
  CHECK(sample_time() + pocketca::days(1) == utc(2026, 11, 24, 8, 57, 24));
}

TEST_CASE("now() is the wall clock to the second", "[time]") {
  const auto before = time_point_cast<seconds>(system_clock::now());
  const Time t = pocketca::now();
  const auto after = time_point_cast<seconds>(system_clock::now());
  CHECK(t >= before);
  CHECK(t <= after);
}
