#pragma once
// Plain records the store reads and writes. No OpenSSL types: the store keeps
// bytes and text, the engine gives them meaning.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pocketca::store {

using Bytes = std::vector<unsigned char>;
using Time = std::chrono::sys_seconds;

// One certification authority of this home.
struct CaRecord {
  int64_t index = 0;                    // 1-based in creation order; the root made by init is 1; goes into serials
  std::string name;                     // "Contoso Lab Issuing CA" (unique, case-insensitively)
  std::string slug;                     // "contoso-lab-issuing-ca": names its files
  std::optional<int64_t> parent_index;  // empty for a self-signed root
  std::string subject;                  // RFC 4514
  std::string serial;                   // lower-case hex of its own certificate
  Time not_before{};
  Time not_after{};
  std::string key_spec;                 // "rsa:4096", "ec:p256"
  std::string key_file;                 // relative to the home: "private/<slug>.key"
  bool key_encrypted = true;            // false only for init --no-passphrase homes
  Bytes certificate_der;
  std::string sha1_thumbprint;          // upper-case hex
  std::string sha256_fingerprint;       // lower-case hex
  std::string base_url;                 // "" when the CA publishes no CDP/AIA
  std::optional<int> path_len;          // basicConstraints pathLen; empty = unlimited
  bool is_default = false;              // the issuer used when --ca is absent
  int crl_days = 7;                     // lifetime of a base CRL this CA signs
  std::optional<int> delta_crl_days;    // empty: no delta CRLs
  bool ocsp_enabled = false;            // AIA carries an OCSP URL only when true
  Time created_at{};
};

enum class Disposition { pending, issued, denied, failed };

// One submission: every request that parsed gets a row, rejected ones too.
struct RequestRecord {
  int64_t id = 0;                       // request ID, 1, 2, 3 … per home, never reused
  std::optional<int64_t> ca_index;      // the CA asked to sign it
  Time submitted_at{};
  std::optional<Time> resolved_at;      // when it was issued, denied or failed
  std::string requester;                // OS user or --requester
  std::string template_name;            // "" when none could be chosen
  Disposition disposition = Disposition::pending;
  std::string disposition_message;      // the reason for denied/failed, notes otherwise
  Bytes request_der;                    // the PKCS#10 exactly as submitted (after un-armouring)
  std::string subject;                  // RFC 4514 subject as requested
  std::string attributes_json;          // decoded Windows request attributes, "{}" when none
  std::vector<std::string> submit_attributes;  // the --attrib values given at submit, re-checked by approve
};

enum class CertStatus { valid, revoked };  // "expired" is derived from not_after at read time

// One certificate signed by a CA of this home (CA certificates included).
struct CertificateRecord {
  int64_t ca_index = 0;                 // the issuer
  std::string serial;                   // lower-case hex, no separators
  int64_t request_id = 0;
  std::string subject;                  // RFC 4514
  std::string common_name;
  std::vector<std::string> sans;        // "DNS:mail.contoso.com", "IP:192.0.2.10"
  std::string template_name;
  Time not_before{};
  Time not_after{};
  std::string sha1_thumbprint;          // upper-case hex, as Get-ExchangeCertificate prints it
  std::string sha256_fingerprint;       // lower-case hex
  Bytes der;
  CertStatus status = CertStatus::valid;
  std::optional<Time> revoked_at;
  std::string revocation_reason;        // RFC 5280 name, "" when not revoked
};

// One published CRL (base or delta) of a CA.
struct CrlRecord {
  int64_t ca_index = 0;
  int64_t number = 0;                   // cRLNumber; base and delta CRLs share the sequence
  bool is_delta = false;
  Time this_update{};
  Time next_update{};
  int64_t entries = 0;                  // revoked certificates it lists
  Bytes der;                            // what add_crl stores; Store::crl_der reads it back (latest_crl does not)
};

// What a CRL entry needs of a revoked certificate, viewing the database's row: valid only
// during the visit that hands it over (Store::each_revoked).
struct RevokedCertificateView {
  std::string_view serial;
  Time revoked_at{};
  std::string_view reason;
};

// One state change, for `pocketca audit`.
struct AuditEntry {
  int64_t id = 0;
  Time at{};
  std::string actor;                    // OS user or --requester
  std::string action;                   // "ca-created", "submitted", "issued", …
  std::optional<int64_t> request_id;
  std::string serial;                   // "" when none applies
  std::string details;
};

// What `list` asks for. Every field narrows; the defaults match everything.
struct CertificateFilter {
  std::optional<std::string> status;     // "valid", "revoked" or "expired" (valid and past not_after at `now`)
  std::string template_name;             // case-insensitive; "" for any
  std::string name_contains;             // case-insensitive substring of the CN or any SAN; "" for any
  std::optional<Time> expiring_before;   // valid at `now` and not_after before this
  std::string requester;                 // who submitted the request (case-insensitive); "" for any
  std::optional<int64_t> ca_index;       // issued by this CA; empty for any
  Time now{};
  size_t limit = 0;                      // 0: no limit
};

struct RequestFilter {
  std::optional<Disposition> disposition;
  std::string template_name;             // case-insensitive; "" for any
  std::string name_contains;             // case-insensitive substring of the subject; "" for any
  size_t limit = 0;
};

[[nodiscard]] const char* to_string(Disposition d);
[[nodiscard]] Disposition disposition_from_string(const std::string& s);
[[nodiscard]] const char* to_string(CertStatus s);
[[nodiscard]] CertStatus cert_status_from_string(const std::string& s);

}  // namespace pocketca::store
