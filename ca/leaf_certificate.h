#pragma once

#include <vector>

#include "certificate.h"
#include "certificate_builder.h"
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
  Time not_before{};
  Time not_after{};
};

// A leaf certificate from a checked request, all but its serial, which carries the request's
// ID (known once the request is recorded). A batch drafts on the threads that check, so the
// threads that sign only sign. Extensions in a fixed order: basicConstraints (CA templates,
// or when the template asks), keyUsage, EKU, SAN, SKI, AKI, CDP, AIA, template name, OCSP no-check.
[[nodiscard]] CertificateBuilder draft_leaf(const LeafSpec& spec);

// Gives a draft its serial and signs it.
[[nodiscard]] Certificate sign_leaf(CertificateBuilder&& draft, const Bytes& serial, const PrivateKey& issuer_key);

// Both at once.
[[nodiscard]] Certificate sign_leaf(const LeafSpec& spec, const Bytes& serial, const PrivateKey& issuer_key);

}  // namespace pocketca
