#include "issuance.h"

#include <algorithm>
#include <deque>
#include <exception>
#include <memory>

#include "csr.h"
#include "error.h"
#include "leaf_certificate.h"
#include "policy.h"
#include "request_intake.h"
#include "serial.h"
#include "submission.h"
#include "work_pool.h"

namespace pocketca {

// What the checks decided for one request: its parsed form, template and names, and its
// row as submitted (built by the checks, so a batch builds it off the recording thread).
struct IssuingSession::Checked {
  Csr csr;
  const CertificateTemplate* tmpl = nullptr;
  PolicyDecision decision;
  store::RequestRecord submitted;
  // The certificate but for its serial, when a batch drafted it where it checked; sign() uses it up.
  std::optional<CertificateBuilder> draft;
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

// Why a CA may not sign, if it may not: a revoked or expired CA signs nothing, since every client
// would reject what it issued. `instead` says what the user can do about it.
std::optional<std::string> why_issuer_unusable(Home& home, const store::CaRecord& ca, Time now,
                                               const std::string& instead) {
  if (ca.not_after < now) return "CA \"" + ca.name + "\" expired on " + to_iso8601(ca.not_after) + "; " + instead;
  if (!ca.parent_index) return std::nullopt;
  const auto own = home.store().find_certificate(*ca.parent_index, ca.serial);
  if (own && own->status == store::CertStatus::revoked) {
    return "CA \"" + ca.name + "\" was revoked on " + (own->revoked_at ? to_iso8601(*own->revoked_at) : "?") + " (" +
           own->revocation_reason + "); everything it signed now fails revocation checks — " + instead;
  }
  return std::nullopt;
}

void check_issuer_usable(Home& home, const store::CaRecord& ca, Time now, const std::string& instead) {
  if (auto why = why_issuer_unusable(home, ca, now, instead)) throw Error(ErrorKind::invalid_input, *why);
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

// A request's row as submitted, with its outcome.
store::RequestRecord with_outcome(store::RequestRecord row, store::Disposition disposition, std::string message) {
  row.disposition = disposition;
  row.disposition_message = std::move(message);
  row.resolved_at = disposition == store::Disposition::pending ? std::nullopt : std::optional<Time>(row.submitted_at);
  return row;
}

Time validity_end(const CertificateTemplate& t, Time now) {
  return t.validity_years > 0 ? add_years(now, t.validity_years) : now + days(t.validity_days);
}

// The template's validity, cut to the issuer's (record_issued() warns when it is).
Time not_after_of(const CertificateTemplate& t, const store::CaRecord& ca, Time now) {
  return std::min(validity_end(t, now), ca.not_after);
}

}  // namespace

const PrivateKey& IssuingSession::key_of(const store::CaRecord& ca) {
  auto found = keys_.find(ca.index);
  if (found == keys_.end()) {
    found = keys_.emplace(ca.index, load_ca_key(home_, ca, chain_for(ca).front(), passphrase_)).first;
  }
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
    check_issuer_usable(home_, ca, now, "choose another CA with --ca");
    found = issuers_.emplace(selector, std::move(ca)).first;
  }
  return found->second;
}

LeafSpec IssuingSession::leaf_spec(const Checked& checked, const store::CaRecord& ca, const Certificate& ca_certificate,
                                   Time now) {
  return {checked.csr,   *checked.tmpl, checked.decision.sans, ca, ca_certificate, now - clock_skew_allowance,
          not_after_of(*checked.tmpl, ca, now)};
}

Certificate IssuingSession::sign(int64_t request_id, Checked& checked, const store::CaRecord& ca,
                                 const Certificate& ca_certificate, const PrivateKey& key, Time now) const {
  const Bytes serial = make_serial(static_cast<uint32_t>(request_id), static_cast<uint16_t>(ca.index));
  if (!checked.draft) return sign_leaf(leaf_spec(checked, ca, ca_certificate, now), serial, key);
  CertificateBuilder draft = std::move(*checked.draft);
  checked.draft.reset();
  return sign_leaf(std::move(draft), serial, key);
}

store::CertificateRecord IssuingSession::row_of(const Certificate& issued, int64_t request_id, const Checked& checked,
                                               const store::CaRecord& ca) {
  return certificate_row(issued, ca.index, request_id, checked.decision.sans, checked.tmpl->name);
}

void IssuingSession::record_issued(store::Writer& w, int64_t request_id, const Checked& checked, const Certificate& issued,
                                   store::CertificateRecord row, SubmitResult& result, const std::string& actor,
                                   Time now) {
  const store::CaRecord& ca = result.ca;
  if (validity_end(*checked.tmpl, now) > ca.not_after) {
    result.warnings.push_back("the validity was cut to the notAfter of CA \"" + ca.name + "\" (" +
                              to_iso8601(ca.not_after) + ")");
  }
  w.add_certificate(row);
  w.resolve_request(request_id, store::Disposition::issued, "", now);
  w.add_audit({0, now, actor, "issued", request_id, row.serial, checked.tmpl->name});
  result.request_id = request_id;
  result.disposition = store::Disposition::issued;
  result.template_name = checked.tmpl->name;
  result.record = std::move(row);
  result.chain = chain_for(ca);
  result.chain.insert(result.chain.begin(), issued);  // not chain_of(row): the row is not committed yet
}

// What the pure checks made of one input, before anything is recorded.
struct IssuingSession::Inspection {
  std::optional<Checked> checked;  // set once the input parsed as a request
  std::optional<Error> error;      // why it was refused, if it was
};

IssuingSession::Inspection IssuingSession::inspect(const std::string& raw_input, const Attributes& attributes,
                                                   const store::CaRecord& ca, const SubmitOptions& options,
                                                   const LeafProfiles* profiles) const {
  Inspection out;
  try {
    out.checked.emplace(Checked{Csr::from_der(request_der_from_input(raw_input)), nullptr, {}, {}, {}});
    out.checked->tmpl = &choose_template(templates_, options.template_name, attributes, out.checked->csr);
    out.checked->decision = check_request(out.checked->csr, *out.checked->tmpl, attributes, ca);
    out.checked->submitted = request_row(out.checked->csr, ca, out.checked->tmpl->name, options,
                                         store::Disposition::pending, "");
  } catch (const Error& e) {
    out.error = e;
    return out;
  }
  if (profiles != nullptr && !options.pending && !out.checked->tmpl->requires_approval) {
    // Without a profile (its extensions did not build), sign() drafts and fails there, where a
    // failure is recorded against the request.
    if (const auto profile = profiles->find(out.checked->tmpl); profile != profiles->end()) {
      Checked& c = *out.checked;
      c.draft = profile->second.draft(c.csr, c.decision.sans, options.now - clock_skew_allowance,
                                      not_after_of(*c.tmpl, ca, options.now));
    }
  }
  return out;
}

IssuingSession::Checked IssuingSession::settle(Inspection&& inspection, const SubmitOptions& options,
                                               const std::string& source, SubmitResult& result) {
  if (inspection.error) {
    const Error& e = *inspection.error;
    if (!inspection.checked) {
      if (e.kind() != ErrorKind::invalid_request) throw e;  // e.g. a batch's file that cannot be read
      // Not a request at all: no request row, but the attempt is audited.
      home_.store().write([&](store::Writer& w) {
        w.add_audit({0, options.now, options.requester, "denied", std::nullopt, "", std::string("input refused: ") + (source.empty() ? "" : source + ": ") + e.what()});
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
  result.ca = find_ca(home_, options.ca);
  Inspection inspection = inspect(raw_input, attributes, result.ca, options);
  // A request that parses gets its row even when the CA may not sign it: denied, saying why.
  if (!inspection.error) {
    if (auto why = why_issuer_unusable(home_, result.ca, options.now, "choose another CA with --ca")) {
      inspection.error = Error(ErrorKind::policy_denied, *why);
    }
  }
  return settle(std::move(inspection), options, options.source, result);
}

bool IssuingSession::hold_if_pending(const Checked& checked, const SubmitOptions& options, SubmitResult& result) {
  if (!options.pending && !checked.tmpl->requires_approval) return false;
  const std::string why =
      options.pending ? "held with --pending" : "template " + checked.tmpl->name + " requires approval";
  home_.store().write([&](store::Writer& w) {
    result.request_id = w.add_request(with_outcome(checked.submitted, store::Disposition::pending, why));
    w.add_audit({0, options.now, options.requester, "submitted", result.request_id, "", checked.submitted.subject});
    w.add_audit({0, options.now, options.requester, "pending", result.request_id, "", why});
  });
  result.disposition = store::Disposition::pending;
  return true;
}

SubmitResult IssuingSession::submit(const std::string& raw_input, const SubmitOptions& options) {
  SubmitResult result;
  Checked checked = check(raw_input, options, result);
  result.request_made_on_windows = checked.csr.windows_info().made_on_windows();
  if (hold_if_pending(checked, options, result)) return result;
  issue_one(checked, result, options);
  return result;
}

void IssuingSession::issue_one(Checked& checked, SubmitResult& result, const SubmitOptions& options) {
  const store::CaRecord ca = result.ca;
  const PrivateKey& key = key_of(ca);  // a wrong passphrase stops here, before anything is recorded
  const Certificate& ca_certificate = chain_for(ca).front();
  try {
    // One transaction, one fsync: the request row (its ID goes into the serial), the
    // signature, the certificate row. Another writer waits for one signature at most.
    home_.store().write([&](store::Writer& w) {
      const int64_t id = w.add_request(checked.submitted);
      w.add_audit({0, options.now, options.requester, "submitted", id, "", checked.submitted.subject});
      const Certificate issued = sign(id, checked, ca, ca_certificate, key, options.now);
      record_issued(w, id, checked, issued, row_of(issued, id, checked, ca), result, options.requester, options.now);
      if (options.before_commit) options.before_commit(result.chain);
    });
  } catch (const Error& e) {
    // The transaction rolled back: nothing was issued. Keep the attempt as a failed row.
    const int64_t id = record_refusal(home_, with_outcome(checked.submitted, store::Disposition::failed, e.what()),
                                      options.requester, options.now);
    throw Error(e.kind(), "issuing failed, request " + std::to_string(id) + " marked failed: " + e.what())
        .with_request_id(id);
  }
}

// A batch group on its way: checked, its request rows reserved, signed on the pool, recorded.
struct IssuingSession::Group {
  std::vector<Checked> checked;
  std::vector<SubmitResult> results;
  std::vector<std::string> names;
  std::vector<int64_t> ids;
  std::vector<std::optional<Certificate>> issued;
  std::vector<store::CertificateRecord> rows;  // of `issued`, built where they were signed
  std::shared_ptr<WorkPool::Job> signing;
};

void IssuingSession::reserve_requests(store::Writer& w, Group& group, const SubmitOptions& options) {
  // The group signs outside the write lock, so the certificates of the groups before it can be
  // recorded meanwhile (and another process can write). Its rows say failed until the commit
  // that records its certificates says otherwise: a crash in between leaves them failed, never
  // pending (nobody can approve them into a second certificate).
  const std::string unfinished =
      "signing did not finish (the batch stopped or this group failed); a batch that went on "
      "submitted the request again under a new ID";
  group.ids.resize(group.checked.size());
  for (size_t i = 0; i < group.checked.size(); ++i) {
    const store::RequestRecord& submitted = group.checked[i].submitted;
    group.ids[i] = w.add_request(with_outcome(submitted, store::Disposition::failed, unfinished));
    w.add_audit({0, options.now, options.requester, "submitted", group.ids[i], "", submitted.subject});
  }
}

void IssuingSession::record_certificates(store::Writer& w, Group& group, const SubmitOptions& options) {
  for (size_t i = 0; i < group.checked.size(); ++i) {
    record_issued(w, group.ids[i], group.checked[i], *group.issued[i], std::move(group.rows[i]), group.results[i],
                  options.requester, options.now);
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
  const store::CaRecord ca = issuer_for(options.ca, options.now);
  const PrivateKey& key = key_of(ca);  // a wrong passphrase stops the batch before anything is recorded
  const Certificate& ca_certificate = chain_for(ca).front();
  BulkWrites bulk(home_.store());
  // What each template's certificates share, built once for the batch; a template whose
  // extensions do not build has none, and its requests fail where they are signed (recorded so).
  LeafProfiles profiles;
  for (const CertificateTemplate& t : templates_.all()) {
    try {
      profiles.emplace(&t, LeafProfile(t, ca, ca_certificate));
    } catch (const Error&) {
    }
  }

  struct Reading {
    std::vector<BatchInput> inputs;
    std::vector<Inspection> inspections;
    std::shared_ptr<WorkPool::Job> inspecting;
  };
  // In flight at once: the group being inspected, and two reserved groups, signing or signed
  // (oldest first): while this thread commits one group's certificates, the signing threads
  // still have the next group to sign.
  std::unique_ptr<Reading> upcoming;
  std::deque<std::unique_ptr<Group>> in_flight;
  WorkPool pool(jobs);  // after what its jobs refer to: on the way out, it stops first

  const auto read_group = [&]() -> std::unique_ptr<Reading> {
    auto reading = std::make_unique<Reading>();
    while (reading->inputs.size() < batch_group_size) {
      std::optional<BatchInput> input = next();
      if (!input) break;
      reading->inputs.push_back(std::move(*input));
    }
    if (reading->inputs.empty()) return nullptr;
    reading->inspections.resize(reading->inputs.size());
    reading->inspecting = pool.run(reading->inputs.size(), [&, r = reading.get()](size_t i) {
      std::string raw;
      try {
        raw = r->inputs[i].read();
      } catch (const Error& e) {
        r->inspections[i].error = e;  // unreadable: reported, and no submission to audit
        return;
      }
      r->inspections[i] = inspect(raw, attributes, ca, options, &profiles);  // parsing, policy and drafts are pure
    }, WorkPool::CallerHelps::yes);  // this thread checks too while it waits for signatures
    return reading;
  };
  // Refusals and pending requests are recorded and reported in input order; the rest form a group.
  const auto settle_group = [&](Reading& reading) {
    auto group = std::make_unique<Group>();
    for (size_t n = 0; n < reading.inputs.size(); ++n) {
      const std::string& name = reading.inputs[n].name;
      try {
        SubmitResult result;
        result.ca = ca;
        Checked checked = settle(std::move(reading.inspections[n]), options, reading.inputs[n].source, result);
        if (hold_if_pending(checked, options, result)) {
          report({name, std::move(result), "", std::nullopt});
          continue;
        }
        group->checked.push_back(std::move(checked));
        group->results.push_back(std::move(result));
        group->names.push_back(name);
      } catch (const Error& e) {
        report({name, std::nullopt, e.what(), e.request_id()});
      }
    }
    return group;
  };
  // Something in the group failed as a whole: issue its members one by one, so one bad
  // request is reported alone and the others still go through.
  const auto one_by_one = [&](Group& group) {
    for (size_t i = 0; i < group.checked.size(); ++i) {
      SubmitResult result = group.results[i];
      try {
        issue_one(group.checked[i], result, options);
        report({group.names[i], std::move(result), "", std::nullopt});
      } catch (const Error& e) {
        report({group.names[i], std::nullopt, e.what(), e.request_id()});
      }
    }
  };
  const auto reserve_alone = [&](Group& group) {
    try {
      home_.store().write([&](store::Writer& w) { reserve_requests(w, group, options); });
    } catch (const Error&) {
      return false;
    }
    return true;
  };
  const auto start_signing = [&](Group& group) {
    group.issued.resize(group.checked.size());
    group.rows.resize(group.checked.size());
    group.signing = pool.run(group.checked.size(), [&, g = &group](size_t i) {
      g->issued[i] = sign(g->ids[i], g->checked[i], ca, ca_certificate, key, options.now);
      g->rows[i] = row_of(*g->issued[i], g->ids[i], g->checked[i], ca);
    });
  };
  // One durable commit per group, not two: the certificates of the oldest signing group and the
  // requests of the next one (their IDs go into its serials). Returns whether `next` was
  // reserved. Either part failing is retried apart: the signed group is then issued one by
  // one, and the next group reserved on its own.
  const auto record_and_reserve = [&](Group& done, Group* next) {
    bool recorded = false;
    try {
      pool.wait(*done.signing);
      home_.store().write([&](store::Writer& w) {
        record_certificates(w, done, options);
        if (next != nullptr) reserve_requests(w, *next, options);
      });
      recorded = true;
    } catch (const Error&) {
    }
    if (recorded) {
      for (size_t i = 0; i < done.checked.size(); ++i) report({done.names[i], std::move(done.results[i]), "", std::nullopt});
    } else {
      one_by_one(done);
    }
    return next != nullptr && (recorded || reserve_alone(*next));
  };

  upcoming = read_group();
  while (upcoming || !in_flight.empty()) {
    std::unique_ptr<Group> group;
    if (std::unique_ptr<Reading> current = std::move(upcoming)) {
      upcoming = read_group();  // inspected on the pool while this thread records
      pool.wait(*current->inspecting);
      group = settle_group(*current);
      if (group->checked.empty()) group.reset();
    }
    bool reserved = false;
    bool recorded = false;
    if (group && in_flight.size() < 2) {
      reserved = reserve_alone(*group);  // the batch's first groups: nothing signed to record yet
    } else if (!in_flight.empty()) {
      std::unique_ptr<Group> done = std::move(in_flight.front());
      in_flight.pop_front();
      reserved = record_and_reserve(*done, group.get());
      recorded = true;
      // Freed by whichever thread is free first: a signing thread only when nothing is left to sign.
      auto finished = std::make_shared<std::unique_ptr<Group>>(std::move(done));
      (void)pool.run(1, [finished](size_t) { finished->reset(); }, WorkPool::CallerHelps::yes);
    }
    if (group) {
      if (reserved) {
        start_signing(*group);
        in_flight.push_back(std::move(group));
      } else {
        one_by_one(*group);
      }
    }
    // The last group is signing and the ones before it are recorded: copy the WAL back
    // meanwhile, so that the batch's end (which checkpoints, see BulkWrites) copies only what
    // the last group adds, not the whole batch. A batch of one group checkpoints once, at its end.
    if (recorded && !upcoming && in_flight.size() == 1) home_.store().checkpoint();
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
  check_issuer_usable(home_, result.ca, now,
                      "the request was made for it, so deny it (`pocketca deny " + std::to_string(request_id) +
                          "`) and submit it again with --ca");
  Checked checked{Csr::from_der(request.request_der), templates_.find(request.template_name), {}, request, {}};
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
  result.request_made_on_windows = checked.csr.windows_info().made_on_windows();
  const PrivateKey& key = key_of(result.ca);
  home_.store().write([&](store::Writer& w) {
    pending_request(request_id, "approved");  // again, inside the write lock: another process may have decided meanwhile
    w.add_audit({0, now, actor, "approved", request_id, "", ""});
    const Certificate issued = sign(request_id, checked, result.ca, chain_for(result.ca).front(), key, now);
    record_issued(w, request_id, checked, issued, row_of(issued, request_id, checked, result.ca), result, actor, now);
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
