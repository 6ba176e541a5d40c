// The list queries behind `pocketca list`. Filters are bound parameters that
// are NULL when unused ("? IS NULL OR …"), so one statement serves every mix
// and no user text is ever spliced into SQL.

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
  // Newest first: the rowid grows with every insert. `expired` is not stored: a
  // valid certificate past its notAfter reads as expired.
  SQLite::Statement q(db, R"sql(
    SELECT * FROM certificates
    WHERE (:status IS NULL
           OR (:status = 'revoked' AND status = 'revoked')
           OR (:status = 'valid' AND status = 'valid' AND not_after >= :now)
           OR (:status = 'expired' AND status = 'valid' AND not_after < :now))
      AND (:template IS NULL OR template_name = :template COLLATE NOCASE)
      AND (:name IS NULL
           OR common_name LIKE :name ESCAPE '!'
           OR EXISTS (SELECT 1 FROM json_each(certificates.sans) WHERE json_each.value LIKE :name ESCAPE '!'))
      AND (:expiring IS NULL OR (status = 'valid' AND not_after >= :now AND not_after < :expiring))
      AND (:requester IS NULL
           OR request_id IN (SELECT id FROM requests WHERE requester = :requester COLLATE NOCASE))
      AND (:ca IS NULL OR ca_index = :ca)
    ORDER BY rowid DESC
    LIMIT :limit)sql");
  bind_text_or_null(q, ":status", f.status.value_or(""));
  q.bind(":now", time_to_text(f.now));
  bind_text_or_null(q, ":template", f.template_name);
  bind_text_or_null(q, ":name", f.name_contains.empty() ? "" : like_pattern(f.name_contains));
  bind_text_or_null(q, ":expiring", f.expiring_before ? time_to_text(*f.expiring_before) : "");
  bind_text_or_null(q, ":requester", f.requester);
  if (f.ca_index) q.bind(":ca", *f.ca_index);  // left unbound it is NULL
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
