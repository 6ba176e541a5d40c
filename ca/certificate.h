#pragma once
// An X.509 certificate as an immutable value: built from DER or PEM, checked on
// decode, read through accessors that return std types.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bytes.h"
#include "ossl.h"
#include "time.h"

namespace pocketca {

class Certificate {
 public:
  [[nodiscard]] static Certificate from_der(const Bytes& der);
  // The first CERTIFICATE block of `pem`.
  [[nodiscard]] static Certificate from_pem(const std::string& pem);
  // Takes ownership of a certificate the engine just signed.
  [[nodiscard]] static Certificate adopt(ossl::Ptr<X509> cert);

  [[nodiscard]] const Bytes& der() const { return der_; }
  [[nodiscard]] std::string pem() const;

  [[nodiscard]] std::string subject() const;      // RFC 4514
  [[nodiscard]] std::string issuer() const;       // RFC 4514
  [[nodiscard]] std::string common_name() const;  // "" when none
  [[nodiscard]] std::string serial_hex() const;   // lower case, no separators
  [[nodiscard]] std::string sha1_thumbprint() const;     // upper case, as Windows prints it
  [[nodiscard]] std::string sha256_fingerprint() const;  // lower case
  [[nodiscard]] Time not_before() const;
  [[nodiscard]] Time not_after() const;
  [[nodiscard]] bool is_ca() const;
  // basicConstraints pathLenConstraint; empty when absent or not a CA.
  [[nodiscard]] std::optional<int> path_len() const;
  [[nodiscard]] bool is_self_signed() const;
  [[nodiscard]] Bytes subject_key_id() const;  // empty when absent

  // For the engine's OpenSSL calls only; the handle stays owned by this object.
  [[nodiscard]] X509* native() const { return cert_.get(); }

 private:
  Certificate(ossl::Ptr<X509> cert, Bytes der) : cert_(std::move(cert)), der_(std::move(der)) {}
  std::shared_ptr<X509> cert_;  // shared: a Certificate is an immutable value, cheap to copy
  Bytes der_;
};

}  // namespace pocketca
