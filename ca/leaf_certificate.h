#pragma once

#include <vector>

#include "certificate.h"
#include "certificate_template.h"
#include "csr.h"
#include "key.h"
#include "store/records.h"
#include "subject_alt_name.h"

namespace pocketca {

struct LeafSpec {
  const Csr& csr;                        // subject and public key; nothing else is taken from it
  const CertificateTemplate& tmpl;       // every extension
  const std::vector<SubjectAltName>& sans;  // as policy decided
  const store::CaRecord& issuer;
  const Certificate& issuer_certificate;
  Bytes serial;
  Time not_before{};
  Time not_after{};
};

// Builds and signs a certificate from a checked request. Extensions in a fixed
// order: basicConstraints (CA templates, or when the template asks), keyUsage,
// EKU, SAN, SKI, AKI, CDP, AIA, template name, OCSP no-check.
[[nodiscard]] Certificate sign_leaf(const LeafSpec& spec, const PrivateKey& issuer_key);

}  // namespace pocketca
