// The naming rules of the policy, one row per rule: the input, and a piece of the
// message the admin reads ("" for a name that must pass).

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ca/name_rules.h"

using namespace pocketca;
using namespace std::string_literals;

namespace {

struct Row {
  const char* rule;
  std::string input;
  std::string expected;  // a substring of the message; "" = no message
};

std::string labels_of_length(std::vector<size_t> lengths) {
  std::string out;
  for (size_t i = 0; i < lengths.size(); ++i) {
    if (i > 0) out += '.';
    out.append(lengths[i], static_cast<char>('a' + i));
  }
  return out;
}

bool has_raw_control_byte(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7F;
  });
}

std::string repeat(const std::string& piece, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += piece;
  return out;
}

void check_row(const Row& row, const std::string& message) {
  CAPTURE(row.rule, row.input, message);
  if (row.expected.empty()) {
    CHECK(message.empty());
    return;
  }
  CHECK_THAT(message, Catch::Contains(row.expected));
  CHECK_FALSE(has_raw_control_byte(message));  // shown to an admin verbatim
}

}  // namespace

TEST_CASE("DNS names: one row per rule", "[names]") {
  const std::vector<Row> rows = {
      {"an FQDN passes", "mail.contoso.lab", ""},
      {"case does not matter", "MAIL.Contoso.LAB", ""},
      {"hyphens and digits inside labels pass", "ex-01.3com.lab", ""},
      {"a numeric label that is not the last passes", "123.contoso.lab", ""},
      {"a single label passes (with a warning)", "mail", ""},
      {"a wildcard as the whole left-most label passes", "*.contoso.lab", ""},
      {"a valid A-label passes", "xn--bcher-kva.contoso.lab", ""},
      {"an A-label prefix in capitals passes", "XN--bcher-kva.contoso.lab", ""},
      {"a 63-character label passes", labels_of_length({63, 3}), ""},
      {"a 253-character name passes", labels_of_length({63, 63, 63, 61}), ""},
      {"empty", "", "DNS name is empty"},
      {"NUL is shown escaped", "mail\0.evil.lab"s, "DNS name \"mail\\x00.evil.lab\" holds a control character"},
      {"NUL position", "mail\0.evil.lab"s, "its 5th character is \\x00"},
      {"escape sequences are shown escaped", "mail\x1b[31m.lab", "\"mail\\x1b[31m.lab\""},
      {"DEL is a control byte", "mail\x7f.lab", "\\x7f"},
      {"a C1 control is a control character", "mail\xc2\x85.lab", "\\xc2\\x85"},
      {"254 characters", labels_of_length({63, 63, 63, 62}), "is 254 characters; DNS allows at most 253"},
      {"a 64-character label", labels_of_length({64, 3}), "is 64 characters; a DNS label holds at most 63"},
      {"a U-label gets its A-label suggested", "bücher.contoso.lab",
       "holds non-ASCII characters (a U-label); certificates carry internationalised names as A-labels: use "
       "\"xn--bcher-kva.contoso.lab\""},
      {"a capitalised U-label maps to the lower-case A-label", "BÜCHER.contoso.lab",
       "use \"xn--bcher-kva.contoso.lab\""},
      {"a U-label under a wildcard", "*.bücher.lab", "use \"*.xn--bcher-kva.lab\""},
      {"a Cyrillic look-alike is explained, not just converted", "mаil.contoso.lab",
       "holds non-ASCII look-alikes: its 2nd character is U+0430 CYRILLIC SMALL LETTER A, a look-alike of Latin \"a\"; "
       "use plain ASCII (\"mail.contoso.lab\") or the A-label form (\"xn--mil-6cd.contoso.lab\")"},
      {"a fullwidth full stop", "mail．contoso.lab",
       "its 5th character is U+FF0E FULLWIDTH FULL STOP, a look-alike of \".\"; use plain ASCII (\"mail.contoso.lab\")"},
      {"a U-label with no A-label form", "ü-.lab", "no valid A-label (IDNA 2008) form"},
      {"a U-label whose A-label breaks another rule", "bücher.contoso.lab.", "its A-label form is refused too"},
      {"bytes that are not UTF-8 are shown escaped", "m\xff.lab", "DNS name \"m\\xff.lab\" is not valid UTF-8"},
      {"an A-label that does not decode", "xn--zz.lab",
       "label \"xn--zz\" starts with \"xn--\" but is not a valid A-label"},
      {"an A-label prefix alone ends with a hyphen", "xn--.lab", "label \"xn--\" ends with a hyphen"},
      {"an A-label of a disallowed character", "xn--a.lab", "is not a valid A-label"},
      {"a trailing dot", "mail.contoso.lab.",
       "ends with a dot; certificate names are written without the root dot: use "
       "\"mail.contoso.lab\""},
      {"a leading dot", ".contoso.lab",
       "starts with a dot: remove it (for every host under a domain, use a wildcard: "
       "\"*.contoso.lab\")"},
      {"a lone dot", ".", "starts with a dot: remove it"},
      {"an empty label", "a..b", "has an empty label (two dots in a row)"},
      {"an underscore", "ex_01.contoso.lab",
       "label \"ex_01\" contains an underscore, which host names may not have (letters, digits and hyphens only): use "
       "a hyphen instead, e.g. \"ex-01.contoso.lab\""},
      {"an SRV-style name", "_autodiscover._tcp.contoso.lab", "as service (SRV) record names do"},
      {"a space", "mail server.contoso.lab", "label \"mail server\" contains a space"},
      {"other punctuation", "admin@contoso.lab", "contains '@'"},
      {"quotes in a name are escaped", "a\"b.lab", "DNS name \"a\\\"b.lab\": label \"a\\\"b\" contains '\"'"},
      {"a leading hyphen", "-mail.contoso.lab", "label \"-mail\" starts with a hyphen"},
      {"a trailing hyphen", "mail-.contoso.lab", "label \"mail-\" ends with a hyphen"},
      {"a partial wildcard", "w*.contoso.lab",
       "has a partial wildcard \"w*\"; '*' is allowed only as the whole left-most label (\"*.contoso.lab\"): use "
       "\"*.contoso.lab\" or list the names"},
      {"a partial wildcard further in", "mail.w*.lab", "has a partial wildcard \"w*\""},
      {"two wildcards", "*.*.contoso.lab", "has '*' as its 2nd label; a wildcard is allowed only once"},
      {"a wildcard not left-most", "mail.*.lab", "has '*' as its 2nd label"},
      {"a bare wildcard", "*", "is a bare wildcard that would match any name"},
      {"a wildcard over a single label", "*.lab", "puts the wildcard directly over the single label \"lab\""},
      {"an IP address as a DNS name", "192.0.2.10",
       "is an IP address, not a DNS name: request it as an IP address SAN "
       "(IP:192.0.2.10)"},
      {"a numeric last label", "010.0.0.1", "ends in the all-numeric label \"1\""},
  };
  for (const Row& row : rows) check_row(row, check_dns_name(row.input));
}

TEST_CASE("DNS names: long names are cut in messages, never their rule", "[names]") {
  const std::string name = std::string(300, 'a') + ".lab";
  const std::string message = check_dns_name(name);
  CHECK_THAT(message, Catch::Contains("is 304 characters"));
  CHECK(message.size() < 250);
}

TEST_CASE("Common names: one row per rule", "[names]") {
  const std::vector<Row> rows = {
      {"a host name passes", "mail.contoso.lab", ""},
      {"a display name passes", "Contoso Mail", ""},
      {"a display name with non-ASCII passes", "Jürgen Müller", ""},
      {"a single non-ASCII word is a display name", "Jürgen", ""},
      {"no CN is not this rule's business", "", ""},
      {"64 characters pass", std::string(64, 'c'), ""},
      {"64 characters of two bytes each pass", repeat("ü", 64), ""},
      {"65 characters", std::string(65, 'c'),
       "is 65 characters; RFC 5280 allows 64 — put the long name in the SAN (New-ExchangeCertificate -DomainName) and "
       "use a shorter CN"},
      {"characters, not bytes, are counted", repeat("ü", 65), "is 65 characters"},
      {"NUL is shown escaped", "mail\0.evil.lab"s, "CN \"mail\\x00.evil.lab\" holds a control character"},
      {"a C1 control", "Contoso\xc2\x9b Mail", "\\xc2\\x9b"},
      {"bytes that are not UTF-8", "Contoso \xc3 Mail", "CN \"Contoso \\xc3 Mail\" is not valid UTF-8"},
      {"a Cyrillic look-alike is explained", "mаil.contoso.lab",
       "CN \"mаil.contoso.lab\" looks like a host name but its 2nd character is U+0430 CYRILLIC SMALL LETTER A, a "
       "look-alike of Latin \"a\"; use plain ASCII (\"mail.contoso.lab\") or the A-label form "
       "(\"xn--mil-6cd.contoso.lab\")"},
      {"a Greek look-alike", "mail.cοntoso.lab", "U+03BF GREEK SMALL LETTER OMICRON, a look-alike of Latin \"o\""},
      {"several look-alikes, the first three named", "раураl.com",
       "its 1st character is U+0440 CYRILLIC SMALL LETTER ER, a look-alike of Latin \"p\", and its 2nd character"},
      {"several look-alikes, the rest counted", "раураl.com",
       ", and 2 more are not ASCII; use plain ASCII (\"paypal.com\")"},
      {"a fullwidth letter", "ｍail.contoso.lab",
       "U+FF4D FULLWIDTH LATIN SMALL LETTER M, a look-alike of Latin \"m\"; use plain ASCII (\"mail.contoso.lab\")"},
      {"a fullwidth full stop", "mail．contoso.lab", "U+FF0E FULLWIDTH FULL STOP, a look-alike of \".\""},
      {"a fullwidth digit", "ex１.contoso.lab", "U+FF11 FULLWIDTH DIGIT ONE, a look-alike of \"1\""},
      {"a U-label host name gets its A-label", "bücher.contoso.lab",
       "its 2nd character \"ü\" is U+00FC, which is not ASCII; use the A-label form (\"xn--bcher-kva.contoso.lab\") or "
       "plain ASCII"},
  };
  for (const Row& row : rows) check_row(row, check_common_name(row.input));
}

TEST_CASE("looks_like_host_name tells host names from display names", "[names]") {
  const std::vector<std::pair<std::string, bool>> rows = {
      {"mail.contoso.lab", true},
      {"mail", true},
      {"192.0.2.10", true},
      {"2001:db8::1", true},
      {"*.contoso.lab", true},
      {"ex_01.contoso.lab", true},
      {"mаil.contoso.lab", true},
      {"mail.contoso.lab.", true},
      {"Contoso Mail", false},
      {"Exchange 2019 Certificate", false},
      {"Jürgen", false},
      {"", false},
      {"Contoso, Ltd", false},
      {"-", false},
      {"mail.contoso.lab ", false},
      {"Contoso\xc2\xa0Mail", false},
  };
  for (const auto& [cn, expected] : rows) {
    CAPTURE(cn);
    CHECK(looks_like_host_name(cn) == expected);
  }
}

TEST_CASE("parse_ip_address accepts strict IPv4 and IPv6 and gives canonical text", "[names]") {
  const std::vector<std::pair<std::string, std::optional<std::string>>> rows = {
      {"192.0.2.10", "192.0.2.10"},
      {"0.0.0.0", "0.0.0.0"},
      {"255.255.255.255", "255.255.255.255"},
      {"2001:db8:0:0:0:0:0:1", "2001:db8::1"},
      {"2001:DB8::1", "2001:db8::1"},
      {"2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"},
      {"::1", "::1"},
      {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
      {"010.0.0.1", std::nullopt},
      {"1.2.3.04", std::nullopt},
      {"1.2.3", std::nullopt},
      {"127.1", std::nullopt},
      {"1.2.3.4.5", std::nullopt},
      {"1.2.3.4.", std::nullopt},
      {"256.0.0.1", std::nullopt},
      {"0x7f.0.0.1", std::nullopt},
      {"", std::nullopt},
      {" 192.0.2.10", std::nullopt},
      {"192.0.2.10\0.evil"s, std::nullopt},
      {"fe80::1%eth0", std::nullopt},
      {"[2001:db8::1]", std::nullopt},
      {"2001:db8::1::2", std::nullopt},
      {"mail.contoso.lab", std::nullopt},
  };
  for (const auto& [text, expected] : rows) {
    CAPTURE(text);
    CHECK(parse_ip_address(text) == expected);
  }
}

TEST_CASE("dns_name_warning speaks up for legal names that will bite", "[names]") {
  const std::vector<Row> rows = {
      {"an FQDN", "mail.contoso.lab", ""},
      {"a wildcard", "*.contoso.lab", ""},
      {"local inside the name is fine", "mail.local.contoso.lab", ""},
      {"home.arpa is the recommended home suffix", "mail.home.arpa", ""},
      {"a single label", "mail", "is a single label"},
      {"a single label, what goes wrong", "mail",
       "clients on another domain (or connecting by the full name) won't match it"},
      {".local", "mail.contoso.local", "is under .local, which is reserved for multicast DNS (RFC 6762)"},
      {".local in capitals with a trailing dot", "MAIL.CONTOSO.LOCAL.", "is under .local"},
      {".localhost", "mail.localhost", "loopback"},
      {"localhost", "localhost", "loopback"},
      {"a genuine IDN", "xn--bcher-kva.contoso.lab", ""},
      {"an A-label that passes for Latin", "xn--80ak6aa92e.com",
       "label \"xn--80ak6aa92e\" is the internationalised label \"аррӏе\", which passes for \"apple\""},
      {"an A-label with one look-alike", "xn--mil-6cd.contoso.lab", "which passes for \"mail\""},
  };
  for (const Row& row : rows) check_row(row, dns_name_warning(row.input));
}

TEST_CASE("to_a_labels converts U-labels and leaves ASCII labels alone", "[names]") {
  const std::vector<std::pair<std::string, std::optional<std::string>>> rows = {
      {"bücher.example", "xn--bcher-kva.example"},
      {"münchen.bücher.lab", "xn--mnchen-3ya.xn--bcher-kva.lab"},
      {"Straße.lab", "xn--strae-oqa.lab"},
      {"*.bücher.lab", "*.xn--bcher-kva.lab"},
      {"mail.contoso.lab", "mail.contoso.lab"},
      {"ü-.lab", std::nullopt},
      {"m\xff.lab", std::nullopt},
      {"b\0ücher.lab"s, std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& [name, expected] : rows) {
    CAPTURE(name);
    CHECK(to_a_labels(name) == expected);
  }
}
