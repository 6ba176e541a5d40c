#pragma once
// The subjectAltName extension, DER-encoded from pocketca's SAN values; shared
// by certificates and the requests `pocketca request` makes.

#include <vector>

#include "ossl.h"
#include "subject_alt_name.h"

namespace pocketca {

// Encodes dns, ip, email, uri and upn names in the given order. Throws
// Error{policy_denied} for a type that cannot be issued (directory names …).
[[nodiscard]] ossl::Ptr<X509_EXTENSION> subject_alt_name_extension(const std::vector<SubjectAltName>& names,
                                                                   bool critical = false);

}  // namespace pocketca
