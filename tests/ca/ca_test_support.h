#pragma once
// Shared by the engine tests: a temporary folder, a umask guard, fixed times,
// keys generated once per process, and a way to catch an Error and look at it.

#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include <catch2/catch.hpp>
#include <openssl/crypto.h>

#include "ca/bytes.h"
#include "ca/error.h"
#include "ca/key.h"
#include "ca/time.h"

namespace pocketca::ca_testing {

// A fresh folder under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pocketca-ca-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    // Tests chmod files and folders; make sure everything can be removed.
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, std::filesystem::perm_options::add, ignored);
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Sets the process umask for one scope and restores the old one.
class UmaskGuard {
 public:
  explicit UmaskGuard(mode_t mask) : old_(::umask(mask)) {}
  ~UmaskGuard() { ::umask(old_); }
  UmaskGuard(const UmaskGuard&) = delete;
  UmaskGuard& operator=(const UmaskGuard&) = delete;

 private:
  mode_t old_;
};

// The permission bits of a file or folder, e.g. 0600.
inline unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + path.string());
  return static_cast<unsigned>(st.st_mode & 07777);
}

// 2026-11-23T08:57:24Z plus `offset`.
inline Time sample_time(std::chrono::seconds offset = std::chrono::seconds{0}) {
  using namespace std::chrono;
  return sys_days{year{2026} / 11 / 23} + hours{8} + minutes{57} + seconds{24} + offset;
}

inline Time utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

// One key per spec for the whole process: key generation is the slow part of these tests.
inline const PrivateKey& shared_key(const std::string& spec) {
  static std::map<std::string, PrivateKey> keys;
  auto it = keys.find(spec);
  if (it == keys.end()) it = keys.emplace(spec, PrivateKey::generate(KeySpec::parse(spec))).first;
  return it->second;
}

// Runs `f`, which must throw pocketca::Error, and returns that error.
template <typename F>
Error error_from(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected a pocketca::Error, but nothing was thrown");
  throw std::logic_error("unreachable");
}

// The kind of the pocketca::Error `f` throws; empty when it throws nothing. Unlike
// error_from, a row that does not throw fails one CHECK and the loop goes on.
template <typename F>
std::optional<ErrorKind> kind_thrown(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  return std::nullopt;
}

// What an OpenSSL i2d_* function writes for `value`, as Bytes: der_with(i2d_X509_NAME, name).
template <typename I2d, typename Value>
Bytes der_with(I2d i2d, Value value) {
  unsigned char* der = nullptr;
  const int len = i2d(value, &der);
  REQUIRE(len > 0);
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace pocketca::ca_testing
