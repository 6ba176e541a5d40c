#include "home.h"

#include "error.h"
#include "files.h"

namespace pocketca {

void Home::check_can_create(const fs::path& dir) {
  if (fs::exists(dir / "pocketca.db")) {
    throw Error(ErrorKind::conflict, dir.string() + " is already a CA home (it has pocketca.db); pocketca init "
                                                    "never overwrites one: choose another --home");
  }
  std::error_code ec;
  if (fs::exists(dir) && !fs::is_empty(dir, ec)) {
    throw Error(ErrorKind::conflict, dir.string() + " exists and is not empty; give init a new or empty folder");
  }
}

Home Home::create(const fs::path& dir) {
  check_can_create(dir);
  make_directory(dir, 0755);
  make_directory(dir / "private", 0700);
  make_directory(dir / "public", 0755);
  return Home(dir, store::open_sqlite_store((dir / "pocketca.db").string()));
}

Home Home::open(const fs::path& dir) {
  if (!fs::exists(dir / "pocketca.db")) {
    throw Error(ErrorKind::not_found, "no CA home at " + dir.string() +
                                          ": create one with `pocketca init --name NAME`, or point --home or "
                                          "POCKETCA_HOME at an existing one");
  }
  return Home(dir, store::open_sqlite_store((dir / "pocketca.db").string()));
}

}  // namespace pocketca
