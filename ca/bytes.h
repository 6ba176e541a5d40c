#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace pocketca {

using Bytes = std::vector<unsigned char>;

[[nodiscard]] std::string to_hex_lower(const unsigned char* data, size_t size);
[[nodiscard]] std::string to_hex_upper(const unsigned char* data, size_t size);
[[nodiscard]] inline std::string to_hex_lower(const Bytes& b) { return to_hex_lower(b.data(), b.size()); }
[[nodiscard]] inline std::string to_hex_upper(const Bytes& b) { return to_hex_upper(b.data(), b.size()); }

// Standard Base64 with line breaks every 64 characters, as PEM bodies have them.
[[nodiscard]] std::string base64_lines(const Bytes& der);
// Wraps DER in a PEM block with the given label ("CERTIFICATE", "PKCS7").
[[nodiscard]] std::string pem_block(const std::string& label, const Bytes& der);

[[nodiscard]] inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

namespace detail {
constexpr auto hex_digit_values = [] {
  std::array<signed char, 256> values{};
  values.fill(-1);
  for (int i = 0; i < 10; ++i) values['0' + i] = static_cast<signed char>(i);
  for (int i = 0; i < 6; ++i) values['a' + i] = values['A' + i] = static_cast<signed char>(10 + i);
  return values;
}();
}  // namespace detail

// 0–15 for a hex digit in either case, -1 for anything else. A table: a CRL reads
// millions of these.
[[nodiscard]] inline int hex_digit_value(char c) { return detail::hex_digit_values[static_cast<unsigned char>(c)]; }

}  // namespace pocketca
