#include "issuance.h"

#include "csr.h"
#include "error.h"
#include "leaf_certificate.h"
#include "policy.h"
#include "request_intake.h"
#include "serial.h"
#include "submission.h"

namespace pocketca {

// What the checks decided for one request: its parsed form, template and names.
struct IssuingSession::Checked {
  Csr csr;
  const CertificateTemplate* tmpl = nullptr;
  PolicyDecision decision;
};

namespace {

// Policy, plus the one rule that depends on the issuer: a pathLen-0 CA signs no CA.
PolicyDecision check_request(const Csr& csr, const CertificateTemplate& tmpl, const Attributes& attributes,
                             const store::CaRecord& ca) {
  PolicyDecision decision = apply_policy(csr, tmpl, attributes.sans);
  if (tmpl.is_ca && ca.path_len == 0) {
    throw Error(ErrorKind::policy_denied,
                "CA \"" + ca.name + "\" has pathLen 0, so it cannot sign a CA certificate; use --ca with its parent");
  }
  return decision;
}

Error denial(int64_t id, const Error& e) {
  return Error(ErrorKind::policy_denied, "request " + std::to_string(id) + " denied: " + e.what()).with_request_id(id);
}

// A request that parsed but was refused: its row (AD CS's Failed Requests) and audit entries.
int64_t record_refusal(Home& home, const store::RequestRecord& row, const std::string& actor, Time now) {
  int64_t id = 0;
  home.store().write([&](store::Writer& w) {
    id = w.add_request(row);
    w.add_audit({0, now, actor, "submitted", id, "", row.subject});
    w.add_audit({0, now, actor, row.disposition == store::Disposition::failed ? "failed" : "denied", id, "",
                 row.disposition_message});
  });
  return id;
}

Time validity_end(const CertificateTemplate& t, Time now) {
  return t.validity_years > 0 ? add_years(now, t.validity_years) : now + days(t.validity_days);
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

}  // namespace

const PrivateKey& IssuingSession::key_of(const store::CaRecord& ca) {
  auto found = keys_.find(ca.index);
  if (found == keys_.end()) found = keys_.emplace(ca.index, load_ca_key(home_, ca, passphrase_)).first;
  return found->second;
}

store::CertificateRecord IssuingSession::sign_and_record(store::Writer& w, int64_t request_id, const Checked& checked,
                                                         SubmitResult& result, const std::string& actor, Time now) {
  const store::CaRecord& ca = result.ca;
  Time not_after = validity_end(*checked.tmpl, now);
  if (not_after > ca.not_after) {
    not_after = ca.not_after;
    result.warnings.push_back("the validity was cut to the notAfter of CA \"" + ca.name + "\" (" +
                              to_iso8601(not_after) + ")");
  }
  const Certificate ca_certificate = Certificate::from_der(ca.certificate_der);
  const LeafSpec spec{checked.csr,
                      *checked.tmpl,
                      checked.decision.sans,
                      ca,
                      ca_certificate,
                      make_serial(static_cast<uint32_t>(request_id), static_cast<uint16_t>(ca.index)),
                      now - clock_skew_allowance,
                      not_after};
  const Certificate issued = sign_leaf(spec, key_of(ca));
  store::CertificateRecord row = certificate_row(issued, ca.index, request_id, checked.decision.sans, checked.tmpl->name);
  w.add_certificate(row);
  w.resolve_request(request_id, store::Disposition::issued, "", now);
  w.add_audit({0, now, actor, "issued", request_id, row.serial, checked.tmpl->name});
  result.request_id = request_id;
  result.disposition = store::Disposition::issued;
  result.template_name = checked.tmpl->name;
  result.record = row;
  result.chain = chain_of(home_, ca);
  result.chain.insert(result.chain.begin(), issued);  // not chain_of(row): the row is not committed yet
  return row;
}

SubmitResult IssuingSession::submit(const std::string& raw_input, const SubmitOptions& options) {
  const Attributes attributes = parse_attributes(options.attributes);
  SubmitResult result;
  result.ca = find_ca(home_, options.ca);
  std::optional<Checked> checked;
  try {
    checked.emplace(Checked{Csr::from_der(request_der_from_input(raw_input)), nullptr, {}});
  } catch (const Error& e) {
    // Not a request at all: no request row, but the attempt is audited.
    home_.store().write([&](store::Writer& w) {
      w.add_audit({0, options.now, options.requester, "denied", std::nullopt, "", std::string("input refused: ") + e.what()});
    });
    throw;
  }
  try {
    checked->tmpl = &choose_template(templates_, options.template_name, attributes, checked->csr);
    checked->decision = check_request(checked->csr, *checked->tmpl, attributes, result.ca);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::policy_denied) throw;
    const auto row = request_row(checked->csr, result.ca, checked->tmpl ? checked->tmpl->name : "", options,
                                 store::Disposition::denied, e.what());
    throw denial(record_refusal(home_, row, options.requester, options.now), e);
  }
  const std::string template_name = checked->tmpl->name;
  result.template_name = template_name;
  result.warnings = checked->decision.warnings;

  if (options.pending || checked->tmpl->requires_approval) {
    const std::string why = options.pending ? "held with --pending" : "template " + template_name + " requires approval";
    home_.store().write([&](store::Writer& w) {
      result.request_id = w.add_request(request_row(checked->csr, result.ca, template_name, options,
                                                    store::Disposition::pending, why));
      w.add_audit({0, options.now, options.requester, "submitted", result.request_id, "", checked->csr.subject()});
      w.add_audit({0, options.now, options.requester, "pending", result.request_id, "", why});
    });
    result.disposition = store::Disposition::pending;
    return result;
  }

  key_of(result.ca);  // a wrong passphrase stops here, before anything is recorded
  try {
    home_.store().write([&](store::Writer& w) {
      const int64_t id =
          w.add_request(request_row(checked->csr, result.ca, template_name, options, store::Disposition::pending, ""));
      w.add_audit({0, options.now, options.requester, "submitted", id, "", checked->csr.subject()});
      sign_and_record(w, id, *checked, result, options.requester, options.now);
    });
  } catch (const Error& e) {
    // The transaction rolled back: nothing was issued. Keep the attempt as a failed row.
    const auto row = request_row(checked->csr, result.ca, template_name, options, store::Disposition::failed, e.what());
    const int64_t id = record_refusal(home_, row, options.requester, options.now);
    throw Error(e.kind(), "issuing failed, request " + std::to_string(id) + " marked failed: " + e.what())
        .with_request_id(id);
  }
  return result;
}

store::RequestRecord IssuingSession::pending_request(int64_t request_id, const std::string& verb) {
  const auto request = home_.store().find_request(request_id);
  if (!request) throw Error(ErrorKind::not_found, "there is no request " + std::to_string(request_id));
  if (request->disposition == store::Disposition::pending) return *request;
  const std::string when = request->resolved_at ? " on " + to_iso8601(*request->resolved_at) : "";
  const std::string state = store::to_string(request->disposition);
  throw Error(ErrorKind::conflict,
              "request " + std::to_string(request_id) + " is not pending: it was " + state + when +
                  (request->disposition_message.empty() ? "" : " (" + request->disposition_message + ")") +
                  "; only a pending request can be " + verb +
                  (request->disposition == store::Disposition::denied && verb == "approved" ? " — submit the request again"
                                                                                            : ""));
}

SubmitResult IssuingSession::approve(int64_t request_id, const std::string& actor, Time now) {
  const store::RequestRecord request = pending_request(request_id, "approved");
  SubmitResult result;
  result.ca = find_ca(home_, std::to_string(request.ca_index.value_or(0)));
  Checked checked{Csr::from_der(request.request_der), templates_.find(request.template_name), {}};
  try {
    if (checked.tmpl == nullptr) {
      throw Error(ErrorKind::policy_denied, "template \"" + request.template_name + "\" no longer exists");
    }
    checked.decision = check_request(checked.csr, *checked.tmpl, parse_attributes(request.submit_attributes), result.ca);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::policy_denied) throw;
    home_.store().write([&](store::Writer& w) {
      w.resolve_request(request_id, store::Disposition::denied, e.what(), now);
      w.add_audit({0, now, actor, "denied", request_id, "", std::string("on approval: ") + e.what()});
    });
    throw denial(request_id, e);
  }
  result.warnings = checked.decision.warnings;
  key_of(result.ca);
  home_.store().write([&](store::Writer& w) {
    pending_request(request_id, "approved");  // again, inside the write lock: another process may have decided meanwhile
    w.add_audit({0, now, actor, "approved", request_id, "", ""});
    sign_and_record(w, request_id, checked, result, actor, now);
  });
  return result;
}

void IssuingSession::deny(int64_t request_id, const std::string& reason, const std::string& actor, Time now) {
  pending_request(request_id, "denied");
  const std::string message = reason.empty() ? "denied by " + actor : reason;
  home_.store().write([&](store::Writer& w) {
    pending_request(request_id, "denied");
    w.resolve_request(request_id, store::Disposition::denied, message, now);
    w.add_audit({0, now, actor, "denied", request_id, "", message});
  });
}

}  // namespace pocketca
