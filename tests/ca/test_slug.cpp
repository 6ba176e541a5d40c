// File-safe slugs of CA names.

#include <string>

#include <catch2/catch.hpp>

#include "ca/slug.h"
#include "ca_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;

TEST_CASE("slugify keeps ASCII letters and digits and joins the rest with one '-'", "[slug]") {
  struct Row {
    std::string name;
    std::string slug;
  };
  const Row rows[] = {
      {"Contoso Lab Issuing CA", "contoso-lab-issuing-ca"},
      {"Contoso Lab Root CA", "contoso-lab-root-ca"},
      {"contoso-lab-root-ca", "contoso-lab-root-ca"},
      {"Fabrikam, Inc. -- Web CA (2026)", "fabrikam-inc-web-ca-2026"},
      {"a...b___c   d", "a-b-c-d"},
      {"  --Leading and trailing!!  ", "leading-and-trailing"},
      {"CA/../../etc/passwd", "ca-etc-passwd"},
      {"Z\xC3\xBCrich Lab", "z-rich-lab"},
      {"\xC3\x9C" "ber CA", "ber-ca"},
      {"X", "x"},
      {"2026", "2026"},
      {"TAB\tand\nnewline", "tab-and-newline"},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    const std::string slug = slugify(row.name);
    CHECK(slug == row.slug);
    CHECK(slug.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos);
    CHECK(slug.front() != '-');
    CHECK(slug.back() != '-');
    CHECK(slug.find("--") == std::string::npos);
    CHECK(slugify(slug) == slug);  // a slug is its own slug
  }
}

TEST_CASE("slugify refuses a name with nothing file-safe in it", "[slug]") {
  for (const char* bad : {"", "   ", "---", "../..", "\xC3\xBC\xC3\xB6\xC3\xA4", "\xE4\xB8\xAD\xE6\x96\x87"}) {
    INFO("\"" << bad << "\"");
    const Error e = error_from([&] { (void)slugify(bad); });
    CHECK(e.kind() == ErrorKind::invalid_input);
    CHECK(contains(e.what(), "ASCII"));
  }
}
