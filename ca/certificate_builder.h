#pragma once
// Builds and signs one X.509 v3 certificate. Extensions are added explicitly by
// the caller, in the order they should appear; nothing is copied from a request.

#include <optional>
#include <string>
#include <vector>

#include "bytes.h"
#include "certificate.h"
#include "key.h"
#include "ossl.h"
#include "subject_alt_name.h"
#include "time.h"

namespace pocketca {

// Extensions on their own, for CertificateBuilder::add — or for many certificates at once: a
// batch builds what its leaves share a single time (LeafProfile, leaf_certificate.h).
namespace extensions {
[[nodiscard]] ossl::Ptr<X509_EXTENSION> basic_constraints(bool is_ca, std::optional<int> path_len);
[[nodiscard]] ossl::Ptr<X509_EXTENSION> key_usage(const std::vector<std::string>& usages);
[[nodiscard]] ossl::Ptr<X509_EXTENSION> extended_key_usage(const std::vector<std::string>& purposes);
[[nodiscard]] ossl::Ptr<X509_EXTENSION> authority_key_identifier(const Certificate& issuer);
// Error{invalid_input} for a URL that is not is_publishable_url().
[[nodiscard]] ossl::Ptr<X509_EXTENSION> crl_distribution_point(const std::string& url);
// nullptr when both URLs are empty; Error{invalid_input} for one that is not publishable.
[[nodiscard]] ossl::Ptr<X509_EXTENSION> authority_info_access(const std::string& ca_issuers_url,
                                                             const std::string& ocsp_url);
// Microsoft's certificate template name, 1.3.6.1.4.1.311.20.2: a BMPString, as AD CS v1 templates write it.
[[nodiscard]] ossl::Ptr<X509_EXTENSION> template_name(const std::string& name);
// id-pkix-ocsp-nocheck: an OCSP responder's own certificate is not checked by OCSP.
[[nodiscard]] ossl::Ptr<X509_EXTENSION> ocsp_no_check();
}  // namespace extensions

class CertificateBuilder {
 public:
  CertificateBuilder(const X509_NAME* subject, EVP_PKEY* subject_public_key, const Bytes& serial, Time not_before,
                     Time not_after);
  // The same with the SubjectPublicKeyInfo copied as it is (from a request): no
  // key encoding or decoding, which OpenSSL 3.0 makes costly per certificate. The serial
  // comes later (serial()): a leaf's carries its request's ID, known once the request is recorded.
  CertificateBuilder(const X509_NAME* subject, const X509_PUBKEY* subject_public_key, Time not_before,
                     Time not_after);

  CertificateBuilder& serial(const Bytes& serial);

  // The signer: the issuing CA's certificate and key. Without one the
  // certificate is self-signed with `key` (which must match the subject key).
  CertificateBuilder& issued_by(const Certificate& issuer);

  CertificateBuilder& basic_constraints(bool is_ca, std::optional<int> path_len);  // critical when is_ca
  CertificateBuilder& key_usage(const std::vector<std::string>& usages);            // always critical
  CertificateBuilder& extended_key_usage(const std::vector<std::string>& purposes);
  CertificateBuilder& subject_key_identifier();
  CertificateBuilder& authority_key_identifier();  // keyid of the issuer (or of itself)
  // DNS, IP, email, URI and UPN entries, in the order given (non-critical: the subject is not empty).
  // Critical when the subject is empty, as RFC 5280 4.2.1.6 requires.
  CertificateBuilder& subject_alt_names(const std::vector<SubjectAltName>& names, bool critical = false);
  CertificateBuilder& add(ossl::Ptr<X509_EXTENSION> extension);
  // A copy of `extension`, which stays the caller's (OpenSSL copies what it adds either way).
  CertificateBuilder& add_copy(X509_EXTENSION* extension);

  // Signs with SHA-256 (SHA-384 for a P-384 key) and returns the result. Error without a serial.
  [[nodiscard]] Certificate sign(const PrivateKey& signing_key);

 private:
  // Version, subject and validity: what both public constructors start with.
  CertificateBuilder(const X509_NAME* subject, Time not_before, Time not_after);

  ossl::Ptr<X509> cert_;
  std::optional<Certificate> issuer_;
  bool has_serial_ = false;
};

// A URL we are willing to write into CDP/AIA: http or https with a host, no spaces, commas
// or control characters (they would end up in OpenSSL's config syntax or break clients).
[[nodiscard]] bool is_publishable_url(const std::string& url);

}  // namespace pocketca
