// `export`: an issued certificate again, in any format a Windows or Linux admin
// imports, and as a PFX with its key for Import-ExchangeCertificate -Password.

#include <sys/stat.h>

#include "ca/bundle.h"
#include "ca/error.h"
#include "ca/files.h"
#include "ca/pkcs12.h"
#include "ca/serial.h"
#include "certificate_views.h"
#include "commands.h"
#include "output.h"

namespace pocketca::cli {
namespace {

struct ExportArgs {
  std::string serial;
  std::string format;
  std::string key;
  std::string key_passphrase_file;
  std::string password_file;
  std::string pfx_compat = "legacy";
  std::string out;
  bool force = false;
};

constexpr size_t max_key_file_size = 1024 * 1024;

// The user's own key file (made by `pocketca request`, openssl or certtool).
PrivateKey read_user_key(const ExportArgs& args, std::vector<std::string>& warnings) {
  struct stat info {};
  if (::stat(args.key.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
    warnings.push_back(args.key + " can be read by other users; a private key file should be mode 0600");
  }
  const std::string pem = read_file(args.key, max_key_file_size);
  std::optional<std::string> passphrase;
  if (PrivateKey::is_encrypted_pem(pem)) {
    passphrase = read_secret(args.key_passphrase_file, "passphrase of " + args.key, "--key-passphrase-file", false);
  }
  return PrivateKey::from_pem(pem, passphrase);
}

Exported exported(const ExportArgs& args, const std::vector<Certificate>& chain, std::vector<std::string>& warnings) {
  const std::string& f = args.format;
  const std::string name = chain.front().common_name().empty() ? chain.front().subject() : chain.front().common_name();
  if (f == "pfx") {
    const PrivateKey key = read_user_key(args, warnings);
    const PfxCompat compat = parse_pfx_compat(args.pfx_compat);
    const std::string password = read_secret(args.password_file, "PFX password", "--password-file", true);
    const Bytes pfx = make_pfx(chain, key, password, compat);
    return {std::string(pfx.begin(), pfx.end()), f, true,
            name + " with its key and chain, " +
                (compat == PfxCompat::legacy ? "3DES + SHA-1 MAC (any Windows)" : "AES-256 + SHA-256 MAC (Windows Server 2019+)")};
  }
  const BundleFormat format = f == "pem" ? BundleFormat::cer_b64 : f == "pem-chain" ? BundleFormat::pem_bundle
                                                                                     : parse_bundle_format(f);
  const bool single = format == BundleFormat::cer || format == BundleFormat::cer_b64;
  return {encode_bundle(chain, format), f, is_binary(format), name + (single ? "" : " with its chain up to the root")};
}

void run_export(const GlobalOptions& global, const ExportArgs& args) {
  Home home = Home::open(resolve_home(global));
  const auto cert = home.store().find_certificate_by_serial(normalize_serial(args.serial));
  if (!cert) throw Error(ErrorKind::not_found, "there is no certificate with serial " + args.serial + " in this CA home");
  if (!args.out.empty() && !args.force && std::filesystem::exists(args.out)) {
    throw Error(ErrorKind::conflict, args.out + " exists; use --force to overwrite it");
  }
  std::vector<std::string> warnings;
  const Time at = now();
  if (const std::string status = status_at(*cert, at); status != "valid") {
    warnings.push_back("certificate " + cert->serial + " is " + status);
  }
  const Exported out = exported(args, chain_of(home, *cert), warnings);
  print_warnings(warnings);
  emit_export(global, out, args.out, args.force, {{"serial", cert->serial}, {"thumbprint", cert->sha1_thumbprint}});
}

// Options that contradict --format: usage errors, found before anything is read.
void check_format_options(const CLI::App& cmd, const ExportArgs& args) {
  if (args.format != "pfx") {
    for (const char* option : {"--key", "--key-passphrase-file", "--password-file", "--pfx-compat"}) {
      if (cmd.count(option) > 0) throw CLI::ValidationError(std::string(option) + " only goes with --format pfx");
    }
    return;
  }
  if (args.key.empty()) throw CLI::ValidationError("--format pfx needs --key KEYFILE: the certificate's private key");
  // A PFX holds the private key: it goes to a file of mode 0600, not to a pipe by accident.
  if (args.out.empty()) throw CLI::ValidationError("--format pfx needs --out FILE.pfx");
}

}  // namespace

void setup_export(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export", "Export an issued certificate again, in any format, or as a PFX with its key");
  cmd->add_option("SERIAL", args->serial, "Serial number (any case; ':' or spaces allowed)")->required();
  cmd->add_option("--format", args->format,
                  "cer, cer-b64, pem: the certificate; pem-chain, p7b, p7b-b64: with its chain; pfx: with key and chain")
      ->required()
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"cer", "cer-b64", "pem", "pem-chain", "p7b", "p7b-b64", "pfx"}));
  cmd->add_option("--key", args->key, "pfx: the certificate's private key (PEM, encrypted or not)")->type_name("KEYFILE");
  cmd->add_option("--key-passphrase-file", args->key_passphrase_file, "pfx: passphrase of an encrypted --key (else a prompt)")
      ->type_name("FILE");
  cmd->add_option("--password-file", args->password_file, "pfx: the PFX password, first line (else a prompt)")
      ->type_name("FILE");
  cmd->add_option("--pfx-compat", args->pfx_compat,
                  "pfx: legacy = 3DES + SHA-1 MAC (Windows Server 2016 and older, appliances); "
                  "modern = AES-256 + SHA-256 MAC")
      ->check(CLI::IsMember({"legacy", "modern"}))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "File to write (default: stdout; required for pfx)")->type_name("FILE");
  cmd->add_flag("--force", args->force, "Overwrite --out if it exists");
  cmd->callback([&global, args, cmd] {
    check_format_options(*cmd, *args);
    run_export(global, *args);
  });
}

}  // namespace pocketca::cli
