#include "request_intake.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

#include "error.h"
#include "ossl.h"

namespace pocketca {
namespace {

constexpr std::string_view expected_forms = "expected PEM (-----BEGIN CERTIFICATE REQUEST-----), Base64 or DER";

[[noreturn]] void not_a_request(const std::string& message) { throw Error(ErrorKind::invalid_request, message); }

[[noreturn]] void nothing_found(const std::string& detail = "") {
  not_a_request("no certificate request found" + detail + ": " + std::string(expected_forms));
}

// True when some byte can be in no text file (C0 controls other than
// tab/CR/LF, and DEL). Every DER request has them: its version is 02 01 00.
bool has_binary_bytes(std::string_view input) {
  for (const unsigned char c : input) {
    if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) return true;
  }
  return false;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// UTF-16 (after its BOM) to UTF-8. Only the ASCII range matters to a PEM
// block, but text around it may hold anything, so every code point is kept;
// a broken encoding is refused rather than guessed at.
std::string utf16_to_utf8(std::string_view body, bool big_endian) {
  if (body.size() % 2 != 0) {
    not_a_request("the input starts with a UTF-16 byte-order mark but has an odd number of bytes; "
                  "save the request again (as ASCII, UTF-8 or UTF-16) or send the .req file itself");
  }
  auto unit_at = [&](size_t i) -> uint32_t {
    const auto hi = static_cast<unsigned char>(body[big_endian ? i : i + 1]);
    const auto lo = static_cast<unsigned char>(body[big_endian ? i + 1 : i]);
    return (static_cast<uint32_t>(hi) << 8) | lo;
  };
  std::string out;
  out.reserve(body.size() / 2);
  for (size_t i = 0; i < body.size(); i += 2) {
    const uint32_t unit = unit_at(i);
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 2 < body.size()) {
      const uint32_t low = unit_at(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
        i += 2;
        continue;
      }
    }
    if (unit >= 0xD800 && unit <= 0xDFFF) {
      not_a_request("the input is not valid UTF-16 (an unpaired surrogate at byte " + std::to_string(i + 2) +
                    "); save the request again or send the .req file itself");
    }
    append_utf8(out, unit);
  }
  return out;
}

// The input as text, with any byte-order mark removed and UTF-16 made UTF-8.
std::string as_utf8_text(const std::string& raw) {
  const std::string_view in = raw;
  if (in.substr(0, 2) == "\xFF\xFE") return utf16_to_utf8(in.substr(2), false);
  if (in.substr(0, 2) == "\xFE\xFF") return utf16_to_utf8(in.substr(2), true);
  if (in.substr(0, 3) == "\xEF\xBB\xBF") return std::string(in.substr(3));
  return raw;
}

bool is_blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// Strict Base64 through OpenSSL: whitespace and line breaks (CRLF or LF) are
// skipped, any other non-alphabet character, bad padding or a truncated final
// quantum fails. nullopt on failure.
std::optional<Bytes> decode_base64(std::string_view text) {
  auto ctx = ossl::adopt(check_ptr(EVP_ENCODE_CTX_new(), "allocating a Base64 decoder"));
  EVP_DecodeInit(ctx.get());
  Bytes out(text.size() / 4 * 3 + 80);
  int written = 0;
  int final_written = 0;
  const int updated = EVP_DecodeUpdate(ctx.get(), out.data(), &written, reinterpret_cast<const unsigned char*>(text.data()),
                                       static_cast<int>(text.size()));
  if (updated < 0 || EVP_DecodeFinal(ctx.get(), out.data() + written, &final_written) != 1) {
    (void)drain_openssl_errors();
    return std::nullopt;
  }
  out.resize(static_cast<size_t>(written + final_written));
  return out;
}

struct PemBlock {
  std::string label;
  size_t begin = 0;  // offset of "-----BEGIN"
  size_t body = 0;   // offset just after the BEGIN line's closing "-----"
};

// Every "-----BEGIN <label>-----" line in the text, in order.
std::vector<PemBlock> pem_blocks(std::string_view text) {
  constexpr std::string_view begin_marker = "-----BEGIN ";
  std::vector<PemBlock> blocks;
  for (size_t at = text.find(begin_marker); at != std::string_view::npos; at = text.find(begin_marker, at + 1)) {
    const size_t label_at = at + begin_marker.size();
    const size_t close = text.find("-----", label_at);
    if (close == std::string_view::npos) break;
    const std::string_view label = text.substr(label_at, close - label_at);
    if (label.find_first_of("\r\n") != std::string_view::npos) continue;  // not one line: not a marker
    blocks.push_back({std::string(label), at, close + 5});
  }
  return blocks;
}

bool is_request_label(const std::string& label) {
  return label == "CERTIFICATE REQUEST" || label == "NEW CERTIFICATE REQUEST";
}

// What a PEM block that is not a request holds, when it is something admins mix up with one.
std::optional<NotARequest> not_a_request_label(const std::string& label) {
  if (label == "CERTIFICATE" || label == "X509 CERTIFICATE" || label == "TRUSTED CERTIFICATE") {
    return NotARequest::certificate;
  }
  if (label == "PKCS7" || label == "PKCS #7 SIGNED DATA" || label == "CERTIFICATE CHAIN") return NotARequest::pkcs7_chain;
  if (label == "X509 CRL") return NotARequest::crl;
  return std::nullopt;
}

Bytes decode_pem_block(std::string_view text, const PemBlock& block) {
  const std::string end_line = "-----END " + block.label + "-----";
  const size_t end = text.find(end_line, block.body);
  if (end == std::string_view::npos) {
    not_a_request("the -----BEGIN " + block.label + "----- block has no matching " + end_line +
                  " line; the request was cut off when it was copied");
  }
  std::optional<Bytes> der = decode_base64(text.substr(block.body, end - block.body));
  if (!der) not_a_request("the " + block.label + " block is not valid Base64; the request was damaged when it was copied");
  if (der->empty()) not_a_request("the " + block.label + " block is empty");
  return std::move(*der);
}

Bytes request_from_text(const std::string& text) {
  const std::vector<PemBlock> blocks = pem_blocks(text);
  // A private key anywhere in the input is the admin's mistake to hear about
  // even when a request sits next to it: it has left the machine it belongs to.
  for (const PemBlock& block : blocks) {
    if (block.label.find("PRIVATE KEY") != std::string::npos) {
      not_a_request("this is a private key — never send it; send the .req/.csr file");
    }
  }
  for (const PemBlock& block : blocks) {
    if (is_request_label(block.label)) return decode_pem_block(text, block);
  }
  for (const PemBlock& block : blocks) {
    if (const auto other = not_a_request_label(block.label)) refuse_not_a_request(*other);
  }
  if (!blocks.empty()) nothing_found(" (the input holds a \"" + blocks.front().label + "\" PEM block)");
  // No PEM armour: bare Base64, as certreq and some web forms hand it over.
  std::optional<Bytes> der = decode_base64(text);
  if (!der || der->empty() || der->front() != 0x30) nothing_found();
  return std::move(*der);
}

}  // namespace

void refuse_not_a_request(NotARequest what) {
  const std::string instead =
      ": submit the .req file that New-ExchangeCertificate -GenerateRequest, certreq -new or openssl req wrote";
  switch (what) {
    case NotARequest::certificate:
      not_a_request("this is a certificate, not a certificate request" + instead);
    case NotARequest::pkcs7_chain:
      not_a_request("this is a PKCS#7 certificate chain (.p7b), not a certificate request" + instead);
    case NotARequest::pfx:
      not_a_request("this is a PFX (PKCS#12) file, a certificate with its private key — never send it; a request "
                    "holds no key" + instead);
    case NotARequest::crl:
      not_a_request("this is a CRL, not a certificate request" + instead);
  }
  not_a_request("not a certificate request" + instead);
}

Bytes request_der_from_input(const std::string& raw) {
  if (raw.size() > max_request_file_size) {
    // The caller reads at most one byte past the cap, so the true size is unknown here.
    not_a_request("the file is larger than " + std::to_string(max_request_file_size / 1024) +
                  " KiB; a request is at most " + std::to_string(max_request_file_size / 1024) + " KiB (usually a few KiB) — check that this is the .req/.csr file");
  }
  if (raw.empty()) not_a_request("the request is empty (0 bytes): " + std::string(expected_forms));
  // DER: a SEQUENCE tag first, and bytes no text file holds (a text that
  // happens to start with '0' is still read as text).
  if (static_cast<unsigned char>(raw.front()) == 0x30 && has_binary_bytes(raw)) return Bytes(raw.begin(), raw.end());

  const std::string text = as_utf8_text(raw);
  if (is_blank(text)) not_a_request("the request holds only blank text: " + std::string(expected_forms));
  return request_from_text(text);
}

}  // namespace pocketca
