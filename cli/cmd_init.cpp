#include "commands.h"

#include "ca/files.h"
#include "ca_views.h"
#include "validators.h"

namespace pocketca::cli {
namespace {

struct InitArgs {
  std::string name;
  std::string subject;
  std::string root_key = "rsa:4096";
  std::string key = "rsa:2048";
  std::optional<int> days;
  std::optional<int> root_days;
  std::string base_url;
  bool root_only = false;
  bool delta_crl = false;
  bool no_passphrase = false;
};

void run_init(const GlobalOptions& global, const InitArgs& args) {
  if (args.root_only && args.days) {
    throw CLI::ValidationError("--days", "sets the issuing CA's lifetime; with --root-only use --root-days");
  }
  if (args.root_only && args.delta_crl) {
    throw CLI::ValidationError("--delta-crl", "gives the issuing CA delta CRLs; with --root-only there is none "
                                              "(`ca new --delta-crl` adds a CA that has them)");
  }
  InitOptions options;
  options.name = args.name;
  options.subject_suffix = args.subject;
  options.root_key = KeySpec::parse(args.root_key);
  options.issuing_key = KeySpec::parse(args.key);
  options.root_days = args.root_days;
  options.issuing_days = args.days;
  options.base_url = args.base_url;
  options.delta_crl = args.delta_crl;
  options.root_only = args.root_only;
  options.encrypt_keys = !args.no_passphrase;
  options.actor = os_user_name();
  options.now = now();

  const auto home = resolve_home(global);
  const CreatedCas created = init_home(home, options, passphrase_source(global, true));
  print_warnings(created.warnings);

  if (global.json) {
    Json cas = Json::array();
    for (const auto& ca : created.cas) cas.push_back(ca_json(ca, created.cas, home));
    Json files = Json::array();
    for (const auto& f : created.files) files.push_back(f.string());
    print_json({{"home", home.string()}, {"cas", cas}, {"files", files}, {"warnings", created.warnings}});
    return;
  }
  std::string text = "Created CA home " + home.string() + "\n\n" + ca_table(created.cas) + "\nFiles:\n";
  for (const auto& f : created.files) text += "  " + f.string() + "\n";
  const std::string issuer = created.cas.back().slug;
  text += "\nNext: install the chain on clients\n"
          "  pocketca ca export --format p7b --out " + issuer + "-chain.p7b\n";
  print_text(global, text);
}

}  // namespace

void setup_init(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<InitArgs>();
  CLI::App* cmd = app.add_subcommand("init", "Create a CA home with a root CA and an issuing CA");
  cmd->add_option("--name", args->name, "Lab name: makes \"NAME Root CA\" and \"NAME Issuing CA\"")
      ->required()
      ->check(not_blank())
      ->type_name("NAME");
  cmd->add_option("--subject", args->subject, "Other RDNs every CA subject carries, e.g. \"O=Contoso Ltd, C=US\"")
      ->type_name("DN");
  cmd->add_option("--root-key", args->root_key, "Root key: rsa:2048|rsa:3072|rsa:4096|ec:p256|ec:p384")
      ->check(key_type())
      ->capture_default_str()
      ->type_name("KEY");
  cmd->add_option("--key", args->key, "Issuing CA key: rsa:2048|rsa:3072|rsa:4096|ec:p256|ec:p384")
      ->check(key_type())
      ->capture_default_str()
      ->type_name("KEY");
  cmd->add_option("--days", args->days, "Issuing CA lifetime in days (default: 10 years)")
      ->check(whole_number(1, 36525))
      ->type_name("N");
  cmd->add_option("--root-days", args->root_days, "Root CA lifetime in days (default: 20 years)")
      ->check(whole_number(1, 36525))
      ->type_name("N");
  cmd->add_option("--base-url", args->base_url,
                  "Where CRLs and CA certificates are published, e.g. http://pki.contoso.lab; certificates then "
                  "carry CDP <base>/pki/<ca>.crl and AIA <base>/pki/<ca>.crt")
      ->type_name("URL");
  cmd->add_flag("--root-only", args->root_only, "Make only the root CA (it becomes the default issuer)");
  cmd->add_flag("--delta-crl", args->delta_crl, "The issuing CA publishes delta CRLs (daily) besides its weekly base CRL");
  cmd->add_flag("--no-passphrase", args->no_passphrase, "Store CA keys unencrypted (throwaway labs only)");
  cmd->callback([&global, args] { run_init(global, *args); });
}

}  // namespace pocketca::cli
