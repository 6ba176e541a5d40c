// Issuance templates: the fixture folders (valid_* load, invalid_* fail with
// the error their first line expects), the shipped templates' values, and the
// built-in/home layering.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "ca/certificate_template.h"
#include "ca_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;
namespace fs = std::filesystem;
using Type = SubjectAltName::Type;
using Strings = std::vector<std::string>;

namespace {

const fs::path fixtures = fs::path(POCKETCA_SOURCE_DIR) / "tests" / "data" / "templates";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

// Fixture files whose names start with `prefix`, sorted.
std::vector<fs::path> fixture_files(const std::string& prefix) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fixtures)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix) && name.ends_with(".toml")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

CertificateTemplate parse_fixture(const fs::path& file) {
  return TemplateSet::parse(read_text(file), file.filename().string());
}

std::string minimal_template(const std::string& name, const std::string& display_name, const std::string& validity) {
  return "name = \"" + name + "\"\ndisplay_name = \"" + display_name + "\"\nvalidity = \"" + validity +
         "\"\n\n[extensions]\nkey_usage = [\"digitalSignature\"]\n";
}

}  // namespace

TEST_CASE("every valid_* fixture loads", "[template]") {
  const auto files = fixture_files("valid_");
  REQUIRE(files.size() >= 4);
  for (const auto& file : files) {
    INFO(file.filename().string());
    CHECK_NOTHROW(parse_fixture(file));
  }
}

TEST_CASE("every invalid_* fixture fails with its expected error, naming the file and the key", "[template]") {
  const auto files = fixture_files("invalid_");
  REQUIRE(files.size() >= 40);
  const std::string marker = "# expect: ";
  for (const auto& file : files) {
    const std::string source = file.filename().string();
    INFO(source);
    const std::string text = read_text(file);
    const std::string first_line = text.substr(0, text.find('\n'));
    REQUIRE(first_line.starts_with(marker));
    const std::string expected = first_line.substr(marker.size());
    // Every row names a key, except a syntax error, which names a line.
    REQUIRE((expected.starts_with("key \"") || expected.starts_with("line ")));
    const Error error = error_from([&] { (void)TemplateSet::parse(text, source); });
    INFO(error.what());
    CHECK(error.kind() == ErrorKind::template_invalid);
    CHECK(std::string(error.what()).starts_with("template " + source + ": "));
    CHECK(contains(error.what(), expected));
  }
}

TEST_CASE("human spellings and OIDs map to OpenSSL names", "[template]") {
  const CertificateTemplate t = parse_fixture(fixtures / "valid_aliases.toml");
  CHECK(t.key_usage == Strings{"digitalSignature", "keyEncipherment", "nonRepudiation"});
  CHECK(t.key_usage_ec == Strings{"digitalSignature", "keyAgreement"});
  CHECK(t.extended_key_usage == Strings{"serverAuth", "clientAuth", "1.3.6.1.4.1.311.10.3.4"});
  CHECK(t.key_types == Strings{"rsa", "ec"});
  CHECK(t.ec_curves == Strings{"P-256", "P-384"});
  CHECK(t.allowed_san_types == std::vector<Type>{Type::dns, Type::ip, Type::email});
  CHECK(t.validity_days == 90);
  CHECK(t.validity_years == 0);
}

TEST_CASE("a minimal template gets the documented defaults", "[template]") {
  const CertificateTemplate t = parse_fixture(fixtures / "valid_minimal.toml");
  CHECK(t.source == "valid_minimal.toml");
  CHECK(t.description.empty());
  CHECK(t.validity_years == 1);
  CHECK(t.key_usage_ec.empty());
  CHECK(t.extended_key_usage.empty());
  CHECK_FALSE(t.is_ca);
  CHECK_FALSE(t.basic_constraints);
  CHECK(t.template_name_extension);
  CHECK_FALSE(t.ocsp_no_check);
  CHECK_FALSE(t.requires_approval);
  CHECK(t.key_types == Strings{"rsa", "ec"});
  CHECK(t.rsa_min_bits == 2048);
  CHECK(t.ec_curves == Strings{"P-256", "P-384", "P-521"});
  CHECK(t.allowed_san_types == std::vector<Type>{Type::dns, Type::ip});

  const CertificateTemplate ca = parse_fixture(fixtures / "valid_ca_path_len.toml");
  CHECK(ca.is_ca);
  CHECK(ca.basic_constraints);
  CHECK(ca.path_len == 0);
  CHECK(ca.allowed_san_types.empty());  // no dns+ip default for a CA template
  CHECK_FALSE(ca.issues_end_entity());
}

TEST_CASE("every built-in template loads", "[template]") {
  REQUIRE(builtin_template_files().size() == 5);
  for (const auto& [file, text] : builtin_template_files()) {
    INFO(file);
    const CertificateTemplate t = TemplateSet::parse(text, "built-in " + file);
    CHECK_FALSE(t.description.empty());
  }
  const TemplateSet set = TemplateSet::load(fs::path("/nonexistent/pocketca/templates"));
  Strings names;
  for (const auto& t : set.all()) names.push_back(t.name);
  std::sort(names.begin(), names.end());
  CHECK(names == Strings{"Computer", "OCSPResponder", "SubCA", "User", "WebServer"});
}

TEST_CASE("WebServer is the AD CS v1 Web Server template", "[template]") {
  const TemplateSet set = TemplateSet::load(fs::path("/nonexistent/pocketca/templates"));
  const CertificateTemplate* t = set.find("WebServer");
  REQUIRE(t != nullptr);
  CHECK(t->name == "WebServer");
  CHECK(t->display_name == "Web Server");
  CHECK(t->source == "built-in webserver.toml");
  CHECK(t->extended_key_usage == Strings{"serverAuth"});
  CHECK(t->key_usage == Strings{"digitalSignature", "keyEncipherment"});
  CHECK(t->key_usage_ec == Strings{"digitalSignature"});
  CHECK(t->validity_years == 2);
  CHECK(t->validity_days == 0);
  CHECK_FALSE(t->is_ca);
  CHECK_FALSE(t->basic_constraints);
  CHECK_FALSE(t->path_len.has_value());
  CHECK(t->template_name_extension);
  CHECK_FALSE(t->ocsp_no_check);
  CHECK(t->allowed_san_types == std::vector<Type>{Type::dns, Type::ip});
  CHECK(t->rsa_min_bits == 2048);
  CHECK(t->key_types == Strings{"rsa", "ec"});
  CHECK_FALSE(t->requires_approval);
  CHECK(set.find("web server") == t);
  CHECK(set.find("WEBSERVER") == t);
  CHECK(set.find("Web  Server") == nullptr);
  CHECK(set.find("") == nullptr);
}

TEST_CASE("the other shipped templates say what the contract says", "[template]") {
  const TemplateSet set = TemplateSet::load(fs::path("/nonexistent/pocketca/templates"));
  const CertificateTemplate* computer = set.find("computer");
  REQUIRE(computer != nullptr);
  CHECK(computer->extended_key_usage == Strings{"serverAuth", "clientAuth"});
  CHECK(computer->validity_years == 1);

  const CertificateTemplate* user = set.find("User");
  REQUIRE(user != nullptr);
  CHECK(user->extended_key_usage == Strings{"clientAuth", "emailProtection"});
  CHECK(user->allowed_san_types == std::vector<Type>{Type::email});  // no UPN

  const CertificateTemplate* subca = set.find("Subordinate Certification Authority");
  REQUIRE(subca != nullptr);
  CHECK(subca->name == "SubCA");
  CHECK(subca->is_ca);
  CHECK(subca->key_usage == Strings{"digitalSignature", "keyCertSign", "cRLSign"});
  CHECK(subca->extended_key_usage.empty());
  CHECK(subca->allowed_san_types.empty());
  CHECK(subca->validity_years == 5);
  CHECK(subca->requires_approval);

  const CertificateTemplate* ocsp = set.find("OCSP Response Signing");
  REQUIRE(ocsp != nullptr);
  CHECK(ocsp->name == "OCSPResponder");
  CHECK(ocsp->extended_key_usage == Strings{"OCSPSigning"});
  CHECK(ocsp->key_usage == Strings{"digitalSignature"});
  CHECK(ocsp->ocsp_no_check);
  CHECK(ocsp->validity_days == 14);
  CHECK(ocsp->allowed_san_types == std::vector<Type>{Type::dns});
}

TEST_CASE("a home template replaces the built-in of the same name", "[template]") {
  TempDir home;
  write_text(home / "my-webserver.toml", minimal_template("webserver", "Web Server (lab)", "397d"));
  write_text(home / "extra.toml", minimal_template("Extra", "Extra Template", "1y"));
  write_text(home / "notes.txt", "not a template");
  const TemplateSet set = TemplateSet::load(home.path());
  CHECK(set.all().size() == builtin_template_files().size() + 1);
  const CertificateTemplate* t = set.find("WebServer");
  REQUIRE(t != nullptr);
  CHECK(t->source == (home / "my-webserver.toml").string());
  CHECK(t->validity_days == 397);
  CHECK(set.find("Web Server") == nullptr);  // the built-in is gone, display name and all
  CHECK(set.find("web server (LAB)") == t);
  REQUIRE(set.find("extra template") != nullptr);
}

TEST_CASE("a bad home template makes load() fail naming its path", "[template]") {
  TempDir home;
  write_text(home / "good.toml", minimal_template("Good", "Good Template", "1y"));
  write_text(home / "broken.toml", minimal_template("Broken", "Broken Template", "18m"));
  const Error error = error_from([&] { (void)TemplateSet::load(home.path()); });
  CHECK(error.kind() == ErrorKind::template_invalid);
  CHECK(contains(error.what(), "template " + (home / "broken.toml").string() + ": key \"validity\""));
}

TEST_CASE("names and display names must pick out one template", "[template]") {
  TempDir home;
  SECTION("the same name twice in the home folder names both files") {
    write_text(home / "a.toml", minimal_template("Lab", "Lab One", "1y"));
    write_text(home / "b.toml", minimal_template("LAB", "Lab Two", "1y"));
    const Error error = error_from([&] { (void)TemplateSet::load(home.path()); });
    CHECK(error.kind() == ErrorKind::template_invalid);
    CHECK(contains(error.what(), (home / "a.toml").string()));
    CHECK(contains(error.what(), "template " + (home / "b.toml").string() + ": key \"name\""));
  }
  SECTION("a home display name may not take a built-in's name or display name") {
    write_text(home / "other.toml", minimal_template("OtherServer", "web server", "1y"));
    const Error error = error_from([&] { (void)TemplateSet::load(home.path()); });
    CHECK(contains(error.what(), "template " + (home / "other.toml").string() + ": key \"display_name\""));
    CHECK(contains(error.what(), "built-in webserver.toml"));
    CHECK(contains(error.what(), "to replace a built-in, use its name"));
  }
  SECTION("a home folder that is a file is an error, a missing one is not") {
    write_text(home / "templates", "");
    CHECK(error_from([&] { (void)TemplateSet::load(home / "templates"); }).kind() == ErrorKind::template_invalid);
    CHECK(TemplateSet::load(home / "missing").all().size() == builtin_template_files().size());
  }
}
