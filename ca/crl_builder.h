#pragma once
// Signing certificate revocation lists (RFC 5280 v2 CRLs, shaped as AD CS
// publishes them). Pure: what goes in comes from the caller, nothing is stored.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bytes.h"
#include "certificate.h"
#include "key.h"
#include "time.h"

namespace pocketca {

// RFC 5280 reason names, as `revoke --reason` takes them, in any case ("cACompromise"
// as RFC 5280 spells it, too); AD CS's numeric codes 0–6 are accepted as well
// ("1" = keyCompromise). Returns the canonical name: unspecified, keyCompromise,
// caCompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold.
// removeFromCRL is never accepted here: only a lifted hold makes one.
// Throws Error{invalid_input} listing the names and codes.
[[nodiscard]] std::string parse_revocation_reason(const std::string& text);
// The CRLReason code of a canonical name, spelled exactly as above (unspecified 0 …
// certificateHold 6, removeFromCRL 8; "" counts as unspecified). Throws
// Error{invalid_input} for anything else.
[[nodiscard]] int revocation_reason_code(std::string_view name);

struct CrlEntry {
  std::string serial;  // hex, as the store keeps it (any case, leading zeros ignored)
  Time revoked_at{};
  // Canonical reason name. "unspecified" (and "") write no reasonCode extension,
  // as RFC 5280 5.3.1 asks; every other reason writes a non-critical reasonCode.
  // "removeFromCRL" only in a delta CRL: a certificateHold that was lifted.
  std::string reason;
};

// A CRL's entries, checked as they are added and kept compact: a serial's bytes and
// 24 bytes beside them, where an entry of strings took ~150 (a million entries: ~45 MB).
class CrlEntries {
 public:
  // One entry as sign_crl reads it.
  struct Entry {
    uint64_t prefix;     // the serial's first 8 bytes, big-endian: most comparisons end here
    Time revoked_at;
    uint32_t offset;     // where the serial's bytes start in serials()
    uint8_t size;        // how many there are (a minimal magnitude, 1 to 255)
    int8_t reason;       // CRLReason code, -1 for none (unspecified)
  };

  CrlEntries() = default;
  CrlEntries(std::initializer_list<CrlEntry> entries);

  // `serial` in hex (any case, leading zeros ignored), `reason` a canonical name as in
  // CrlEntry. Throws Error{invalid_input} when the serial is not hex or is longer than
  // 255 bytes, or the reason is not canonical.
  void add(std::string_view serial, Time revoked_at, std::string_view reason);
  void add(const CrlEntry& entry) { add(entry.serial, entry.revoked_at, entry.reason); }
  void reserve(size_t count);
  void clear();
  [[nodiscard]] size_t size() const { return entries_.size(); }
  [[nodiscard]] bool empty() const { return entries_.empty(); }

  [[nodiscard]] const std::vector<Entry>& entries() const { return entries_; }
  [[nodiscard]] const Bytes& serials() const { return serials_; }

 private:
  std::vector<Entry> entries_;
  Bytes serials_;  // every serial's big-endian magnitude, one after another
};

struct CrlSpec {
  Certificate issuer;        // the CA's certificate: its subject is copied byte for byte, its SKI becomes the AKI
  int64_t number = 0;        // cRLNumber (non-critical)
  std::optional<int64_t> delta_of;  // set: a delta CRL, with a critical Delta CRL Indicator = this base number
  Time this_update{};
  Time next_update{};
  std::optional<Time> next_publish;  // Microsoft Next CRL Publish (1.3.6.1.4.1.311.21.4), non-critical
  std::string freshest_crl_url;      // Freshest CRL (delta) pointer, "" = none; ignored for a delta (RFC 5280 5.2.6)
  CrlEntries entries;                // any order; written sorted by serial
};

// A v2 CRL signed with `key` (SHA-256; SHA-384 for P-384 and larger EC keys), DER.
// Extensions in this order: AKI (keyid), cRLNumber, then deltaCRLIndicator (critical,
// deltas) or Freshest CRL (bases with a URL), then Next CRL Publish when set.
// No issuingDistributionPoint: a mismatched IDP makes Windows reject the CRL.
// Throws Error{invalid_input} when `key` is not the issuer's, the issuer has no SKI, a
// serial is listed twice, removeFromCRL is in a base CRL, next_update is not after
// this_update, a delta's base number is not below its own, or the Freshest CRL URL is
// not http(s). A million entries take about half a second.
[[nodiscard]] Bytes sign_crl(const CrlSpec& spec, const PrivateKey& key);

// The serials a CRL lists, in its order, in the store's form (Certificate::serial_hex:
// lower-case hex, no leading zero bytes), for building the delta against a base.
// Throws Error{invalid_input} when `der` is no CRL.
[[nodiscard]] std::vector<std::string> crl_serials(const Bytes& der);

}  // namespace pocketca
