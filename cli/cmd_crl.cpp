// `crl`: sign and publish a CA's next CRL (or every CA's, for a timer).

#include "ca/bytes.h"
#include "ca/error.h"
#include "ca/files.h"
#include "ca/revocation.h"
#include "ca_views.h"
#include "commands.h"
#include "validators.h"

namespace pocketca::cli {
namespace {

struct CrlArgs {
  std::string ca;
  std::optional<int> days;
  bool delta = false;
  bool all = false;
  std::string out;
  std::string format = "der";
  bool force = false;
};

void run_crl(const GlobalOptions& global, const CrlArgs& args) {
  if (args.all && (!args.ca.empty() || !args.out.empty())) {
    throw CLI::ValidationError("--all publishes every CA's CRL to public/; it takes no --ca or --out");
  }
  Home home = Home::open(resolve_home(global));
  // The CAs in publishing order. A base CRL brings a fresh delta along for a CA with deltas
  // (publish_base_crl), so one timer running `crl --all` keeps both fresh; --delta: deltas only.
  std::vector<store::CaRecord> cas;
  if (args.all) {
    for (auto& ca : home.store().list_cas()) {
      if (!args.delta || ca.delta_crl_days) cas.push_back(std::move(ca));
    }
  } else {
    cas.push_back(find_ca(home, args.ca));
  }
  if (!args.out.empty()) {
    check_can_create(args.out);  // before a CRL is signed and published, not after
    if (!args.force && std::filesystem::exists(args.out)) {
      throw Error(ErrorKind::conflict, args.out + " exists; use --force to overwrite it");
    }
  }
  const PassphraseSource passphrase = passphrase_source(global, false);
  const Time at = now();
  Json published = Json::array();
  std::string text;
  for (const auto& ca : cas) {
    if (const std::string warning = ca_validity_warning(ca, at); !warning.empty()) print_warnings({warning});
    const PrivateKey key = load_ca_key(home, ca, passphrase);
    const CrlOptions options{args.delta, args.days, os_user_name(), at};
    const std::vector<PublishedCrl> crls =
        args.delta ? std::vector<PublishedCrl>{publish_crl(home, ca, key, options)} : publish_base_crl(home, ca, key, options);
    for (const PublishedCrl& crl : crls) {
      Json j = published_crl_json(crl, ca.name);
      text += published_crl_line(crl, ca.name);
      if (!args.out.empty() && crl.record.is_delta == args.delta) {  // the kind asked for, not the delta a base brought
        const Bytes& der = crl.record.der;
        write_file_atomically(args.out, args.format == "pem" ? pem_block("X509 CRL", der) : std::string(der.begin(), der.end()),
                              args.force);
        j["files"]["out"] = args.out;
        text += "Wrote " + args.out + " (" + args.format + ")\n";
      }
      published.push_back(j);
    }
  }
  if (!args.all && published.size() > 1) {  // one CA's base CRL, and the delta it brought
    Json base = published.front();
    base["delta_crl"] = published.back();
    published = Json::array({base});
  }
  if (global.json) {
    print_json(args.all ? published : published.front());
    return;
  }
  print_text(global, text);
}

}  // namespace

void setup_crl(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<CrlArgs>();
  CLI::App* cmd = app.add_subcommand("crl", "Sign and publish a CA's next CRL to public/<ca>.crl");
  cmd->add_option("--ca", args->ca, "CA name, slug or index (default: the default issuer)")->type_name("CA");
  cmd->add_option("--days", args->days, "Lifetime in days (default: the CA's: 7, root 180, delta 1)")
      ->check(whole_number(1, 3650))
      ->type_name("N");
  cmd->add_flag("--delta", args->delta, "Only a delta CRL (public/<ca>+.crl), for CAs made with --delta-crl; a base CRL brings one along");
  cmd->add_flag("--all", args->all, "Every CA of this home (what a daily timer runs)");
  cmd->add_option("--out", args->out, "Also write the CRL here")->type_name("FILE");
  cmd->add_option("--format", args->format, "der or pem, for --out")
      ->check(CLI::IsMember({"der", "pem"}))
      ->capture_default_str();
  cmd->add_flag("--force", args->force, "Overwrite --out if it exists");
  cmd->callback([&global, args] { run_crl(global, *args); });
}

}  // namespace pocketca::cli
