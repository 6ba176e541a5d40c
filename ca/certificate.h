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
  // Takes ownership of a certificate the engine just signed. The object is kept as built,
  // not read back from its DER: OpenSSL 3.0 runs a decoder for every key it parses, which
  // was a fifth of the time of a batch. A key copied as bytes from a request is decoded only
  // when native() or public_key() first needs it.
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
  // The subject's key, decoded on first use when the certificate was built from the bytes of a
  // request's key. Owned by this object.
  [[nodiscard]] EVP_PKEY* public_key() const;

  // For the engine's OpenSSL calls only; the handle stays owned by this object. A whole
  // certificate: its key is decoded first if it was not (see adopt()).
  [[nodiscard]] X509* native() const;
  // The same without decoding the key, for code that only encodes the certificate (into
  // PKCS#7 or PKCS#12): the object may have no decoded key, so nothing may verify with it.
  [[nodiscard]] X509* native_for_encoding() const { return cert_.get(); }

 private:
  Certificate(ossl::Ptr<X509> cert, Bytes der, bool key_checked)
      : cert_(std::move(cert)), der_(std::move(der)), key_checked_(key_checked) {}
  // Shared: a Certificate is an immutable value, cheap to copy. Mutable only so native()
  // can swap in the same certificate read back from der_.
  mutable std::shared_ptr<X509> cert_;
  Bytes der_;
  // False only for adopt()'s certificates until native() is first called; those are not shared
  // between threads before then, so the mutation needs no lock.
  mutable bool key_checked_;
};

}  // namespace pocketca
