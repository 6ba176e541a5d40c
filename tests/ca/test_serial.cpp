// Serial numbers in the AD CS shape, and what users type for one.

#include <cstdint>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "ca/serial.h"
#include "ca_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;

namespace {

// Fills every requested byte with `first` at index 0 and 0xA0+i after it, and
// remembers how many bytes were asked for.
RandomSource fixed_random(unsigned char first, size_t* asked = nullptr) {
  return [first, asked](unsigned char* out, size_t size) {
    if (asked != nullptr) *asked += size;
    for (size_t i = 0; i < size; ++i) out[i] = static_cast<unsigned char>(i == 0 ? first : 0xA0 + i);
  };
}

}  // namespace

TEST_CASE("make_serial lays out random, CA index and request ID", "[serial]") {
  size_t asked = 0;
  const Bytes serial = make_serial(0x01020304, 0x0102, fixed_random(0x55, &asked));
  REQUIRE(serial.size() == serial_size);
  CHECK(serial_size == 19);
  CHECK(asked == 13);  // 13 random bytes on top, no more
  CHECK(serial[0] >= 0x01);
  CHECK(serial[0] <= 0x7f);
  for (size_t i = 1; i < 13; ++i) {
    INFO(i);
    CHECK(serial[i] == static_cast<unsigned char>(0xA0 + i));  // bytes 1-12 straight from the random source
  }
  CHECK(serial[13] == 0x01);
  CHECK(serial[14] == 0x02);
  CHECK(serial[15] == 0x01);
  CHECK(serial[16] == 0x02);
  CHECK(serial[17] == 0x03);
  CHECK(serial[18] == 0x04);
}

TEST_CASE("the first serial byte is 0x01-0x7F whatever the random byte", "[serial]") {
  std::set<unsigned> firsts;
  for (unsigned first = 0; first <= 0xff; ++first) {
    INFO("random first byte " << first);
    const Bytes serial = make_serial(7, 2, fixed_random(static_cast<unsigned char>(first)));
    REQUIRE(serial.size() == 19);
    CHECK(serial[0] >= 0x01);
    CHECK(serial[0] <= 0x7f);
    firsts.insert(serial[0]);
  }
  // The named edge cases explicitly.
  for (unsigned char first : {0x00, 0x7f, 0x80, 0xff}) {
    const unsigned char b = make_serial(1, 1, fixed_random(first))[0];
    INFO("random first byte " << unsigned(first) << " -> " << unsigned(b));
    CHECK(b >= 0x01);
    CHECK(b <= 0x7f);
  }
  // Every allowed value is reachable.
  CHECK(firsts.size() == 0x7f);
}

TEST_CASE("serial edges: request ID and CA index extremes", "[serial]") {
  const Bytes max = make_serial(0xffffffff, 0xffff, fixed_random(0x10));
  CHECK(Bytes(max.begin() + 13, max.end()) == Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  const Bytes one = make_serial(1, 1, fixed_random(0x10));
  CHECK(Bytes(one.begin() + 13, one.end()) == Bytes{0x00, 0x01, 0x00, 0x00, 0x00, 0x01});
  // As printed (lower-case hex, 38 digits), the request ID is the last 8 digits.
  const std::string hex = to_hex_lower(make_serial(0x2a, 2, fixed_random(0x10)));
  CHECK(hex.size() == 38);
  CHECK(hex.substr(26) == "00020000002a");
}

TEST_CASE("the system random source gives different serials", "[serial]") {
  std::set<std::string> seen;  // as hex: GCC 12 at -O3 warns falsely on comparing byte vectors
  for (int i = 0; i < 50; ++i) {
    const Bytes serial = make_serial(1, 1);
    REQUIRE(serial.size() == 19);
    CHECK(serial[0] >= 0x01);
    CHECK(serial[0] <= 0x7f);
    seen.insert(to_hex_lower(serial));
  }
  CHECK(seen.size() == 50);
}

TEST_CASE("normalize_serial accepts any case and separators", "[serial]") {
  struct Row {
    const char* typed;
    const char* normal;
  };
  const Row rows[] = {
      {"4A:00:0B", "4a000b"},
      {"4a 00 0b", "4a000b"},
      {"004a000b", "4a000b"},
      {"4A000B", "4a000b"},
      {"00:4a:00:0b", "4a000b"},
      {"4a-00-0b", "4a000b"},
      {"a", "0a"},
      {"0a", "0a"},
      {"00", "00"},
      {"0", "00"},
      {"61:00:00:00:00:00:00:00:00:00:00:00:00:00:02:00:00:00:2A", "6100000000000000000000000000020000002a"},
  };
  for (const Row& row : rows) {
    INFO(row.typed);
    CHECK(normalize_serial(row.typed) == row.normal);
  }
  // What the engine prints is a fixed point.
  const std::string printed = to_hex_lower(make_serial(42, 2));
  CHECK(normalize_serial(printed) == printed);
}

TEST_CASE("normalize_serial rejects what is not hex", "[serial]") {
  for (const char* bad : {"4g", "0x4a", "4a.00", "xyz", "4a\n", "4a;00", "\xC3\xA4"}) {
    INFO(bad);
    const Error e = error_from([&] { (void)normalize_serial(bad); });
    CHECK(e.kind() == ErrorKind::invalid_input);
    CHECK(contains(e.what(), "hex"));
  }
}

TEST_CASE("normalize_serial rejects input with no hex digits at all", "[serial]") {
  // "" or ":" is not a serial number; today it is normalised to "00" and looked up.
  for (const char* bad : {"", ":", "  ", "::-"}) {
    INFO("\"" << bad << "\"");
    CHECK(kind_thrown([&] { (void)normalize_serial(bad); }) == ErrorKind::invalid_input);
  }
}

TEST_CASE("a serial or thumbprint copied out of Windows loses the marks the copy adds", "[serial]") {
  // The certificate dialog's Details tab copies "\u200E" before the value.
  CHECK(without_copy_marks("\u200E7e f7 0a") == "7e f7 0a");
  CHECK(without_copy_marks("\uFEFF7e\u00A0f7\t0a\u200F") == "7ef70a");
  CHECK(without_copy_marks("plain") == "plain");
  CHECK(normalize_serial("\u200E4a 00 0b") == "4a000b");
}
