#include <iostream>

#include "ca/bundle.h"
#include "ca/error.h"
#include "ca/files.h"
#include "ca/issuance.h"
#include "ca/request_intake.h"
#include "certificate_files.h"
#include "certificate_views.h"
#include "commands.h"

namespace pocketca::cli {
namespace {

struct SubmitArgs {
  std::string request;
  std::string template_name;
  std::string ca;
  std::vector<std::string> attributes;
  std::string out;
  std::string chain;
  std::string format = "der";
  std::string requester;
  bool pending = false;
  bool force = false;
};

int run_submit(const GlobalOptions& global, const SubmitArgs& args) {
  const std::string base = args.request == "-" ? "request" : std::filesystem::path(args.request).stem().string();
  const CertificateFiles plan = plan_certificate_files(base, args.out, args.chain, args.format, args.force);
  Home home = Home::open(resolve_home(global));
  const TemplateSet templates = TemplateSet::load(home.templates_dir());
  IssuingSession session(home, templates, passphrase_source(global, false));
  SubmitOptions options{args.template_name, args.ca, args.attributes,
                        args.requester.empty() ? os_user_name() : args.requester, args.pending, now()};
  // One byte past the cap is enough for the engine to refuse an oversized file by its size.
  const SubmitResult result = session.submit(read_file_head(args.request, max_request_file_size + 1), options);
  print_warnings(result.warnings);

  if (result.disposition == store::Disposition::pending) {
    if (global.json) {
      const auto request = home.store().find_request(result.request_id);
      Json j = request_json(*request, result.ca.name);
      j["warnings"] = result.warnings;
      print_json(j);
    } else if (!global.quiet) {
      print_text(global, "Request " + std::to_string(result.request_id) + " is pending (" + result.template_name +
                             "): approve it with `pocketca approve " + std::to_string(result.request_id) + "`\n");
    } else {
      std::cout << result.request_id << '\n';  // -q: just the ID, for scripts to approve it later
    }
    return 3;
  }
  // The certificate is committed; only now does it leave the CA.
  const auto files = write_certificate_files(plan, result.chain, args.force);
  const store::CertificateRecord& cert = *result.record;
  if (global.json) {
    Json j = certificate_json(cert, result.ca.name, options.now, files, result.warnings);
    j["exchange"] = exchange_steps(files.at("p7b"), cert.sha1_thumbprint);
    print_json(j);
    return 0;
  }
  const std::string chain_words = "chain: certificate + " + std::to_string(result.chain.size() - 1) + " CA certificates";
  print_text(global, "Issued " +
                         certificate_details(cert, result.ca.name, options.now,
                                             {{"files", files.at("cer") + " (certificate), " + files.at("p7b") + " (" +
                                                            chain_words + ")"}}) +
                         "\n" + exchange_steps(files.at("p7b"), cert.sha1_thumbprint));
  return 0;
}

}  // namespace

void setup_submit(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<SubmitArgs>();
  CLI::App* cmd = app.add_subcommand("submit", "Check and sign a PKCS#10 request (the main job)");
  cmd->add_option("REQUEST", args->request, "Request file: PEM, Base64, DER or UTF-16 (\"-\" reads stdin)")
      ->required();
  cmd->add_option("--template", args->template_name, "Template name or display name (default: the one the request names)")
      ->type_name("NAME");
  cmd->add_option("--ca", args->ca, "Issuing CA (default: the default issuer)")->type_name("CA");
  cmd->add_option("--attrib", args->attributes, "certreq-style attribute: \"SAN:dns=a&ipaddress=10.0.0.5\", "
                                                "\"CertificateTemplate:WebServer\"")
      ->type_name("K:V");
  cmd->add_option("--out", args->out, "Certificate file (default: <request name>.cer)")->type_name("FILE.cer");
  cmd->add_option("--chain", args->chain, "Chain file, PKCS#7 (default: <request name>.p7b)")->type_name("FILE.p7b");
  cmd->add_option("--format", args->format, "der or base64 (PEM) for both files")
      ->check(CLI::IsMember({"der", "base64"}))
      ->capture_default_str();
  cmd->add_option("--requester", args->requester, "Who asks, for the database and audit log (default: OS user)")
      ->type_name("NAME");
  cmd->add_flag("--pending", args->pending, "Hold the request for approval instead of issuing (exit 3)");
  cmd->add_flag("--force", args->force, "Overwrite existing output files");
  cmd->callback([&global, &exit_code, args] { exit_code = run_submit(global, *args); });
}

}  // namespace pocketca::cli
