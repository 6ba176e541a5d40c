#pragma once
// Issuance, as one fixed pipeline of named steps:
//   intake → parse → choose CA and template → policy → (pending?) → load CA key →
//   record request → allocate serial → sign → record certificate → commit.
// Only after the commit does the caller see the certificate, and only then may
// it write files or print it. Every request that parses leaves a row: issued,
// pending, denied (with the reason) or failed.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "certificate.h"
#include "certificate_template.h"
#include "hierarchy.h"
#include "home.h"
#include "leaf_certificate.h"
#include "store/records.h"

namespace pocketca {

struct Attributes;

struct SubmitOptions {
  std::string template_name;            // --template; "" = the template the request names
  std::string ca;                       // --ca; "" = the default issuer
  std::vector<std::string> attributes;  // --attrib "SAN:dns=…&ipaddress=…", "CertificateTemplate:NAME"
  std::string requester;                // --requester, else the OS user
  bool pending = false;                 // --pending: store for approval instead of issuing
  Time now{};
  // Called with the chain (the certificate, then its issuers) once the certificate is signed
  // and recorded, just before the commit that makes it durable: to stage its files meanwhile
  // (StagedFiles). Nothing it prepares may be shown before submit() returns. Not in a batch.
  std::function<void(const std::vector<Certificate>& chain)> before_commit;
  // Where the input came from (its file name), for the audit entry of an input that is not a
  // request at all and so gets no request row. A batch names each input in BatchInput.
  std::string source;
};

struct SubmitResult {
  int64_t request_id = 0;
  store::Disposition disposition = store::Disposition::issued;  // issued or pending
  store::CaRecord ca;
  std::string template_name;
  std::optional<store::CertificateRecord> record;  // issued only
  std::vector<Certificate> chain;                  // issued only: the certificate, then its issuers up to the root
  std::vector<std::string> warnings;
  // submit() and approve(): the request carries Windows enrollment attributes, so its key is on the
  // Windows machine that made it (WindowsRequestInfo::made_on_windows). A batch leaves it false.
  bool request_made_on_windows = false;
};

// One input of a batch: a name to report it by (its file), and how to read its bytes —
// called on a pool thread, so reading overlaps the rest; Error{invalid_input} when it cannot.
struct BatchInput {
  std::string name;
  std::function<std::string()> read;
  std::string source;  // its file name, as SubmitOptions::source
};

struct BatchOutcome {
  std::string name;
  std::optional<SubmitResult> result;  // issued or pending
  std::string error;                   // refused or failed: the message
  std::optional<int64_t> request_id;   // the row of a refused request, when one was written
};

// One commit per group: a durable SQLite commit costs ~0.4 ms, a row inside one ~0.07 ms.
inline constexpr size_t batch_group_size = 256;

// One issuing session: loads each CA key at most once (a batch pays the KDF once).
class IssuingSession {
 public:
  IssuingSession(Home& home, const TemplateSet& templates, PassphraseSource passphrase)
      : home_(home), templates_(templates), passphrase_(std::move(passphrase)) {}

  // Checks and signs (or holds as pending) one submission. Throws Error: kind
  // invalid_request for input that is no request (audited, no row), policy_denied
  // for a refused one (with request_id() of its denied row), others for operator
  // problems (unknown CA, wrong passphrase: nothing recorded).
  SubmitResult submit(const std::string& raw_input, const SubmitOptions& options);

  // Issues a pending request (certutil -resubmit), running every check again
  // now. Error{conflict} when it is not pending (a denied request stays denied);
  // a check that fails now denies it (Error{policy_denied} with its request_id).
  SubmitResult approve(int64_t request_id, const std::string& actor, Time now);

  // Submits many requests in one process (`submit --batch`), in groups of batch_group_size:
  // `jobs` threads check, draft and sign while the calling thread records, so the database
  // and the signatures overlap. A group's requests are recorded (their IDs go into the
  // serials) before it is signed, in the commit that records the certificates of the group
  // two before it; each outcome is reported on the calling thread once its group committed —
  // a certificate is never reported (or written) before its row is durable. A refused or
  // failing request is reported and does not stop the others.
  void submit_batch(const std::function<std::optional<BatchInput>()>& next, const SubmitOptions& options, int jobs,
                    const std::function<void(BatchOutcome&&)>& report);

  // Denies a pending request with `reason` (certutil -deny). Error{conflict} when not pending.
  void deny(int64_t request_id, const std::string& reason, const std::string& actor, Time now);

 private:
  struct Checked;
  struct Inspection;
  struct Group;
  const PrivateKey& key_of(const store::CaRecord& ca);
  using LeafProfiles = std::map<const CertificateTemplate*, LeafProfile>;
  // The pure part of the checks (parse, template, policy): safe on several threads. With
  // `profiles` (of `ca`), also drafts the certificate of a request that will be signed.
  [[nodiscard]] Inspection inspect(const std::string& raw_input, const Attributes& attributes, const store::CaRecord& ca,
                                   const SubmitOptions& options, const LeafProfiles* profiles = nullptr) const;
  // Records what inspect found wrong (audit entry or denied row) and throws, or hands back the checked request.
  Checked settle(Inspection&& inspection, const SubmitOptions& options, const std::string& source, SubmitResult& result);
  // Parses and checks one submission (recording a refusal); fills result.ca, template, warnings.
  Checked check(const std::string& raw_input, const SubmitOptions& options, SubmitResult& result);
  // Records a pending row when --pending or the template asks for approval; false otherwise.
  bool hold_if_pending(const Checked& checked, const SubmitOptions& options, SubmitResult& result);
  // Records, signs and commits one request in one transaction; on failure, keeps it as a failed row.
  void issue_one(Checked& checked, SubmitResult& result, const SubmitOptions& options);
  // A batch group's two writes: its request rows (failed until recorded), then its certificates.
  void reserve_requests(store::Writer& w, Group& group, const SubmitOptions& options);
  void record_certificates(store::Writer& w, Group& group, const SubmitOptions& options);
  // What draft_leaf() needs to build the certificate of `checked`.
  [[nodiscard]] static LeafSpec leaf_spec(const Checked& checked, const store::CaRecord& ca,
                                          const Certificate& ca_certificate, Time now);
  // Thread-safe: touches only its arguments, and uses up checked's draft if it has one.
  [[nodiscard]] Certificate sign(int64_t request_id, Checked& checked, const store::CaRecord& ca,
                                 const Certificate& ca_certificate, const PrivateKey& key, Time now) const;
  // The CA's certificate and its issuers, parsed once per session.
  const std::vector<Certificate>& chain_for(const store::CaRecord& ca);
  // find_ca and the revoked/expired check, once per session and selector.
  const store::CaRecord& issuer_for(const std::string& selector, Time now);
  // The certificate's row: thread-safe, so a batch builds it where it signed.
  [[nodiscard]] static store::CertificateRecord row_of(const Certificate& issued, int64_t request_id,
                                                       const Checked& checked, const store::CaRecord& ca);
  void record_issued(store::Writer& w, int64_t request_id, const Checked& checked, const Certificate& issued,
                     store::CertificateRecord row, SubmitResult& result, const std::string& actor, Time now);
  // The request, or Error{conflict} saying why it cannot be `verb` ("approved", "denied").
  store::RequestRecord pending_request(int64_t request_id, const std::string& verb);

  Home& home_;
  const TemplateSet& templates_;
  PassphraseSource passphrase_;
  std::map<int64_t, PrivateKey> keys_;
  std::map<int64_t, std::vector<Certificate>> chains_;
  std::map<std::string, store::CaRecord> issuers_;
};

}  // namespace pocketca
