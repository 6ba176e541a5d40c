#include "certificate_views.h"

#include "ca/certificate_template.h"
#include "ca/csr.h"
#include "ca/error.h"
#include "ca/submission.h"
#include "ca/text.h"
#include "ca/time.h"
#include "context.h"
#include "table.h"

namespace pocketca::cli {
namespace {

std::string date_of(Time t) { return to_iso8601(t).substr(0, 10); }

Json windows_attributes(const std::string& attributes_json) {
  Json parsed = Json::parse(attributes_json, nullptr, false);
  return parsed.is_object() ? parsed : Json::object();
}

// What a request asks for, read from its stored DER and the --attrib values given with it: what
// an approver must see, attribute SANs above all (AD CS's EDITF_ATTRIBUTESUBJECTALTNAME2).
struct AskedFor {
  std::vector<std::string> sans;  // the request's, then those of --attrib SAN:
  std::string key;                // "RSA 2048", "EC P-256"; "" when unreadable
};

AskedFor asked_for(const store::RequestRecord& r) {
  AskedFor out;
  try {
    const Csr csr = Csr::from_der(r.request_der);
    for (const auto& san : csr.requested_sans()) out.sans.push_back(san.to_string());
    const RequestKey key = csr.key();
    out.key = key.algorithm + " " + (key.curve.empty() ? std::to_string(key.bits) : key.curve);
  } catch (const Error&) {
    // Kept as submitted even when it did not parse: the row says why it was refused.
  }
  try {
    for (const auto& san : parse_attributes(r.submit_attributes).sans) out.sans.push_back(san.to_string());
  } catch (const Error&) {
  }
  return out;
}

}  // namespace

std::string status_at(const store::CertificateRecord& cert, Time now) {
  if (cert.status == store::CertStatus::revoked) return "revoked";
  return cert.not_after < now ? "expired" : "valid";
}

Json certificate_json(const store::CertificateRecord& cert, const std::string& ca_name, Time now,
                      const std::map<std::string, std::string>& files, const std::vector<std::string>& warnings) {
  Json j;
  j["request_id"] = cert.request_id;
  j["disposition"] = "issued";
  j["status"] = status_at(cert, now);
  j["serial"] = cert.serial;
  j["thumbprint"] = cert.sha1_thumbprint;
  j["sha256"] = cert.sha256_fingerprint;
  j["subject"] = cert.subject;
  j["sans"] = cert.sans;
  j["not_before"] = to_iso8601(cert.not_before);
  j["not_after"] = to_iso8601(cert.not_after);
  j["template"] = cert.template_name;
  j["ca"] = ca_name;
  j["files"] = Json::object();
  for (const auto& [kind, path] : files) j["files"][kind] = path;
  j["warnings"] = warnings;
  if (cert.status == store::CertStatus::revoked) {
    j["revoked_at"] = cert.revoked_at ? Json(to_iso8601(*cert.revoked_at)) : Json(nullptr);
    j["revocation_reason"] = cert.revocation_reason;
  }
  return j;
}

Json request_json(const store::RequestRecord& request, const std::string& ca_name) {
  Json j;
  j["request_id"] = request.id;
  j["disposition"] = store::to_string(request.disposition);
  j["subject"] = request.subject;
  j["template"] = request.template_name;
  j["ca"] = ca_name;
  j["requester"] = request.requester;
  j["submitted_at"] = to_iso8601(request.submitted_at);
  j["resolved_at"] = request.resolved_at ? Json(to_iso8601(*request.resolved_at)) : Json(nullptr);
  j["message"] = request.disposition_message;
  const AskedFor asked = asked_for(request);
  j["sans"] = asked.sans;
  j["key"] = asked.key;
  j["attributes"] = request.submit_attributes;
  j["serial"] = nullptr;  // no certificate (yet): `show` gives the certificate once there is one
  j["windows_attributes"] = windows_attributes(request.attributes_json);
  return j;
}

std::string certificate_table(const std::vector<store::CertificateRecord>& certs, Time now) {
  Table table({"ID", "SERIAL", "COMMON NAME", "TEMPLATE", "STATUS", "NOT AFTER"});
  for (const auto& c : certs) {
    table.add({std::to_string(c.request_id), c.serial, c.common_name, c.template_name, status_at(c, now),
               date_of(c.not_after)});
  }
  return table.render();
}

std::string request_table(const std::vector<store::RequestRecord>& requests) {
  Table table({"ID", "DISPOSITION", "SUBMITTED", "REQUESTER", "TEMPLATE", "SUBJECT", "MESSAGE"});
  for (const auto& r : requests) {
    table.add({std::to_string(r.id), store::to_string(r.disposition), date_of(r.submitted_at), r.requester,
               r.template_name, r.subject, r.disposition_message});
  }
  return table.render();
}

std::string certificate_details(const store::CertificateRecord& c, const std::string& ca_name, Time now,
                                const std::vector<std::pair<std::string, std::string>>& extra) {
  Table t({"  request ID", std::to_string(c.request_id)});
  t.add({"  status", status_at(c, now)});
  if (c.status == store::CertStatus::revoked) {
    t.add({"  revoked", (c.revoked_at ? to_iso8601(*c.revoked_at) : "") + " (" + c.revocation_reason + ")"});
  }
  t.add({"  subject", c.subject});
  t.add({"  SANs", join(c.sans)});
  t.add({"  serial", c.serial});
  t.add({"  thumbprint", c.sha1_thumbprint});
  t.add({"  sha256", c.sha256_fingerprint});
  t.add({"  valid", to_iso8601(c.not_before) + " to " + to_iso8601(c.not_after)});
  t.add({"  template", c.template_name});
  t.add({"  issued by", ca_name});
  for (const auto& [label, value] : extra) t.add({"  " + label, value});
  return "Certificate " + c.serial + "\n" + t.render();
}

std::string request_details(const store::RequestRecord& r, const std::string& ca_name) {
  Table t({"  disposition", store::to_string(r.disposition)});
  if (!r.disposition_message.empty()) t.add({"  message", r.disposition_message});
  t.add({"  subject", r.subject});
  const AskedFor asked = asked_for(r);
  t.add({"  SANs asked for", asked.sans.empty() ? "none" : join(asked.sans)});
  if (!r.submit_attributes.empty()) {
    std::vector<std::string> quoted;
    for (const auto& a : r.submit_attributes) quoted.push_back(shell_quoted(a));
    t.add({"  --attrib", join(quoted, " ")});
  }
  if (!asked.key.empty()) t.add({"  key", asked.key});
  t.add({"  template", r.template_name});
  t.add({"  CA", ca_name});
  t.add({"  requester", r.requester});
  t.add({"  submitted", to_iso8601(r.submitted_at)});
  if (r.resolved_at) t.add({"  resolved", to_iso8601(*r.resolved_at)});
  const Json attributes = windows_attributes(r.attributes_json);
  const std::pair<const char*, const char*> labels[] = {
      {"os_version", "  OS version"},         {"client_machine", "  requesting machine"},
      {"client_user", "  requesting user"},   {"client_process", "  requesting process"},
      {"csp_name", "  CSP"},                  {"template_name", "  template asked for"}};
  for (const auto& [key, label] : labels) {
    if (attributes.contains(key)) t.add({label, attributes[key].get<std::string>()});
  }
  return "Request " + std::to_string(r.id) + "\n" + t.render();
}

std::string canonical_template_name(Home& home, const std::string& typed) {
  if (typed.empty()) return typed;
  try {
    const TemplateSet templates = TemplateSet::load(home.templates_dir());
    const CertificateTemplate* t = templates.find(typed);
    return t ? t->name : typed;
  } catch (const Error& e) {
    // A broken template file must not hide what was issued: match the name as typed.
    if (e.kind() != ErrorKind::template_invalid) throw;
    return typed;
  }
}

}  // namespace pocketca::cli
