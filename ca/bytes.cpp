#include "bytes.h"

#include <openssl/evp.h>

namespace pocketca {
namespace {

std::string to_hex(const unsigned char* data, size_t size, const char* digits) {
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0x0f];
  }
  return out;
}

}  // namespace

std::string to_hex_lower(const unsigned char* data, size_t size) { return to_hex(data, size, "0123456789abcdef"); }
std::string to_hex_upper(const unsigned char* data, size_t size) { return to_hex(data, size, "0123456789ABCDEF"); }

std::string base64_lines(const Bytes& der) {
  constexpr size_t bytes_per_line = 48;  // 64 Base64 characters
  std::string out;
  unsigned char line[65];
  for (size_t offset = 0; offset < der.size(); offset += bytes_per_line) {
    const size_t n = std::min(bytes_per_line, der.size() - offset);
    const int written = EVP_EncodeBlock(line, der.data() + offset, static_cast<int>(n));
    out.append(reinterpret_cast<const char*>(line), static_cast<size_t>(written));
    out += '\n';
  }
  return out;
}

std::string pem_block(const std::string& label, const Bytes& der) {
  return "-----BEGIN " + label + "-----\n" + base64_lines(der) + "-----END " + label + "-----\n";
}

}  // namespace pocketca
