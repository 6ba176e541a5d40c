// The list queries behind `pocketca list`. No user text is ever spliced into SQL:
// values are bound parameters.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "sqlite_store.h"

namespace pocketca::store {
namespace {

void bind_text_or_null(SQLite::Statement& q, const char* name, const std::string& value) {
  if (value.empty()) {
    q.bind(name);
  } else {
    q.bind(name, value);
  }
}

// LIKE with our own escape character, so '%' and '_' in a name match literally.
std::string like_pattern(const std::string& substring) {
  std::string out = "%";
  for (char c : substring) {
    if (c == '%' || c == '_' || c == '!') out += '!';
    out += c;
  }
  return out + "%";
}

}  // namespace

std::vector<CertificateRecord> query_certificates(SQLite::Database& db, const CertificateFilter& f) {
  // Only the conditions of the filters in use, so SQLite can pick an index (a million rows:
  // --expiring-within reads a range of certificates_by_not_after instead of every row). The
  // fragments are fixed text; every value is a bound parameter.
  // `expired` is not stored: a valid certificate past its notAfter reads as expired.
  std::vector<std::string> where;
  if (f.status == "revoked") where.push_back("status = 'revoked'");
  if (f.status == "valid") where.push_back("status = 'valid' AND not_after >= :now");
  if (f.status == "expired") where.push_back("status = 'valid' AND not_after < :now");
  if (f.status && where.empty()) where.push_back("0");  // an unknown status matches nothing
  if (!f.template_name.empty()) where.push_back("template_name = :template COLLATE NOCASE");
  if (!f.name_contains.empty()) {
    where.push_back("(common_name LIKE :name ESCAPE '!'"
                    " OR EXISTS (SELECT 1 FROM json_each(certificates.sans) WHERE json_each.value LIKE :name ESCAPE '!'))");
  }
  if (f.expiring_before) where.push_back("status = 'valid' AND not_after >= :now AND not_after < :expiring");
  if (!f.requester.empty()) {
    where.push_back("request_id IN (SELECT id FROM requests WHERE requester = :requester COLLATE NOCASE)");
  }
  if (f.ca_index) where.push_back("ca_index = :ca");
  std::string sql = "SELECT * FROM certificates";
  for (size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  sql += " ORDER BY rowid DESC LIMIT :limit";  // newest first: the rowid grows with every insert

  SQLite::Statement q(db, sql);
  const auto bind_if_used = [&](const char* name, const std::string& value) {
    if (q.getIndex(name) > 0) q.bind(name, value);
  };
  bind_if_used(":now", time_to_text(f.now));
  bind_if_used(":template", f.template_name);
  if (!f.name_contains.empty()) q.bind(":name", like_pattern(f.name_contains));
  if (f.expiring_before) q.bind(":expiring", time_to_text(*f.expiring_before));
  bind_if_used(":requester", f.requester);
  if (f.ca_index) q.bind(":ca", *f.ca_index);
  q.bind(":limit", f.limit == 0 ? int64_t{-1} : static_cast<int64_t>(f.limit));
  std::vector<CertificateRecord> out;
  while (q.executeStep()) out.push_back(read_certificate(q));
  return out;
}

std::vector<RequestRecord> query_requests(SQLite::Database& db, const RequestFilter& f) {
  SQLite::Statement q(db, R"sql(
    SELECT * FROM requests
    WHERE (:disposition IS NULL OR disposition = :disposition)
      AND (:template IS NULL OR template_name = :template COLLATE NOCASE)
      AND (:name IS NULL OR subject LIKE :name ESCAPE '!')
    ORDER BY id DESC
    LIMIT :limit)sql");
  bind_text_or_null(q, ":disposition", f.disposition ? to_string(*f.disposition) : "");
  bind_text_or_null(q, ":template", f.template_name);
  bind_text_or_null(q, ":name", f.name_contains.empty() ? "" : like_pattern(f.name_contains));
  q.bind(":limit", f.limit == 0 ? int64_t{-1} : static_cast<int64_t>(f.limit));
  std::vector<RequestRecord> out;
  while (q.executeStep()) out.push_back(read_request(q));
  return out;
}

}  // namespace pocketca::store
