#pragma once

#include "bytes.h"
#include "key.h"
#include "ossl.h"

namespace pocketca {

// A PKCS#10 request for `subject`, signed with `key` (proof of possession).
// pocketca keeps one for every CA it makes, so a CA certificate has a request
// row like any other certificate it signed.
[[nodiscard]] Bytes make_request_der(const PrivateKey& key, const X509_NAME* subject);

}  // namespace pocketca
