// The SQLite implementation of Store and Writer. The writes a batch repeats thousands of
// times use statements prepared once (StatementCache); the rest are prepared per call.

#include "store.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>
#include <unistd.h>

#include "ca/error.h"
#include "migrations.h"
#include "sqlite_store.h"
#include "wal_copier.h"

namespace pocketca::store {

StatementCache::StatementCache(SQLite::Database& db) : db_(db) {}
StatementCache::~StatementCache() = default;

SQLite::Statement& StatementCache::prepared(const std::string& sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    found = statements_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
  } else {
    found->second->tryReset();  // not reset(): after a failed run it would throw that failure again
    found->second->clearBindings();
  }
  return *found->second;
}

Error sqlite_error(const SQLite::Exception& e, const std::string& doing) {
  const int code = e.getExtendedErrorCode();
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Error{ErrorKind::conflict, doing + " failed: it clashes with an existing record (" + e.what() + ")"};
  }
  return Error{ErrorKind::storage, doing + " failed: " + e.what()};
}

namespace {

constexpr int kBusyTimeoutMs = 5000;

// Runs `body`, turning a SQLite failure into an Error that says what was being done.
template <typename Body>
auto guarded(const std::string& doing, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    throw sqlite_error(e, doing);
  }
}

// Runs a query whose first parameter is `key` and reads at most one row.
template <typename Record, typename Key>
std::optional<Record> find_one(SQLite::Database& db, const char* sql, const Key& key,
                               Record (*read)(const SQLite::Statement&)) {
  SQLite::Statement q(db, sql);
  q.bind(1, key);
  if (!q.executeStep()) return std::nullopt;
  return read(q);
}

class SqliteWriter final : public Writer {
 public:
  SqliteWriter(SQLite::Database& db, StatementCache& statements) : db_(db), statements_(statements) {}

  int64_t next_ca_index() override {
    return guarded("finding the next CA index", [&] {
      return db_.execAndGet("SELECT coalesce(max(ca_index), 0) + 1 FROM cas").getInt64();
    });
  }

  // A CA added as default becomes the only default.
  void add_ca(const CaRecord& r) override {
    const int64_t next = next_ca_index();
    if (r.index != next) {
      throw Error{ErrorKind::invalid_input, "CA \"" + r.name + "\" has index " + std::to_string(r.index) +
                                                " but the next CA index is " + std::to_string(next)};
    }
    CaRecord row = r;
    row.is_default = false;  // set below, after the other defaults are cleared
    guarded("adding CA \"" + r.name + "\"", [&] { insert_ca(statements_, row); });
    if (r.is_default) set_default_ca(r.index);
  }

  void set_default_ca(int64_t index) override {
    guarded("making CA " + std::to_string(index) + " the default", [&] {
      SQLite::Statement exists(db_, "SELECT 1 FROM cas WHERE ca_index = ?");
      exists.bind(1, index);
      if (!exists.executeStep()) {
        throw Error{ErrorKind::not_found, "there is no CA with index " + std::to_string(index)};
      }
      // Two statements: SQLite checks the one-default index row by row, not per statement.
      db_.exec("UPDATE cas SET is_default = 0 WHERE is_default = 1");
      SQLite::Statement set(db_, "UPDATE cas SET is_default = 1 WHERE ca_index = ?");
      set.bind(1, index);
      set.exec();
    });
  }

  int64_t add_request(const RequestRecord& r) override {
    return guarded("recording a request from \"" + r.requester + "\"", [&] { return insert_request(statements_, r); });
  }

  void resolve_request(int64_t id, Disposition disposition, const std::string& message, Time at) override {
    if (disposition == Disposition::pending) {
      throw Error{ErrorKind::invalid_input, "request " + std::to_string(id) + " cannot be resolved as pending"};
    }
    const int changed = guarded("resolving request " + std::to_string(id), [&] {
      SQLite::Statement& q = statements_.prepared(
          "UPDATE requests SET disposition = :disposition, disposition_message = :message,"
          " resolved_at = :at WHERE id = :id");
      q.bind(":disposition", to_string(disposition));
      q.bind(":message", message);
      q.bind(":at", time_to_text(at));
      q.bind(":id", id);
      return q.exec();
    });
    if (changed == 0) throw Error{ErrorKind::not_found, "there is no request with ID " + std::to_string(id)};
  }

  void add_certificate(const CertificateRecord& r) override {
    guarded("recording certificate " + r.serial + " of CA " + std::to_string(r.ca_index),
            [&] { insert_certificate(statements_, r); });
  }

  void add_audit(const AuditEntry& e) override {
    guarded("writing the audit entry \"" + e.action + "\"", [&] { insert_audit(statements_, e); });
  }

  void set_revocation(int64_t ca_index, const std::string& serial, std::optional<Time> revoked_at,
                      const std::string& reason) override {
    const int changed = guarded("changing the revocation of certificate " + serial, [&] {
      SQLite::Statement q(db_,
                          "UPDATE certificates SET status = :status, revoked_at = :at, revocation_reason = :reason"
                          " WHERE ca_index = :ca AND serial = :serial");
      q.bind(":status", revoked_at ? "revoked" : "valid");
      if (revoked_at) q.bind(":at", time_to_text(*revoked_at));  // left unbound it is NULL
      q.bind(":reason", revoked_at ? reason : "");
      q.bind(":ca", ca_index);
      q.bind(":serial", serial);
      return q.exec();
    });
    if (changed == 0) throw Error{ErrorKind::not_found, "there is no certificate " + serial + " of CA " + std::to_string(ca_index)};
  }

  int64_t next_crl_number(int64_t ca_index) override {
    return guarded("allocating a CRL number", [&] {
      SQLite::Statement q(db_, "SELECT coalesce(max(number), 0) + 1 FROM crls WHERE ca_index = ?");
      q.bind(1, ca_index);
      q.executeStep();
      return q.getColumn(0).getInt64();
    });
  }

  void add_crl(const CrlRecord& r) override {
    guarded("recording CRL " + std::to_string(r.number) + " of CA " + std::to_string(r.ca_index), [&] {
      // Insert first: a rejected CRL (a reused number) must leave the older ones whole.
      insert_crl(statements_, r);
      SQLite::Statement clear(db_,
                              "DELETE FROM crl_der WHERE ca_index = ?1 AND number < ?3 AND number IN"
                              " (SELECT number FROM crls WHERE ca_index = ?1 AND is_delta = ?2)");
      clear.bind(1, r.ca_index);
      clear.bind(2, r.is_delta ? 1 : 0);
      clear.bind(3, r.number);
      clear.exec();
    });
  }

 private:
  SQLite::Database& db_;
  StatementCache& statements_;
};

// Waiting for another writer. SQLite's own busy handler sleeps 1, 2, 5, 10, 15 … 100 ms
// between tries, so a `submit --batch --jobs 2` worker waiting for the other's group commit
// (a few ms) overslept by up to 10 ms each time: two jobs ran at 1.3× one. This one looks
// again every 0.2 ms and gives up after about the same kBusyTimeoutMs.
int wait_for_other_writer(void*, int tries_so_far) {
  constexpr int poll_us = 200;
  if (static_cast<int64_t>(tries_so_far) * poll_us >= int64_t{kBusyTimeoutMs} * 1000) return 0;
  ::usleep(poll_us);
  return 1;
}

constexpr int kWalPagesBeforeCheckpoint = 128;
// In a batch (Store::set_bulk_writes) the WAL is copied back by a WalCopier from 16 MB on,
// and by the writer itself only past 64 MB, when the copier has left it little to copy. A
// group of 256 certificates dirties 100–300 pages in a small database and ~800 in one of a
// million (random serial and thumbprint keys land on a page each): a checkpoint after every
// group copied them all again and fsynced the database, ~10% of a one-job batch, and in a
// large database the recording thread spent a fifth of its time copying.
constexpr int kWalPagesBeforeCopyInBulk = 4096;
constexpr int kWalPagesBeforeCheckpointInBulk = 16384;

// What a commit does about the WAL's length, read by the WAL hook.
struct WalLimits {
  int checkpoint_at = kWalPagesBeforeCheckpoint;  // the writer copies back and truncates
  WalCopier* copier = nullptr;                    // in a batch: asked from kWalPagesBeforeCopyInBulk on
};

// Copies the WAL back and truncates it, without waiting: if a reader is still on the WAL,
// a later commit tries again.
void checkpoint_now(sqlite3* db, const char* schema) {
  sqlite3_busy_handler(db, nullptr, nullptr);
  sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  sqlite3_busy_handler(db, &wait_for_other_writer, nullptr);
}

// The WAL hook, after every commit: `limits` is the connection's WalLimits.
int keep_wal_short(void* limits, sqlite3* db, const char* schema, int pages) {
  const auto& wal = *static_cast<const WalLimits*>(limits);
  if (pages >= wal.checkpoint_at) {
    checkpoint_now(db, schema);
  } else if (wal.copier != nullptr && pages >= kWalPagesBeforeCopyInBulk) {
    wal.copier->request();
  }
  return SQLITE_OK;
}

// WAL + synchronous=FULL: a commit is durable when it returns (design.md, Durability rules).
// `wal_limits` is where the WAL hook finds what to do about the WAL's length.
void configure(SQLite::Database& db, const std::string& path, WalLimits* wal_limits) {
  if (!path.empty() && path != ":memory:") {
    const std::string mode = db.execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") {
      throw Error{ErrorKind::storage, path + ": cannot switch the database to WAL (journal mode stays " + mode + ")"};
    }
  }
  db.exec("PRAGMA synchronous = FULL");
  // Every command is a short process: a checkpoint when it closes the last connection would
  // cost fsyncs of the WAL and the database on each run. But without it, the WAL is never reset:
  // the first connection of each process rebuilds the WAL index (the -shm) by reading every
  // frame, and a rebuilt index has forgotten what was already copied back, so the WAL grew with
  // every command and so did each start (1,500 reads by a few hundred commands). Instead a commit
  // that leaves the WAL over 128 pages copies it back and truncates it (one fsync every few
  // commands; in a batch, see WalLimits). Durability is the commit's fsync, not the checkpoint's.
  sqlite3_busy_handler(db.getHandle(), &wait_for_other_writer, nullptr);
  sqlite3_db_config(db.getHandle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  sqlite3_wal_hook(db.getHandle(), &keep_wal_short, wal_limits);
  db.exec("PRAGMA foreign_keys = ON");
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path)
      : path_(path), db_(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs) {
    configure(db_, path, &wal_limits_);
    migrate(db_, path, latest_schema_version());
  }

  ~SqliteStore() override { stop_copier(); }
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  void set_bulk_writes(bool on) noexcept override {
    if (on) {
      wal_limits_.checkpoint_at = kWalPagesBeforeCheckpointInBulk;
      start_copier();
    } else {
      stop_copier();
      wal_limits_.checkpoint_at = kWalPagesBeforeCheckpoint;
      checkpoint();
    }
  }

  void checkpoint() noexcept override { checkpoint_now(db_.getHandle(), nullptr); }

  void write(const std::function<void(Writer&)>& change) override {
    std::optional<SQLite::Transaction> transaction;  // rolls back unless committed
    guarded("starting a write transaction",
            [&] { transaction.emplace(db_, SQLite::TransactionBehavior::IMMEDIATE); });
    SqliteWriter writer(db_, statements_);
    change(writer);
    guarded("committing a write transaction", [&] { transaction->commit(); });
  }

  std::vector<CaRecord> list_cas() override {
    return guarded("listing CAs", [&] {
      SQLite::Statement q(db_, "SELECT * FROM cas ORDER BY ca_index");
      std::vector<CaRecord> cas;
      while (q.executeStep()) cas.push_back(read_ca(q));
      return cas;
    });
  }

  std::optional<CaRecord> find_ca(int64_t index) override {
    return guarded("looking up CA " + std::to_string(index),
                   [&] { return find_one(db_, "SELECT * FROM cas WHERE ca_index = ?", index, read_ca); });
  }

  std::optional<RequestRecord> find_request(int64_t id) override {
    return guarded("looking up request " + std::to_string(id),
                   [&] { return find_one(db_, "SELECT * FROM requests WHERE id = ?", id, read_request); });
  }

  std::optional<CertificateRecord> find_certificate(int64_t ca_index, const std::string& serial) override {
    return guarded("looking up certificate " + serial + " of CA " + std::to_string(ca_index), [&] {
      SQLite::Statement q(db_, "SELECT * FROM certificates WHERE ca_index = ? AND serial = ?");
      q.bind(1, ca_index);
      q.bind(2, serial);
      return q.executeStep() ? std::optional(read_certificate(q)) : std::nullopt;
    });
  }

  std::optional<CertificateRecord> find_certificate_by_serial(const std::string& serial) override {
    return guarded("looking up certificate " + serial, [&] {
      // Through UNIQUE (ca_index, serial), one seek per CA: an index on serial alone cost every insert.
      return find_one(db_,
                      "SELECT * FROM certificates WHERE ca_index IN (SELECT ca_index FROM cas) AND serial = ?"
                      " ORDER BY rowid DESC LIMIT 1",
                      serial,
                      read_certificate);
    });
  }

  std::optional<CertificateRecord> find_certificate_by_thumbprint(const std::string& sha1) override {
    return guarded("looking up certificate with thumbprint " + sha1, [&] {
      return find_one(db_, "SELECT * FROM certificates WHERE sha1_thumbprint = ?", sha1, read_certificate);
    });
  }

  std::optional<CertificateRecord> find_certificate_by_request(int64_t request_id) override {
    return guarded("looking up the certificate of request " + std::to_string(request_id), [&] {
      return find_one(db_, "SELECT * FROM certificates WHERE request_id = ?", request_id, read_certificate);
    });
  }

  std::vector<CertificateRecord> list_certificates(const CertificateFilter& filter) override {
    return guarded("listing certificates", [&] { return query_certificates(db_, filter); });
  }

  std::vector<RequestRecord> list_requests(const RequestFilter& filter) override {
    return guarded("listing requests", [&] { return query_requests(db_, filter); });
  }

  // `since` is inclusive; entries come oldest first, ties in order of writing.
  std::vector<AuditEntry> list_audit(std::optional<Time> since) override {
    return guarded("reading the audit log", [&] {
      SQLite::Statement q(db_, "SELECT * FROM audit WHERE :since IS NULL OR at >= :since ORDER BY at, id");
      if (since) q.bind(":since", time_to_text(*since));  // left unbound it is NULL
      std::vector<AuditEntry> entries;
      while (q.executeStep()) entries.push_back(read_audit(q));
      return entries;
    });
  }

  void each_revoked(int64_t ca_index, Time still_valid_at,
                    const std::function<void(const RevokedCertificateView&)>& visit) override {
    guarded("listing the revoked certificates of CA " + std::to_string(ca_index), [&] {
      // Served by the partial index certificates_revoked alone (it covers every column here).
      SQLite::Statement q(db_,
                          "SELECT serial, revoked_at, revocation_reason FROM certificates"
                          " WHERE status = 'revoked' AND ca_index = ? AND not_after >= ?");
      q.bind(1, ca_index);
      q.bind(2, time_to_text(still_valid_at));
      const auto text = [&q](int column) {
        const SQLite::Column c = q.getColumn(column);
        return std::string_view(c.getText(), static_cast<size_t>(c.getBytes()));
      };
      while (q.executeStep()) visit({text(0), time_from_text(text(1)), text(2)});
    });
  }

  std::optional<CrlRecord> latest_crl(int64_t ca_index, bool delta) override {
    return guarded("looking up the newest CRL of CA " + std::to_string(ca_index), [&] {
      SQLite::Statement q(db_, "SELECT * FROM crls WHERE ca_index = ? AND is_delta = ? ORDER BY number DESC LIMIT 1");
      q.bind(1, ca_index);
      q.bind(2, delta ? 1 : 0);
      return q.executeStep() ? std::optional(read_crl(q)) : std::nullopt;
    });
  }

  std::optional<Bytes> crl_der(int64_t ca_index, int64_t number) override {
    return guarded("reading CRL " + std::to_string(number) + " of CA " + std::to_string(ca_index), [&] {
      return find_crl_der(db_, ca_index, number);
    });
  }

  std::optional<Time> latest_crl_this_update(int64_t ca_index) override {
    return guarded("looking up the newest CRL time of CA " + std::to_string(ca_index), [&] {
      SQLite::Statement q(db_, "SELECT max(this_update) FROM crls WHERE ca_index = ?");
      q.bind(1, ca_index);
      q.executeStep();
      return q.getColumn(0).isNull() ? std::nullopt : std::optional(time_from_text(q.getColumn(0).getString()));
    });
  }

  int schema_version() override {
    return guarded("reading the schema version", [&] { return db_.execAndGet("PRAGMA user_version").getInt(); });
  }

 private:
  // Without a copier (an in-memory database, or one it cannot open), the writer copies back.
  void start_copier() noexcept {
    if (copier_ || path_.empty() || path_ == ":memory:") return;
    try {
      copier_ = std::make_unique<WalCopier>(path_);
    } catch (const std::exception&) {
      return;
    }
    wal_limits_.copier = copier_.get();
  }

  void stop_copier() noexcept {
    wal_limits_.copier = nullptr;
    copier_.reset();
  }

  std::string path_;
  WalLimits wal_limits_;  // before db_: the WAL hook reads it
  SQLite::Database db_;
  std::unique_ptr<WalCopier> copier_;  // after db_, and stopped by the destructor before it closes
  StatementCache statements_{db_};  // declared after db_: finalized before the connection closes
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  try {
    return std::make_unique<SqliteStore>(path);
  } catch (const SQLite::Exception& e) {
    if ((e.getErrorCode() & 0xff) == SQLITE_NOTADB) {
      throw Error{ErrorKind::storage, path + " is not a SQLite database (" + e.what() + ")"};
    }
    throw sqlite_error(e, "opening the database " + path);
  }
}

}  // namespace pocketca::store
