#pragma once
// PFX (PKCS#12) files that Windows' certificate import and Import-ExchangeCertificate accept.

#include <string>
#include <vector>

#include "bytes.h"
#include "certificate.h"
#include "key.h"

namespace pocketca {

enum class PfxCompat {
  // pbeWithSHA1And3-KeyTripleDES-CBC for key and certificates, SHA-1 MAC:
  // Windows' TripleDES_SHA1, the only choice Windows Server 2016 and older import.
  legacy,
  // PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for key and certificates, SHA-256 MAC:
  // Windows' AES256_SHA256 (Windows Server 2019 and later, OpenSSL 3 by default).
  modern,
};

// "legacy" or "modern"; Throws Error{invalid_input}.
[[nodiscard]] PfxCompat parse_pfx_compat(const std::string& text);

// A PFX of `chain` (the certificate, then its issuers) and `key`, which must be
// the certificate's key (Error{invalid_input} otherwise). The key and the
// certificate carry friendlyName = the certificate's CN and one localKeyID, the
// way Windows pairs them. Throws Error{invalid_input} for an empty password.
[[nodiscard]] Bytes make_pfx(const std::vector<Certificate>& chain, const PrivateKey& key, const std::string& password,
                             PfxCompat compat);

}  // namespace pocketca
