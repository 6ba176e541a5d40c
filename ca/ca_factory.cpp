// Creating CAs: the root and issuing CA of `init`, and subordinates of `ca new`.
// Order matters for custody and durability: the passphrase is asked first,
// keys are written (0600) before the database knows them, certificates are
// recorded in one transaction, and only then published under public/.

#include <algorithm>

#include "certificate_builder.h"
#include "distinguished_name.h"
#include "error.h"
#include "revocation.h"
#include "files.h"
#include "hierarchy.h"
#include "request_builder.h"
#include "serial.h"
#include "slug.h"

namespace pocketca {
namespace {

struct CaDraft {
  std::string name;
  std::string slug;
  ossl::Ptr<X509_NAME> subject;
  PrivateKey key;
  Time not_before{};
  Time not_after{};
  std::optional<int> path_len;
  std::string base_url;
  bool key_encrypted = true;
  bool delta_crl = false;  // publishes delta CRLs (1 day) besides its base CRL
};

struct Issuer {
  const store::CaRecord& record;
  const Certificate& certificate;
  const PrivateKey& key;
};

const std::vector<std::string> ca_key_usage = {"digitalSignature", "keyCertSign", "cRLSign"};

Certificate sign_ca_certificate(const CaDraft& draft, const Bytes& serial, const std::optional<Issuer>& issuer) {
  CertificateBuilder builder(draft.subject.get(), draft.key.native(), serial, draft.not_before, draft.not_after);
  if (issuer) builder.issued_by(issuer->certificate);
  builder.basic_constraints(true, draft.path_len)
      .key_usage(ca_key_usage)
      .subject_key_identifier()
      .authority_key_identifier();
  // A root publishes nothing about itself; a subordinate points at its issuer's CRL and certificate.
  if (issuer) {
    for (auto& pointer : issuer_pointers(issuer->record)) builder.add(std::move(pointer));
  }
  return builder.sign(issuer ? issuer->key : draft.key);
}

// Records one CA inside the caller's transaction: its request, certificate, CA row and audit entry.
store::CaRecord record_ca(store::Writer& w, const CaDraft& draft, const std::optional<Issuer>& issuer,
                          const std::string& actor, Time now) {
  const int64_t index = w.next_ca_index();
  const int64_t issuer_index = issuer ? issuer->record.index : index;

  store::RequestRecord request;
  request.ca_index = issuer ? std::optional(issuer_index) : std::nullopt;  // a root has no CA to ask yet
  request.submitted_at = now;
  request.requester = actor;
  request.template_name = issuer ? "SubCA" : "RootCA";
  request.request_der = make_request_der(draft.key, draft.subject.get());
  request.subject = to_rfc4514(draft.subject.get());
  request.attributes_json = "{}";
  const int64_t request_id = w.add_request(request);

  const Certificate cert = sign_ca_certificate(
      draft, make_serial(static_cast<uint32_t>(request_id), static_cast<uint16_t>(issuer_index)), issuer);

  store::CaRecord ca;
  ca.index = index;
  ca.name = draft.name;
  ca.slug = draft.slug;
  ca.parent_index = issuer ? std::optional(issuer->record.index) : std::nullopt;
  ca.subject = cert.subject();
  ca.serial = cert.serial_hex();
  ca.not_before = cert.not_before();
  ca.not_after = cert.not_after();
  ca.key_spec = draft.key.spec().to_string();
  ca.key_file = Home::key_file_name(draft.slug);
  ca.key_encrypted = draft.key_encrypted;
  ca.certificate_der = cert.der();
  ca.sha1_thumbprint = cert.sha1_thumbprint();
  ca.sha256_fingerprint = cert.sha256_fingerprint();
  ca.base_url = draft.base_url;
  ca.path_len = draft.path_len;
  ca.crl_days = issuer ? 7 : 180;  // AD CS: an offline root publishes rarely, an issuing CA weekly
  if (draft.delta_crl) ca.delta_crl_days = 1;  // AD CS's delta default
  ca.created_at = now;
  w.add_ca(ca);

  store::CertificateRecord row;
  row.ca_index = issuer_index;
  row.serial = ca.serial;
  row.request_id = request_id;
  row.subject = ca.subject;
  row.common_name = cert.common_name();
  row.template_name = request.template_name;
  row.not_before = ca.not_before;
  row.not_after = ca.not_after;
  row.sha1_thumbprint = ca.sha1_thumbprint;
  row.sha256_fingerprint = ca.sha256_fingerprint;
  row.der = cert.der();
  w.add_certificate(row);
  w.resolve_request(request_id, store::Disposition::issued, "", now);
  w.add_audit({0, now, actor, "ca-created", request_id, ca.serial,
               (issuer ? "subordinate CA \"" : "root CA \"") + ca.name + "\" (" + draft.key.spec().describe() +
                   ", until " + to_iso8601(ca.not_after) + ")"});
  return ca;
}

void check_days(const std::optional<int>& days, const char* what) {
  if (days && (*days < 1 || *days > 36525)) {
    throw Error(ErrorKind::invalid_input, std::string(what) + " must be between 1 and 36525 days");
  }
}

Time end_of_validity(Time now, const std::optional<int>& days_given, int default_years) {
  return days_given ? now + days(*days_given) : add_years(now, default_years);
}

// Generates the key and writes it to private/ before anything else knows of it.
CaDraft draft_ca(Home& home, const std::string& name, const X509_NAME* subject_base, const KeySpec& spec,
                 const std::optional<std::string>& passphrase, CreatedCas& created) {
  const std::string slug = slugify(name);
  CaDraft draft{name, slug, with_common_name(subject_base, name), PrivateKey::generate(spec), {}, {}, {}, {}, true};
  draft.key_encrypted = passphrase.has_value();
  const fs::path key_path = home.dir() / Home::key_file_name(slug);
  write_secret_file(key_path, passphrase ? draft.key.to_encrypted_pem(*passphrase) : draft.key.to_pem());
  created.files.push_back(key_path);
  return draft;
}

void publish_certificates(Home& home, CreatedCas& created) {
  for (const auto& ca : created.cas) {
    const fs::path path = home.certificate_path(ca.slug);
    write_file_atomically(path, std::string(ca.certificate_der.begin(), ca.certificate_der.end()), false);
    created.files.push_back(path);
  }
}

// A CDP that points at nothing fails every revocation check, and so does a base CRL whose
// Freshest CRL names a delta that is not there: a new CA publishes its first CRLs at once.
void publish_first_crls(Home& home, const store::CaRecord& ca, const PrivateKey& key, const std::string& actor,
                        Time now, std::vector<fs::path>& files) {
  for (const PublishedCrl& crl : publish_base_crl(home, ca, key, CrlOptions{false, std::nullopt, actor, now})) {
    files.push_back(crl.file);
  }
}

void remove_created_home(const fs::path& dir, bool existed) {
  std::error_code ignored;
  if (!existed) {
    fs::remove_all(dir, ignored);
    return;
  }
  for (const auto& entry : fs::directory_iterator(dir, ignored)) fs::remove_all(entry.path(), ignored);
}

}  // namespace

CreatedCas init_home(const fs::path& dir, const InitOptions& options, const PassphraseSource& passphrase) {
  check_days(options.root_days, "--root-days");
  check_days(options.issuing_days, "--days");
  if (!options.base_url.empty() && !is_publishable_url(options.base_url)) {
    throw Error(ErrorKind::invalid_input, "--base-url \"" + options.base_url +
                                              "\" must be an http:// or https:// URL without spaces or commas");
  }
  auto subject_base = options.subject_suffix.empty() ? nullptr : parse_distinguished_name(options.subject_suffix);
  if (subject_base && X509_NAME_get_index_by_NID(subject_base.get(), NID_commonName, -1) >= 0) {
    throw Error(ErrorKind::invalid_input, "--subject gives the RDNs besides CN (e.g. \"O=Contoso Ltd, C=US\"); "
                                          "the CNs come from --name");
  }
  Home::check_can_create(dir);  // before the try: a refusal must not clean up someone else's folder
  const bool existed = fs::exists(dir);
  CreatedCas created;
  try {
    Home home = Home::create(dir);
    const std::optional<std::string> pass = options.encrypt_keys ? std::optional(passphrase()) : std::nullopt;
    CaDraft root = draft_ca(home, options.name + " Root CA", subject_base.get(), options.root_key, pass, created);
    root.not_before = options.now - clock_skew_allowance;
    root.not_after = end_of_validity(options.now, options.root_days, default_root_years);
    root.base_url = options.base_url;
    std::optional<CaDraft> issuing;
    if (!options.root_only) {
      issuing.emplace(draft_ca(home, options.name + " Issuing CA", subject_base.get(), options.issuing_key, pass, created));
      issuing->not_before = root.not_before;
      const Time wanted = end_of_validity(options.now, options.issuing_days, default_issuing_years);
      issuing->not_after = std::min(root.not_after, wanted);
      issuing->path_len = 0;
      issuing->base_url = options.base_url;
      issuing->delta_crl = options.delta_crl;
      if (issuing->not_after < wanted) {
        created.warnings.push_back("the issuing CA's validity was cut to the root's notAfter");
      }
    }
    home.store().write([&](store::Writer& w) {
      created.cas.push_back(record_ca(w, root, std::nullopt, options.actor, options.now));
      if (issuing) {
        const Certificate root_cert = Certificate::from_der(created.cas.front().certificate_der);
        created.cas.push_back(
            record_ca(w, *issuing, Issuer{created.cas.front(), root_cert, root.key}, options.actor, options.now));
      }
      w.set_default_ca(created.cas.back().index);
    });
    created.cas.back().is_default = true;
    publish_certificates(home, created);
    publish_first_crls(home, created.cas.front(), root.key, options.actor, options.now, created.files);
    if (issuing) publish_first_crls(home, created.cas.back(), issuing->key, options.actor, options.now, created.files);
  } catch (...) {
    remove_created_home(dir, existed);
    throw;
  }
  if (!options.encrypt_keys) {
    created.warnings.push_back("CA keys are stored unencrypted (--no-passphrase): anyone who can read " +
                               (dir / "private").string() + " can sign as these CAs; use this only for throwaway labs");
  }
  return created;
}

CreatedCas create_subordinate_ca(Home& home, const NewCaOptions& options, const PassphraseSource& passphrase) {
  check_days(options.days, "--days");
  const store::CaRecord parent = find_ca(home, options.parent.empty() ? "1" : options.parent);
  for (const auto& existing : home.store().list_cas()) {
    if (existing.slug == slugify(options.name)) {
      throw Error(ErrorKind::conflict, "a CA named \"" + existing.name + "\" exists already; choose another --name");
    }
  }
  if (parent.path_len && (*parent.path_len == 0 || (options.path_len && *options.path_len >= *parent.path_len) ||
                          !options.path_len)) {
    throw Error(ErrorKind::policy_denied,
                "CA \"" + parent.name + "\" has pathLen " + std::to_string(*parent.path_len) +
                    (*parent.path_len == 0 ? ", so it cannot sign a CA certificate; choose its parent with --parent"
                                           : "; give --path-len below it"));
  }
  const Certificate parent_cert = Certificate::from_der(parent.certificate_der);
  const PrivateKey parent_key = load_ca_key(home, parent, parent_cert, passphrase);
  CreatedCas created;
  const std::optional<std::string> pass = parent.key_encrypted ? std::optional(passphrase()) : std::nullopt;
  CaDraft draft = draft_ca(home, options.name, X509_get_subject_name(parent_cert.native()), options.key, pass, created);
  try {
    draft.not_before = options.now - clock_skew_allowance;
    const Time wanted = end_of_validity(options.now, options.days, default_issuing_years);
    draft.not_after = std::min(parent.not_after, wanted);
    draft.path_len = options.path_len;
    draft.base_url = parent.base_url;
    draft.delta_crl = options.delta_crl;
    if (draft.not_after < wanted) {
      created.warnings.push_back("the validity was cut to the notAfter of CA \"" + parent.name + "\" (" +
                                 to_iso8601(parent.not_after) + ")");
    }
    home.store().write([&](store::Writer& w) {
      created.cas.push_back(record_ca(w, draft, Issuer{parent, parent_cert, parent_key}, options.actor, options.now));
    });
  } catch (...) {
    std::error_code ignored;
    fs::remove(created.files.front(), ignored);  // the key of a CA that never was
    throw;
  }
  publish_certificates(home, created);
  publish_first_crls(home, created.cas.front(), draft.key, options.actor, options.now, created.files);
  if (!parent.key_encrypted) created.warnings.push_back("the new CA key is stored unencrypted, like its parent's");
  return created;
}

}  // namespace pocketca
