#pragma once
// A PKCS#10 certificate request as an immutable, *untrusted* value. Everything
// it returns is what the requester asked for; policy decides what is issued.

#include <optional>
#include <string>
#include <vector>

#include "bytes.h"
#include "ossl.h"
#include "subject_alt_name.h"

namespace pocketca {

inline constexpr size_t max_requested_sans = 100;

// The request's public key, described before any arithmetic is done with it.
struct RequestKey {
  std::string algorithm;        // "RSA", "EC", "DSA", "ED25519", … (OpenSSL's name)
  int bits = 0;                 // RSA modulus size / EC field size
  std::string rsa_exponent;     // decimal, RSA only
  std::string curve;            // "P-256", "P-384", "P-521" or another named curve; EC only
  bool explicit_curve = false;  // EC parameters spelled out instead of named: always rejected
};

// What Windows puts into requests (certreq, New-ExchangeCertificate), decoded for `show`.
struct WindowsRequestInfo {
  std::string os_version;       // 1.3.6.1.4.1.311.13.2.3, e.g. "10.0.20348.2"
  std::string client_machine;   // 1.3.6.1.4.1.311.21.20 ClientInformation
  std::string client_user;
  std::string client_process;
  std::optional<int> client_id;
  std::string csp_name;         // 1.3.6.1.4.1.311.13.2.2 EnrollmentCSPProvider
  std::string template_name;    // 1.3.6.1.4.1.311.20.2 (BMPString) or 1.3.6.1.4.1.311.21.7 (OID / major / minor)
  [[nodiscard]] bool empty() const;
  // An OS version, client information or CSP: what Windows enrollment (New-ExchangeCertificate,
  // certreq) adds and other tools do not, so the key stayed on that Windows machine. A template
  // name alone does not count: `openssl req -addext` writes one as easily.
  [[nodiscard]] bool made_on_windows() const;
};

class Csr {
 public:
  // Parses DER. Throws Error{invalid_request}: not a request, trailing bytes,
  // more than max_requested_sans SAN entries, a malformed extension request or
  // subjectAltName, an RSA public exponent over 64 bits (no real key has one).
  [[nodiscard]] static Csr from_der(const Bytes& der);

  [[nodiscard]] const Bytes& der() const { return der_; }
  [[nodiscard]] std::string subject() const;      // RFC 4514
  [[nodiscard]] std::string common_name() const;  // the last CN, "" when none
  // Every commonName value, for the "no control bytes / length" rules.
  [[nodiscard]] std::vector<std::string> common_names() const;
  // Every attribute value of the subject, decoded (raw bytes when it does not decode).
  [[nodiscard]] std::vector<std::string> subject_values() const;
  [[nodiscard]] RequestKey key() const;
  // X509_REQ_verify == 1: the requester holds the private key (proof of possession).
  // Never throws. False, without verifying, when the key does not load or when an
  // EC key spells out its curve (no arithmetic on a requester's curve: check key()
  // first for the better message).
  [[nodiscard]] bool signature_verifies() const;
  // The digest of the request's own signature: "sha1", "sha256", … ("" if none/unknown).
  [[nodiscard]] std::string signature_digest() const;
  // SANs from the extensionRequest attribute (the only thing ever taken from it).
  [[nodiscard]] const std::vector<SubjectAltName>& requested_sans() const { return requested_sans_; }
  // OIDs of every extension the request asked for (for `show`; none is copied).
  [[nodiscard]] std::vector<std::string> requested_extension_oids() const;
  [[nodiscard]] WindowsRequestInfo windows_info() const;

  // The requester's public key; nullptr when it does not load (an unknown algorithm, a
  // malformed key) or is an EC key with explicit parameters.
  [[nodiscard]] EVP_PKEY* public_key() const { return key_.get(); }
  // For the engine's OpenSSL calls only; the handle stays owned by this object. Parsed in a
  // library context without algorithms: its key is not decoded (use public_key()), and
  // anything that needs an algorithm must name the default context (X509_REQ_verify_ex).
  [[nodiscard]] X509_REQ* native() const { return req_.get(); }
  [[nodiscard]] const X509_NAME* subject_name() const;

 private:
  Csr(std::shared_ptr<X509_REQ> req, std::shared_ptr<EVP_PKEY> key, std::string rsa_exponent, Bytes der,
      std::vector<SubjectAltName> sans)
      : req_(std::move(req)),
        key_(std::move(key)),
        rsa_exponent_(std::move(rsa_exponent)),
        der_(std::move(der)),
        requested_sans_(std::move(sans)) {}
  std::shared_ptr<X509_REQ> req_;
  std::shared_ptr<EVP_PKEY> key_;
  std::string rsa_exponent_;  // decimal; "" unless an RSA key loaded
  Bytes der_;
  std::vector<SubjectAltName> requested_sans_;
};

}  // namespace pocketca
