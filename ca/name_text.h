#pragma once
// Text helpers for name_rules.cpp: strict UTF-8 decoding, and showing untrusted
// names safely in messages. Internal to the naming rules; not a public API.

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace pocketca::name_text {

struct CodePoint {
  char32_t value;
  size_t offset;  // of its first byte in the text
  size_t length;  // in bytes
};

// The code point starting at byte `i`, or length 0 for a malformed sequence
// (overlong forms, surrogates and values past U+10FFFF are malformed).
inline CodePoint decode_one(const std::string& text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return {lead, i, 1};
  size_t length = 0;
  char32_t value = 0, minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1Fu, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0Fu, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07u, minimum = 0x10000;
  } else {
    return {0, i, 0};
  }
  if (i + length > text.size()) return {0, i, 0};
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {0, i, 0};
    value = (value << 6) | (byte(i + k) & 0x3Fu);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {0, i, 0};
  return {value, i, length};
}

// The code points of `text`, or nullopt when it is not valid UTF-8.
inline std::optional<std::vector<CodePoint>> decode_utf8(const std::string& text) {
  std::vector<CodePoint> out;
  for (size_t i = 0; i < text.size();) {
    const CodePoint cp = decode_one(text, i);
    if (cp.length == 0) return std::nullopt;
    out.push_back(cp);
    i += cp.length;
  }
  return out;
}

inline bool is_ascii(const std::string& text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// C0 controls (NUL included), DEL and the C1 controls U+0080–U+009F.
inline bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

// Characters IDNA treats as label separators: '.', and the ideographic and fullwidth full stops.
inline bool is_dot_like(char32_t cp) { return cp == '.' || cp == 0x3002 || cp == 0xFF0E || cp == 0xFF61; }

inline bool is_space_like(char32_t cp) {
  return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
         cp == 0xFEFF;
}

inline std::string hex_escape(const std::string& bytes) {
  std::string out;
  for (const char c : bytes) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(c));
    out += buffer;
  }
  return out;
}

// Longer names are cut in messages; each rule says the length when it matters.
inline constexpr size_t max_quoted_bytes = 100;

// `text` in double quotes for a message: control characters and bytes that are not
// UTF-8 as \xNN, '"' and '\' backslash-escaped, other characters as they are.
inline std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size();) {
    if (i >= max_quoted_bytes) {
      out += "…";
      break;
    }
    const CodePoint cp = decode_one(text, i);
    const size_t length = cp.length == 0 ? 1 : cp.length;
    if (cp.length == 0 || is_control(cp.value)) {
      out += hex_escape(text.substr(i, length));
    } else {
      if (cp.value == '"' || cp.value == '\\') out += '\\';
      out.append(text, i, length);
    }
    i += length;
  }
  return out + "\"";
}

struct ControlAt {
  size_t position;  // 1-based, in characters
  std::string escaped;
};

// The first control character in `text`, counting characters as UTF-8 where it is valid.
inline std::optional<ControlAt> find_control(const std::string& text) {
  size_t position = 0;
  for (size_t i = 0; i < text.size();) {
    const CodePoint cp = decode_one(text, i);
    const size_t length = cp.length == 0 ? 1 : cp.length;
    ++position;
    if (cp.length != 0 && is_control(cp.value)) return ControlAt{position, hex_escape(text.substr(i, length))};
    i += length;
  }
  return std::nullopt;
}

// Characters (code points) in `text`, or its bytes when it is not UTF-8.
inline size_t character_count(const std::string& text) {
  const auto code_points = decode_utf8(text);
  return code_points ? code_points->size() : text.size();
}

// "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", …
inline std::string ordinal(size_t n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    if (n % 10 == 2) suffix = "nd";
    if (n % 10 == 3) suffix = "rd";
  }
  return std::to_string(n) + suffix;
}

// "U+0430"
inline std::string code_point_label(char32_t cp) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(cp));
  return buffer;
}

// Splits on '.', keeping empty labels ("a..b" has three).
inline std::vector<std::string> split_labels(const std::string& name) {
  std::vector<std::string> labels{""};
  for (const char c : name) {
    if (c == '.') {
      labels.emplace_back();
    } else {
      labels.back() += c;
    }
  }
  return labels;
}

inline std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : separator) + parts[i];
  return out;
}

inline std::string to_lower_ascii(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

inline bool equals_ignoring_case(const std::string& a, const std::string& b) {
  return to_lower_ascii(a) == to_lower_ascii(b);
}

}  // namespace pocketca::name_text
