#pragma once
// The issuance database behind a narrow interface. Reads go through Store;
// every change goes through a Writer handed out inside one write transaction
// (BEGIN IMMEDIATE): the transaction commits when the callback returns and
// rolls back when it throws, so a caller cannot leave half a change behind.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "records.h"

namespace pocketca::store {

class Writer {
 public:
  virtual ~Writer() = default;

  // The index the next add_ca will get (CAs are never deleted, so never reused).
  virtual int64_t next_ca_index() = 0;
  // Adds a CA; record.index must be next_ca_index(). Throws Error{conflict} on a name/slug clash.
  virtual void add_ca(const CaRecord& record) = 0;
  // Makes `index` the only default CA.
  virtual void set_default_ca(int64_t index) = 0;

  // Adds a request and returns its new ID (record.id is ignored).
  virtual int64_t add_request(const RequestRecord& record) = 0;
  // Records how a request ended (issued, denied, failed) and when.
  virtual void resolve_request(int64_t id, Disposition disposition, const std::string& message, Time at) = 0;

  // Adds an issued certificate. Throws Error{conflict} if (ca_index, serial) exists.
  virtual void add_certificate(const CertificateRecord& record) = 0;

  virtual void add_audit(const AuditEntry& entry) = 0;

  // Marks certificate (ca_index, serial) revoked at `revoked_at` for `reason`, or
  // valid again when `revoked_at` is empty. Throws Error{not_found}.
  virtual void set_revocation(int64_t ca_index, const std::string& serial, std::optional<Time> revoked_at,
                              const std::string& reason) = 0;

  // One more than any CRL number the CA has used (base and delta share the
  // sequence), 1 for its first. Inside the write transaction, so it is never handed out twice.
  virtual int64_t next_crl_number(int64_t ca_index) = 0;
  // Records a published CRL and drops the DER of older CRLs of the same kind.
  // Throws Error{conflict} when its number was used.
  virtual void add_crl(const CrlRecord& record) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Runs `change` inside one write transaction, waiting for concurrent writers
  // up to the busy timeout. Commits durably when `change` returns; rolls back and
  // rethrows when it throws.
  virtual void write(const std::function<void(Writer&)>& change) = 0;

  virtual std::vector<CaRecord> list_cas() = 0;  // in index order
  virtual std::optional<CaRecord> find_ca(int64_t index) = 0;
  virtual std::optional<RequestRecord> find_request(int64_t id) = 0;
  virtual std::optional<CertificateRecord> find_certificate(int64_t ca_index, const std::string& serial) = 0;
  // A serial is unique per CA and mostly random, so across CAs this is at most one row in
  // practice (the newest when not). `serial` is lower-case hex as normalize_serial gives it.
  virtual std::optional<CertificateRecord> find_certificate_by_serial(const std::string& serial) = 0;
  virtual std::optional<CertificateRecord> find_certificate_by_thumbprint(const std::string& sha1_upper_hex) = 0;
  virtual std::optional<CertificateRecord> find_certificate_by_request(int64_t request_id) = 0;
  virtual std::vector<CertificateRecord> list_certificates(const CertificateFilter& filter) = 0;  // newest first
  virtual std::vector<RequestRecord> list_requests(const RequestFilter& filter) = 0;              // newest first
  virtual std::vector<AuditEntry> list_audit(std::optional<Time> since) = 0;  // oldest first

  // Visits the revoked certificates of a CA whose notAfter is not before `still_valid_at`:
  // what its CRL lists (expired ones drop off). In no particular order. A visitor, not a
  // list: a CRL of a million entries then holds each row only as long as it takes to add it.
  virtual void each_revoked(int64_t ca_index, Time still_valid_at,
                            const std::function<void(const RevokedCertificateView&)>& visit) = 0;
  // The CA's newest base (or delta) CRL: its facts, without the DER (`der` is empty).
  virtual std::optional<CrlRecord> latest_crl(int64_t ca_index, bool delta) = 0;
  // The DER of CRL `number` of the CA; kept for the newest base and delta only.
  virtual std::optional<Bytes> crl_der(int64_t ca_index, int64_t number) = 0;
  // The latest thisUpdate of any CRL of the CA, base or delta, without reading any DER.
  virtual std::optional<Time> latest_crl_this_update(int64_t ca_index) = 0;

  // On for a batch: from 16 MB of WAL on, a thread and connection of their own copy it back
  // while the batch goes on writing (store/wal_copier.h); the writer itself checkpoints only
  // past 64 MB instead of 128 pages (each checkpoint copies every page written since the last
  // one and fsyncs the database). Off again stops that thread and checkpoints at once, so that
  // the commands after a batch start on a short WAL (a process's first open reads all of it).
  // Durability is unchanged: every commit is fsynced.
  virtual void set_bulk_writes(bool on) noexcept = 0;
  // Copies the WAL back now, if no reader is on it (otherwise a later commit does). A batch
  // calls it while its last group signs, so that its end copies back only that group.
  virtual void checkpoint() noexcept = 0;

  // The schema version this database is at (PRAGMA user_version).
  virtual int schema_version() = 0;
};

// Opens (creating if needed) a SQLite database at `path` (":memory:" for tests),
// sets WAL, synchronous=FULL, foreign_keys=ON and a busy timeout, and brings the
// schema up to date. Throws Error{storage} when the file is not a pocketca
// database or is newer than this build understands.
[[nodiscard]] std::unique_ptr<Store> open_sqlite_store(const std::string& path);

// The newest schema version this build knows.
[[nodiscard]] int latest_schema_version();

}  // namespace pocketca::store
