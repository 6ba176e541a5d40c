#pragma once
// What every template enforces before anything is recorded or signed. Each
// rule is a small function; the first that fails throws Error{policy_denied}
// with a message naming the rule and what to do.

#include <string>
#include <vector>

#include "certificate_template.h"
#include "csr.h"
#include "subject_alt_name.h"

namespace pocketca {

inline constexpr int max_rsa_bits = 8192;

struct PolicyDecision {
  // The SANs to issue: the CN first when it is a host name or IP address, then the
  // requested and --attrib SANs, de-duplicated case-insensitively, IPs canonical.
  std::vector<SubjectAltName> sans;
  std::vector<std::string> warnings;
};

// `extra_sans` come from `--attrib "SAN:…"`, trusted as much as the request is (not at all).
[[nodiscard]] PolicyDecision apply_policy(const Csr& csr, const CertificateTemplate& tmpl,
                                          const std::vector<SubjectAltName>& extra_sans);

// Parses AD CS's "SAN:dns=a.example&dns=b.example&ipaddress=10.0.0.5&email=…&upn=…&url=…".
// Throws Error{invalid_input} on an unknown name type.
[[nodiscard]] std::vector<SubjectAltName> parse_san_attribute(const std::string& value);

}  // namespace pocketca
