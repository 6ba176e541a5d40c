#pragma once
// Private to store/ (and its tests): the text forms values take in the
// database, records to rows and back, and the translation of SQLite failures
// into pocketca::Error. Nothing outside store/ should need this header; use store.h.

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ca/error.h"
#include "records.h"

namespace SQLite {
class Database;
class Exception;
class Statement;
}

namespace pocketca::store {

// Times are stored as ISO 8601 UTC text, "2026-11-23T08:57:24Z": fixed width,
// so text order is time order. Years 0000..9999 only (X.509 cannot say more);
// other times throw Error{invalid_input}. Defined in records.cpp.
[[nodiscard]] std::string time_to_text(Time t);
// The reverse, accepting exactly that form; anything else throws Error{storage}
// (it can only come from a damaged or foreign database).
[[nodiscard]] Time time_from_text(std::string_view text);

// Lists of strings (SANs, --attrib values) are stored as a JSON array,
// '["DNS:a.example","IP:192.0.2.1"]', so any character survives and SQL can search
// them with json_each(). A string that is not valid UTF-8 throws Error{invalid_input}.
// Defined in records.cpp.
[[nodiscard]] std::string strings_to_json(const std::vector<std::string>& strings);
// Throws Error{storage} when the text is not a JSON array of strings.
[[nodiscard]] std::vector<std::string> strings_from_json(const std::string& json);

// `doing` says what was attempted ("adding CA \"Contoso Root\""). Unique and
// primary-key clashes become Error{conflict}; everything else Error{storage}.
[[nodiscard]] Error sqlite_error(const SQLite::Exception& e, const std::string& doing);

// Statements prepared once per connection and reused: a batch writes thousands of rows, and
// parsing the same INSERT each time cost more than executing it. Only for statements that
// run to completion (INSERT, UPDATE): a half-read SELECT left cached would keep its read
// transaction open. Defined in sqlite_store.cpp.
class StatementCache {
 public:
  explicit StatementCache(SQLite::Database& db);
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The statement for `sql`, reset and with no values bound.
  [[nodiscard]] SQLite::Statement& prepared(const std::string& sql);
  [[nodiscard]] SQLite::Database& database() { return db_; }

 private:
  SQLite::Database& db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

// Records to rows and back, defined in sqlite_rows.cpp. The inserts store
// every field as given (record.id of requests and audit entries is ignored;
// insert_request returns the new ID). Two encodings beyond plain values:
// a certificate's request_id 0 (no request) is NULL, an audit serial "" is NULL.
void insert_ca(StatementCache& statements, const CaRecord& record);
[[nodiscard]] int64_t insert_request(StatementCache& statements, const RequestRecord& record);
void insert_certificate(StatementCache& statements, const CertificateRecord& record);
void insert_audit(StatementCache& statements, const AuditEntry& entry);
void insert_crl(StatementCache& statements, const CrlRecord& record);
// Each reads the current row of a "SELECT * FROM <table>" statement.
[[nodiscard]] CaRecord read_ca(const SQLite::Statement& row);
[[nodiscard]] RequestRecord read_request(const SQLite::Statement& row);
[[nodiscard]] CertificateRecord read_certificate(const SQLite::Statement& row);
[[nodiscard]] AuditEntry read_audit(const SQLite::Statement& row);
[[nodiscard]] CrlRecord read_crl(const SQLite::Statement& row);
// The DER insert_crl stored for CRL `number` of the CA, if it is still kept.
[[nodiscard]] std::optional<Bytes> find_crl_der(SQLite::Database& db, int64_t ca_index, int64_t number);

// The list queries, defined in sqlite_queries.cpp.
[[nodiscard]] std::vector<CertificateRecord> query_certificates(SQLite::Database& db, const CertificateFilter& filter);
[[nodiscard]] std::vector<RequestRecord> query_requests(SQLite::Database& db, const RequestFilter& filter);

}  // namespace pocketca::store
