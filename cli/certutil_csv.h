#pragma once
// `list --csv`: the columns of `certutil -view csv`, so scripts written against
// AD CS exports read pocketca's too.

#include <string>
#include <vector>

#include "ca/home.h"
#include "store/records.h"

namespace pocketca::cli {

// RequestID, Request.Disposition, SerialNumber, CommonName, CertificateTemplate,
// NotBefore, NotAfter, CertificateHash, RequesterName (+ Request.DispositionMessage
// for requests). Dispositions read as certutil prints them: "20 -- Issued".
[[nodiscard]] std::string certificates_csv(Home& home, const std::vector<store::CertificateRecord>& certs);
[[nodiscard]] std::string requests_csv(Home& home, const std::vector<store::RequestRecord>& requests);

}  // namespace pocketca::cli
