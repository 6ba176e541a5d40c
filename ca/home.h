#pragma once
// A CA home: one folder holding one CA hierarchy, and the paths inside it.
//   pocketca.db   the issuance database
//   private/      0700, CA keys (0600 each)
//   public/       what may be published: <ca>.crt, <ca>.crl, bundles
//   templates/    optional custom templates

#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"

namespace pocketca {

namespace fs = std::filesystem;

class Home {
 public:
  // Makes a new home at `dir`. Refuses (Error{conflict}) a folder that is
  // already a home or holds anything else; an empty folder is fine.
  [[nodiscard]] static Home create(const fs::path& dir);
  // The refusals of create(), without creating anything: callers that clean up
  // after a failed create must run this first, so they never clean up a folder
  // that was not theirs.
  static void check_can_create(const fs::path& dir);
  // Opens an existing home; Error{not_found} saying how to make one if there is none.
  [[nodiscard]] static Home open(const fs::path& dir);

  [[nodiscard]] const fs::path& dir() const { return dir_; }
  [[nodiscard]] fs::path private_dir() const { return dir_ / "private"; }
  [[nodiscard]] fs::path public_dir() const { return dir_ / "public"; }
  [[nodiscard]] fs::path templates_dir() const { return dir_ / "templates"; }
  [[nodiscard]] fs::path database_path() const { return dir_ / "pocketca.db"; }
  // Relative to dir(), as the store records it.
  [[nodiscard]] static std::string key_file_name(const std::string& slug) { return "private/" + slug + ".key"; }
  [[nodiscard]] fs::path certificate_path(const std::string& slug) const { return public_dir() / (slug + ".crt"); }
  [[nodiscard]] fs::path crl_path(const std::string& slug) const { return public_dir() / (slug + ".crl"); }

  [[nodiscard]] store::Store& store() { return *store_; }

 private:
  Home(fs::path dir, std::unique_ptr<store::Store> store) : dir_(std::move(dir)), store_(std::move(store)) {}
  fs::path dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace pocketca
