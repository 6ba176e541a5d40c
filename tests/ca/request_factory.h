#pragma once
// PKCS#10 requests built in the test with OpenSSL, so a policy or issuance row
// says in one line what its request holds. Keys are made once per process where
// they can be shared: key generation is the slow part of these tests.

#include <string>
#include <utility>
#include <vector>

#include <openssl/evp.h>

#include "ca/bytes.h"
#include "ca/csr.h"

namespace pocketca::request_testing {

struct RequestSpec {
  // Subject RDNs in order, e.g. {{"CN", "mail.contoso.lab"}, {"O", "Contoso"}}; UTF-8 values.
  std::vector<std::pair<std::string, std::string>> subject = {{"CN", "mail.contoso.lab"}};
  // "DNS:name", "IP:192.0.2.10", "email:a@b", "URI:http://…", "UPN:user@corp" (otherName
  // 1.3.6.1.4.1.311.20.2.3, UTF8String). Values go in byte for byte, unchecked.
  std::vector<std::string> sans;
  // Other extensions asked for, as OpenSSL config text: {"basicConstraints", "critical,CA:TRUE"}.
  std::vector<std::pair<std::string, std::string>> extensions;
  // Windows' template-name extension 1.3.6.1.4.1.311.20.2 = BMPString; "" for none.
  std::string windows_template;
  // nullptr for keys that hash inside the algorithm (Ed25519).
  const EVP_MD* digest = EVP_sha256();
};

// The DER of a request for `spec`, signed with `key`.
[[nodiscard]] Bytes make_request_der(const RequestSpec& spec, EVP_PKEY* key);
// The same request as a "CERTIFICATE REQUEST" PEM block.
[[nodiscard]] std::string make_request_pem(const RequestSpec& spec, EVP_PKEY* key);
// The request parsed by the code under test.
[[nodiscard]] Csr make_csr(const RequestSpec& spec, EVP_PKEY* key);
// The request with one byte of its signature flipped: it parses, but does not verify.
[[nodiscard]] Csr make_tampered_csr(const RequestSpec& spec, EVP_PKEY* key);

// Keys shared by the whole process (owned here; never free them).
[[nodiscard]] EVP_PKEY* ec_p256_key();
[[nodiscard]] EVP_PKEY* rsa_key(int bits, unsigned long exponent = 65537);
[[nodiscard]] EVP_PKEY* dsa_key();  // 1024-bit parameters: DSA 2048 parameter generation takes seconds
[[nodiscard]] EVP_PKEY* ed25519_key();

}  // namespace pocketca::request_testing
