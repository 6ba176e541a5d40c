// `request`: a key and a PKCS#10 request the way New-ExchangeCertificate
// -GenerateRequest makes them, for labs without a Windows box at hand.

#include "ca/bytes.h"
#include "ca/error.h"
#include "ca/exchange_request.h"
#include "ca/files.h"
#include "ca/text.h"
#include "commands.h"
#include "validators.h"

namespace pocketca::cli {
namespace {

struct RequestArgs {
  std::string subject;
  std::vector<std::string> dns;
  std::vector<std::string> ip;
  std::string key = "rsa:2048";
  std::string out;
  std::string key_out;
  std::string key_passphrase_file;
  bool force = false;
};

void refuse_existing(const std::string& path, bool force) {
  if (!force && std::filesystem::exists(path)) {
    throw Error(ErrorKind::conflict, path + " exists; use --force to overwrite it");
  }
}

void run_request(const GlobalOptions& global, const RequestArgs& args) {
  refuse_existing(args.out, args.force);
  refuse_existing(args.key_out, args.force);
  const ExchangeRequest request = make_exchange_request({args.subject, args.dns, args.ip, KeySpec::parse(args.key)});
  const bool encrypt = !args.key_passphrase_file.empty();
  const std::string key_pem =
      encrypt ? request.key.to_encrypted_pem(read_secret(args.key_passphrase_file, "key passphrase", "--key-passphrase-file", false))
              : request.key.to_pem();
  // The key first: a request without its key would be useless.
  if (args.force) std::filesystem::remove(args.key_out);
  write_secret_file(args.key_out, key_pem);
  try {
    write_file_atomically(args.out, pem_block("CERTIFICATE REQUEST", request.der), args.force);
  } catch (...) {
    std::filesystem::remove(args.key_out);  // a key without its request is only a secret lying around
    throw;
  }

  std::vector<std::string> sans;
  for (const auto& san : request.sans) sans.push_back(san.to_string());
  if (global.json) {
    print_json({{"subject", request.subject},
                {"sans", sans},
                {"key", request.key.spec().to_string()},
                {"key_encrypted", encrypt},
                {"files", {{"request", args.out}, {"key", args.key_out}}}});
    return;
  }
  print_text(global, "Wrote " + args.out + ": request for " + request.subject + "\n  SANs " + join(sans) + "\nWrote " +
                         args.key_out + ": " + request.key.spec().describe() + " key, mode 0600, " +
                         (encrypt ? "encrypted" : "NOT encrypted (give --key-passphrase-file to encrypt it)") +
                         "\nNext: " + pocketca_invocation(global) + " submit " + shell_quoted(args.out) +
                         " --template WebServer, then " + pocketca_invocation(global) + " export SERIAL --format pfx --key " +
                         shell_quoted(args.key_out) + " --out NAME.pfx\n");
}

}  // namespace

void setup_request(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<RequestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "request", "Make a key and a PKCS#10 request shaped like New-ExchangeCertificate's (CN added to the SAN)");
  cmd->add_option("--subject", args->subject, "Subject, e.g. \"CN=mail.contoso.lab,O=Contoso\"")->required()->type_name("DN");
  cmd->add_option("--dns", args->dns, "A DNS name for the SAN (repeat for more)")->type_name("NAME");
  cmd->add_option("--ip", args->ip, "An IP address for the SAN (repeat for more)")->type_name("ADDR");
  cmd->add_option("--key", args->key, "Key type: rsa:2048|rsa:3072|rsa:4096|ec:p256|ec:p384")
      ->check(key_type())
      ->capture_default_str()
      ->type_name("KEY");
  cmd->add_option("--out", args->out, "Request file to write (PEM)")->required()->type_name("FILE.req");
  cmd->add_option("--key-out", args->key_out, "Private key file to write (PEM, mode 0600)")->required()->type_name("FILE.key");
  cmd->add_option("--key-passphrase-file", args->key_passphrase_file,
                  "Encrypt the key with the first line of this file (PKCS#8, AES-256)")
      ->type_name("FILE");
  cmd->add_flag("--force", args->force, "Overwrite existing files");
  cmd->callback([&global, args] {
    if (args->out == args->key_out) throw CLI::ValidationError("--out and --key-out name the same file; give two");
    run_request(global, *args);
  });
}

}  // namespace pocketca::cli
