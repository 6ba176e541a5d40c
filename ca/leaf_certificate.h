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

// What every leaf of one template from one issuer carries alike: its extensions but SAN and SKI,
// built once, so a batch drafts thousands of leaves without building them again (OpenSSL parses
// the configuration text of each). Extensions in a fixed order: basicConstraints (CA templates,
// or when the template asks), keyUsage, EKU, SAN, SKI, AKI, CDP, AIA, template name, OCSP no-check.
class LeafProfile {
 public:
  LeafProfile(const CertificateTemplate& tmpl, const store::CaRecord& issuer, const Certificate& issuer_certificate);

  // A leaf certificate for a checked request, all but its serial, which carries the request's ID
  // (known once the request is recorded). A batch drafts on the threads that check, so the
  // threads that sign only sign.
  [[nodiscard]] CertificateBuilder draft(const Csr& csr, const std::vector<SubjectAltName>& sans, Time not_before,
                                         Time not_after) const;

 private:
  Certificate issuer_certificate_;
  ossl::Ptr<X509_EXTENSION> basic_constraints_;  // null when the template has none
  ossl::Ptr<X509_EXTENSION> key_usage_;
  ossl::Ptr<X509_EXTENSION> key_usage_ec_;        // RFC 5480: an EC key cannot encipher keys
  ossl::Ptr<X509_EXTENSION> extended_key_usage_;  // null when the template has none
  std::vector<ossl::Ptr<X509_EXTENSION>> after_key_ids_;  // AKI, CDP, AIA, template name, OCSP no-check
};

// LeafProfile(spec's template and issuer).draft(spec), for one certificate.
[[nodiscard]] CertificateBuilder draft_leaf(const LeafSpec& spec);

// Gives a draft its serial and signs it.
[[nodiscard]] Certificate sign_leaf(CertificateBuilder&& draft, const Bytes& serial, const PrivateKey& issuer_key);

// Both at once.
[[nodiscard]] Certificate sign_leaf(const LeafSpec& spec, const Bytes& serial, const PrivateKey& issuer_key);

}  // namespace pocketca
