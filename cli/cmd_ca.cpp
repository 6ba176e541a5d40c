#include <iostream>
#include <unistd.h>

#include "ca/bundle.h"
#include "ca/error.h"
#include "ca/files.h"
#include "ca_views.h"
#include "commands.h"
#include "output.h"
#include "validators.h"

namespace pocketca::cli {
namespace {

struct NewArgs {
  std::string name;
  std::string parent;
  std::string key = "rsa:2048";
  std::optional<int> days;
  int path_len = 0;
  bool delta_crl = false;
};

struct ExportArgs {
  std::string ca;
  std::string format;
  std::string out;
  bool force = false;
};

void run_new(const GlobalOptions& global, const NewArgs& args) {
  Home home = Home::open(resolve_home(global));
  NewCaOptions options;
  options.name = args.name;
  options.parent = args.parent;
  options.key = KeySpec::parse(args.key);
  options.days = args.days;
  options.path_len = args.path_len < 0 ? std::nullopt : std::optional(args.path_len);
  options.delta_crl = args.delta_crl;
  options.actor = os_user_name();
  options.now = now();
  const CreatedCas created = create_subordinate_ca(home, options, passphrase_source(global, false));
  print_warnings(created.warnings);
  const auto all = home.store().list_cas();
  if (global.json) {
    Json j = ca_json(created.cas.front(), all, home.dir());
    j["warnings"] = created.warnings;
    print_json(j);
    return;
  }
  print_text(global, "Created " + ca_details(created.cas.front(), all, home.dir()));
}

// Every CA's CRL standing; a CA or a CRL near or past its end is warned about loudly.
std::map<int64_t, CrlHealth> crl_standing(Home& home, const std::vector<store::CaRecord>& cas, Time at) {
  std::map<int64_t, CrlHealth> health;
  for (const auto& ca : cas) {
    health[ca.index] = crl_health(home, ca, at);
    for (const std::string& warning : {ca_validity_warning(ca, at), health[ca.index].warning}) {
      if (!warning.empty()) print_warnings({warning});
    }
  }
  return health;
}

void run_list(const GlobalOptions& global) {
  Home home = Home::open(resolve_home(global));
  const auto all = home.store().list_cas();
  const Time at = now();
  const auto crl = crl_standing(home, all, at);
  if (global.json) {
    Json list = Json::array();
    for (const auto& ca : all) list.push_back(ca_json(ca, all, home.dir(), &crl.at(ca.index), at));
    print_json(list);
    return;
  }
  print_text(global, ca_table(all, &crl, at));
}

void run_show(const GlobalOptions& global, const std::string& selector) {
  Home home = Home::open(resolve_home(global));
  const auto ca = find_ca(home, selector);
  const auto all = home.store().list_cas();
  const Time at = now();
  const auto crl = crl_standing(home, {ca}, at);
  if (global.json) {
    print_json(ca_json(ca, all, home.dir(), &crl.at(ca.index), at));
    return;
  }
  print_text(global, ca_details(ca, all, home.dir(), &crl.at(ca.index), at));
}

void run_export(const GlobalOptions& global, const ExportArgs& args) {
  const BundleFormat format = parse_bundle_format(args.format);
  Home home = Home::open(resolve_home(global));
  const auto ca = find_ca(home, args.ca);
  // A chain clients will reject is still worth having (to inspect, or to trust until it is
  // replaced), but not without a word.
  for (const auto& link : chain_records(home, ca)) {
    if (const std::string warning = ca_validity_warning(link, now()); !warning.empty()) print_warnings({warning});
  }
  const bool single = format == BundleFormat::cer || format == BundleFormat::cer_b64;
  emit_export(global,
              {encode_bundle(chain_of(home, ca), format), args.format, is_binary(format),
               ca.name + (single ? "" : " with its chain up to the root")},
              args.out, args.force, {{"ca", ca.name}});
}

}  // namespace

void setup_ca(CLI::App& app, GlobalOptions& global) {
  CLI::App* ca = app.add_subcommand("ca", "Manage the CA hierarchy of this home");
  ca->require_subcommand(1);

  auto new_args = std::make_shared<NewArgs>();
  CLI::App* make = ca->add_subcommand("new", "Add a subordinate CA under a CA of this home");
  make->add_option("--name", new_args->name, "Full CA name, e.g. \"Contoso Lab Web CA\"")
      ->required()
      ->check(not_blank())
      ->type_name("NAME");
  make->add_option("--parent", new_args->parent, "Parent CA (name, slug or index); default: the root")->type_name("CA");
  make->add_option("--key", new_args->key, "Key: rsa:2048|rsa:3072|rsa:4096|ec:p256|ec:p384")
      ->check(key_type())
      ->capture_default_str()
      ->type_name("KEY");
  make->add_option("--days", new_args->days, "Lifetime in days (default: 10 years, cut to the parent's)")
      ->check(whole_number(1, 36525))
      ->type_name("N");
  make->add_option("--path-len", new_args->path_len, "basicConstraints pathLen, 0 to 16; -1 for none")
      ->check(whole_number(-1, 16))
      ->capture_default_str()
      ->type_name("N");
  make->add_flag("--delta-crl", new_args->delta_crl, "Publish delta CRLs (daily) besides the base CRL");
  make->callback([&global, new_args] { run_new(global, *new_args); });

  CLI::App* list = ca->add_subcommand("list", "List the CAs of this home");
  list->callback([&global] { run_list(global); });

  auto show_selector = std::make_shared<std::string>();
  CLI::App* show = ca->add_subcommand("show", "Show one CA in full (default: the default issuer)");
  show->add_option("CA", *show_selector, "CA name, slug or index");
  show->callback([&global, show_selector] { run_show(global, *show_selector); });

  auto export_args = std::make_shared<ExportArgs>();
  CLI::App* exp = ca->add_subcommand("export", "Export a CA certificate with its chain up to the root");
  exp->add_option("--ca", export_args->ca, "CA name, slug or index (default: the default issuer)")->type_name("CA");
  exp->add_option("--format", export_args->format, "cer, cer-b64: the CA certificate alone; pem-bundle, p7b, p7b-b64: with its chain")
      ->required()
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"pem-bundle", "p7b", "p7b-b64", "cer", "cer-b64"}));
  exp->add_option("--out", export_args->out, "File to write (default: stdout)")->type_name("FILE");
  exp->add_flag("--force", export_args->force, "Overwrite --out if it exists");
  exp->callback([&global, export_args] { run_export(global, *export_args); });
}

}  // namespace pocketca::cli
