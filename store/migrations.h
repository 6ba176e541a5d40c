#pragma once
// Private to store/: the numbered schema migrations, keyed on PRAGMA user_version.

#include <string>

namespace SQLite {
class Database;
}

namespace pocketca::store {

// Brings the database up to `to_version` (latest_schema_version() but in tests of a
// migration), one transaction per migration, each setting user_version. Throws
// Error{storage} (naming `path`) when the database is newer than this build or is
// some other program's SQLite database.
void migrate(SQLite::Database& db, const std::string& path, int to_version);

}  // namespace pocketca::store
