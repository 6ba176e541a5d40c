#pragma once
// How a certificate or request is shown: the JSON object scripts rely on
// (design.md, "With --json") and the text people read.

#include <map>
#include <string>
#include <vector>

#include "context.h"
#include "store/records.h"

namespace pocketca::cli {

// "valid", "revoked" or "expired" (a valid certificate past notAfter at `now`).
[[nodiscard]] std::string status_at(const store::CertificateRecord& cert, Time now);

// The contract's certificate object: request_id, disposition, status, serial, thumbprint,
// sha256, subject, sans, not_before, not_after, template, ca, files, warnings (+ revocation).
[[nodiscard]] Json certificate_json(const store::CertificateRecord& cert, const std::string& ca_name, Time now,
                                    const std::map<std::string, std::string>& files = {},
                                    const std::vector<std::string>& warnings = {});
// A request without a certificate (pending, denied, failed): request_id, disposition, subject, template, ca, message.
[[nodiscard]] Json request_json(const store::RequestRecord& request, const std::string& ca_name);

[[nodiscard]] std::string certificate_table(const std::vector<store::CertificateRecord>& certs, Time now);
[[nodiscard]] std::string request_table(const std::vector<store::RequestRecord>& requests);
// The `show` text: every field, then the request's decoded Windows attributes.
// `extra` rows (label, value) are appended in the same alignment.
[[nodiscard]] std::string certificate_details(const store::CertificateRecord& cert, const std::string& ca_name, Time now,
                                              const std::vector<std::pair<std::string, std::string>>& extra = {});
// A template as the rows name it, from its display name ("Web Server") or any case;
// an unknown name is returned as typed (old rows may carry RootCA or a deleted template).
[[nodiscard]] std::string canonical_template_name(Home& home, const std::string& typed);

[[nodiscard]] std::string request_details(const store::RequestRecord& request, const std::string& ca_name);

}  // namespace pocketca::cli
