// The pending-request workflow, as AD CS has it: approve (certutil -resubmit),
// deny (certutil -deny) and retrieve (certreq -retrieve).

#include "ca/csr.h"
#include "ca/error.h"
#include "ca/issuance.h"
#include "ca/openssl_warmup.h"
#include "ca/revocation.h"
#include "certificate_files.h"
#include "certificate_views.h"
#include "commands.h"
#include "validators.h"

namespace pocketca::cli {
namespace {

struct RetrieveArgs {
  int64_t id = 0;
  std::string out;
  std::string chain;
  std::string format = "der";
  bool force = false;
};

void run_approve(const GlobalOptions& global, int64_t id, const std::string& actor) {
  const OpenSslWarmup warmup;  // while the database opens
  Home home = Home::open(resolve_home(global));
  const TemplateSet templates = TemplateSet::load(home.templates_dir());
  IssuingSession session(home, templates, passphrase_source(global, false));
  const Time at = now();
  SubmitResult result = session.approve(id, actor_or_os_user(actor), at);
  for (auto& warning : expired_crl_warnings(home, result.ca, at)) result.warnings.push_back(std::move(warning));
  print_warnings(result.warnings);
  const store::CertificateRecord& cert = *result.record;
  if (global.json) {
    print_json(certificate_json(cert, result.ca.name, at, {}, result.warnings));
    return;
  }
  print_text(global, "Approved request " + std::to_string(id) + "\nIssued " +
                         certificate_details(cert, result.ca.name, at) + "\nGet the files with `pocketca retrieve " +
                         std::to_string(id) + "`\n");
}

void run_deny(const GlobalOptions& global, int64_t id, const std::string& reason, const std::string& actor) {
  Home home = Home::open(resolve_home(global));
  // Denying needs no template and no CA key: a broken template file of the home must not stop an
  // admin from turning a request down, and the passphrase source is never asked.
  const TemplateSet no_templates;
  IssuingSession session(home, no_templates, passphrase_source(global, false));
  session.deny(id, reason, actor_or_os_user(actor), now());
  const auto request = home.store().find_request(id);
  if (global.json) {
    const auto ca = request->ca_index ? home.store().find_ca(*request->ca_index) : std::nullopt;
    print_json(request_json(*request, ca ? ca->name : ""));
    return;
  }
  print_text(global, "Denied request " + std::to_string(id) + ": " + request->disposition_message + "\n");
}

int run_retrieve(const GlobalOptions& global, const RetrieveArgs& args) {
  Home home = Home::open(resolve_home(global));
  const auto request = home.store().find_request(args.id);
  if (!request) throw Error(ErrorKind::not_found, "there is no request " + std::to_string(args.id));
  const std::string id = std::to_string(args.id);
  switch (request->disposition) {
    case store::Disposition::pending:
      print_text(global, "Request " + id + " is still pending: approve it with `pocketca approve " + id + "`\n");
      if (global.json) {
        const auto ca = request->ca_index ? home.store().find_ca(*request->ca_index) : std::nullopt;
        print_json(request_json(*request, ca ? ca->name : ""));
      }
      return 3;
    case store::Disposition::denied:
    case store::Disposition::failed:
      throw Error(ErrorKind::conflict, "request " + id + " was " + store::to_string(request->disposition) +
                                           (request->disposition_message.empty() ? "" : ": " + request->disposition_message) +
                                           "; there is no certificate to retrieve");
    case store::Disposition::issued:
      break;
  }
  const auto cert = home.store().find_certificate_by_request(args.id);
  if (!cert) throw Error(ErrorKind::storage, "request " + id + " is issued but its certificate row is missing");
  const CertificateFiles plan = plan_certificate_files({"request-" + id, args.out, args.chain, args.format, args.force, {}, "--out/--chain"});
  const auto files = write_certificate_files(plan, chain_of(home, *cert), args.force);
  const auto ca = home.store().find_ca(cert->ca_index);
  const Time at = now();
  // A CA certificate goes to no Exchange server.
  const std::string exchange =
      Certificate::from_der(cert->der).is_ca()
          ? ""
          : exchange_steps(files.at("p7b"), *cert, Csr::from_der(request->request_der).windows_info().made_on_windows(),
                           pocketca_invocation(global));
  if (global.json) {
    Json j = certificate_json(*cert, ca ? ca->name : "", at, files);
    if (!exchange.empty()) j["exchange"] = exchange;
    print_json(j);
    return 0;
  }
  print_text(global, certificate_details(*cert, ca ? ca->name : "", at,
                                         {{"files", files.at("cer") + " (certificate), " + files.at("p7b") + " (chain)"}}) +
                         "\n" + exchange);
  return 0;
}

}  // namespace

void setup_pending(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto approve_id = std::make_shared<int64_t>(0);
  auto approver = std::make_shared<std::string>();
  CLI::App* approve = app.add_subcommand("approve", "Issue a pending request, running every check again (certutil -resubmit)");
  approve->add_option("ID", *approve_id, "Request ID")->required()->check(whole_number(1));
  approve->add_option("--requester", *approver, "Who approves, for the audit log (default: OS user)")->type_name("NAME");
  approve->callback([&global, approve_id, approver] { run_approve(global, *approve_id, *approver); });

  auto deny_id = std::make_shared<int64_t>(0);
  auto reason = std::make_shared<std::string>();
  auto denier = std::make_shared<std::string>();
  CLI::App* deny = app.add_subcommand("deny", "Deny a pending request (certutil -deny)");
  deny->add_option("ID", *deny_id, "Request ID")->required()->check(whole_number(1));
  deny->add_option("--reason", *reason, "Why, kept with the request (default: \"denied by <user>\")")->type_name("TEXT");
  deny->add_option("--requester", *denier, "Who denies, for the audit log (default: OS user)")->type_name("NAME");
  deny->callback([&global, deny_id, reason, denier] { run_deny(global, *deny_id, *reason, *denier); });

  auto args = std::make_shared<RetrieveArgs>();
  CLI::App* retrieve = app.add_subcommand("retrieve", "Write an issued request's certificate and chain again (certreq -retrieve); exit 3 while pending");
  retrieve->add_option("ID", args->id, "Request ID")->required()->check(whole_number(1));
  retrieve->add_option("--out", args->out, "Certificate file (default: request-<ID>.cer)")->type_name("FILE.cer");
  retrieve->add_option("--chain", args->chain, "Chain file, PKCS#7 (default: request-<ID>.p7b)")->type_name("FILE.p7b");
  retrieve->add_option("--format", args->format, "der or base64 (PEM) for both files")
      ->check(CLI::IsMember({"der", "base64"}))
      ->capture_default_str();
  retrieve->add_flag("--force", args->force, "Overwrite existing output files");
  retrieve->callback([&global, &exit_code, args] { exit_code = run_retrieve(global, *args); });
}

}  // namespace pocketca::cli
