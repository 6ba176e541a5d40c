#pragma once
// The parts of a submission the issuance steps share: its --attrib values, the
// template it gets, and the rows that record it. Internal to the engine (and the
// benchmark's seeder, which must write the rows issuance writes).

#include <string>
#include <vector>

#include "certificate.h"
#include "certificate_template.h"
#include "csr.h"
#include "store/records.h"
#include "subject_alt_name.h"
#include "time.h"

namespace pocketca {

struct SubmitOptions;

struct Attributes {
  std::vector<SubjectAltName> sans;  // from "SAN:dns=…&ipaddress=…"
  std::string template_name;         // from "CertificateTemplate:NAME"
};

// --attrib "Name:Value", the certreq -attrib syntax; names are case-insensitive.
// Throws Error{invalid_input} for anything else.
[[nodiscard]] Attributes parse_attributes(const std::vector<std::string>& attributes);

// --template, else --attrib CertificateTemplate, else the template the request names
// (end-entity templates only: a request never chooses a CA template by itself).
// Throws Error{policy_denied} when none fits.
[[nodiscard]] const CertificateTemplate& choose_template(const TemplateSet& templates, const std::string& explicit_name,
                                                         const Attributes& attributes, const Csr& csr);

// The request row of a submission, before its outcome is known.
[[nodiscard]] store::RequestRecord request_row(const Csr& csr, const store::CaRecord& ca,
                                               const std::string& template_name, const SubmitOptions& options,
                                               store::Disposition disposition, const std::string& message);

// The certificate row of a signed certificate, valid until revoked.
[[nodiscard]] store::CertificateRecord certificate_row(const Certificate& cert, int64_t ca_index, int64_t request_id,
                                                       const std::vector<SubjectAltName>& sans,
                                                       const std::string& template_name);

}  // namespace pocketca
