// Hex and PEM helpers.

#include <string>

#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include "ca/bytes.h"

using namespace pocketca;

TEST_CASE("hex digits are read in either case, and nothing else is one", "[bytes]") {
  CHECK(hex_digit_value('0') == 0);
  CHECK(hex_digit_value('9') == 9);
  CHECK(hex_digit_value('a') == 10);
  CHECK(hex_digit_value('F') == 15);
  for (const char c : {'g', 'G', '/', ':', '@', '`', 'x', ' ', '\0', '\xff'}) CHECK(hex_digit_value(c) == -1);
}

TEST_CASE("hex in both cases", "[bytes]") {
  const Bytes b = {0x00, 0x0f, 0xa5, 0xff};
  CHECK(to_hex_lower(b) == "000fa5ff");
  CHECK(to_hex_upper(b) == "000FA5FF");
  CHECK(to_hex_lower(Bytes{}).empty());
  CHECK(to_bytes("AB") == Bytes{'A', 'B'});
}

TEST_CASE("base64_lines breaks every 64 characters and decodes back", "[bytes]") {
  for (size_t size : {size_t{0}, size_t{1}, size_t{47}, size_t{48}, size_t{49}, size_t{96}, size_t{1000}}) {
    INFO(size);
    Bytes data(size);
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<unsigned char>(i * 7 + 3);
    const std::string text = base64_lines(data);
    CHECK(text.size() == (size + 2) / 3 * 4 + (size + 47) / 48);  // characters plus one newline per line
    std::string joined;
    size_t start = 0;
    while (start < text.size()) {
      const size_t end = text.find('\n', start);
      REQUIRE(end != std::string::npos);
      CHECK(end - start <= 64);
      joined += text.substr(start, end - start);
      start = end + 1;
    }
    Bytes decoded(joined.size());
    const int len = EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(joined.data()),
                                    static_cast<int>(joined.size()));
    REQUIRE(len >= 0);
    size_t padding = 0;
    if (!joined.empty() && joined.back() == '=') ++padding;
    if (joined.size() >= 2 && joined[joined.size() - 2] == '=') ++padding;
    decoded.resize(static_cast<size_t>(len) - padding);
    CHECK(decoded == data);
  }
}

TEST_CASE("pem_block wraps DER with its label", "[bytes]") {
  CHECK(pem_block("PKCS7", Bytes{0x30, 0x00}) == "-----BEGIN PKCS7-----\nMAA=\n-----END PKCS7-----\n");
}
