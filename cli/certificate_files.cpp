#include "certificate_files.h"

#include <algorithm>
#include <string_view>

#include <CLI/Error.hpp>

#include "ca/bundle.h"
#include "ca/error.h"
#include "ca/files.h"
#include "context.h"

namespace pocketca::cli {

CertificateFiles plan_certificate_files(const FileNaming& naming) {
  CertificateFiles files{naming.out.empty() ? naming.base + ".cer" : naming.out,
                         naming.chain.empty() ? naming.base + ".p7b" : naming.chain, naming.format == "base64"};
  if (files.cer == files.p7b) throw CLI::ValidationError("--out and --chain name the same file");
  for (const auto& path : {files.cer, files.p7b}) {
    std::error_code error;
    if (!naming.input.empty() && std::filesystem::equivalent(path, naming.input, error)) {
      throw Error(ErrorKind::invalid_input, "the output " + path.string() + " is the request file itself; name the "
                                                "output with " + naming.other_names);
    }
    check_can_create(path);
    if (!naming.force && std::filesystem::exists(path)) {
      throw Error(ErrorKind::conflict, path.string() + " exists; use --force to overwrite it, or " + naming.other_names);
    }
  }
  return files;
}

std::string files_not_written(int64_t request_id, const std::string& why) {
  return "issued as request " + std::to_string(request_id) + " but its files were not written (" + why +
         "); get them with `pocketca retrieve " + std::to_string(request_id) + "`";
}

namespace {

std::string cer_content(const CertificateFiles& files, const std::vector<Certificate>& chain) {
  return encode_bundle(chain, files.base64 ? BundleFormat::cer_b64 : BundleFormat::cer);
}

std::string p7b_content(const CertificateFiles& files, const std::vector<Certificate>& chain) {
  return encode_bundle(chain, files.base64 ? BundleFormat::p7b_b64 : BundleFormat::p7b);
}

}  // namespace

std::vector<StagedFiles::File> certificate_files(const CertificateFiles& files, const std::vector<Certificate>& chain,
                                                 bool force) {
  return {{files.cer, cer_content(files, chain), force}, {files.p7b, p7b_content(files, chain), force}};
}

std::map<std::string, std::string> file_names(const CertificateFiles& files) {
  return {{"cer", files.cer.string()}, {"p7b", files.p7b.string()}};
}

std::map<std::string, std::string> write_certificate_files(const CertificateFiles& files,
                                                           const std::vector<Certificate>& chain, bool force) {
  StagedFiles staged(certificate_files(files, chain, force));
  staged.show();
  return file_names(files);
}

std::map<std::string, std::string> stage_certificate_files(FileBatch& batch, const CertificateFiles& files,
                                                           const std::vector<Certificate>& chain, bool force) {
  batch.add(files.cer, cer_content(files, chain), force);
  batch.add(files.p7b, p7b_content(files, chain), force);
  return file_names(files);
}

std::string powershell_quoted(const std::string& text) {
  // U+2018 to U+201B in UTF-8: PowerShell ends a single-quoted string at any of them.
  static constexpr std::string_view typographic[] = {"\xE2\x80\x98", "\xE2\x80\x99", "\xE2\x80\x9A", "\xE2\x80\x9B"};
  std::string quoted = "'";
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\'') {
      quoted += "''";
      continue;
    }
    const std::string_view rest = std::string_view(text).substr(i);
    const auto* q = std::find_if(std::begin(typographic), std::end(typographic),
                                 [&](std::string_view t) { return rest.starts_with(t); });
    if (q != std::end(typographic)) {
      quoted.append(*q).append(*q);
      i += q->size() - 1;
    } else {
      quoted += text[i];
    }
  }
  return quoted + "'";
}

namespace {

// Import-ExchangeCertificate reading C:\certs\<file>: -FileData with the bytes, as Exchange 2010 to SE take it.
std::string import_command(const std::string& file, const std::string& more) {
  return "  Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes(" + powershell_quoted("C:\\certs\\" + file) +
         "))" + more + " | Enable-ExchangeCertificate -Services IIS,SMTP\n";
}

}  // namespace

std::string exchange_steps(const std::string& p7b, const store::CertificateRecord& cert, bool request_made_on_windows,
                           const std::string& pocketca) {
  const std::string check =
      "  Get-ExchangeCertificate -Thumbprint " + cert.sha1_thumbprint + " | Format-List Subject,CertificateDomains,NotAfter,Services\n";
  if (request_made_on_windows) {
    const std::string file = std::filesystem::path(p7b).filename().string();
    return "For Exchange: copy " + file + " to C:\\certs\\ on the server that made the request, then in the "
           "Exchange Management Shell:\n" + import_command(file, "") + check;
  }
  const std::filesystem::path pfx = std::filesystem::path(p7b).replace_extension(".pfx");
  const std::string file = pfx.filename().string();
  return "For Exchange: the request carries no Windows attributes, so its key was not made on an Exchange server; "
         "put the certificate and that key (KEYFILE) into a PFX:\n"
         "  " + pocketca + " export " + cert.serial + " --format pfx --key KEYFILE --out " + shell_quoted(pfx.string()) + "\n"
         "then copy " + file + " to C:\\certs\\ on the Exchange server, and in the Exchange Management Shell:\n" +
         import_command(file, " -Password (Read-Host -AsSecureString)") + check;
}

}  // namespace pocketca::cli
