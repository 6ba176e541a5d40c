#pragma once

#include <vector>

#include "bytes.h"
#include "key.h"
#include "ossl.h"
#include "subject_alt_name.h"

namespace pocketca {

// A PKCS#10 request for `subject`, signed with `key` (proof of possession).
// pocketca keeps one for every CA it makes, so a CA certificate has a request
// row like any other certificate it signed.
// `sans`, when given, go into an extensionRequest attribute, in order.
[[nodiscard]] Bytes make_request_der(const PrivateKey& key, const X509_NAME* subject,
                                     const std::vector<SubjectAltName>& sans = {});

}  // namespace pocketca
