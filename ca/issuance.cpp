#include "issuance.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "csr.h"
#include "error.h"
#include "leaf_certificate.h"
#include "policy.h"
#include "request_intake.h"
#include "serial.h"

namespace pocketca {
namespace {

struct Attributes {
  std::vector<SubjectAltName> sans;
  std::string template_name;
};

// --attrib "Name:Value", the certreq -attrib syntax; names are case-insensitive.
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

std::string template_list(const TemplateSet& templates) {
  std::string names;
  for (const auto& t : templates.all()) names += (names.empty() ? "" : ", ") + t.name;
  return names;
}

bool is_oid(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) || c == '.'; });
}

// --template, else --attrib CertificateTemplate, else the template the request names
// (end-entity templates only: a request never chooses a CA template by itself).
const CertificateTemplate& choose_template(const TemplateSet& templates, const SubmitOptions& options,
                                           const Attributes& attributes, const Csr& csr) {
  const std::string chosen = !options.template_name.empty() ? options.template_name : attributes.template_name;
  if (!chosen.empty()) {
    if (const CertificateTemplate* t = templates.find(chosen)) return *t;
    throw Error(ErrorKind::policy_denied, "there is no template \"" + chosen + "\"; templates: " + template_list(templates));
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
  return r;
}

// A request that parsed but was refused: a denied row (AD CS's Failed Requests) and audit entries.
int64_t record_refusal(Home& home, const Csr& csr, const store::CaRecord& ca, const std::string& template_name,
                       const SubmitOptions& options, store::Disposition disposition, const std::string& reason) {
  int64_t id = 0;
  home.store().write([&](store::Writer& w) {
    id = w.add_request(request_row(csr, ca, template_name, options, disposition, reason));
    w.add_audit({0, options.now, options.requester, "submitted", id, "", csr.subject()});
    w.add_audit({0, options.now, options.requester, disposition == store::Disposition::failed ? "failed" : "denied",
                 id, "", reason});
  });
  return id;
}

Time validity_end(const CertificateTemplate& t, Time now) {
  return t.validity_years > 0 ? add_years(now, t.validity_years) : now + days(t.validity_days);
}

}  // namespace

const PrivateKey& IssuingSession::key_of(const store::CaRecord& ca) {
  auto found = keys_.find(ca.index);
  if (found == keys_.end()) found = keys_.emplace(ca.index, load_ca_key(home_, ca, passphrase_)).first;
  return found->second;
}

SubmitResult IssuingSession::submit(const std::string& raw_input, const SubmitOptions& options) {
  const Attributes attributes = parse_attributes(options.attributes);
  SubmitResult result;
  result.ca = find_ca(home_, options.ca);
  std::optional<Csr> csr;
  try {
    csr.emplace(Csr::from_der(request_der_from_input(raw_input)));
  } catch (const Error& e) {
    // Not a request at all: no request row, but the attempt is audited.
    home_.store().write([&](store::Writer& w) {
      w.add_audit({0, options.now, options.requester, "denied", std::nullopt, "", std::string("input refused: ") + e.what()});
    });
    throw;
  }

  const CertificateTemplate* tmpl = nullptr;
  PolicyDecision decision;
  try {
    tmpl = &choose_template(templates_, options, attributes, *csr);
    decision = apply_policy(*csr, *tmpl, attributes.sans);
    if (tmpl->is_ca && result.ca.path_len == 0) {
      throw Error(ErrorKind::policy_denied, "CA \"" + result.ca.name +
                                                "\" has pathLen 0, so it cannot sign a CA certificate; use --ca with its parent");
    }
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::policy_denied) throw;
    const int64_t id = record_refusal(home_, *csr, result.ca, tmpl ? tmpl->name : "", options,
                                      store::Disposition::denied, e.what());
    throw Error(ErrorKind::policy_denied, "request " + std::to_string(id) + " denied: " + e.what()).with_request_id(id);
  }
  result.template_name = tmpl->name;
  result.warnings = decision.warnings;

  if (options.pending || tmpl->requires_approval) {
    const std::string why = options.pending ? "held with --pending" : "template " + tmpl->name + " requires approval";
    home_.store().write([&](store::Writer& w) {
      result.request_id = w.add_request(request_row(*csr, result.ca, tmpl->name, options, store::Disposition::pending, why));
      w.add_audit({0, options.now, options.requester, "submitted", result.request_id, "", csr->subject()});
      w.add_audit({0, options.now, options.requester, "pending", result.request_id, "", why});
    });
    result.disposition = store::Disposition::pending;
    return result;
  }

  const PrivateKey& ca_key = key_of(result.ca);
  const Certificate ca_certificate = Certificate::from_der(result.ca.certificate_der);
  Time not_after = validity_end(*tmpl, options.now);
  if (not_after > result.ca.not_after) {
    not_after = result.ca.not_after;
    result.warnings.push_back("the validity was cut to the notAfter of CA \"" + result.ca.name + "\" (" +
                              to_iso8601(not_after) + ")");
  }
  std::optional<Certificate> issued;
  try {
    home_.store().write([&](store::Writer& w) {
      result.request_id = w.add_request(request_row(*csr, result.ca, tmpl->name, options, store::Disposition::pending, ""));
      w.add_audit({0, options.now, options.requester, "submitted", result.request_id, "", csr->subject()});
      const LeafSpec spec{*csr, *tmpl, decision.sans, result.ca, ca_certificate,
                          make_serial(static_cast<uint32_t>(result.request_id), static_cast<uint16_t>(result.ca.index)),
                          options.now - clock_skew_allowance, not_after};
      issued.emplace(sign_leaf(spec, ca_key));
      store::CertificateRecord row;
      row.ca_index = result.ca.index;
      row.serial = issued->serial_hex();
      row.request_id = result.request_id;
      row.subject = issued->subject();
      row.common_name = issued->common_name();
      for (const auto& san : decision.sans) row.sans.push_back(san.to_string());
      row.template_name = tmpl->name;
      row.not_before = issued->not_before();
      row.not_after = issued->not_after();
      row.sha1_thumbprint = issued->sha1_thumbprint();
      row.sha256_fingerprint = issued->sha256_fingerprint();
      row.der = issued->der();
      w.add_certificate(row);
      w.resolve_request(result.request_id, store::Disposition::issued, "", options.now);
      w.add_audit({0, options.now, options.requester, "issued", result.request_id, row.serial, tmpl->name});
      result.record = row;
    });
  } catch (const Error& e) {
    // The transaction rolled back: nothing was issued. Keep the attempt as a failed row.
    const int64_t id = record_refusal(home_, *csr, result.ca, tmpl->name, options, store::Disposition::failed, e.what());
    throw Error(e.kind(), std::string("issuing failed, request ") + std::to_string(id) + " marked failed: " + e.what())
        .with_request_id(id);
  }
  result.disposition = store::Disposition::issued;
  result.chain = chain_of(home_, result.ca);
  result.chain.insert(result.chain.begin(), *issued);
  return result;
}

}  // namespace pocketca
