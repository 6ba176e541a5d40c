// exchange_steps: the commands `submit` and `retrieve` print for Exchange — the .p7b for a request
// made on Windows, a PFX for any other — with paths PowerShell and a POSIX shell read back intact.

#include <string>

#include <catch2/catch.hpp>

#include "cli/certificate_files.h"

using pocketca::cli::exchange_steps;
using pocketca::cli::powershell_quoted;

namespace {

pocketca::store::CertificateRecord certificate() {
  pocketca::store::CertificateRecord cert;
  cert.serial = "4df90a0b0c0d0e0f1011121314000200000003";
  cert.sha1_thumbprint = "B5B9A1C2D3E4F5061728394A5B6C7D8E9FA0B1C2";
  return cert;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("powershell_quoted doubles every quote PowerShell ends a single-quoted string at", "[exchange_steps]") {
  CHECK(powershell_quoted("C:\\certs\\mail.p7b") == "'C:\\certs\\mail.p7b'");
  CHECK(powershell_quoted("a b $x `y` (z); & #") == "'a b $x `y` (z); & #'");  // nothing else is special inside
  CHECK(powershell_quoted("bob's") == "'bob''s'");
  CHECK(powershell_quoted("bob\xE2\x80\x99s") == "'bob\xE2\x80\x99\xE2\x80\x99s'");  // U+2019
  CHECK(powershell_quoted("\xE2\x80\x98x\xE2\x80\x9A\xE2\x80\x9B") ==
        "'\xE2\x80\x98\xE2\x80\x98x\xE2\x80\x9A\xE2\x80\x9A\xE2\x80\x9B\xE2\x80\x9B'");
  CHECK(powershell_quoted("\xE2\x80\x9C") == "'\xE2\x80\x9C'");  // a double quote is no end
  CHECK(powershell_quoted("") == "''");
}

TEST_CASE("a request made on Windows: import the .p7b with -FileData where the key is", "[exchange_steps]") {
  const std::string steps = exchange_steps("out/mail.contoso.lab.p7b", certificate(), true);
  CHECK(contains(steps, "copy mail.contoso.lab.p7b to C:\\certs\\ on the server that made the request"));
  CHECK(contains(steps, "  Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes("
                        "'C:\\certs\\mail.contoso.lab.p7b')) | Enable-ExchangeCertificate -Services IIS,SMTP\n"));
  CHECK(contains(steps, "Get-ExchangeCertificate -Thumbprint B5B9A1C2D3E4F5061728394A5B6C7D8E9FA0B1C2"));
  CHECK_FALSE(contains(steps, "-Path"));
  CHECK_FALSE(contains(steps, ".pfx"));
}

TEST_CASE("any other request: a PFX with the key, imported with -Password", "[exchange_steps]") {
  const std::string steps = exchange_steps("out/mail.p7b", certificate(), false);
  CHECK(contains(steps, "  pocketca export 4df90a0b0c0d0e0f1011121314000200000003 --format pfx --key KEYFILE "
                        "--out out/mail.pfx\n"));
  CHECK(contains(steps, "copy mail.pfx to C:\\certs\\ on the Exchange server"));
  CHECK(contains(steps, "  Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('C:\\certs\\mail.pfx'))"
                        " -Password (Read-Host -AsSecureString) | Enable-ExchangeCertificate -Services IIS,SMTP\n"));
  CHECK_FALSE(contains(steps, "server that made the request"));
  CHECK_FALSE(contains(steps, ".p7b"));
}

TEST_CASE("file names with spaces and quotes stay one argument in both shells", "[exchange_steps]") {
  const std::string p7b = exchange_steps("it's mail $1.p7b", certificate(), true);
  CHECK(contains(p7b, "ReadAllBytes('C:\\certs\\it''s mail $1.p7b')"));
  const std::string pfx = exchange_steps("my dir/it's mail.p7b", certificate(), false);
  CHECK(contains(pfx, "--out 'my dir/it'\\''s mail.pfx'\n"));
  CHECK(contains(pfx, "ReadAllBytes('C:\\certs\\it''s mail.pfx')"));
}
