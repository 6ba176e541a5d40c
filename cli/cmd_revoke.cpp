// `revoke` and `unrevoke`: revocation with RFC 5280 reasons, and a fresh CRL
// right away — a revocation clients cannot see is a trap.

#include <set>

#include "ca/certificate_template.h"
#include "ca/crl_builder.h"
#include "ca/error.h"
#include "ca/revocation.h"
#include "ca_views.h"
#include "certificate_views.h"
#include "commands.h"
#include "validators.h"

namespace pocketca::cli {
namespace {

struct RevokeArgs {
  std::string serial;
  std::string reason = "unspecified";
  std::string date;
  std::string all_from_template;
  std::string requester;
  std::string actor;
  bool no_publish = false;
  bool yes = false;
};

// Publishes a base CRL (and a delta on it, where the CA has deltas) of each CA that signed one
// of `certs` (keys loaded by the caller).
std::vector<PublishedCrl> publish_for(Home& home, const std::map<int64_t, PrivateKey>& keys, const std::string& actor,
                                      Time at) {
  std::vector<PublishedCrl> published;
  for (const auto& [index, key] : keys) {
    for (PublishedCrl& crl : publish_base_crl(home, *home.store().find_ca(index), key, {false, std::nullopt, actor, at})) {
      published.push_back(std::move(crl));
    }
  }
  return published;
}

// The issuers' keys, loaded before anything changes: a wrong passphrase must stop
// the revocation, not leave it committed and unpublished.
std::map<int64_t, PrivateKey> issuer_keys(Home& home, const std::vector<store::CertificateRecord>& certs,
                                          const GlobalOptions& global) {
  std::map<int64_t, PrivateKey> keys;
  const PassphraseSource passphrase = passphrase_source(global, false);
  for (const auto& cert : certs) {
    if (!keys.count(cert.ca_index)) keys.emplace(cert.ca_index, load_ca_key(home, *home.store().find_ca(cert.ca_index), passphrase));
  }
  return keys;
}

void report(const GlobalOptions& global, Home& home, const std::vector<store::CertificateRecord>& changed,
            const std::vector<PublishedCrl>& crls, const std::string& verb, const std::vector<std::string>& warnings) {
  const Time at = now();
  std::map<int64_t, std::string> names;
  for (const auto& ca : home.store().list_cas()) names[ca.index] = ca.name;
  print_warnings(warnings);
  if (global.json) {
    Json certs = Json::array();
    for (const auto& c : changed) certs.push_back(certificate_json(*home.store().find_certificate(c.ca_index, c.serial), names[c.ca_index], at));
    Json published = Json::array();
    for (const auto& crl : crls) published.push_back(published_crl_json(crl, names[crl.record.ca_index]));
    print_json({{"certificates", certs}, {"crls", published}, {"warnings", warnings}});
    return;
  }
  std::string text;
  for (const auto& c : changed) {
    const auto now_row = home.store().find_certificate(c.ca_index, c.serial);
    text += verb + " " + c.serial + " (" + c.subject + ")" +
            (now_row->status == store::CertStatus::revoked
                 ? ": " + now_row->revocation_reason + " as of " + to_iso8601(*now_row->revoked_at)
                 : "") +
            "\n";
  }
  for (const auto& crl : crls) text += published_crl_line(crl, names[crl.record.ca_index]);
  if (crls.empty()) text += "No CRL published (--no-publish): clients see this only after `pocketca crl`\n";
  print_text(global, text);
}

std::vector<store::CertificateRecord> bulk_selection(Home& home, const RevokeArgs& args) {
  store::CertificateFilter filter;
  filter.now = now();
  filter.status = "valid";
  filter.template_name = canonical_template_name(home, args.all_from_template);
  if (!args.all_from_template.empty() && !TemplateSet::load(home.templates_dir()).find(args.all_from_template)) {
    const auto issued = home.store().list_certificates(filter);  // a deleted template may still have certificates
    if (issued.empty()) throw Error(ErrorKind::not_found, "there is no template \"" + args.all_from_template + "\"");
  }
  filter.requester = args.requester;
  return home.store().list_certificates(filter);
}

void run_revoke(const GlobalOptions& global, const RevokeArgs& args) {
  const bool bulk = !args.all_from_template.empty() || !args.requester.empty();
  if (bulk && !args.serial.empty()) {
    throw CLI::ValidationError("give a SERIAL or --all-from-template/--requester, not both");
  }
  if (!bulk && args.serial.empty()) {
    throw CLI::ValidationError("give a SERIAL, or --all-from-template / --requester for many");
  }
  Home home = Home::open(resolve_home(global));
  RevokeOptions options{parse_revocation_reason(args.reason), std::nullopt, actor_or_os_user(args.actor), now()};
  if (!args.date.empty()) options.date = parse_iso8601(args.date);

  std::vector<store::CertificateRecord> certs;
  if (bulk) {
    certs = bulk_selection(home, args);
    if (certs.empty()) throw Error(ErrorKind::not_found, "no valid certificate matches; nothing was revoked");
    if (!args.yes) {
      std::string list;
      for (size_t i = 0; i < certs.size() && i < 10; ++i) list += "  " + certs[i].serial + "  " + certs[i].subject + "\n";
      if (certs.size() > 10) list += "  … and " + std::to_string(certs.size() - 10) + " more\n";
      std::cerr << list;
      if (!confirm("Revoke these " + std::to_string(certs.size()) + " certificates (" + options.reason + ")?")) {
        throw Error(ErrorKind::invalid_input, "nothing was revoked (confirm on a terminal, or pass --yes)");
      }
    }
  } else {
    certs.push_back(certificate_by_serial(home, args.serial));
  }
  for (const auto& cert : certs) check_revocable(home, cert, options);
  const auto keys = args.no_publish ? std::map<int64_t, PrivateKey>{} : issuer_keys(home, certs, global);
  revoke_certificates(home, certs, options);
  std::vector<std::string> warnings;
  for (const auto& cert : certs) {
    for (auto& warning : revocation_warnings(cert, options)) warnings.push_back(std::move(warning));
  }
  report(global, home, certs, publish_for(home, keys, options.actor, options.now), "Revoked", warnings);
}

void run_unrevoke(const GlobalOptions& global, const std::string& serial, const std::string& actor, bool no_publish) {
  Home home = Home::open(resolve_home(global));
  const store::CertificateRecord cert = certificate_by_serial(home, serial);
  check_unrevocable(cert);  // before the key is loaded: a refusal needs no passphrase
  const auto keys = no_publish ? std::map<int64_t, PrivateKey>{} : issuer_keys(home, {cert}, global);
  const Time at = now();
  unrevoke_certificate(home, cert, actor_or_os_user(actor), at);
  report(global, home, {cert}, publish_for(home, keys, actor_or_os_user(actor), at), "Lifted the hold on", {});
}

}  // namespace

void setup_revoke(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<RevokeArgs>();
  CLI::App* cmd = app.add_subcommand("revoke", "Revoke a certificate (or many) and publish the issuer's CRL");
  cmd->add_option("SERIAL", args->serial, "Serial number (any case; ':' or spaces allowed)");
  cmd->add_option("--reason", args->reason,
                  "unspecified, keyCompromise, caCompromise, affiliationChanged, superseded, cessationOfOperation, "
                  "certificateHold (or AD CS's codes 0-6)")
      ->capture_default_str()
      ->type_name("R");
  cmd->add_option("--date", args->date, "When it happened (ISO 8601 UTC; default: now)")
      ->check(iso8601_time())
      ->type_name("TIME");
  cmd->add_option("--all-from-template", args->all_from_template, "Revoke every valid certificate of this template")
      ->type_name("NAME");
  cmd->add_option("--requester", args->requester, "Revoke every valid certificate this requester asked for")
      ->type_name("NAME");
  cmd->add_option("--actor", args->actor, "Who revokes, for the audit log (default: OS user)")->type_name("NAME");
  cmd->add_flag("--yes", args->yes, "Do not ask before revoking many");
  cmd->add_flag("--no-publish", args->no_publish, "Do not publish a CRL now (clients will not see the revocation)");
  cmd->callback([&global, args] { run_revoke(global, *args); });

  auto serial = std::make_shared<std::string>();
  auto actor = std::make_shared<std::string>();
  auto no_publish = std::make_shared<bool>(false);
  CLI::App* un = app.add_subcommand("unrevoke", "Lift a certificateHold (the only revocation that can be undone)");
  un->add_option("SERIAL", *serial, "Serial number")->required();
  un->add_option("--actor", *actor, "Who lifts it, for the audit log (default: OS user)")->type_name("NAME");
  un->add_flag("--no-publish", *no_publish, "Do not publish a CRL now");
  un->callback([&global, serial, actor, no_publish] { run_unrevoke(global, *serial, *actor, *no_publish); });
}

}  // namespace pocketca::cli
