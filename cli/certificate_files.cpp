#include "certificate_files.h"

#include "ca/bundle.h"
#include "ca/error.h"
#include "ca/files.h"

namespace pocketca::cli {

CertificateFiles plan_certificate_files(const FileNaming& naming) {
  CertificateFiles files{naming.out.empty() ? naming.base + ".cer" : naming.out,
                         naming.chain.empty() ? naming.base + ".p7b" : naming.chain, naming.format == "base64"};
  if (files.cer == files.p7b) throw Error(ErrorKind::invalid_input, "--out and --chain name the same file");
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

std::string exchange_steps(const std::string& p7b, const std::string& thumbprint) {
  const std::string file = std::filesystem::path(p7b).filename().string();
  // PowerShell splits an unquoted path at spaces and reads $ ` ( ) ; & specially.
  const bool plain = file.find_first_of(" $`'\"()[]{};&,#@") == std::string::npos;
  std::string quoted = "'";
  for (char c : file) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  const std::string path = plain ? "C:\\certs\\" + file : "'C:\\certs\\" + quoted.substr(1) + "'";
  return "For Exchange: copy " + file + " to C:\\certs\\ on the server that made the request, then in the "
         "Exchange Management Shell:\n"
         "  Import-ExchangeCertificate -Path " + path + " | Enable-ExchangeCertificate -Services IIS,SMTP\n"
         "  Get-ExchangeCertificate -Thumbprint " + thumbprint + " | Format-List Subject,CertificateDomains,NotAfter,Services\n";
}

}  // namespace pocketca::cli
