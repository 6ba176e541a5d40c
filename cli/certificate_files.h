#pragma once
// The .cer and .p7b files `submit` and `retrieve` hand back, and the Exchange
// commands that use them.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ca/certificate.h"
#include "ca/files.h"
#include "store/records.h"

namespace pocketca::cli {

struct CertificateFiles {
  std::filesystem::path cer;
  std::filesystem::path p7b;
  bool base64 = false;  // --format base64: PEM certificate and "-----BEGIN PKCS7-----"
};

// Where a certificate's two files are to go.
struct FileNaming {
  std::string base;   // <base>.cer and <base>.p7b, unless out/chain name them
  std::string out;    // --out
  std::string chain;  // --chain
  std::string format = "der";
  bool force = false;
  std::filesystem::path input;                // the request file: never overwritten, --force or not
  std::string other_names = "--out/--chain";  // what the user can pass instead of --force
};

// The files `naming` asks for. Refuses now, before anything is signed, what would fail or
// surprise later: an existing file without --force, a folder that is missing or not writable,
// the request file itself (`x.p7b` submitted would be replaced by its own chain). A certificate
// issued but not written is a surprise.
[[nodiscard]] CertificateFiles plan_certificate_files(const FileNaming& naming);

// The error for a certificate committed whose files could not be written: names the request
// and how to get the files.
[[nodiscard]] std::string files_not_written(int64_t request_id, const std::string& why);

// The two files of `chain` (the certificate, then its issuers up to the root), for StagedFiles:
// `submit` stages them while the certificate's commit is flushed, and shows them after it.
[[nodiscard]] std::vector<StagedFiles::File> certificate_files(const CertificateFiles& files,
                                                               const std::vector<Certificate>& chain, bool force);

// {"cer": path, "p7b": path}, for the JSON `files` object.
[[nodiscard]] std::map<std::string, std::string> file_names(const CertificateFiles& files);

// Writes both files atomically (staged, then shown at once). Returns file_names(files).
std::map<std::string, std::string> write_certificate_files(const CertificateFiles& files,
                                                           const std::vector<Certificate>& chain, bool force);

// The same into `batch`: the files appear when the batch is committed.
std::map<std::string, std::string> stage_certificate_files(FileBatch& batch, const CertificateFiles& files,
                                                           const std::vector<Certificate>& chain, bool force);

// "For Exchange: …": the commands that install `cert`, just written with its chain to `p7b`. A
// request made on Windows (New-ExchangeCertificate, certreq) left its key on that server, where
// the .p7b completes it; any other request's key is on this side, so the certificate goes over as
// a PFX with that key (`pocketca export --format pfx`). Import-ExchangeCertificate -FileData,
// which Exchange 2010 to SE all take (-Path was Exchange 2007's only).
// `pocketca` is how the printed pocketca command starts (pocketca_invocation).
[[nodiscard]] std::string exchange_steps(const std::string& p7b, const store::CertificateRecord& cert,
                                         bool request_made_on_windows, const std::string& pocketca = "pocketca");

// `text` as one single-quoted PowerShell string: nothing inside is special but the quote itself,
// which is doubled (the typographic single quotes, which PowerShell takes for one, too).
[[nodiscard]] std::string powershell_quoted(const std::string& text);

}  // namespace pocketca::cli
