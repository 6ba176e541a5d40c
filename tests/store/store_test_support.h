#pragma once
// Shared by the store tests: a temporary folder, a store on ":memory:" or on
// a file, sample records, and a way to catch an Error and look at it.

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include <catch2/catch.hpp>

#include "ca/error.h"
#include "store/store.h"

namespace pocketca::store::testing {

// A fresh folder under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "pocketca-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The store under test, on ":memory:" or on a file in a temporary folder.
struct TestStore {
  explicit TestStore(bool on_file) {
    if (on_file) dir.emplace();
    path = on_file ? dir->file("pocketca.db") : ":memory:";
    store = open_sqlite_store(path);
  }
  std::optional<TempDir> dir;
  std::string path;
  std::unique_ptr<Store> store;
};

// 2026-11-23T08:57:24Z plus `offset`.
inline Time sample_time(std::chrono::seconds offset = std::chrono::seconds{0}) {
  using namespace std::chrono;
  return sys_days{year{2026} / 11 / 23} + hours{8} + minutes{57} + seconds{24} + offset;
}

// A root CA with every optional field empty; callers change what they test.
inline CaRecord sample_ca(int64_t index, const std::string& name, const std::string& slug) {
  CaRecord ca;
  ca.index = index;
  ca.name = name;
  ca.slug = slug;
  ca.subject = "CN=" + name + ",O=Contoso Lab";
  ca.serial = "1a2b3c" + std::to_string(index);
  ca.not_before = sample_time();
  ca.not_after = sample_time(std::chrono::hours{24 * 3650});
  ca.key_spec = "rsa:4096";
  ca.key_file = "private/" + slug + ".key";
  ca.certificate_der = {0x30, 0x82, 0x01, 0x0a, static_cast<unsigned char>(index)};
  ca.sha1_thumbprint = "A94A8FE5CCB19BA61C4C0873D391E987982FBBD" + std::to_string(index);
  ca.sha256_fingerprint = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0" + std::to_string(index);
  ca.created_at = sample_time(std::chrono::seconds{5});
  return ca;
}

inline RequestRecord sample_request(std::optional<int64_t> ca_index) {
  RequestRecord request;
  request.ca_index = ca_index;
  request.submitted_at = sample_time(std::chrono::minutes{10});
  request.requester = "CONTOSO\\exadmin";
  request.template_name = "WebServer";
  request.request_der = {0x30, 0x82, 0x02, 0x9e, 0x00, 0xff};
  request.subject = "CN=mail.contoso.com,O=Contoso";
  request.attributes_json = R"({"CertificateTemplate":"WebServer"})";
  return request;
}

// A request of ~200 database pages: over the usual 128-page WAL limit, and a few of them make a
// long WAL in bulk mode.
inline RequestRecord large_request() {
  RequestRecord large = sample_request(1);
  large.request_der.assign(200 * 4096, 0x30);
  return large;
}

// A valid certificate; its thumbprint derives from the serial, so it is unique per serial.
inline CertificateRecord sample_certificate(int64_t ca_index, const std::string& serial, int64_t request_id) {
  CertificateRecord cert;
  cert.ca_index = ca_index;
  cert.serial = serial;
  cert.request_id = request_id;
  cert.subject = "CN=mail.contoso.com,O=Contoso";
  cert.common_name = "mail.contoso.com";
  cert.sans = {"DNS:mail.contoso.com", "DNS:autodiscover.contoso.com", "IP:192.0.2.10"};
  cert.template_name = "WebServer";
  cert.not_before = sample_time(std::chrono::minutes{10});
  cert.not_after = sample_time(std::chrono::hours{24 * 397});
  cert.sha1_thumbprint = "D1CE" + std::to_string(ca_index) + "-" + serial;
  cert.sha256_fingerprint = "ab" + serial;
  cert.der = {0x30, 0x82, 0x05, 0x00, 0x7f};
  return cert;
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

// A revoked certificate as Store::each_revoked shows it, copied out of the visit.
struct RevokedCertificate {
  std::string serial;
  Time revoked_at{};
  std::string reason;
};

// Store::each_revoked collected, for checking.
inline std::vector<RevokedCertificate> list_revoked(Store& store, int64_t ca_index, Time still_valid_at) {
  std::vector<RevokedCertificate> out;
  store.each_revoked(ca_index, still_valid_at, [&out](const RevokedCertificateView& r) {
    out.push_back({std::string(r.serial), r.revoked_at, std::string(r.reason)});
  });
  return out;
}

}  // namespace pocketca::store::testing
