#pragma once
// Issuance, as one fixed pipeline of named steps:
//   intake → parse → choose CA and template → policy → (pending?) → load CA key →
//   record request → allocate serial → sign → record certificate → commit.
// Only after the commit does the caller see the certificate, and only then may
// it write files or print it. Every request that parses leaves a row: issued,
// pending, denied (with the reason) or failed.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "certificate.h"
#include "certificate_template.h"
#include "hierarchy.h"
#include "home.h"
#include "store/records.h"

namespace pocketca {

struct SubmitOptions {
  std::string template_name;            // --template; "" = the template the request names
  std::string ca;                       // --ca; "" = the default issuer
  std::vector<std::string> attributes;  // --attrib "SAN:dns=…&ipaddress=…", "CertificateTemplate:NAME"
  std::string requester;                // --requester, else the OS user
  bool pending = false;                 // --pending: store for approval instead of issuing
  Time now{};
};

struct SubmitResult {
  int64_t request_id = 0;
  store::Disposition disposition = store::Disposition::issued;  // issued or pending
  store::CaRecord ca;
  std::string template_name;
  std::optional<store::CertificateRecord> record;  // issued only
  std::vector<Certificate> chain;                  // issued only: the certificate, then its issuers up to the root
  std::vector<std::string> warnings;
};

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

  // Denies a pending request with `reason` (certutil -deny). Error{conflict} when not pending.
  void deny(int64_t request_id, const std::string& reason, const std::string& actor, Time now);

 private:
  struct Checked;
  const PrivateKey& key_of(const store::CaRecord& ca);
  // Signs and records the certificate of request `request_id` inside `w`'s transaction.
  store::CertificateRecord sign_and_record(store::Writer& w, int64_t request_id, const Checked& checked,
                                           SubmitResult& result, const std::string& actor, Time now);
  // The request, or Error{conflict} saying why it cannot be `verb` ("approved", "denied").
  store::RequestRecord pending_request(int64_t request_id, const std::string& verb);

  Home& home_;
  const TemplateSet& templates_;
  PassphraseSource passphrase_;
  std::map<int64_t, PrivateKey> keys_;
};

}  // namespace pocketca
