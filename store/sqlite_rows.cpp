// Records to rows and back: the one place (with migrations.cpp) that knows
// the columns. Inserts bind by parameter name, reads fetch by column name,
// so a reordered column list cannot shift values into the wrong field.

#include <climits>
#include <initializer_list>
#include <type_traits>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "ca/error.h"
#include "sqlite_store.h"

namespace pocketca::store {
namespace {

// "INSERT INTO t (a, b) VALUES (:a, :b)", so a column and its parameter cannot drift apart.
std::string insert_sql(const char* table, std::initializer_list<const char*> columns) {
  std::string names, params;
  for (const char* column : columns) {
    names += (names.empty() ? "" : ", ") + std::string(column);
    params += (params.empty() ? ":" : ", :") + std::string(column);
  }
  return std::string("INSERT INTO ") + table + " (" + names + ") VALUES (" + params + ")";
}

// in_place: SQLite reads `bytes` where they are, so they must outlive the statement's
// next step; for one-off statements with large blobs.
enum class Bind { copied, in_place };

void bind_blob(SQLite::Statement& q, const char* name, const Bytes& bytes, Bind how = Bind::copied) {
  static const unsigned char kNone = 0;  // a non-null pointer binds an empty blob, not NULL
  if (bytes.size() > INT_MAX) throw Error{ErrorKind::invalid_input, "a blob over 2 GiB cannot be stored"};
  const void* data = bytes.empty() ? &kNone : bytes.data();
  if (how == Bind::in_place) {
    q.bindNoCopy(name, data, static_cast<int>(bytes.size()));
  } else {
    q.bind(name, data, static_cast<int>(bytes.size()));
  }
}

void bind_time(SQLite::Statement& q, const char* name, Time t) { q.bind(name, time_to_text(t)); }

template <typename T>
void bind_optional(SQLite::Statement& q, const char* name, const std::optional<T>& value) {
  if (!value) {
    q.bind(name);  // NULL
  } else if constexpr (std::is_same_v<T, Time>) {
    bind_time(q, name, *value);
  } else {
    q.bind(name, *value);
  }
}

Bytes blob(const SQLite::Column& c) {
  const auto* data = static_cast<const unsigned char*>(c.getBlob());
  return data == nullptr ? Bytes{} : Bytes(data, data + c.getBytes());
}

Time time(const SQLite::Column& c) { return time_from_text(c.getString()); }

std::optional<Time> optional_time(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional<Time>(time(c));
}

std::optional<int64_t> optional_int64(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional<int64_t>(c.getInt64());
}

std::optional<int> optional_int(const SQLite::Column& c) {
  return c.isNull() ? std::nullopt : std::optional<int>(c.getInt());
}

}  // namespace

void insert_ca(StatementCache& statements, const CaRecord& r) {
  static const std::string sql = insert_sql("cas", {"ca_index", "name", "slug", "parent_index", "subject", "serial",
                                             "not_before", "not_after", "key_spec", "key_file", "key_encrypted",
                                             "certificate_der", "sha1_thumbprint", "sha256_fingerprint", "base_url",
                                             "path_len", "is_default", "crl_days", "delta_crl_days",
                                             "ocsp_enabled", "created_at"});
  // Once per command: not cached, so the statement and its bound blob go away after it.
  SQLite::Statement q(statements.database(), sql);
  q.bind(":ca_index", r.index);
  q.bind(":name", r.name);
  q.bind(":slug", r.slug);
  bind_optional(q, ":parent_index", r.parent_index);
  q.bind(":subject", r.subject);
  q.bind(":serial", r.serial);
  bind_time(q, ":not_before", r.not_before);
  bind_time(q, ":not_after", r.not_after);
  q.bind(":key_spec", r.key_spec);
  q.bind(":key_file", r.key_file);
  q.bind(":key_encrypted", r.key_encrypted ? 1 : 0);
  bind_blob(q, ":certificate_der", r.certificate_der);
  q.bind(":sha1_thumbprint", r.sha1_thumbprint);
  q.bind(":sha256_fingerprint", r.sha256_fingerprint);
  q.bind(":base_url", r.base_url);
  bind_optional(q, ":path_len", r.path_len);
  q.bind(":is_default", r.is_default ? 1 : 0);
  q.bind(":crl_days", r.crl_days);
  bind_optional(q, ":delta_crl_days", r.delta_crl_days);
  q.bind(":ocsp_enabled", r.ocsp_enabled ? 1 : 0);
  bind_time(q, ":created_at", r.created_at);
  q.exec();
}

int64_t insert_request(StatementCache& statements, const RequestRecord& r) {
  static const std::string sql = insert_sql("requests", {"ca_index", "submitted_at", "resolved_at", "requester",
                                                  "template_name", "disposition", "disposition_message",
                                                  "request_der", "subject", "attributes_json",
                                                  "submit_attributes"});
  SQLite::Statement& q = statements.prepared(sql);
  bind_optional(q, ":ca_index", r.ca_index);
  bind_time(q, ":submitted_at", r.submitted_at);
  bind_optional(q, ":resolved_at", r.resolved_at);
  q.bind(":requester", r.requester);
  q.bind(":template_name", r.template_name);
  q.bind(":disposition", to_string(r.disposition));
  q.bind(":disposition_message", r.disposition_message);
  bind_blob(q, ":request_der", r.request_der);
  q.bind(":subject", r.subject);
  q.bind(":attributes_json", r.attributes_json);
  q.bind(":submit_attributes", strings_to_json(r.submit_attributes));  // a JSON array of strings, like sans
  q.exec();
  return statements.database().getLastInsertRowid();
}

void insert_certificate(StatementCache& statements, const CertificateRecord& r) {
  static const std::string sql = insert_sql("certificates", {"ca_index", "serial", "request_id", "subject", "common_name",
                                                      "sans", "template_name", "not_before", "not_after",
                                                      "sha1_thumbprint", "sha256_fingerprint", "der", "status",
                                                      "revoked_at", "revocation_reason"});
  SQLite::Statement& q = statements.prepared(sql);
  q.bind(":ca_index", r.ca_index);
  q.bind(":serial", r.serial);
  bind_optional(q, ":request_id", r.request_id == 0 ? std::nullopt : std::optional<int64_t>(r.request_id));
  q.bind(":subject", r.subject);
  q.bind(":common_name", r.common_name);
  q.bind(":sans", strings_to_json(r.sans));
  q.bind(":template_name", r.template_name);
  bind_time(q, ":not_before", r.not_before);
  bind_time(q, ":not_after", r.not_after);
  q.bind(":sha1_thumbprint", r.sha1_thumbprint);
  q.bind(":sha256_fingerprint", r.sha256_fingerprint);
  bind_blob(q, ":der", r.der);
  q.bind(":status", to_string(r.status));
  bind_optional(q, ":revoked_at", r.revoked_at);
  q.bind(":revocation_reason", r.revocation_reason);
  q.exec();
}

void insert_audit(StatementCache& statements, const AuditEntry& e) {
  static const std::string sql = insert_sql("audit", {"at", "actor", "action", "request_id", "serial", "details"});
  SQLite::Statement& q = statements.prepared(sql);
  bind_time(q, ":at", e.at);
  q.bind(":actor", e.actor);
  q.bind(":action", e.action);
  bind_optional(q, ":request_id", e.request_id);
  bind_optional(q, ":serial", e.serial.empty() ? std::nullopt : std::optional<std::string>(e.serial));
  q.bind(":details", e.details);
  q.exec();
}

void insert_crl(StatementCache& statements, const CrlRecord& r) {
  // Once per command: not cached, so neither statement outlives what is bound to it.
  static const std::string sql = insert_sql("crls", {"ca_index", "number", "is_delta", "this_update", "next_update", "entries"});
  SQLite::Statement q(statements.database(), sql);
  q.bind(":ca_index", r.ca_index);
  q.bind(":number", r.number);
  q.bind(":is_delta", r.is_delta ? 1 : 0);
  bind_time(q, ":this_update", r.this_update);
  bind_time(q, ":next_update", r.next_update);
  q.bind(":entries", r.entries);
  q.exec();

  static const std::string der_sql = insert_sql("crl_der", {"ca_index", "number", "der"});
  SQLite::Statement d(statements.database(), der_sql);
  d.bind(":ca_index", r.ca_index);
  d.bind(":number", r.number);
  bind_blob(d, ":der", r.der, Bind::in_place);  // a copy of a million-entry CRL is 48 MB more
  d.exec();
}

std::optional<Bytes> find_crl_der(SQLite::Database& db, int64_t ca_index, int64_t number) {
  SQLite::Statement q(db, "SELECT der FROM crl_der WHERE ca_index = ? AND number = ?");
  q.bind(1, ca_index);
  q.bind(2, number);
  return q.executeStep() ? std::optional(blob(q.getColumn(0))) : std::nullopt;
}

CaRecord read_ca(const SQLite::Statement& q) {
  CaRecord r;
  r.index = q.getColumn("ca_index").getInt64();
  r.name = q.getColumn("name").getString();
  r.slug = q.getColumn("slug").getString();
  r.parent_index = optional_int64(q.getColumn("parent_index"));
  r.subject = q.getColumn("subject").getString();
  r.serial = q.getColumn("serial").getString();
  r.not_before = time(q.getColumn("not_before"));
  r.not_after = time(q.getColumn("not_after"));
  r.key_spec = q.getColumn("key_spec").getString();
  r.key_file = q.getColumn("key_file").getString();
  r.key_encrypted = q.getColumn("key_encrypted").getInt() != 0;
  r.certificate_der = blob(q.getColumn("certificate_der"));
  r.sha1_thumbprint = q.getColumn("sha1_thumbprint").getString();
  r.sha256_fingerprint = q.getColumn("sha256_fingerprint").getString();
  r.base_url = q.getColumn("base_url").getString();
  r.path_len = optional_int(q.getColumn("path_len"));
  r.is_default = q.getColumn("is_default").getInt() != 0;
  r.crl_days = q.getColumn("crl_days").getInt();
  r.delta_crl_days = optional_int(q.getColumn("delta_crl_days"));
  r.ocsp_enabled = q.getColumn("ocsp_enabled").getInt() != 0;
  r.created_at = time(q.getColumn("created_at"));
  return r;
}

RequestRecord read_request(const SQLite::Statement& q) {
  RequestRecord r;
  r.id = q.getColumn("id").getInt64();
  r.ca_index = optional_int64(q.getColumn("ca_index"));
  r.submitted_at = time(q.getColumn("submitted_at"));
  r.resolved_at = optional_time(q.getColumn("resolved_at"));
  r.requester = q.getColumn("requester").getString();
  r.template_name = q.getColumn("template_name").getString();
  r.disposition = disposition_from_string(q.getColumn("disposition").getString());
  r.disposition_message = q.getColumn("disposition_message").getString();
  r.request_der = blob(q.getColumn("request_der"));
  r.subject = q.getColumn("subject").getString();
  r.attributes_json = q.getColumn("attributes_json").getString();
  r.submit_attributes = strings_from_json(q.getColumn("submit_attributes").getString());
  return r;
}

CertificateRecord read_certificate(const SQLite::Statement& q) {
  CertificateRecord r;
  r.ca_index = q.getColumn("ca_index").getInt64();
  r.serial = q.getColumn("serial").getString();
  r.request_id = optional_int64(q.getColumn("request_id")).value_or(0);
  r.subject = q.getColumn("subject").getString();
  r.common_name = q.getColumn("common_name").getString();
  r.sans = strings_from_json(q.getColumn("sans").getString());
  r.template_name = q.getColumn("template_name").getString();
  r.not_before = time(q.getColumn("not_before"));
  r.not_after = time(q.getColumn("not_after"));
  r.sha1_thumbprint = q.getColumn("sha1_thumbprint").getString();
  r.sha256_fingerprint = q.getColumn("sha256_fingerprint").getString();
  r.der = blob(q.getColumn("der"));
  r.status = cert_status_from_string(q.getColumn("status").getString());
  r.revoked_at = optional_time(q.getColumn("revoked_at"));
  r.revocation_reason = q.getColumn("revocation_reason").getString();
  return r;
}

AuditEntry read_audit(const SQLite::Statement& q) {
  AuditEntry e;
  e.id = q.getColumn("id").getInt64();
  e.at = time(q.getColumn("at"));
  e.actor = q.getColumn("actor").getString();
  e.action = q.getColumn("action").getString();
  e.request_id = optional_int64(q.getColumn("request_id"));
  e.serial = q.getColumn("serial").getString();  // NULL reads as ""
  e.details = q.getColumn("details").getString();
  return e;
}

CrlRecord read_crl(const SQLite::Statement& q) {
  CrlRecord r;
  r.ca_index = q.getColumn("ca_index").getInt64();
  r.number = q.getColumn("number").getInt64();
  r.is_delta = q.getColumn("is_delta").getInt() != 0;
  r.this_update = time(q.getColumn("this_update"));
  r.next_update = time(q.getColumn("next_update"));
  r.entries = q.getColumn("entries").getInt64();
  return r;
}

}  // namespace pocketca::store
