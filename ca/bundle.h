#pragma once
// Certificate bundles in the forms Windows and Linux admins import.

#include <string>
#include <vector>

#include "bytes.h"
#include "certificate.h"

namespace pocketca {

enum class BundleFormat {
  cer,         // the first certificate, DER (Windows "DER encoded binary X.509")
  cer_b64,     // the first certificate, PEM (Windows "Base-64 encoded X.509")
  pem_bundle,  // every certificate, PEM, in chain order
  p7b,         // PKCS#7 certs-only, DER (Windows "Cryptographic Message Syntax Standard")
  p7b_b64,     // the same, PEM with "-----BEGIN PKCS7-----"
};

// "cer", "cer-b64", "pem-bundle", "p7b", "p7b-b64". Throws Error{invalid_input}.
[[nodiscard]] BundleFormat parse_bundle_format(const std::string& text);
[[nodiscard]] bool is_binary(BundleFormat format);

// A degenerate PKCS#7 SignedData carrying only certificates (what
// `openssl crl2pkcs7 -nocrl` and certutil make), DER.
[[nodiscard]] Bytes pkcs7_certs_only(const std::vector<Certificate>& certificates);

// `chain` starts with the certificate being exported, then its issuers up to the root.
[[nodiscard]] std::string encode_bundle(const std::vector<Certificate>& chain, BundleFormat format);

}  // namespace pocketca
