#include "serial.h"

#include <cctype>
#include <string_view>

#include <openssl/rand.h>

#include "error.h"

namespace pocketca {

RandomSource system_random() {
  return [](unsigned char* out, size_t size) { check_one(RAND_bytes(out, static_cast<int>(size)), "drawing random bytes"); };
}

Bytes make_serial(uint32_t request_id, uint16_t ca_index, const RandomSource& random) {
  Bytes serial(serial_size);
  random(serial.data(), 13);
  serial[0] = static_cast<unsigned char>(1 + serial[0] % 0x7f);  // 0x01–0x7F
  serial[13] = static_cast<unsigned char>(ca_index >> 8);
  serial[14] = static_cast<unsigned char>(ca_index);
  for (int i = 0; i < 4; ++i) serial[15 + i] = static_cast<unsigned char>(request_id >> (24 - 8 * i));
  return serial;
}

std::string without_copy_marks(const std::string& typed) {
  std::string out = typed;
  for (const std::string_view mark : {"\u200E", "\u200F", "\uFEFF", "\u00A0", "\t"}) {
    for (size_t at = out.find(mark); at != std::string::npos; at = out.find(mark, at)) out.erase(at, mark.size());
  }
  return out;
}

std::string normalize_serial(const std::string& typed) {
  std::string hex;
  for (char c : without_copy_marks(typed)) {
    if (c == ':' || c == ' ' || c == '-') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      throw Error(ErrorKind::invalid_input,
                  "\"" + typed + "\" is not a serial number; give it in hex, with or without colons");
    }
    hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (hex.empty()) {
    throw Error(ErrorKind::invalid_input,
                "\"" + typed + "\" is not a serial number: it has no hex digits; give it in hex, like 4a:00:0b");
  }
  const auto first = hex.find_first_not_of('0');
  hex = first == std::string::npos ? "0" : hex.substr(first);
  if (hex.size() % 2 != 0) hex.insert(hex.begin(), '0');
  return hex;
}

}  // namespace pocketca
