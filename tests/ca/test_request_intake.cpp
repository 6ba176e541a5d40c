// Request intake: every form an admin hands over turns into the same DER, and
// everything else is refused with a message that says what it was.

#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ca/request_intake.h"
#include "ca_test_support.h"
#include "request_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;
using namespace pocketca::request_testing;

namespace {

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// UTF-16 with a BOM, as PowerShell's Out-File writes it; only ASCII input here.
std::string utf16(const std::string& ascii, bool big_endian) {
  std::string out = big_endian ? "\xFE\xFF" : "\xFF\xFE";
  for (const char c : ascii) {
    out += big_endian ? std::string{'\0', c} : std::string{c, '\0'};
  }
  return out;
}

std::string without_whitespace(std::string text) {
  std::erase_if(text, [](char c) { return c == '\r' || c == '\n' || c == ' '; });
  return text;
}

Error intake_error(const std::string& input) {
  return error_from([&] { (void)request_der_from_input(input); });
}

}  // namespace

TEST_CASE("every intake form of one request yields the same DER", "[intake]") {
  const std::string der_file = fixture("windows-exchange.der");
  const Bytes der(der_file.begin(), der_file.end());
  const std::string pem_crlf = fixture("windows-exchange.pem");
  const std::string pem_lf = replace_all(pem_crlf, "\r\n", "\n");
  const std::string pem_plain_label = replace_all(pem_lf, "NEW CERTIFICATE REQUEST", "CERTIFICATE REQUEST");
  const std::string bare = fixture("windows-exchange.b64");

  struct Row {
    const char* form;
    std::string input;
  };
  const std::vector<Row> rows = {
      {"DER", der_file},
      {"PEM, NEW CERTIFICATE REQUEST, CRLF", pem_crlf},
      {"PEM, NEW CERTIFICATE REQUEST, LF", pem_lf},
      {"PEM, CERTIFICATE REQUEST, LF", pem_plain_label},
      {"PEM with text before and after", "Request for mail.contoso.lab\r\nfrom EXCH01\r\n\r\n" + pem_crlf + "\r\nThanks!\r\n"},
      {"PEM with the lines indented", replace_all(pem_lf, "\n", "\n   ")},
      {"UTF-16 LE with BOM (PowerShell)", fixture("windows-exchange-utf16le.req")},
      {"UTF-16 BE with BOM", utf16(pem_crlf, true)},
      {"UTF-8 with BOM", "\xEF\xBB\xBF" + pem_crlf},
      {"bare Base64, CRLF-wrapped", bare},
      {"bare Base64, one line", without_whitespace(bare)},
      {"bare Base64, LF, surrounded by blank lines", "\n\n" + replace_all(bare, "\r\n", "\n") + "\n\n"},
      {"bare Base64 as UTF-16 LE", utf16(bare, false)},
  };
  for (const Row& row : rows) {
    SECTION(row.form) { CHECK(request_der_from_input(row.input) == der); }
  }
}

TEST_CASE("intake reads an openssl req PEM and picks the request out of a mixed file", "[intake]") {
  const std::string rsa = fixture("rsa2048.pem");
  const Bytes der = request_der_from_input(rsa);
  CHECK(der.front() == 0x30);
  // A chain or a certificate next to the request does not hide it.
  CHECK(request_der_from_input(fixture("certificate.pem") + rsa) == der);
}

TEST_CASE("intake refuses what is not a request, saying what it is", "[intake]") {
  const std::string pem = fixture("windows-exchange.pem");
  const std::string not_found =
      "no certificate request found: expected PEM (-----BEGIN CERTIFICATE REQUEST-----), Base64 or DER";
  const std::string fake_key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
  std::string unpaired_surrogate = utf16(pem, false);
  unpaired_surrogate.insert(2, "\x00\xD8", 2);  // a lone high surrogate (U+D800) before the text

  struct Row {
    const char* what;
    std::string input;
    std::string message;  // the whole message, or a part of it when `exact` is false
    bool exact = true;
  };
  const std::vector<Row> rows = {
      {"empty", "", "the request is empty (0 bytes)", false},
      {"blank lines", "\r\n  \r\n", "the request holds only blank text", false},
      {"only a BOM", "\xEF\xBB\xBF", "the request holds only blank text", false},
      {"a certificate (PEM)", fixture("certificate.pem"), "this is a certificate, not a certificate request: submit the .req file", false},
      {"a private key", fake_key, "this is a private key — never send it; send the .req/.csr file"},
      {"an RSA private key", replace_all(fake_key, "PRIVATE KEY", "RSA PRIVATE KEY"),
       "this is a private key — never send it; send the .req/.csr file"},
      {"a request with its private key", pem + fake_key, "this is a private key — never send it; send the .req/.csr file"},
      {"prose", "Please sign my certificate for mail.contoso.lab\n", not_found},
      {"text that starts with 0", "0 requests today\n", not_found},
      {"Base64 of something else", "SGVsbG8sIHdvcmxkIQ==\n", not_found},
      {"a PKCS7 block", "-----BEGIN PKCS7-----\nMIIB\n-----END PKCS7-----\n",
       "this is a PKCS#7 certificate chain (.p7b), not a certificate request: submit the .req file", false},
      {"a CRL", "-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n",
       "this is a CRL, not a certificate request: submit the .req file", false},
      {"some other PEM block", "-----BEGIN DH PARAMETERS-----\nMIIB\n-----END DH PARAMETERS-----\n",
       "no certificate request found (the input holds a \"DH PARAMETERS\" PEM block): expected PEM", false},
      {"a block cut off", pem.substr(0, pem.size() / 2),
       "has no matching -----END NEW CERTIFICATE REQUEST----- line", false},
      {"mismatched END line", replace_all(pem, "END NEW CERTIFICATE", "END CERTIFICATE"),
       "has no matching -----END NEW CERTIFICATE REQUEST----- line", false},
      {"a stray character in the Base64", replace_all(pem, "\r\n-----END", "!\r\n-----END"),
       "the NEW CERTIFICATE REQUEST block is not valid Base64", false},
      {"a character missing from the Base64", std::string(pem).erase(pem.find("-----\r\n") + 20, 1),
       "the NEW CERTIFICATE REQUEST block is not valid Base64", false},
      {"an empty block", "-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n",
       "the CERTIFICATE REQUEST block is empty"},
      {"UTF-16 with an odd byte count", utf16(pem, false) + "x", "has an odd number of bytes", false},
      {"UTF-16 with an unpaired surrogate", unpaired_surrogate, "not valid UTF-16 (an unpaired surrogate at byte 2)",
       false},
  };
  for (const Row& row : rows) {
    SECTION(row.what) {
      const Error e = intake_error(row.input);
      CHECK(e.kind() == ErrorKind::invalid_request);
      if (row.exact) {
        CHECK(std::string(e.what()) == row.message);
      } else {
        CHECK_THAT(e.what(), Catch::Contains(row.message));
      }
    }
  }
}

TEST_CASE("intake checks the size cap before looking inside", "[intake]") {
  const std::string pem = fixture("rsa2048.pem");
  SECTION("64 KiB exactly is read") {
    std::string at_cap = pem + std::string(max_request_file_size - pem.size(), '\n');
    REQUIRE(at_cap.size() == 64 * 1024);
    CHECK(request_der_from_input(at_cap).front() == 0x30);
  }
  SECTION("one byte more is refused, whatever it holds") {
    std::string over = pem + std::string(max_request_file_size + 1 - pem.size(), '\n');
    const Error e = intake_error(over);
    CHECK(e.kind() == ErrorKind::invalid_request);
    CHECK_THAT(e.what(), Catch::StartsWith("the file is larger than 64 KiB; a request is at most 64 KiB"));
  }
  SECTION("a 5 MiB file says its size") {
    const Error e = intake_error(std::string(5 * 1024 * 1024, 'A'));
    CHECK_THAT(e.what(), Catch::StartsWith("the file is larger than 64 KiB"));
  }
}

TEST_CASE("intake refuses 60 KiB of random bytes quickly", "[intake]") {
  std::mt19937 random(20261123);
  std::string noise(60 * 1024, '\0');
  for (char& c : noise) c = static_cast<char>(random() & 0xFF);
  for (const unsigned char first : {0x00, 0x2D, 0x41, 0xFF}) {  // binary, '-', 'A', half a BOM
    INFO("first byte " << static_cast<int>(first));
    noise[0] = static_cast<char>(first);
    const double took = seconds_for([&] { CHECK(intake_error(noise).kind() == ErrorKind::invalid_request); });
    CHECK(took < 0.5);
  }
  SECTION("random Base64 text") {
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string text;
    for (size_t i = 0; i < 60 * 1024; ++i) text += alphabet[random() % 64];
    // Valid Base64 that does not start a SEQUENCE: no request.
    text[0] = 'A';
    CHECK(intake_error(text).kind() == ErrorKind::invalid_request);
  }
}
