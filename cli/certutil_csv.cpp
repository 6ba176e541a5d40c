#include "certutil_csv.h"

#include "ca/csr.h"
#include "ca/time.h"

namespace pocketca::cli {
namespace {

const std::vector<std::string> columns = {"RequestID",   "Request.Disposition", "SerialNumber",
                                          "CommonName",  "CertificateTemplate", "NotBefore",
                                          "NotAfter",    "CertificateHash",     "RequesterName"};

// RFC 4180: quote a field holding a comma, quote or line break; double inner quotes.
std::string field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string line(const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& f : fields) {
    if (!out.empty()) out += ',';
    out += field(f);
  }
  return out + "\r\n";
}

// AD CS's disposition codes (certsrv.h DB_DISP_*), in certutil's "code -- Word" form.
std::string disposition(store::Disposition d) {
  switch (d) {
    case store::Disposition::pending: return "9 -- Pending";
    case store::Disposition::issued: return "20 -- Issued";
    case store::Disposition::failed: return "30 -- Error";
    case store::Disposition::denied: return "31 -- Denied";
  }
  return "";
}

std::string disposition(store::CertStatus s) { return s == store::CertStatus::revoked ? "21 -- Revoked" : "20 -- Issued"; }

std::string requester_of(Home& home, int64_t request_id) {
  const auto request = home.store().find_request(request_id);
  return request ? request->requester : "";
}

std::string common_name_of(const store::RequestRecord& r) {
  try {
    return Csr::from_der(r.request_der).common_name();
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace

std::string certificates_csv(Home& home, const std::vector<store::CertificateRecord>& certs) {
  std::string out = line(columns);
  for (const auto& c : certs) {
    out += line({std::to_string(c.request_id), disposition(c.status), c.serial, c.common_name, c.template_name,
                 to_iso8601(c.not_before), to_iso8601(c.not_after), c.sha1_thumbprint, requester_of(home, c.request_id)});
  }
  return out;
}

std::string requests_csv(Home& home, const std::vector<store::RequestRecord>& requests) {
  std::vector<std::string> header = columns;
  header.push_back("Request.DispositionMessage");
  std::string out = line(header);
  for (const auto& r : requests) {
    const auto cert = r.disposition == store::Disposition::issued ? home.store().find_certificate_by_request(r.id)
                                                                  : std::nullopt;
    out += line({std::to_string(r.id), cert ? disposition(cert->status) : disposition(r.disposition),
                 cert ? cert->serial : "", common_name_of(r), r.template_name,
                 cert ? to_iso8601(cert->not_before) : "", cert ? to_iso8601(cert->not_after) : "",
                 cert ? cert->sha1_thumbprint : "", r.requester, r.disposition_message});
  }
  return out;
}

}  // namespace pocketca::cli
