// A CA home: the folder layout and refusing to clobber what is there.

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "ca/home.h"
#include "ca_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;
namespace fs = std::filesystem;

TEST_CASE("Home::create makes the layout with private/ 0700", "[home]") {
  TempDir tmp;
  const fs::path dir = tmp / "pki";
  {
    UmaskGuard guard(000);
    Home home = Home::create(dir);
    CHECK(home.dir() == dir);
    CHECK(home.private_dir() == dir / "private");
    CHECK(home.public_dir() == dir / "public");
    CHECK(home.templates_dir() == dir / "templates");
    CHECK(home.database_path() == dir / "pocketca.db");
    CHECK(home.certificate_path("contoso-lab-root-ca") == dir / "public" / "contoso-lab-root-ca.crt");
    CHECK(home.crl_path("contoso-lab-root-ca") == dir / "public" / "contoso-lab-root-ca.crl");
    CHECK(Home::key_file_name("contoso-lab-root-ca") == "private/contoso-lab-root-ca.key");
    CHECK(home.store().list_cas().empty());
  }
  CHECK(fs::exists(dir / "pocketca.db"));
  CHECK(mode_of(dir / "private") == 0700);
  CHECK(mode_of(dir / "public") == 0755);

  SECTION("open finds it again") {
    Home again = Home::open(dir);
    CHECK(again.store().schema_version() > 0);
  }
  SECTION("create refuses an existing home") {
    const Error e = error_from([&] { (void)Home::create(dir); });
    CHECK(e.kind() == ErrorKind::conflict);
    CHECK(contains(e.what(), "already a CA home"));
  }
}

TEST_CASE("Home::create takes a new or empty folder only", "[home]") {
  TempDir tmp;
  SECTION("an empty folder is fine") {
    fs::create_directory(tmp / "empty");
    CHECK_NOTHROW(Home::create(tmp / "empty"));
    CHECK(fs::exists(tmp / "empty" / "pocketca.db"));
  }
  SECTION("a folder with anything in it is a conflict and stays untouched") {
    fs::create_directory(tmp / "busy");
    std::ofstream(tmp / "busy" / "notes.txt") << "mine";
    CHECK(error_from([&] { (void)Home::create(tmp / "busy"); }).kind() == ErrorKind::conflict);
    CHECK_FALSE(fs::exists(tmp / "busy" / "private"));
    CHECK_FALSE(fs::exists(tmp / "busy" / "pocketca.db"));
  }
}

TEST_CASE("Home::open says how to make a home when there is none", "[home]") {
  TempDir tmp;
  const Error e = error_from([&] { (void)Home::open(tmp / "nothing-here"); });
  CHECK(e.kind() == ErrorKind::not_found);
  CHECK(contains(e.what(), "pocketca init"));
  CHECK_FALSE(fs::exists(tmp / "nothing-here"));
}

TEST_CASE("Home::check_can_create refuses without creating anything", "[home]") {
  TempDir tmp;
  CHECK_NOTHROW(Home::check_can_create(tmp / "new"));
  CHECK_FALSE(fs::exists(tmp / "new"));
  fs::create_directory(tmp / "empty");
  CHECK_NOTHROW(Home::check_can_create(tmp / "empty"));
  fs::create_directory(tmp / "busy");
  std::ofstream(tmp / "busy" / "x") << "x";
  CHECK(error_from([&] { Home::check_can_create(tmp / "busy"); }).kind() == ErrorKind::conflict);
  CHECK_FALSE(fs::exists(tmp / "busy" / "private"));
}
