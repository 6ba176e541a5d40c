// pocketca: wires the commands together and turns failures into exit codes.
//   0 done · 1 any failure, with one `error: …` line · 2 usage error · 3 request taken as pending

#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "ca/error.h"
#include "commands.h"

namespace {

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

int report(const pocketca::cli::GlobalOptions& global, const std::string& message, int code,
           std::optional<int64_t> request_id = std::nullopt) {
  std::cerr << "error: " << message << '\n';
  if (global.json) {
    pocketca::cli::Json j{{"error", message}};
    if (request_id) j["request_id"] = *request_id;
    pocketca::cli::print_json(j);
  }
  return code;
}

// What to say when the command line names a command pocketca does not have (`pocketca bogus`,
// `pocketca ca bogus`): CLI11 itself says only "A subcommand is required", and for
// `pocketca bogus --help` shows the top-level help and exits 0.
std::optional<std::string> unknown_command(const CLI::App& app) {
  const CLI::App* at = &app;
  std::string path = "pocketca";
  while (!at->get_subcommands().empty()) {
    at = at->get_subcommands().front();
    path += " " + at->get_name();
  }
  if (at->get_require_subcommand_min() == 0) return std::nullopt;  // a command, not a group of them
  const std::vector<std::string> left = app.remaining(true);
  if (left.empty() || left.front().starts_with('-')) return std::nullopt;
  const std::string typed = path + " " + left.front();
  if (typed == "pocketca serve") return "`pocketca serve` is not available in this version (see pocketca --help)";
  return "unknown command \"" + typed.substr(std::string("pocketca ").size()) + "\" (see " + path + " --help)";
}

}  // namespace

int main(int argc, char** argv) {
  // No system openssl.cnf: a CA's behaviour should not change with a host-wide file, and
  // reading it was ~0.6 ms of every command. No clean-up at exit: the process ends anyway.
  OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, nullptr);
  // Random bytes (serials, RSA blinding) from NIST SP 800-90A's Hash_DRBG over SHA-256, not
  // the default CTR_DRBG: its first AES fetch builds OpenSSL 3.0's whole cipher table, ~0.35 ms
  // of every command that signs, and SHA-256 is loaded anyway. Same strength, same seeding.
  if (RAND_set_DRBG_type(nullptr, "HASH-DRBG", nullptr, nullptr, "SHA256") != 1) ERR_clear_error();
  using namespace pocketca::cli;
  GlobalOptions global;
  CLI::App app{"pocketca — a private certification authority for lab and test networks", "pocketca"};
  app.set_version_flag("--version", "pocketca 0.1.0");
  app.require_subcommand(1);
  // Global options may come before or after the command: `pocketca ca list --json`.
  app.fallthrough();
  app.add_option("--home", global.home, "CA home folder (default: $POCKETCA_HOME, else ./pki)")->type_name("DIR");
  app.add_flag("--json", global.json, "Machine-readable output: one JSON document on stdout");
  app.add_flag("-q,--quiet", global.quiet, "No informational output (errors and warnings still go to stderr)");
  app.add_option("--passphrase-file", global.passphrase_file,
                 "File whose first line is the CA key passphrase (else $POCKETCA_PASSPHRASE, else a prompt)")
      ->type_name("FILE");
  app.footer("Global options may also follow the command: pocketca ca list --json.\n"
             "Exit status: 0 done, 1 failure (one `error:` line on stderr), 2 usage error, 3 request pending.");

  int exit_code = 0;
  setup_init(app, global);
  setup_ca(app, global);
  setup_request(app, global);
  setup_submit(app, global, exit_code);
  setup_pending(app, global, exit_code);
  setup_list(app, global);
  setup_show(app, global);
  setup_export(app, global);
  setup_revoke(app, global);
  setup_crl(app, global);
  setup_template(app, global);
  setup_audit(app, global);

  try {
    app.parse(argc, argv);
    return exit_code;
  } catch (const CLI::CallForHelp& e) {
    if (const auto unknown = unknown_command(app)) return report(global, *unknown, exit_usage);
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (const auto unknown = unknown_command(app)) return report(global, *unknown, exit_usage);
    return report(global, std::string(e.what()) + " (see pocketca --help)", exit_usage);
  } catch (const pocketca::Error& e) {
    return report(global, e.what(), exit_failure, e.request_id());
  } catch (const std::exception& e) {
    return report(global, e.what(), exit_failure);
  }
}
