// Distinguished names: what an admin types (RFC 4514 or OpenSSL's slash form),
// how names print, and how a CA's subject inherits its parent's RDNs.

#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/err.h>

#include "ca/distinguished_name.h"
#include "ca_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;

namespace {

// The entries of `name` as the X509_NAME holds them (most general first): {"C", "US"}, …
std::vector<std::pair<std::string, std::string>> entries_of(const X509_NAME* name) {
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    REQUIRE(len >= 0);
    out.emplace_back(OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry))),
                     std::string(reinterpret_cast<char*>(utf8), static_cast<size_t>(len)));
    OPENSSL_free(utf8);
  }
  return out;
}

using Entries = std::vector<std::pair<std::string, std::string>>;

std::string utf8_repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("RFC 4514 names list the most specific RDN first; the X509_NAME holds it last", "[distinguished_name]") {
  auto name = parse_distinguished_name("CN=Contoso Lab Root CA, O=Contoso Ltd, C=US");
  CHECK(entries_of(name.get()) == Entries{{"C", "US"}, {"O", "Contoso Ltd"}, {"CN", "Contoso Lab Root CA"}});
  CHECK(to_rfc4514(name.get()) == "CN=Contoso Lab Root CA,O=Contoso Ltd,C=US");
  CHECK(common_name_of(name.get()) == "Contoso Lab Root CA");

  SECTION("OpenSSL's slash form lists the most general first and gives the same name") {
    auto slash = parse_distinguished_name("/C=US/O=Contoso Ltd/CN=Contoso Lab Root CA");
    CHECK(entries_of(slash.get()) == entries_of(name.get()));
    CHECK(X509_NAME_cmp(slash.get(), name.get()) == 0);
  }
  SECTION("spaces around separators and '=' do not matter") {
    auto spaced = parse_distinguished_name("  CN = Contoso Lab Root CA ,O= Contoso Ltd,  C =US ");
    CHECK(X509_NAME_cmp(spaced.get(), name.get()) == 0);
  }
  SECTION("attribute types may be short names, long names or OIDs") {
    auto other = parse_distinguished_name("commonName=Contoso Lab Root CA, 2.5.4.10=Contoso Ltd, countryName=US");
    CHECK(X509_NAME_cmp(other.get(), name.get()) == 0);
  }
  SECTION("country is a PrintableString, the rest UTF8String") {
    CHECK(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name.get(), 0))) == V_ASN1_PRINTABLESTRING);
    CHECK(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name.get(), 2))) == V_ASN1_UTF8STRING);
  }
}

TEST_CASE("attribute types are case-insensitive", "[distinguished_name]") {
  // RFC 4514 3 / RFC 4512 1.4: attribute type names (descr) are case-insensitive, and
  // admins type "cn=…, o=…" as often as "CN=…, O=…".
  auto expected = parse_distinguished_name("CN=Contoso Lab Root CA, O=Contoso Ltd, C=US");
  for (const char* text : {"cn=Contoso Lab Root CA, o=Contoso Ltd, c=US", "Cn=Contoso Lab Root CA, O=Contoso Ltd, C=US",
                           "COMMONNAME=Contoso Lab Root CA, o=Contoso Ltd, c=US",
                           "/c=US/o=Contoso Ltd/cn=Contoso Lab Root CA"}) {
    INFO(text);
    CHECK(X509_NAME_cmp(parse_distinguished_name(text).get(), expected.get()) == 0);
  }
}

// (The name spells out ';': CTest would read one as a list separator.)
TEST_CASE("an unescaped semicolon separates RDNs as a comma does (RFC 2253, RFC 1779)", "[distinguished_name]") {
  // RFC 4514 forbids an unescaped ';' in a value, and RFC 2253/1779 parsers read it as a
  // separator: "O=Contoso Ltd; C=US" is two RDNs, never O="Contoso Ltd; C=US".
  const auto expected = parse_distinguished_name("CN=Contoso Lab Root CA, O=Contoso Ltd, C=US");
  for (const char* text : {"CN=Contoso Lab Root CA; O=Contoso Ltd; C=US", "CN=Contoso Lab Root CA;O=Contoso Ltd;C=US",
                           "CN=Contoso Lab Root CA; O=Contoso Ltd, C=US",
                           "  CN = Contoso Lab Root CA ;O= Contoso Ltd ; C =US ",
                           "CN=Contoso Lab Root CA, O=Contoso Ltd, C=US;"}) {
    INFO(text);
    CHECK(X509_NAME_cmp(parse_distinguished_name(text).get(), expected.get()) == 0);
  }
  CHECK(entries_of(parse_distinguished_name("O=Contoso Ltd; C=US").get()) ==
        Entries{{"C", "US"}, {"O", "Contoso Ltd"}});

  SECTION("an escaped ';' is a literal, and prints escaped so it reads back the same") {
    auto name = parse_distinguished_name(R"(O=Contoso\; Ltd; C=US)");
    CHECK(entries_of(name.get()) == Entries{{"C", "US"}, {"O", "Contoso; Ltd"}});
    CHECK(to_rfc4514(name.get()) == R"(O=Contoso\; Ltd,C=US)");
    CHECK(X509_NAME_cmp(parse_distinguished_name(to_rfc4514(name.get())).get(), name.get()) == 0);
    CHECK(entries_of(parse_distinguished_name(R"(O=Contoso\3B Ltd)").get()) == Entries{{"O", "Contoso; Ltd"}});
  }
  SECTION("in OpenSSL's slash form ';' is a plain character, as ',' is") {
    CHECK(entries_of(parse_distinguished_name("/C=US/O=Contoso; Ltd/CN=x").get()) ==
          Entries{{"C", "US"}, {"O", "Contoso; Ltd"}, {"CN", "x"}});
  }
  SECTION("what follows a ';' must be an attribute like any RDN") {
    for (const std::string text : {"O=Contoso Ltd; US", ";", "; ;", "O=Contoso Ltd; C=", "CN=x; Bogus=y"}) {
      INFO(text);
      const Error e = error_from([&] { (void)parse_distinguished_name(text); });
      CHECK(e.kind() == ErrorKind::invalid_input);
    }
    const Error e = error_from([] { (void)parse_distinguished_name("O=Contoso Ltd; US"); });
    CHECK(contains(e.what(), "\"US\" has no '='"));
  }
}

TEST_CASE("RFC 4514 escapes are honoured", "[distinguished_name]") {
  struct Row {
    const char* text;
    Entries expected;
  };
  const Row rows[] = {
      {R"(CN=Smith\, John, O=Acme)", {{"O", "Acme"}, {"CN", "Smith, John"}}},
      {R"(CN=Smith\2C John, O=Acme)", {{"O", "Acme"}, {"CN", "Smith, John"}}},
      {R"(CN=Smith\2c John, O=Acme)", {{"O", "Acme"}, {"CN", "Smith, John"}}},
      {R"(CN=A\+B)", {{"CN", "A+B"}}},
      {R"(CN=\"quoted\")", {{"CN", "\"quoted\""}}},
      {R"(CN=back\\slash)", {{"CN", "back\\slash"}}},
      {R"(CN=a\;b\<c\>d\=e)", {{"CN", "a;b<c>d=e"}}},
      {R"(CN=\#hash)", {{"CN", "#hash"}}},
      {R"(CN=Z\C3\BCrich Lab)", {{"CN", "Z\xC3\xBCrich Lab"}}},
      {R"(/O=Contoso\/Fabrikam/CN=x)", {{"O", "Contoso/Fabrikam"}, {"CN", "x"}}},
      {"/O=Contoso, Ltd/CN=x", {{"O", "Contoso, Ltd"}, {"CN", "x"}}},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    auto name = parse_distinguished_name(row.text);
    CHECK(entries_of(name.get()) == row.expected);
    // Printing and parsing again gives the same name, byte for byte.
    const std::string printed = to_rfc4514(name.get());
    INFO(printed);
    auto again = parse_distinguished_name(printed);
    CHECK(X509_NAME_cmp(again.get(), name.get()) == 0);
  }
  CHECK(to_rfc4514(parse_distinguished_name(R"(CN=Smith\2C John, O=Acme)").get()) == R"(CN=Smith\, John,O=Acme)");
}

TEST_CASE("escaped leading and trailing spaces are kept", "[distinguished_name]") {
  // RFC 4514 2.4: a value's leading/trailing space must be escaped, so an escaped one is data.
  // to_rfc4514 prints such a value as "\ pad\ ", which must parse back to the same name.
  auto name = parse_distinguished_name(R"(CN=\20pad\20, O=Acme)");
  CHECK(common_name_of(name.get()) == " pad ");
  CHECK(common_name_of(parse_distinguished_name(R"(CN=\ pad\ )").get()) == " pad ");
}

TEST_CASE("UTF-8 names round-trip unescaped", "[distinguished_name]") {
  const std::string text = "CN=Z\xC3\xBCrich Lab,O=M\xC3\xBCller & S\xC3\xB6hne,C=CH";
  auto name = parse_distinguished_name(text);
  CHECK(to_rfc4514(name.get()) == text);
  CHECK(common_name_of(name.get()) == "Z\xC3\xBCrich Lab");
  auto again = parse_distinguished_name(to_rfc4514(name.get()));
  CHECK(X509_NAME_cmp(again.get(), name.get()) == 0);
}

TEST_CASE("parse_distinguished_name rejects what it cannot read as invalid input", "[distinguished_name]") {
  struct Row {
    std::string text;
    std::string mentions;  // a part of the message that says what is wrong
  };
  const Row rows[] = {
      {"", "empty"},
      {"   ", "empty"},
      {"/", ""},
      {",", ""},
      {"XYZ=foo", "XYZ"},
      {"CN=foo, Bogus=bar", "Bogus"},
      {"=foo", ""},
      {"CN=foo, bar", "bar"},
      {"Contoso", "Contoso"},
      {"/C=US/Contoso", "Contoso"},
      {"CN=", "CN"},
      {"CN=foo, O=", "O"},
      {"CN=a+O=b", "multi-valued"},
      {std::string("CN=foo\x01" "bar"), "control"},
      {"CN=foo\nbar", "control"},
      {"CN=foo\tbar", "control"},
      {"CN=foo\x7f", "control"},
      {R"(CN=foo\0Abar)", "control"},
      {R"(CN=foo\00bar)", "control"},
  };
  for (const Row& row : rows) {
    INFO("\"" << row.text << "\"");
    const Error e = error_from([&] { (void)parse_distinguished_name(row.text); });
    CHECK(e.kind() == ErrorKind::invalid_input);
    CHECK(contains(e.what(), row.mentions));
    CHECK(contains(e.what(), "CN=Contoso Lab Root CA, O=Contoso Ltd, C=US"));  // shows how to write one
  }
}

TEST_CASE("common_name_of finds the most specific CN", "[distinguished_name]") {
  CHECK(common_name_of(parse_distinguished_name("CN=leaf, CN=parent, O=Contoso").get()) == "leaf");
  CHECK(common_name_of(parse_distinguished_name("/O=Contoso/CN=parent/CN=leaf").get()) == "leaf");
  CHECK(common_name_of(parse_distinguished_name("O=Contoso, C=US").get()).empty());
  auto empty = ossl::adopt(X509_NAME_new());
  CHECK(common_name_of(empty.get()).empty());
  CHECK(to_rfc4514(empty.get()).empty());
}

TEST_CASE("with_common_name replaces every CN and keeps the other RDNs", "[distinguished_name]") {
  auto base = parse_distinguished_name("CN=Contoso Lab Root CA, OU=PKI, CN=Other, O=Contoso Ltd, C=US");

  SECTION("CN becomes the most specific RDN, after O/OU/C in their order") {
    auto name = with_common_name(base.get(), "Contoso Lab Issuing CA");
    CHECK(entries_of(name.get()) ==
          Entries{{"C", "US"}, {"O", "Contoso Ltd"}, {"OU", "PKI"}, {"CN", "Contoso Lab Issuing CA"}});
    CHECK(to_rfc4514(name.get()) == "CN=Contoso Lab Issuing CA,OU=PKI,O=Contoso Ltd,C=US");
    // The inherited RDNs are byte-identical to the parent's (same string types).
    CHECK(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name.get(), 0))) == V_ASN1_PRINTABLESTRING);
    // The base is untouched.
    CHECK(to_rfc4514(base.get()) == "CN=Contoso Lab Root CA,OU=PKI,CN=Other,O=Contoso Ltd,C=US");
  }
  SECTION("a null base gives a CN-only name") {
    auto name = with_common_name(nullptr, "Test Lab Root CA");
    CHECK(to_rfc4514(name.get()) == "CN=Test Lab Root CA");
  }
  SECTION("1 to 64 characters") {
    CHECK(common_name_of(with_common_name(base.get(), std::string(64, 'x')).get()) == std::string(64, 'x'));
    CHECK(common_name_of(with_common_name(base.get(), "x").get()) == "x");
    for (const std::string& bad : {std::string(65, 'x'), std::string()}) {
      INFO(bad.size());
      CHECK(error_from([&] { (void)with_common_name(base.get(), bad); }).kind() == ErrorKind::invalid_input);
    }
    // 65 characters of two bytes each is still too long.
    CHECK(error_from([&] { (void)with_common_name(base.get(), utf8_repeat("\xC3\xBC", 65)); }).kind() ==
          ErrorKind::invalid_input);
  }
  SECTION("control characters") {
    for (const char* bad : {"a\nb", "a\x01", "\x7f"}) {
      CHECK(error_from([&] { (void)with_common_name(base.get(), bad); }).kind() == ErrorKind::invalid_input);
    }
  }
}

TEST_CASE("with_common_name counts characters, not bytes", "[distinguished_name]") {
  // RFC 5280's ub-common-name (64) counts characters: "Zürich … CA" of 64 characters is
  // 65 UTF-8 bytes and is a valid CN (OpenSSL itself accepts it in parse_distinguished_name).
  const std::string cn = "Z\xC3\xBCrich " + std::string(57, 'x');  // 64 characters, 65 bytes
  REQUIRE(cn.size() == 65);
  auto parsed = parse_distinguished_name("CN=" + cn);
  CHECK(common_name_of(parsed.get()) == cn);
  CHECK(common_name_of(with_common_name(nullptr, cn).get()) == cn);
  CHECK(common_name_of(with_common_name(nullptr, utf8_repeat("\xC3\xBC", 64)).get()) == utf8_repeat("\xC3\xBC", 64));
}

// Not a syntax error, so no example of how to write a name: the rule and what to do instead.
TEST_CASE("RFC 5280's length bounds are said in words, counted in characters", "[distinguished_name]") {
  const auto message = [](const std::string& text) {
    return std::string(error_from([&] { (void)parse_distinguished_name(text); }).what());
  };
  CHECK(message("CN=" + std::string(65, 'a')) ==
        "CN is 65 characters long; RFC 5280 allows at most 64 — a longer host name belongs in the SAN only (--dns), "
        "with a shorter CN");
  CHECK(message("CN=web.contoso.lab, C=USA") == "C is 3 characters long; RFC 5280 allows at most 2");
  std::string umlauts;
  for (int i = 0; i < 64; ++i) umlauts += "\xC3\xBC";  // 64 characters, 128 bytes
  CHECK_NOTHROW(parse_distinguished_name("CN=" + umlauts));
  CHECK(ERR_peek_error() == 0);
}
