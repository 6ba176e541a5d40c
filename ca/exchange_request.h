#pragma once
// A key and a PKCS#10 request shaped like New-ExchangeCertificate -GenerateRequest's,
// for labs without Windows (`pocketca request`).

#include <string>
#include <vector>

#include "bytes.h"
#include "key.h"
#include "subject_alt_name.h"

namespace pocketca {

struct ExchangeRequestSpec {
  std::string subject;                    // a DN as parse_distinguished_name reads it
  std::vector<std::string> dns_names;     // --dns, in order
  std::vector<std::string> ip_addresses;  // --ip, in order
  KeySpec key;
};

struct ExchangeRequest {
  PrivateKey key;
  Bytes der;
  std::string subject;               // RFC 4514
  std::vector<SubjectAltName> sans;  // as requested: the CN first, then --dns, then --ip
};

// Checks every name by the rules the WebServer policy applies (so the request
// is not refused later), puts a host-name CN first in the SAN as Exchange does,
// drops case-insensitive duplicates, makes the key and signs the request with
// SHA-256 (SHA-384 for P-384). Throws Error{invalid_input} naming the bad name.
[[nodiscard]] ExchangeRequest make_exchange_request(const ExchangeRequestSpec& spec);

}  // namespace pocketca
