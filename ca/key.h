#pragma once
// Key pairs: what kind a user asked for (KeySpec), and a private key value that
// generates, encrypts and decrypts itself.

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "bytes.h"
#include "ossl.h"

namespace pocketca {

struct KeySpec {
  enum class Type { rsa, ec };
  Type type = Type::rsa;
  int rsa_bits = 2048;   // rsa only
  std::string curve;     // ec only: "P-256", "P-384"

  // "rsa:2048" / "rsa:3072" / "rsa:4096" / "ec:p256" / "ec:p384" (case-insensitive;
  // "ec:P-256", "ec:prime256v1", "ec:secp384r1" too). Throws Error{invalid_input}
  // naming the accepted values.
  static KeySpec parse(const std::string& text);
  // The canonical form parse() accepts: "rsa:2048", "ec:p256".
  [[nodiscard]] std::string to_string() const;
  // For people: "RSA 2048", "EC P-256".
  [[nodiscard]] std::string describe() const;
};

// PBES2 parameters for keys at rest. OpenSSL 3.0 caps scrypt at 32 MiB, which
// rules out N = 2^15, so keys use PBKDF2-HMAC-SHA256 at OWASP's 600,000
// iterations with AES-256-CBC: every tool (openssl, certtool, cryptography) reads it.
inline constexpr int key_pbkdf2_iterations = 600000;

class PrivateKey {
 public:
  [[nodiscard]] static PrivateKey generate(const KeySpec& spec);
  // Reads PKCS#8 (encrypted or not) or a traditional PEM key. Throws
  // Error{wrong_passphrase} when an encrypted key does not decrypt with `passphrase`
  // (or no passphrase was given for one), Error{invalid_input} when it is no key.
  // `key_type_hint`, OpenSSL's name ("RSA", "EC") of the type expected, makes OpenSSL 3.0
  // set up that type's decoders only, not every key manager's: a quarter of a millisecond
  // of each command that signs (unencrypted keys only). A key of another type is still read.
  [[nodiscard]] static PrivateKey from_pem(const std::string& pem, const std::optional<std::string>& passphrase,
                                           const char* key_type_hint = nullptr);
  [[nodiscard]] static bool is_encrypted_pem(const std::string& pem);

  [[nodiscard]] std::string to_pem() const;  // unencrypted PKCS#8
  [[nodiscard]] std::string to_encrypted_pem(const std::string& passphrase) const;

  [[nodiscard]] KeySpec spec() const;
  [[nodiscard]] Bytes public_key_der() const;  // SubjectPublicKeyInfo
  // SHA-384 for a P-384 (or larger) EC key, SHA-256 otherwise.
  [[nodiscard]] const EVP_MD* signature_digest() const;
  // True when `public_key` is this key's public half.
  [[nodiscard]] bool matches(const EVP_PKEY* public_key) const;
  // A digest-sign context for this key and signature_digest(), ready for data (X509_sign_ctx):
  // a copy of one prepared on first use. OpenSSL 3.0 fetches the digest and signature
  // algorithms on every EVP_DigestSignInit, a fifth of a P-256 certificate's signing; a copy
  // fetches nothing. Safe from several threads.
  [[nodiscard]] ossl::Ptr<EVP_MD_CTX> signing_context() const;

  // For the engine's OpenSSL calls only; the handle stays owned by this object.
  [[nodiscard]] EVP_PKEY* native() const { return key_.get(); }

 private:
  explicit PrivateKey(ossl::Ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  // On the heap, so the key stays movable; prepared once, then only read.
  struct PreparedSigning {
    std::once_flag once;
    ossl::Ptr<EVP_MD_CTX> context;
  };
  ossl::Ptr<EVP_PKEY> key_;
  std::shared_ptr<PreparedSigning> signing_ = std::make_shared<PreparedSigning>();
};

}  // namespace pocketca
