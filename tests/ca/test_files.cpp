// File writes that never leave half a file and never expose a secret.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "ca/files.h"
#include "ca_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;
namespace fs = std::filesystem;

namespace {

void put(const fs::path& path, const std::string& content, unsigned mode) {
  std::ofstream(path, std::ios::binary) << content;
  fs::permissions(path, static_cast<fs::perms>(mode), fs::perm_options::replace);
}

std::string get(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) out.insert(entry.path().filename().string());
  return out;
}

}  // namespace

TEST_CASE("write_secret_file creates a 0600 file whatever the umask", "[files]") {
  TempDir dir;
  for (mode_t mask : {mode_t{000}, mode_t{022}, mode_t{077}}) {
    INFO("umask " << std::oct << mask);
    const fs::path path = dir / ("key-" + std::to_string(mask) + ".pem");
    {
      UmaskGuard guard(mask);
      write_secret_file(path, "-----BEGIN PRIVATE KEY-----\nsecret\n");
    }
    CHECK(mode_of(path) == 0600);
    CHECK(get(path) == "-----BEGIN PRIVATE KEY-----\nsecret\n");
    CHECK(read_secret_file(path) == "-----BEGIN PRIVATE KEY-----\nsecret\n");
  }
  CHECK(names_in(dir.path()).size() == 3);  // nothing else was left behind
}

TEST_CASE("write_secret_file never replaces what is there", "[files]") {
  TempDir dir;
  const fs::path path = dir / "ca.key";

  SECTION("an existing file is a conflict and stays as it was") {
    put(path, "old key", 0600);
    const Error e = error_from([&] { write_secret_file(path, "new key"); });
    CHECK(e.kind() == ErrorKind::conflict);
    CHECK(contains(e.what(), path.string()));
    CHECK(get(path) == "old key");
  }
  SECTION("a symlink is not followed") {
    const fs::path target = dir / "elsewhere";
    put(target, "victim", 0644);
    fs::create_symlink(target, path);
    CHECK(error_from([&] { write_secret_file(path, "new key"); }).kind() == ErrorKind::conflict);
    CHECK(get(target) == "victim");
    CHECK(mode_of(target) == 0644);
  }
  SECTION("a missing folder is not found") {
    CHECK(error_from([&] { write_secret_file(dir / "no" / "ca.key", "x"); }).kind() == ErrorKind::not_found);
  }
}

TEST_CASE("read_secret_file refuses keys others may read or write", "[files]") {
  TempDir dir;
  const fs::path path = dir / "ca.key";
  for (unsigned mode : {0640u, 0604u, 0644u, 0660u, 0606u, 0620u, 0602u, 0610u, 0601u, 0700u | 0040u}) {
    INFO("mode " << std::oct << mode);
    fs::remove(path);
    put(path, "secret", mode);
    const Error e = error_from([&] { (void)read_secret_file(path); });
    CHECK(e.kind() == ErrorKind::insecure);
    CHECK(contains(e.what(), "chmod 600"));
    CHECK(contains(e.what(), path.string()));
  }
  for (unsigned mode : {0600u, 0400u, 0700u, 0200u | 0400u}) {
    INFO("mode " << std::oct << mode);
    fs::remove(path);
    put(path, "secret\n", mode);
    CHECK(read_secret_file(path) == "secret\n");
  }
  SECTION("a missing key is not found") {
    CHECK(error_from([&] { (void)read_secret_file(dir / "missing.key"); }).kind() == ErrorKind::not_found);
  }
  SECTION("a symlink is not followed") {
    fs::remove(path);
    put(dir / "real.key", "secret", 0600);
    fs::create_symlink(dir / "real.key", path);
    CHECK_THROWS_AS(read_secret_file(path), Error);
  }
}

TEST_CASE("check_can_create refuses what no write could create, before any work", "[files]") {
  TempDir dir;
  const auto message = [](const fs::path& path) {
    const Error e = error_from([&] { check_can_create(path); });
    CHECK(e.kind() == ErrorKind::invalid_input);
    return std::string(e.what());
  };
  CHECK_NOTHROW(check_can_create(dir / "new.cer"));
  put(dir / "there.cer", "x", 0644);
  CHECK_NOTHROW(check_can_create(dir / "there.cer"));  // replacing is --force's business, not this check's
  CHECK(message(dir / "missing" / "new.cer") ==
        "cannot write " + (dir / "missing" / "new.cer").string() + ": the folder " + (dir / "missing").string() +
            " does not exist");
  CHECK_THAT(message(dir / "there.cer" / "new.cer"), Catch::EndsWith(" is not a folder"));
  CHECK_THAT(message(dir.path()), Catch::EndsWith(": it is a folder; name a file"));
  CHECK(names_in(dir.path()) == std::set<std::string>{"there.cer"});
}

TEST_CASE("write_file_atomically", "[files]") {
  TempDir dir;
  const fs::path path = dir / "contoso-lab-root-ca.crl";

  SECTION("creates a new file with exactly the mode asked, whatever the umask") {
    UmaskGuard guard(077);
    write_file_atomically(path, "first", false);
    CHECK(get(path) == "first");
    CHECK(mode_of(path) == 0644);
    write_file_atomically(dir / "private.bin", "p", false, 0600);
    CHECK(mode_of(dir / "private.bin") == 0600);
    CHECK(names_in(dir.path()) == std::set<std::string>{"contoso-lab-root-ca.crl", "private.bin"});
  }
  SECTION("refuses to overwrite without the flag, naming --force") {
    write_file_atomically(path, "first", false);
    const Error e = error_from([&] { write_file_atomically(path, "second", false); });
    CHECK(e.kind() == ErrorKind::conflict);
    CHECK(contains(e.what(), "--force"));
    CHECK(get(path) == "first");
    CHECK(names_in(dir.path()) == std::set<std::string>{"contoso-lab-root-ca.crl"});
  }
  SECTION("overwrites with the flag, replacing the file rather than writing into it") {
    write_file_atomically(path, "first, and longer", false);
    struct stat before {};
    REQUIRE(::stat(path.c_str(), &before) == 0);
    write_file_atomically(path, "second", true);
    CHECK(get(path) == "second");
    struct stat after {};
    REQUIRE(::stat(path.c_str(), &after) == 0);
    CHECK(after.st_ino != before.st_ino);  // renamed into place: a reader sees old or new, never half
    CHECK(names_in(dir.path()) == std::set<std::string>{"contoso-lab-root-ca.crl"});
  }
  SECTION("overwrite also creates a file that does not exist") {
    write_file_atomically(path, "only", true);
    CHECK(get(path) == "only");
  }
  SECTION("binary content with NULs survives") {
    const std::string bytes("\x30\x82\x00\x00\xff", 5);
    write_file_atomically(path, bytes, false);
    CHECK(get(path) == bytes);
  }
  SECTION("a failed write leaves no temporary file") {
    fs::create_directory(dir / "a-folder");
    CHECK_THROWS_AS(write_file_atomically(dir / "a-folder", "x", true), Error);
    CHECK(error_from([&] { write_file_atomically(dir / "missing" / "x.crl", "x", false); }).kind() ==
          ErrorKind::not_found);
    CHECK(names_in(dir.path()) == std::set<std::string>{"a-folder"});
    CHECK(names_in(dir / "a-folder").empty());
  }
}

TEST_CASE("FileBatch shows its files only when committed", "[files]") {
  TempDir dir;
  const auto visible = [&] {
    std::set<std::string> out;
    for (const auto& name : names_in(dir.path())) {
      if (name[0] != '.') out.insert(name);  // temporary files are hidden dot-files
    }
    return out;
  };

  SECTION("nothing under the final names before commit, everything after, no temporary file left") {
    FileBatch batch;
    batch.add(dir / "a.cer", "A", false);
    batch.add(dir / "a.p7b", std::string("\x30\x00", 2), false);
    CHECK(visible().empty());
    CHECK(batch.size() == 2);
    CHECK(batch.commit().empty());
    CHECK(get(dir / "a.cer") == "A");
    CHECK(get(dir / "a.p7b") == std::string("\x30\x00", 2));
    CHECK(mode_of(dir / "a.cer") == 0644);
    CHECK(names_in(dir.path()) == std::set<std::string>{"a.cer", "a.p7b"});
  }
  SECTION("an existing file is refused at add without --force, replaced with it") {
    put(dir / "b.cer", "old", 0644);
    FileBatch batch;
    CHECK(error_from([&] { batch.add(dir / "b.cer", "new", false); }).kind() == ErrorKind::conflict);
    batch.add(dir / "b.cer", "new", true);
    CHECK(get(dir / "b.cer") == "old");
    CHECK(batch.commit().empty());
    CHECK(get(dir / "b.cer") == "new");
  }
  SECTION("a name that appears before commit is reported, not overwritten; the others go in") {
    FileBatch batch;
    batch.add(dir / "c.cer", "mine", false);
    batch.add(dir / "d.cer", "mine too", false);
    put(dir / "c.cer", "someone else's", 0644);
    const auto failed = batch.commit();
    REQUIRE(failed.size() == 1);
    CHECK(failed.front().first == dir / "c.cer");
    CHECK(get(dir / "c.cer") == "someone else's");
    CHECK(get(dir / "d.cer") == "mine too");
    CHECK(names_in(dir.path()) == std::set<std::string>{"c.cer", "d.cer"});
  }
  SECTION("a batch never committed leaves nothing behind") {
    {
      FileBatch batch;
      batch.add(dir / "e.cer", "E", false);
    }
    CHECK(names_in(dir.path()).empty());
  }
}

TEST_CASE("StagedFiles shows its files only at show(), each written and flushed beforehand", "[files]") {
  TempDir dir;

  SECTION("no name at all before show(), everything after, no temporary file left") {
    StagedFiles staged({{dir / "a.cer", "A", false}, {dir / "a.p7b", std::string("\x30\x00", 2), false, 0600}});
    CHECK(names_in(dir.path()).empty());
    staged.show();
    CHECK(get(dir / "a.cer") == "A");
    CHECK(get(dir / "a.p7b") == std::string("\x30\x00", 2));
    CHECK(mode_of(dir / "a.cer") == 0644);
    CHECK(mode_of(dir / "a.p7b") == 0600);
    CHECK(names_in(dir.path()) == std::set<std::string>{"a.cer", "a.p7b"});
  }
  SECTION("an existing file is replaced with overwrite; without, show() refuses it and puts the other in place") {
    put(dir / "b.cer", "old", 0644);
    put(dir / "c.cer", "someone else's", 0644);
    StagedFiles staged({{dir / "b.cer", "new", true}, {dir / "c.cer", "mine", false}, {dir / "d.cer", "D", false}});
    CHECK_THROWS_AS(staged.show(), Error);
    CHECK(get(dir / "b.cer") == "new");
    CHECK(get(dir / "c.cer") == "someone else's");
    CHECK(get(dir / "d.cer") == "D");
    CHECK(names_in(dir.path()) == std::set<std::string>{"b.cer", "c.cer", "d.cer"});
  }
  SECTION("files never shown leave nothing behind") {
    { StagedFiles staged({{dir / "e.cer", "E", false}, {dir / "e.p7b", "E7", false}}); }
    CHECK(names_in(dir.path()).empty());
  }
  SECTION("a process killed before show() leaves nothing on disk, however far the writing got") {
    // What a `submit` killed between signing and its commit must not leave: a signed certificate
    // the database does not hold. The child stages, waits for the writes, and is killed.
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      StagedFiles staged({{dir / "g.cer", std::string(4096, 'G'), false}, {dir / "g.p7b", "G7", true}});
      ::usleep(200 * 1000);
      ::raise(SIGKILL);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    CHECK(names_in(dir.path()).empty());
  }
  SECTION("a file that cannot be written: show() says so and shows none; nothing is left") {
    {
      StagedFiles staged({{dir / "f.cer", "F", false}, {dir / "missing" / "f.p7b", "F7", false}});
      CHECK_THROWS_AS(staged.show(), Error);
      CHECK_FALSE(fs::exists(dir / "f.cer"));
    }
    CHECK(names_in(dir.path()).empty());
  }
}

TEST_CASE("read_file caps the size before reading", "[files]") {
  TempDir dir;
  const fs::path path = dir / "request.req";
  put(path, std::string(1024, 'A'), 0644);

  CHECK(read_file(path, 1024) == std::string(1024, 'A'));
  CHECK(read_file(path, 65536).size() == 1024);
  const Error e = error_from([&] { (void)read_file(path, 1023); });
  CHECK(e.kind() == ErrorKind::invalid_input);
  CHECK(contains(e.what(), path.string()));

  SECTION("an empty file is empty") {
    put(dir / "empty", "", 0644);
    CHECK(read_file(dir / "empty", 10).empty());
  }
  SECTION("a file of unknown size (a device, a pipe) is cut off while reading") {
    CHECK(error_from([&] { (void)read_file("/dev/zero", 64 * 1024); }).kind() == ErrorKind::invalid_input);
  }
  SECTION("a missing file is not found") {
    CHECK(error_from([&] { (void)read_file(dir / "missing.req", 10); }).kind() == ErrorKind::not_found);
  }
}

TEST_CASE("make_directory makes a folder with exactly the mode asked", "[files]") {
  TempDir dir;
  {
    UmaskGuard guard(022);
    make_directory(dir / "private", 0700);
    make_directory(dir / "public", 0755);
  }
  {
    UmaskGuard guard(077);
    make_directory(dir / "public2", 0755);
  }
  CHECK(fs::is_directory(dir / "private"));
  CHECK(mode_of(dir / "private") == 0700);
  CHECK(mode_of(dir / "public") == 0755);
  CHECK(mode_of(dir / "public2") == 0755);

  SECTION("an existing folder is kept and gets the mode") {
    fs::create_directory(dir / "existing");
    put(dir / "existing" / "file", "kept", 0644);
    fs::permissions(dir / "existing", static_cast<fs::perms>(0777), fs::perm_options::replace);
    make_directory(dir / "existing", 0700);
    CHECK(mode_of(dir / "existing") == 0700);
    CHECK(get(dir / "existing" / "file") == "kept");
  }
  SECTION("a missing parent is not found") {
    CHECK(error_from([&] { make_directory(dir / "a" / "b", 0700); }).kind() == ErrorKind::not_found);
  }
}

TEST_CASE("make_directory refuses a path that is a file", "[files]") {
  // "Creates a folder … (or checks an existing one)": a regular file there is not a folder,
  // and must not be chmod'ed to the folder's mode either.
  TempDir dir;
  const fs::path path = dir / "private";
  put(path, "not a folder", 0644);
  CHECK_THROWS_AS(make_directory(path, 0700), Error);
  CHECK(mode_of(path) == 0644);
}
