// BatchFileWriter: a batch's files written a group behind, each certificate reported once its
// files are in place, a file that cannot be written reported alone, no temporary file left.

#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/pkcs7.h>

#include "../ca/cert_test_support.h"
#include "cli/batch_file_writer.h"

using namespace pocketca;
using namespace pocketca::ca_testing;
using pocketca::cli::BatchFileWriter;
using pocketca::cli::CertificateFiles;
namespace fs = std::filesystem;

TEST_CASE("BatchFileWriter puts each certificate's files in place before reporting it", "[batch_files]") {
  TempDir dir;
  const TestChain& c = test_chain();
  const std::vector<Certificate> chain{c.leaf, c.intermediate, c.root};
  std::vector<std::string> written;
  std::vector<std::string> not_written;
  {
    BatchFileWriter writer(false, 4);  // groups of 4: three groups, the last one short
    for (int n = 0; n < 10; ++n) {
      const std::string name = "host" + std::to_string(n);
      CertificateFiles files{dir / (name + ".cer"), dir / (name + ".p7b"), false};
      if (n == 6) files = {dir / "no-such-folder" / "x.cer", dir / "no-such-folder" / "x.p7b", false};
      writer.add(files, chain,
                 {[&, name, files] {
                    CHECK(fs::exists(files.cer));  // in place when reported
                    CHECK(fs::exists(files.p7b));
                    written.push_back(name);
                  },
                  [&, name](const std::string& why) { not_written.push_back(name + ": " + why); }});
    }
    writer.finish();
  }
  CHECK(written == std::vector<std::string>{"host0", "host1", "host2", "host3", "host4", "host5", "host7", "host8",
                                            "host9"});
  REQUIRE(not_written.size() == 1);
  CHECK_THAT(not_written.front(), Catch::StartsWith("host6: "));

  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++entries;
  CHECK(entries == 2 * written.size());  // no temporary file left behind
  // Read back with OpenSSL: the certificate, and the chain as PKCS#7.
  const std::string cer = read_file(dir / "host9.cer", 1 << 20);
  CHECK(Bytes(cer.begin(), cer.end()) == c.leaf.der());
  const std::string p7b = read_file(dir / "host9.p7b", 1 << 20);
  const auto* p = reinterpret_cast<const unsigned char*>(p7b.data());
  auto pkcs7 = ossl::adopt(d2i_PKCS7(nullptr, &p, static_cast<long>(p7b.size())));
  REQUIRE(pkcs7 != nullptr);
  REQUIRE(PKCS7_type_is_signed(pkcs7.get()));
  CHECK(sk_X509_num(pkcs7->d.sign->cert) == 3);
}
