#include "submission.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "error.h"
#include "issuance.h"
#include "policy.h"
#include "text.h"

namespace pocketca {
namespace {

std::string template_list(const TemplateSet& templates) {
  std::vector<std::string> names;
  for (const auto& t : templates.all()) names.push_back(t.name);
  return join(names);
}

bool is_oid(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) || c == '.'; });
}

std::string windows_info_json(const Csr& csr) {
  const WindowsRequestInfo info = csr.windows_info();
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  auto put = [&](const char* key, const std::string& value) {
    if (!value.empty()) j[key] = value;
  };
  put("os_version", info.os_version);
  put("client_machine", info.client_machine);
  put("client_user", info.client_user);
  put("client_process", info.client_process);
  if (info.client_id) j["client_id"] = *info.client_id;
  put("csp_name", info.csp_name);
  put("template_name", info.template_name);
  return j.dump();
}

}  // namespace

Attributes parse_attributes(const std::vector<std::string>& attributes) {
  Attributes out;
  for (const std::string& attribute : attributes) {
    const size_t colon = attribute.find(':');
    std::string name = attribute.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    const std::string value = colon == std::string::npos ? "" : attribute.substr(colon + 1);
    if (name == "san" && !value.empty()) {
      const auto sans = parse_san_attribute(value);
      out.sans.insert(out.sans.end(), sans.begin(), sans.end());
    } else if (name == "certificatetemplate" && !value.empty()) {
      out.template_name = value;
    } else {
      throw Error(ErrorKind::invalid_input, "--attrib \"" + attribute +
                                                "\": use \"SAN:dns=…&ipaddress=…\" or \"CertificateTemplate:NAME\"");
    }
  }
  return out;
}

const CertificateTemplate& choose_template(const TemplateSet& templates, const std::string& explicit_name,
                                           const Attributes& attributes, const Csr& csr) {
  if (!explicit_name.empty() && !attributes.template_name.empty() &&
      templates.find(explicit_name) != templates.find(attributes.template_name)) {
    throw Error(ErrorKind::invalid_input, "--template " + explicit_name + " and --attrib CertificateTemplate:" +
                                              attributes.template_name + " name different templates; give one");
  }
  const std::string chosen = !explicit_name.empty() ? explicit_name : attributes.template_name;
  if (!chosen.empty()) {
    if (const CertificateTemplate* t = templates.find(chosen)) return *t;
    throw Error(ErrorKind::policy_denied,
                "there is no template \"" + chosen + "\"; templates: " + template_list(templates));
  }
  const std::string named = csr.windows_info().template_name;
  if (!named.empty() && !is_oid(named)) {
    const CertificateTemplate* t = templates.find(named);
    if (t == nullptr) {
      throw Error(ErrorKind::policy_denied, "the request names template \"" + named +
                                                "\", which this CA does not have; templates: " + template_list(templates));
    }
    if (!t->issues_end_entity()) {
      throw Error(ErrorKind::policy_denied, "the request names the CA template " + t->name +
                                                "; a CA certificate is issued only with an explicit --template " + t->name);
    }
    return *t;
  }
  throw Error(ErrorKind::policy_denied,
              "no template chosen: pass --template (e.g. --template WebServer); templates: " + template_list(templates));
}

store::RequestRecord request_row(const Csr& csr, const store::CaRecord& ca, const std::string& template_name,
                                 const SubmitOptions& options, store::Disposition disposition,
                                 const std::string& message) {
  store::RequestRecord r;
  r.ca_index = ca.index;
  r.submitted_at = options.now;
  if (disposition != store::Disposition::pending) r.resolved_at = options.now;
  r.requester = options.requester;
  r.template_name = template_name;
  r.disposition = disposition;
  r.disposition_message = message;
  r.request_der = csr.der();
  r.subject = csr.subject();
  r.attributes_json = windows_info_json(csr);
  r.submit_attributes = options.attributes;
  return r;
}


store::CertificateRecord certificate_row(const Certificate& cert, int64_t ca_index, int64_t request_id,
                                         const std::vector<SubjectAltName>& sans, const std::string& template_name) {
  store::CertificateRecord row;
  row.ca_index = ca_index;
  row.serial = cert.serial_hex();
  row.request_id = request_id;
  row.subject = cert.subject();
  row.common_name = cert.common_name();
  for (const auto& san : sans) row.sans.push_back(san.to_string());
  row.template_name = template_name;
  row.not_before = cert.not_before();
  row.not_after = cert.not_after();
  row.sha1_thumbprint = cert.sha1_thumbprint();
  row.sha256_fingerprint = cert.sha256_fingerprint();
  row.der = cert.der();
  return row;
}

}  // namespace pocketca
