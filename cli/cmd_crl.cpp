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
  // (CA, delta?) in publishing order. --all: every CA's base CRL, then a delta for
  // the CAs that publish deltas, so one timer keeps both fresh; --all --delta: deltas only.
  std::vector<std::pair<store::CaRecord, bool>> jobs;
  if (args.all) {
    for (const auto& ca : home.store().list_cas()) {
      if (!args.delta) jobs.emplace_back(ca, false);
      if (ca.delta_crl_days) jobs.emplace_back(ca, true);
    }
  } else {
    jobs.emplace_back(find_ca(home, args.ca), args.delta);
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
  std::map<int64_t, PrivateKey> keys;
  for (const auto& [ca, delta] : jobs) {
    if (!keys.count(ca.index)) keys.emplace(ca.index, load_ca_key(home, ca, passphrase));
    const PublishedCrl crl = publish_crl(home, ca, keys.at(ca.index), {delta, args.days, os_user_name(), at});
    Json j = published_crl_json(crl, ca.name);
    text += published_crl_line(crl, ca.name);
    if (!args.out.empty()) {
      const Bytes& der = crl.record.der;
      write_file_atomically(args.out, args.format == "pem" ? pem_block("X509 CRL", der) : std::string(der.begin(), der.end()),
                            args.force);
      j["files"]["out"] = args.out;
      text += "Wrote " + args.out + " (" + args.format + ")\n";
    }
    published.push_back(j);
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
  cmd->add_flag("--delta", args->delta, "A delta CRL (public/<ca>+.crl), for CAs made with --delta-crl");
  cmd->add_flag("--all", args->all, "Every CA of this home (what a daily timer runs)");
  cmd->add_option("--out", args->out, "Also write the CRL here")->type_name("FILE");
  cmd->add_option("--format", args->format, "der or pem, for --out")
      ->check(CLI::IsMember({"der", "pem"}))
      ->capture_default_str();
  cmd->add_flag("--force", args->force, "Overwrite --out if it exists");
  cmd->callback([&global, args] { run_crl(global, *args); });
}

}  // namespace pocketca::cli
