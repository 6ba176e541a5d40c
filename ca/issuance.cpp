#include "issuance.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

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

// Runs work(i) for i in [0, n) on `jobs` threads (the caller's among them).
template <typename Work>
void in_parallel(size_t n, int jobs, Work&& work) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) work(i);
  };
  std::vector<std::jthread> threads;
  for (int t = 1; t < std::min<int>(jobs, static_cast<int>(n)); ++t) threads.emplace_back(worker);
  worker();
}


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

// A revoked or expired CA signs nothing: every client would reject what it issued.
void check_issuer_usable(Home& home, const store::CaRecord& ca, Time now) {
  if (ca.not_after < now) {
    throw Error(ErrorKind::invalid_input, "CA \"" + ca.name + "\" expired on " + to_iso8601(ca.not_after) +
                                              "; choose another CA with --ca");
  }
  if (!ca.parent_index) return;
  const auto own = home.store().find_certificate(*ca.parent_index, ca.serial);
  if (own && own->status == store::CertStatus::revoked) {
    throw Error(ErrorKind::invalid_input,
                "CA \"" + ca.name + "\" was revoked on " + (own->revoked_at ? to_iso8601(*own->revoked_at) : "?") +
                    " (" + own->revocation_reason + "); everything it signed now fails revocation checks — "
                    "choose another CA with --ca");
  }
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

}  // namespace

const PrivateKey& IssuingSession::key_of(const store::CaRecord& ca) {
  auto found = keys_.find(ca.index);
  if (found == keys_.end()) found = keys_.emplace(ca.index, load_ca_key(home_, ca, passphrase_)).first;
  return found->second;
}

const std::vector<Certificate>& IssuingSession::chain_for(const store::CaRecord& ca) {
  auto found = chains_.find(ca.index);
  if (found == chains_.end()) found = chains_.emplace(ca.index, chain_of(home_, ca)).first;
  return found->second;
}

const store::CaRecord& IssuingSession::issuer_for(const std::string& selector, Time now) {
  auto found = issuers_.find(selector);
  if (found == issuers_.end()) {
    store::CaRecord ca = find_ca(home_, selector);
    check_issuer_usable(home_, ca, now);
    found = issuers_.emplace(selector, std::move(ca)).first;
  }
  return found->second;
}

IssuingSession::UnlockedIssuer IssuingSession::unlock_issuer(const std::string& selector, Time now) {
  const store::CaRecord ca = issuer_for(selector, now);
  key_of(ca);
  auto found = keys_.find(ca.index);
  UnlockedIssuer unlocked{ca, std::move(found->second)};
  keys_.erase(found);
  return unlocked;
}

void IssuingSession::adopt_issuer(const std::string& selector, UnlockedIssuer issuer) {
  issuers_.insert_or_assign(selector, issuer.ca);
  keys_.insert_or_assign(issuer.ca.index, std::move(issuer.key));
}

Certificate IssuingSession::sign(int64_t request_id, const Checked& checked, const store::CaRecord& ca,
                                 const Certificate& ca_certificate, const PrivateKey& key, Time now) const {
  const LeafSpec spec{checked.csr,
                      *checked.tmpl,
                      checked.decision.sans,
                      ca,
                      ca_certificate,
                      make_serial(static_cast<uint32_t>(request_id), static_cast<uint16_t>(ca.index)),
                      now - clock_skew_allowance,
                      std::min(validity_end(*checked.tmpl, now), ca.not_after)};
  return sign_leaf(spec, key);
}

void IssuingSession::record_issued(store::Writer& w, int64_t request_id, const Checked& checked, const Certificate& issued,
                                   SubmitResult& result, const std::string& actor, Time now) {
  const store::CaRecord& ca = result.ca;
  if (validity_end(*checked.tmpl, now) > ca.not_after) {
    result.warnings.push_back("the validity was cut to the notAfter of CA \"" + ca.name + "\" (" +
                              to_iso8601(ca.not_after) + ")");
  }
  store::CertificateRecord row = certificate_row(issued, ca.index, request_id, checked.decision.sans, checked.tmpl->name);
  w.add_certificate(row);
  w.resolve_request(request_id, store::Disposition::issued, "", now);
  w.add_audit({0, now, actor, "issued", request_id, row.serial, checked.tmpl->name});
  result.request_id = request_id;
  result.disposition = store::Disposition::issued;
  result.template_name = checked.tmpl->name;
  result.record = row;
  result.chain = chain_for(ca);
  result.chain.insert(result.chain.begin(), issued);  // not chain_of(row): the row is not committed yet
}

// What the pure checks made of one input, before anything is recorded.
struct IssuingSession::Inspection {
  std::optional<Checked> checked;  // set once the input parsed as a request
  std::optional<Error> error;      // why it was refused, if it was
};

IssuingSession::Inspection IssuingSession::inspect(const std::string& raw_input, const Attributes& attributes,
                                                   const store::CaRecord& ca, const SubmitOptions& options) const {
  Inspection out;
  try {
    out.checked.emplace(Checked{Csr::from_der(request_der_from_input(raw_input)), nullptr, {}});
    out.checked->tmpl = &choose_template(templates_, options.template_name, attributes, out.checked->csr);
    out.checked->decision = check_request(out.checked->csr, *out.checked->tmpl, attributes, ca);
  } catch (const Error& e) {
    out.error = e;
  }
  return out;
}

IssuingSession::Checked IssuingSession::settle(Inspection&& inspection, const SubmitOptions& options,
                                               SubmitResult& result) {
  if (inspection.error) {
    const Error& e = *inspection.error;
    if (!inspection.checked) {
      // Not a request at all: no request row, but the attempt is audited.
      home_.store().write([&](store::Writer& w) {
        w.add_audit({0, options.now, options.requester, "denied", std::nullopt, "", std::string("input refused: ") + e.what()});
      });
      throw e;
    }
    if (e.kind() != ErrorKind::policy_denied) throw e;
    const Checked& refused = *inspection.checked;
    const auto row = request_row(refused.csr, result.ca, refused.tmpl ? refused.tmpl->name : "", options,
                                 store::Disposition::denied, e.what());
    throw denial(record_refusal(home_, row, options.requester, options.now), e);
  }
  result.template_name = inspection.checked->tmpl->name;
  result.warnings = inspection.checked->decision.warnings;
  return std::move(*inspection.checked);
}

IssuingSession::Checked IssuingSession::check(const std::string& raw_input, const SubmitOptions& options,
                                              SubmitResult& result) {
  const Attributes attributes = parse_attributes(options.attributes);
  result.ca = issuer_for(options.ca, options.now);  // looked up once per session: a batch asks thousands of times
  return settle(inspect(raw_input, attributes, result.ca, options), options, result);
}

bool IssuingSession::hold_if_pending(const Checked& checked, const SubmitOptions& options, SubmitResult& result) {
  if (!options.pending && !checked.tmpl->requires_approval) return false;
  const std::string why =
      options.pending ? "held with --pending" : "template " + checked.tmpl->name + " requires approval";
  home_.store().write([&](store::Writer& w) {
    result.request_id = w.add_request(
        request_row(checked.csr, result.ca, checked.tmpl->name, options, store::Disposition::pending, why));
    w.add_audit({0, options.now, options.requester, "submitted", result.request_id, "", checked.csr.subject()});
    w.add_audit({0, options.now, options.requester, "pending", result.request_id, "", why});
  });
  result.disposition = store::Disposition::pending;
  return true;
}

SubmitResult IssuingSession::submit(const std::string& raw_input, const SubmitOptions& options) {
  SubmitResult result;
  Checked checked = check(raw_input, options, result);
  if (hold_if_pending(checked, options, result)) return result;
  std::vector<SubmitResult> results{std::move(result)};
  std::vector<Checked> group;
  group.push_back(std::move(checked));
  issue_group(group, results, options, 1);
  return std::move(results.front());
}

void IssuingSession::issue_group(const std::vector<Checked>& group, std::vector<SubmitResult>& results,
                                 const SubmitOptions& options, int jobs) {
  const store::CaRecord ca = results.front().ca;
  const PrivateKey& key = key_of(ca);  // a wrong passphrase stops here, before anything is recorded
  const Certificate& ca_certificate = chain_for(ca).front();
  std::vector<int64_t> ids(group.size());
  std::vector<std::optional<Certificate>> issued(group.size());
  // Request rows and their "submitted" entries; `disposition` is what a row says until
  // record_all resolves it as issued.
  const auto add_requests = [&](store::Writer& w, store::Disposition disposition, const std::string& message) {
    for (size_t i = 0; i < group.size(); ++i) {
      ids[i] = w.add_request(request_row(group[i].csr, ca, group[i].tmpl->name, options, disposition, message));
      w.add_audit({0, options.now, options.requester, "submitted", ids[i], "", group[i].csr.subject()});
    }
  };
  // Signing is the costly part and touches no shared state: spread it over `jobs` threads.
  const auto sign_all = [&] {
    std::vector<std::exception_ptr> failures(group.size());
    in_parallel(group.size(), jobs, [&](size_t i) {
      try {
        issued[i] = sign(ids[i], group[i], ca, ca_certificate, key, options.now);
      } catch (...) {
        failures[i] = std::current_exception();
      }
    });
    for (const auto& failure : failures) {
      if (failure) std::rethrow_exception(failure);
    }
  };
  const auto record_all = [&](store::Writer& w) {
    for (size_t i = 0; i < group.size(); ++i) {
      record_issued(w, ids[i], group[i], *issued[i], results[i], options.requester, options.now);
    }
  };
  try {
    if (group.size() == 1) {
      // One certificate: one transaction, one fsync.
      home_.store().write([&](store::Writer& w) {
        add_requests(w, store::Disposition::pending, "");
        sign_all();
        record_all(w);
      });
    } else {
      // A group signs outside the write lock, so the other workers of `submit --batch --jobs`
      // can commit meanwhile. Its requests (whose IDs the serials embed) are recorded first,
      // as failed until the second commit says otherwise: a crash in between leaves them
      // failed, never pending (nobody can approve them into a second certificate).
      home_.store().write([&](store::Writer& w) {
        add_requests(w, store::Disposition::failed,
                     "signing did not finish (the batch stopped or this group failed); a batch that went on "
                     "submitted the request again under a new ID");
      });
      sign_all();
      home_.store().write(record_all);
    }
  } catch (const Error& e) {
    if (group.size() > 1) throw;  // the batch caller retries one by one
    // The transaction rolled back: nothing was issued. Keep the attempt as a failed row.
    const auto row = request_row(group.front().csr, ca, group.front().tmpl->name, options, store::Disposition::failed,
                                 e.what());
    const int64_t id = record_refusal(home_, row, options.requester, options.now);
    throw Error(e.kind(), "issuing failed, request " + std::to_string(id) + " marked failed: " + e.what())
        .with_request_id(id);
  }
}

namespace {

// For the length of a batch: fewer, larger checkpoints (Store::set_bulk_writes), and a
// short WAL again afterwards, however the batch ends.
class BulkWrites {
 public:
  explicit BulkWrites(store::Store& store) : store_(store) { store_.set_bulk_writes(true); }
  ~BulkWrites() { store_.set_bulk_writes(false); }
  BulkWrites(const BulkWrites&) = delete;
  BulkWrites& operator=(const BulkWrites&) = delete;

 private:
  store::Store& store_;
};

}  // namespace

void IssuingSession::submit_batch(const std::function<std::optional<BatchInput>()>& next, const SubmitOptions& options,
                                  int jobs, const std::function<void(BatchOutcome&&)>& report) {
  const Attributes attributes = parse_attributes(options.attributes);
  const store::CaRecord& ca = issuer_for(options.ca, options.now);
  key_of(ca);  // a wrong passphrase stops the batch before anything is recorded
  BulkWrites bulk(home_.store());
  bool more = true;
  while (more) {
    // Read a group, inspect it on `jobs` threads (parsing and policy are pure), then
    // record refusals and pending requests in order, and issue the rest together.
    std::vector<BatchInput> inputs;
    while (inputs.size() < batch_group_size) {
      std::optional<BatchInput> input = next();
      if (!input) {
        more = false;
        break;
      }
      inputs.push_back(std::move(*input));
    }
    std::vector<Inspection> inspections(inputs.size());
    in_parallel(inputs.size(), jobs, [&](size_t i) { inspections[i] = inspect(inputs[i].raw, attributes, ca, options); });

    std::vector<Checked> group;
    std::vector<SubmitResult> results;
    std::vector<std::string> names;
    for (size_t n = 0; n < inputs.size(); ++n) {
      const std::optional<BatchInput> input = std::move(inputs[n]);
      try {
        SubmitResult result;
        result.ca = ca;
        Checked checked = settle(std::move(inspections[n]), options, result);
        if (hold_if_pending(checked, options, result)) {
          report({input->name, std::move(result), "", std::nullopt});
          continue;
        }
        group.push_back(std::move(checked));
        results.push_back(std::move(result));
        names.push_back(input->name);
      } catch (const Error& e) {
        report({input->name, std::nullopt, e.what(), e.request_id()});
      }
    }
    if (group.empty()) continue;
    try {
      issue_group(group, results, options, jobs);
      for (size_t i = 0; i < group.size(); ++i) report({names[i], std::move(results[i]), "", std::nullopt});
    } catch (const Error&) {
      // Something in the group failed as a whole: issue its members one by one, so
      // one bad request is reported alone and the others still go through.
      for (size_t i = 0; i < group.size(); ++i) {
        std::vector<SubmitResult> one{results[i]};
        try {
          issue_group({group[i]}, one, options, 1);
          report({names[i], std::move(one.front()), "", std::nullopt});
        } catch (const Error& e) {
          report({names[i], std::nullopt, e.what(), e.request_id()});
        }
      }
    }
  }
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
  check_issuer_usable(home_, result.ca, now);
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
  const PrivateKey& key = key_of(result.ca);
  home_.store().write([&](store::Writer& w) {
    pending_request(request_id, "approved");  // again, inside the write lock: another process may have decided meanwhile
    w.add_audit({0, now, actor, "approved", request_id, "", ""});
    record_issued(w, request_id, checked, sign(request_id, checked, result.ca, chain_for(result.ca).front(), key, now),
                  result, actor, now);
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
