#pragma once
// Revocation and CRL publication: the state changes behind `revoke`, `unrevoke`
// and `crl`. Every change is one transaction with its audit entry; a CRL's number
// is allocated in the transaction that records it, and its file is written only
// after that commit.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hierarchy.h"
#include "home.h"
#include "store/records.h"
#include "time.h"

namespace pocketca {

struct RevokeOptions {
  std::string reason = "unspecified";  // canonical (parse_revocation_reason)
  std::optional<Time> date;            // --date; empty: now
  std::string actor;
  Time now{};
};

// The certificate a typed serial names (any case, ':' or spaces). Error{not_found}.
[[nodiscard]] store::CertificateRecord certificate_by_serial(Home& home, const std::string& typed_serial);

// Checks that `cert` can be revoked now: Error{conflict} when it is revoked
// already (saying when and why), Error{invalid_input} for a self-signed root or
// a date in the future or before the certificate's notBefore.
void check_revocable(Home& home, const store::CertificateRecord& cert, const RevokeOptions& options);
// What the admin should hear about revoking `cert` that is no reason to refuse: an
// expired certificate is recorded as revoked but no CRL lists it.
[[nodiscard]] std::vector<std::string> revocation_warnings(const store::CertificateRecord& cert,
                                                           const RevokeOptions& options);
// Revokes every certificate in `certs` in one transaction (check_revocable first).
void revoke_certificates(Home& home, const std::vector<store::CertificateRecord>& certs, const RevokeOptions& options);

// Error{conflict} unless `cert` is revoked with certificateHold, the one reason that can be lifted.
void check_unrevocable(const store::CertificateRecord& cert);
// Lifts a certificateHold. Error{conflict} for any other reason (AD CS's rule:
// only a hold can be undone) or when the certificate is not revoked.
void unrevoke_certificate(Home& home, const store::CertificateRecord& cert, const std::string& actor, Time now);

struct CrlOptions {
  bool delta = false;
  std::optional<int> days;  // lifetime; empty: the CA's setting (base 7 / root 180, delta 1)
  std::string actor;
  Time now{};
};

struct PublishedCrl {
  store::CrlRecord record;
  std::filesystem::path file;  // public/<ca>.crl, or public/<ca>+.crl for a delta
};

// Signs the CA's next base (or delta) CRL, records it and writes its file
// atomically. Concurrent publishers take turns (a flock on public/), so the
// file always holds the newest CRL. Error{invalid_input} for a delta when the CA
// has deltas off or no base CRL yet.
[[nodiscard]] PublishedCrl publish_crl(Home& home, const store::CaRecord& ca, const PrivateKey& key,
                                       const CrlOptions& options);

// The CA's next base CRL and, when the CA publishes deltas, a fresh delta on it, as `certutil
// -crl` does: a client follows the base's Freshest CRL to the delta, and one older than the base
// it holds tells it nothing. `options.delta` is ignored; `options.days` sets the base's lifetime.
[[nodiscard]] std::vector<PublishedCrl> publish_base_crl(Home& home, const store::CaRecord& ca, const PrivateKey& key,
                                                         const CrlOptions& options);

// How a CA's published CRL stands at `now`, for `ca list`/`ca show` and warnings.
struct CrlHealth {
  std::optional<store::CrlRecord> latest;  // the newest base CRL, if any
  std::string state;                       // "none", "ok", "due" (last 25% of its life), "expired"
  std::string warning;                     // "" when ok
};
[[nodiscard]] CrlHealth crl_health(Home& home, const store::CaRecord& ca, Time now);

// For a certificate `issuer` signs now: the warning of each CRL a client checks its chain
// against (the issuer's, then every CA's above it) that is past its nextUpdate, as crl_health
// words it. Such a certificate fails revocation checks until that CRL is published again.
[[nodiscard]] std::vector<std::string> expired_crl_warnings(Home& home, const store::CaRecord& issuer, Time now);

}  // namespace pocketca
