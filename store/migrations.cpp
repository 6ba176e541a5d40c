// The schema, as a numbered list of migrations. Migration N takes a database
// from user_version N-1 to N in one transaction. Never edit a migration that
// has shipped: add the next one.
//
// Conventions of every table:
//  - columns are named after the record fields they hold (records.h);
//    the CA index is `ca_index` everywhere because INDEX is an SQL keyword;
//  - times are ISO 8601 UTC text "2026-11-23T08:57:24Z" (sorts as time);
//  - booleans are INTEGER 0/1; absent optional values are NULL;
//  - tables are STRICT (SQLite >= 3.37), so a wrongly typed value fails
//    instead of being silently converted.

#include "migrations.h"

#include <iterator>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Transaction.h>

#include "ca/error.h"
#include "sqlite_store.h"
#include "store.h"

namespace pocketca::store {
namespace {

// PRAGMA application_id of a pocketca database: "pkca" in ASCII.
constexpr int kApplicationId = 0x706b6361;

constexpr const char* kInitialSchema = R"sql(
CREATE TABLE cas (
  ca_index           INTEGER PRIMARY KEY,               -- 1-based in creation order, never reused; goes into serials
  name               TEXT NOT NULL UNIQUE COLLATE NOCASE, -- "Contoso Lab Issuing CA"
  slug               TEXT NOT NULL UNIQUE,              -- "contoso-lab-issuing-ca": names its files
  parent_index       INTEGER REFERENCES cas(ca_index),  -- the issuing CA; NULL for a self-signed root
  subject            TEXT NOT NULL,                     -- RFC 4514
  serial             TEXT NOT NULL                      -- lower-case hex of its own certificate
                     CHECK (serial <> '' AND serial NOT GLOB '*[^0-9a-f]*'),
  not_before         TEXT NOT NULL,                     -- validity of its certificate
  not_after          TEXT NOT NULL,
  key_spec           TEXT NOT NULL,                     -- "rsa:4096", "ec:p256"
  key_file           TEXT NOT NULL,                     -- relative to the home: "private/<slug>.key"
  key_encrypted      INTEGER NOT NULL CHECK (key_encrypted IN (0, 1)),  -- 0 only for --no-passphrase homes
  certificate_der    BLOB NOT NULL,                     -- its certificate
  sha1_thumbprint    TEXT NOT NULL,                     -- upper-case hex
  sha256_fingerprint TEXT NOT NULL,                     -- lower-case hex
  base_url           TEXT NOT NULL,                     -- CDP/AIA base; '' when it publishes none
  path_len           INTEGER CHECK (path_len >= 0),     -- basicConstraints pathLen; NULL = unlimited
  is_default         INTEGER NOT NULL CHECK (is_default IN (0, 1)),  -- issuer when --ca is absent
  crl_days           INTEGER NOT NULL CHECK (crl_days > 0),          -- lifetime of a base CRL
  delta_crl_days     INTEGER CHECK (delta_crl_days > 0),             -- NULL: no delta CRLs
  ocsp_enabled       INTEGER NOT NULL CHECK (ocsp_enabled IN (0, 1)),-- AIA carries an OCSP URL
  created_at         TEXT NOT NULL
) STRICT;
-- At most one default CA, enforced by the database itself.
CREATE UNIQUE INDEX cas_one_default ON cas(is_default) WHERE is_default = 1;

CREATE TABLE requests (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT, -- request ID; AUTOINCREMENT: never reused
  ca_index            INTEGER REFERENCES cas(ca_index),  -- the CA asked to sign it; NULL if none chosen
  submitted_at        TEXT NOT NULL,
  resolved_at         TEXT,                              -- when issued/denied/failed; NULL while pending
  requester           TEXT NOT NULL,                     -- OS user or --requester
  template_name       TEXT NOT NULL,                     -- '' when none could be chosen
  disposition         TEXT NOT NULL
                      CHECK (disposition IN ('pending', 'issued', 'denied', 'failed')),
  disposition_message TEXT NOT NULL,                     -- reason for denied/failed, notes otherwise
  request_der         BLOB NOT NULL,                     -- the PKCS#10 exactly as submitted
  subject             TEXT NOT NULL,                     -- RFC 4514, as requested
  attributes_json     TEXT NOT NULL                      -- decoded Windows request attributes, '{}' when none
) STRICT;
CREATE INDEX requests_by_disposition ON requests(disposition);

CREATE TABLE certificates (
  ca_index           INTEGER NOT NULL REFERENCES cas(ca_index),  -- the issuer
  serial             TEXT NOT NULL                                -- lower-case hex, no separators
                     CHECK (serial <> '' AND serial NOT GLOB '*[^0-9a-f]*'),
  request_id         INTEGER UNIQUE REFERENCES requests(id),      -- NULL when no request (record's 0)
  subject            TEXT NOT NULL,                               -- RFC 4514
  common_name        TEXT NOT NULL COLLATE NOCASE,                -- host names compare case-insensitively
  sans               TEXT NOT NULL CHECK (json_valid(sans)),      -- JSON array: ["DNS:mail.contoso.com"]
  template_name      TEXT NOT NULL,
  not_before         TEXT NOT NULL,
  not_after          TEXT NOT NULL,
  sha1_thumbprint    TEXT NOT NULL UNIQUE,                        -- upper-case hex
  sha256_fingerprint TEXT NOT NULL,                               -- lower-case hex
  der                BLOB NOT NULL,                               -- the certificate
  status             TEXT NOT NULL CHECK (status IN ('valid', 'revoked')),  -- expiry is derived
  revoked_at         TEXT,                                        -- NULL unless revoked
  revocation_reason  TEXT NOT NULL,                               -- RFC 5280 name; '' unless revoked
  UNIQUE (ca_index, serial),
  CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
) STRICT;
CREATE INDEX certificates_by_not_after ON certificates(not_after);
CREATE INDEX certificates_by_common_name ON certificates(common_name);

CREATE TABLE crls (
  ca_index    INTEGER NOT NULL REFERENCES cas(ca_index),  -- the signer
  number      INTEGER NOT NULL CHECK (number >= 0),       -- cRLNumber; base and delta share the sequence
  is_delta    INTEGER NOT NULL CHECK (is_delta IN (0, 1)),
  this_update TEXT NOT NULL,
  next_update TEXT NOT NULL,
  der         BLOB NOT NULL,                              -- the signed CRL
  UNIQUE (ca_index, number)
) STRICT;

CREATE TABLE audit (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,  -- order of writing
  at         TEXT NOT NULL,                      -- when it happened
  actor      TEXT NOT NULL,                      -- OS user or --requester
  action     TEXT NOT NULL,                      -- "ca-created", "submitted", "issued", ...
  request_id INTEGER REFERENCES requests(id),    -- NULL when no request applies
  serial     TEXT,                               -- NULL when no certificate applies
  details    TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_at ON audit(at);
)sql";

// `show SERIAL` looks a serial up without knowing its CA; UNIQUE(ca_index, serial)
// cannot serve that, so index the serial alone.
constexpr const char* kSerialIndex = R"sql(
CREATE INDEX certificates_by_serial ON certificates(serial);
)sql";

// approve re-runs every check with the --attrib values of the submission, so keep them.
constexpr const char* kSubmitAttributes = R"sql(
ALTER TABLE requests ADD COLUMN submit_attributes TEXT NOT NULL DEFAULT '[]'
  CHECK (json_valid(submit_attributes));  -- JSON array of the --attrib "Name:Value" strings
)sql";

// CRLs: the revoked certificates of one CA, still within validity, read without
// scanning the table; and how many entries each published CRL had. Only the newest
// base and delta CRL keep their DER (a CRL of a million entries is tens of MB).
constexpr const char* kRevocation = R"sql(
CREATE INDEX certificates_revoked ON certificates(ca_index, not_after) WHERE status = 'revoked';
ALTER TABLE crls ADD COLUMN entries INTEGER NOT NULL DEFAULT 0 CHECK (entries >= 0);  -- revoked entries listed
CREATE INDEX requests_by_requester ON requests(requester COLLATE NOCASE);
)sql";

// 5: the revoked-certificates index also carries what a CRL lists, so `crl` reads the index
// alone; fetching each row from the table was 1.9 s of a million-entry CRL (random page reads).
constexpr const char* kCoveringRevokedIndex = R"sql(
DROP INDEX certificates_revoked;
CREATE INDEX certificates_revoked ON certificates(ca_index, not_after, serial, revoked_at, revocation_reason, status)
  WHERE status = 'revoked';
)sql";

// 6: the signed CRLs in a table of their own. In the crls row, a million-entry CRL's 48 MB
// sat in front of `entries`, so reading a CRL's facts (`ca list`, `ca show`) walked 12 000
// overflow pages; now those rows are a few dozen bytes. DER is kept for the newest base
// and delta of each CA, as before.
constexpr const char* kCrlDerTable = R"sql(
CREATE TABLE crl_der (
  ca_index INTEGER NOT NULL,
  number   INTEGER NOT NULL,
  der      BLOB NOT NULL,  -- the signed CRL as published
  UNIQUE (ca_index, number),
  FOREIGN KEY (ca_index, number) REFERENCES crls(ca_index, number)
) STRICT;
INSERT INTO crl_der (ca_index, number, der) SELECT ca_index, number, der FROM crls WHERE length(der) > 0;
ALTER TABLE crls DROP COLUMN der;
)sql";

// 7: fewer indexes to update per certificate (a batch's cost is mostly index pages: each
// random key dirties a page of its own). `list --name` matches substrings (LIKE '%…%'),
// which no index serves; a lookup by serial alone uses the UNIQUE (ca_index, serial) index,
// one seek per CA (find_certificate_by_serial).
constexpr const char* kFewerIndexes = R"sql(
DROP INDEX certificates_by_common_name;
DROP INDEX certificates_by_serial;
)sql";

struct Migration {
  const char* what;  // for error messages
  const char* sql;
};

// Index i holds migration i+1.
constexpr Migration kMigrations[] = {
    {"create the initial schema", kInitialSchema},
    {"index certificates by serial", kSerialIndex},
    {"keep the --attrib values of a request", kSubmitAttributes},
    {"index revoked certificates and count CRL entries", kRevocation},
    {"cover the CRL's columns in the revoked-certificates index", kCoveringRevokedIndex},
    {"keep the signed CRLs in a table of their own", kCrlDerTable},
    {"drop the indexes no query needs", kFewerIndexes},
};

int pragma_int(SQLite::Database& db, const char* pragma) {
  return db.execAndGet(std::string("PRAGMA ") + pragma).getInt();
}

// Refuses databases this build must not touch.
void check_version(SQLite::Database& db, const std::string& path, int version) {
  if (version > latest_schema_version()) {
    throw Error{ErrorKind::storage, path + ": database schema version " + std::to_string(version) +
                                        " is newer than this pocketca understands (" +
                                        std::to_string(latest_schema_version()) + ")"};
  }
  // Version 0 is a new, empty database; one with tables in it belongs to someone else.
  const bool foreign = version == 0 ? db.execAndGet("SELECT count(*) FROM sqlite_master").getInt() != 0
                                    : pragma_int(db, "application_id") != kApplicationId;
  if (foreign) {
    throw Error{ErrorKind::storage, path + " is a SQLite database of some other program, not a pocketca database"};
  }
}

void apply(SQLite::Database& db, const std::string& path, int to_version) {
  const Migration& m = kMigrations[to_version - 1];
  try {
    db.exec(m.sql);
    db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    db.exec("PRAGMA user_version = " + std::to_string(to_version));
  } catch (const SQLite::Exception& e) {
    throw sqlite_error(e, "upgrading " + path + " to schema version " + std::to_string(to_version) + " (" +
                              m.what + ")");
  }
}

}  // namespace

int latest_schema_version() { return static_cast<int>(std::size(kMigrations)); }

void migrate(SQLite::Database& db, const std::string& path, int to_version) {
  check_version(db, path, pragma_int(db, "user_version"));
  while (pragma_int(db, "user_version") < to_version) {
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Read again under the write lock: another process may have migrated meanwhile.
    const int version = pragma_int(db, "user_version");
    check_version(db, path, version);
    if (version >= to_version) break;  // the destructor ends the empty transaction
    apply(db, path, version + 1);
    transaction.commit();
  }
}

}  // namespace pocketca::store
