#include "revocation.h"

#include <algorithm>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <tuple>
#include <unordered_set>

#include "crl_builder.h"
#include "error.h"
#include "files.h"
#include "serial.h"

namespace pocketca {
namespace {

// Holds an exclusive flock on a folder for as long as it lives (a folder, so
// no lock file appears among what is published).
class FolderLock {
 public:
  explicit FolderLock(const std::filesystem::path& path) : fd_(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
      if (fd_ >= 0) ::close(fd_);
      throw Error(ErrorKind::storage, "cannot lock " + path.string() + " to publish a CRL");
    }
  }
  ~FolderLock() { ::close(fd_); }  // closing releases the lock
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_;
};

bool is_self_signed_root(Home& home, const store::CertificateRecord& cert) {
  const auto issuer = home.store().find_ca(cert.ca_index);
  return issuer && !issuer->parent_index && issuer->serial == cert.serial;
}

std::string revocation_summary(const store::CertificateRecord& cert) {
  return "revoked on " + (cert.revoked_at ? to_iso8601(*cert.revoked_at) : std::string("?")) + " (" +
         cert.revocation_reason + ")";
}

// AD CS publishes the next CRL before the current one expires: the hint says
// when, 10% of the lifetime (at most 12 hours) ahead of nextUpdate.
Time next_publish_time(Time this_publication, Time next_update) {
  const auto lifetime = next_update - this_publication;
  return next_update - std::min<std::chrono::seconds>(lifetime / 10, std::chrono::hours(12));
}

// A delta lists what changed since the base: revocations the base does not
// have, and lifted holds (removeFromCRL) that it does.
CrlEntries delta_entries(Home& home, const store::CaRecord& ca, const Bytes& base_der, Time now) {
  const std::vector<std::string> listed = crl_serials(base_der);
  const std::unordered_set<std::string> in_base(listed.begin(), listed.end());
  std::unordered_set<std::string> still_revoked;
  CrlEntries entries;
  home.store().each_revoked(ca.index, now, [&](const store::RevokedCertificateView& r) {
    const std::string& serial = *still_revoked.emplace(r.serial).first;
    if (!in_base.contains(serial)) entries.add(serial, r.revoked_at, r.reason);
  });
  for (const auto& serial : listed) {
    if (still_revoked.contains(serial)) continue;
    const auto cert = home.store().find_certificate(ca.index, serial);
    // Gone from the revoked set and not expired: its hold was lifted.
    if (cert && cert->status == store::CertStatus::valid && cert->not_after >= now) {
      entries.add(serial, now, "removeFromCRL");
    }
  }
  return entries;
}

}  // namespace

store::CertificateRecord certificate_by_serial(Home& home, const std::string& typed_serial) {
  const auto cert = home.store().find_certificate_by_serial(normalize_serial(typed_serial));
  if (!cert) throw Error(ErrorKind::not_found, "there is no certificate with serial " + typed_serial + " in this CA home");
  return *cert;
}

void check_revocable(Home& home, const store::CertificateRecord& cert, const RevokeOptions& options) {
  if (cert.status == store::CertStatus::revoked) {
    throw Error(ErrorKind::conflict,
                "certificate " + cert.serial + " (" + cert.subject + ") was already " + revocation_summary(cert) +
                    (cert.revocation_reason == "certificateHold"
                         ? "; to change the reason, lift the hold with `pocketca unrevoke` first"
                         : ""));
  }
  if (is_self_signed_root(home, cert)) {
    throw Error(ErrorKind::invalid_input, "certificate " + cert.serial + " is the self-signed root \"" + cert.subject +
                                              "\"; no CRL can revoke a root — remove it from the trust stores instead");
  }
  if (options.date && *options.date > options.now) {
    throw Error(ErrorKind::invalid_input, "--date " + to_iso8601(*options.date) +
                                              " is in the future; a revocation date says when it happened");
  }
  if (options.date && *options.date < cert.not_before) {
    throw Error(ErrorKind::invalid_input, "--date " + to_iso8601(*options.date) + " is before certificate " +
                                              cert.serial + " was valid (" + to_iso8601(cert.not_before) +
                                              "); a certificate cannot be revoked before it exists");
  }
}

std::vector<std::string> revocation_warnings(const store::CertificateRecord& cert, const RevokeOptions& options) {
  if (cert.not_after >= options.now) return {};
  // RFC 5280 3.3: CRLs may drop a certificate once it has expired, and ours list unexpired ones only.
  return {"certificate " + cert.serial + " (" + cert.subject + ") expired on " + to_iso8601(cert.not_after) +
          "; it is recorded as revoked, but CRLs leave expired certificates out, so no client will see it"};
}

void revoke_certificates(Home& home, const std::vector<store::CertificateRecord>& certs, const RevokeOptions& options) {
  for (const auto& cert : certs) check_revocable(home, cert, options);
  const Time at = options.date.value_or(options.now);
  home.store().write([&](store::Writer& w) {
    for (const auto& cert : certs) {
      // Again inside the write lock: another process may have revoked it meanwhile.
      check_revocable(home, *home.store().find_certificate(cert.ca_index, cert.serial), options);
      w.set_revocation(cert.ca_index, cert.serial, at, options.reason);
      w.add_audit({0, options.now, options.actor, "revoked", cert.request_id, cert.serial,
                   options.reason + " as of " + to_iso8601(at)});
    }
  });
}

void check_unrevocable(const store::CertificateRecord& cert) {
  if (cert.status != store::CertStatus::revoked) {
    throw Error(ErrorKind::conflict, "certificate " + cert.serial + " is not revoked");
  }
  if (cert.revocation_reason != "certificateHold") {
    throw Error(ErrorKind::conflict, "certificate " + cert.serial + " was " + revocation_summary(cert) +
                                         "; only a certificateHold can be lifted (as AD CS) — issue a new certificate");
  }
}

void unrevoke_certificate(Home& home, const store::CertificateRecord& cert, const std::string& actor, Time now) {
  check_unrevocable(cert);
  home.store().write([&](store::Writer& w) {
    check_unrevocable(*home.store().find_certificate(cert.ca_index, cert.serial));  // again, under the write lock
    w.set_revocation(cert.ca_index, cert.serial, std::nullopt, "");
    w.add_audit({0, now, actor, "unrevoked", cert.request_id, cert.serial, "certificateHold lifted"});
  });
}

PublishedCrl publish_crl(Home& home, const store::CaRecord& ca, const PrivateKey& key, const CrlOptions& options) {
  if (options.delta && !ca.delta_crl_days) {
    throw Error(ErrorKind::invalid_input, "CA \"" + ca.name + "\" publishes no delta CRLs (make CAs with --delta-crl)");
  }
  if (options.days && (*options.days < 1 || *options.days > 3650)) {
    throw Error(ErrorKind::invalid_input, "--days is 1 to 3650, not " + std::to_string(*options.days));
  }
  const std::string slug = ca.slug + (options.delta ? "+" : "");
  FolderLock lock(home.dir() / "public");
  const Certificate issuer = Certificate::from_der(ca.certificate_der);

  PublishedCrl published;
  home.store().write([&](store::Writer& w) {
    CrlSpec spec{issuer, w.next_crl_number(ca.index), std::nullopt, {}, {}, {}, "", {}};
    // Back-dated for clock skew, and never before a CRL already out there.
    spec.this_update = options.now - clock_skew_allowance;
    if (const auto previous = home.store().latest_crl_this_update(ca.index)) {
      spec.this_update = std::max(spec.this_update, *previous);
    }
    const int days = options.days.value_or(options.delta ? *ca.delta_crl_days : ca.crl_days);
    spec.next_update = options.now + std::chrono::days(days);
    spec.next_publish = next_publish_time(options.now, spec.next_update);
    const auto base = home.store().latest_crl(ca.index, false);
    if (options.delta) {
      const auto base_der = base ? home.store().crl_der(ca.index, base->number) : std::nullopt;
      if (!base_der || base_der->empty()) {
        throw Error(ErrorKind::invalid_input, "CA \"" + ca.name + "\" has no base CRL yet; run `pocketca crl` first");
      }
      spec.delta_of = base->number;
      spec.entries = delta_entries(home, ca, *base_der, options.now);
    } else {
      // Straight from the rows into the compact entries: no list of strings in between,
      // and room for about as many as last time (growing a million entries copies them).
      if (base) spec.entries.reserve(static_cast<size_t>(base->entries + base->entries / 16 + 16));
      home.store().each_revoked(ca.index, options.now, [&spec](const store::RevokedCertificateView& r) {
        spec.entries.add(r.serial, r.revoked_at, r.reason);
      });
      if (ca.delta_crl_days && !ca.base_url.empty()) spec.freshest_crl_url = ca.base_url + "/pki/" + ca.slug + "+.crl";
    }
    store::CrlRecord& record = published.record;
    record = {ca.index, spec.number, options.delta, spec.this_update, spec.next_update,
              static_cast<int64_t>(spec.entries.size()), sign_crl(spec, key)};
    w.add_crl(record);
    w.add_audit({0, options.now, options.actor, "crl-published", std::nullopt, "",
                 std::string(options.delta ? "delta" : "base") + " CRL " + std::to_string(record.number) + " of \"" +
                     ca.name + "\", " + std::to_string(record.entries) + " entries, next update " +
                     to_iso8601(record.next_update)});
  });
  // Committed; the file follows while the lock still keeps other publishers out.
  published.file = home.dir() / "public" / (slug + ".crl");
  const Bytes& der = published.record.der;
  try {
    write_file_atomically(published.file, std::string_view(reinterpret_cast<const char*>(der.data()), der.size()), true);
  } catch (const Error& e) {
    throw Error(e.kind(), "CRL " + std::to_string(published.record.number) + " of \"" + ca.name +
                              "\" is recorded, but its file could not be written (" + e.what() +
                              "); fix that and run `pocketca crl --ca \"" + ca.name + "\"`");
  }
  return published;
}

std::vector<PublishedCrl> publish_base_crl(Home& home, const store::CaRecord& ca, const PrivateKey& key,
                                           const CrlOptions& options) {
  std::vector<PublishedCrl> published{publish_crl(home, ca, key, {false, options.days, options.actor, options.now})};
  if (ca.delta_crl_days) published.push_back(publish_crl(home, ca, key, {true, std::nullopt, options.actor, options.now}));
  return published;
}

namespace {

// "ok", "due" (last quarter of its life) or "expired", with the warning for the latter two.
std::pair<std::string, std::string> standing(const store::CrlRecord& crl, const store::CaRecord& ca, Time now) {
  const auto lifetime = crl.next_update - crl.this_update;
  const std::string what = std::string(crl.is_delta ? "delta CRL" : "CRL") + " of CA \"" + ca.name + "\"";
  const std::string fix = "run `pocketca crl " + std::string(crl.is_delta ? "--delta " : "") + "--ca \"" + ca.name +
                          "\"` (or `crl --all` from a timer)";
  if (now >= crl.next_update) {
    return {"expired", "the " + what + " expired at " + to_iso8601(crl.next_update) +
                           ": every Windows client now fails revocation checks (0x80092012) — " + fix};
  }
  if (now >= crl.next_update - lifetime / 4) {
    return {"due", "the " + what + " expires at " + to_iso8601(crl.next_update) +
                       ", in the last quarter of its life; an expired CRL locks every Windows client out (0x80092012) — " +
                       fix};
  }
  return {"ok", ""};
}

}  // namespace

CrlHealth crl_health(Home& home, const store::CaRecord& ca, Time now) {
  CrlHealth health;
  health.latest = home.store().latest_crl(ca.index, false);
  if (!health.latest) {
    health.state = "none";
    return health;
  }
  std::tie(health.state, health.warning) = standing(*health.latest, ca, now);
  if (const auto delta = ca.delta_crl_days ? home.store().latest_crl(ca.index, true) : std::nullopt) {
    // The worse of the two counts: clients fetch both.
    const auto [state, warning] = standing(*delta, ca, now);
    if (state == "expired" || (state == "due" && health.state == "ok")) {
      health.state = state;
      health.warning = warning;
    }
  }
  return health;
}

std::vector<std::string> expired_crl_warnings(Home& home, const store::CaRecord& issuer, Time now) {
  std::vector<std::string> warnings;
  for (const store::CaRecord& ca : chain_records(home, issuer)) {
    CrlHealth health = crl_health(home, ca, now);
    if (health.state == "expired") warnings.push_back(std::move(health.warning));
  }
  return warnings;
}

}  // namespace pocketca
