#pragma once
// The CA hierarchy of a home: creating the root and its subordinates, finding
// a CA by what a user types, its chain, and its key.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "certificate.h"
#include "certificate_builder.h"
#include "home.h"
#include "key.h"
#include "store/records.h"
#include "time.h"

namespace pocketca {

// Asked for the CA-key passphrase only when a key must be encrypted or
// decrypted; the CLI reads a file, the environment or the terminal.
using PassphraseSource = std::function<std::string()>;

inline constexpr int default_root_years = 20;
inline constexpr int default_issuing_years = 10;
inline constexpr auto clock_skew_allowance = std::chrono::minutes(10);

struct InitOptions {
  std::string name;            // "Contoso Lab": makes "Contoso Lab Root CA" and "Contoso Lab Issuing CA"
  std::string subject_suffix;  // RDNs every CA subject carries besides CN, e.g. "O=Contoso Ltd, C=US"
  KeySpec root_key{KeySpec::Type::rsa, 4096, ""};
  KeySpec issuing_key{KeySpec::Type::rsa, 2048, ""};
  std::optional<int> root_days;     // empty: default_root_years
  std::optional<int> issuing_days;  // empty: default_issuing_years
  std::string base_url;        // "" for no CDP/AIA
  bool root_only = false;
  bool delta_crl = false;      // the issuing CA publishes delta CRLs too (the root, offline in spirit, does not)
  bool encrypt_keys = true;    // false only for init --no-passphrase
  std::string actor;
  Time now{};
};

struct NewCaOptions {
  std::string name;                  // the full CA name, e.g. "Contoso Lab Web CA"
  std::string parent;                // a CA selector; "" means the root
  KeySpec key{KeySpec::Type::rsa, 2048, ""};
  std::optional<int> days;           // empty: default_issuing_years
  std::optional<int> path_len = 0;   // empty: unconstrained
  bool delta_crl = false;            // publishes delta CRLs too
  std::string actor;
  Time now{};
};

struct CreatedCas {
  std::vector<store::CaRecord> cas;  // in creation order
  std::vector<fs::path> files;       // key and certificate files written
  std::vector<std::string> warnings;
};

// Creates a home at `dir` with its root and (unless root_only) issuing CA. On
// any failure nothing is left behind: the folder is as it was before.
[[nodiscard]] CreatedCas init_home(const fs::path& dir, const InitOptions& options, const PassphraseSource& passphrase);

// Adds a subordinate CA under an existing CA of `home`.
[[nodiscard]] CreatedCas create_subordinate_ca(Home& home, const NewCaOptions& options,
                                               const PassphraseSource& passphrase);

// Finds a CA by index ("2"), name or slug, case-insensitively; "" is the default CA.
// Error{not_found} lists the CAs there are.
[[nodiscard]] store::CaRecord find_ca(Home& home, const std::string& selector);

// What an admin must hear about a CA's own validity at `now`, or "" while it has more than 30
// days left: an expired CA signs nothing clients accept, and one near its end cuts short what it
// signs (leaf validity stops at the issuer's notAfter).
[[nodiscard]] std::string ca_validity_warning(const store::CaRecord& ca, Time now);

// The CA followed by its issuers up to the root.
[[nodiscard]] std::vector<store::CaRecord> chain_records(Home& home, const store::CaRecord& ca);
// The CA's certificate followed by its issuers up to the root.
[[nodiscard]] std::vector<Certificate> chain_of(Home& home, const store::CaRecord& ca);
// An issued certificate followed by its issuers up to the root.
[[nodiscard]] std::vector<Certificate> chain_of(Home& home, const store::CertificateRecord& cert);

// Reads and decrypts the CA's key, refusing a key file others may read, a
// wrong passphrase (`wrong passphrase for the key of CA "…"`) and a key that
// does not match the CA certificate.
[[nodiscard]] PrivateKey load_ca_key(Home& home, const store::CaRecord& ca, const PassphraseSource& passphrase);
// The same, with the CA's certificate already at hand.
[[nodiscard]] PrivateKey load_ca_key(Home& home, const store::CaRecord& ca, const Certificate& ca_certificate,
                                     const PassphraseSource& passphrase);

// What a certificate signed by `issuer` carries to find its issuer's CRL and certificate:
// CDP <base>/pki/<slug>.crl and AIA caIssuers <base>/pki/<slug>.crt (and AIA OCSP
// <base>/ocsp once OCSP is enabled). None when the CA has no base URL.
[[nodiscard]] std::vector<ossl::Ptr<X509_EXTENSION>> issuer_pointers(const store::CaRecord& issuer);

// The OS user running pocketca, for the audit log.
[[nodiscard]] std::string os_user_name();

}  // namespace pocketca
