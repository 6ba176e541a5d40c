#include "key.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "der.h"
#include "error.h"

namespace pocketca {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

const std::map<std::string, std::string>& curve_aliases() {
  static const std::map<std::string, std::string> aliases = {
      {"p256", "P-256"}, {"p-256", "P-256"}, {"prime256v1", "P-256"}, {"secp256r1", "P-256"},
      {"p384", "P-384"}, {"p-384", "P-384"}, {"secp384r1", "P-384"},
  };
  return aliases;
}

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string curve_of(const EVP_PKEY* key) {
  char name[64] = {};
  size_t len = 0;
  check_one(EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len),
            "reading the curve of an EC key");
  const int nid = OBJ_sn2nid(name);
  const char* nist = EC_curve_nid2nist(nid);
  return nist != nullptr ? nist : name;
}

// The key in `pem`, decrypted with `passphrase` if it is encrypted; nullptr (OpenSSL's
// reasons queued) when it holds none. Told the `key_type` (OpenSSL's name), it reads the
// first PEM block as a key of that type; without, the first block that is a key, of any type.
ossl::Ptr<EVP_PKEY> decode_private_key(const std::string& pem, std::string& passphrase, const char* key_type) {
  if (key_type == nullptr) {
    auto bio = ossl::adopt(check_ptr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), "reading a key"));
    return ossl::adopt(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, passphrase.data()));
  }
  EVP_PKEY* key = nullptr;
  auto decoder = ossl::adopt(check_ptr(
      OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", nullptr, key_type, EVP_PKEY_KEYPAIR, nullptr, nullptr),
      "preparing to read a key"));
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  size_t left = pem.size();
  const bool decoded =
      OSSL_DECODER_CTX_set_passphrase(decoder.get(), reinterpret_cast<const unsigned char*>(passphrase.data()),
                                      passphrase.size()) == 1 &&
      OSSL_DECODER_from_data(decoder.get(), &data, &left) == 1;
  auto owned = ossl::adopt(key);
  return decoded ? std::move(owned) : nullptr;
}

// Why `pem` gave no key: what it holds instead, when admins mix that up with a key file.
std::string why_no_key(const std::string& pem, const std::string& openssl_detail) {
  const auto holds = [&pem](const char* label) {
    return pem.find(std::string("-----BEGIN ") + label + "-----") != std::string::npos;
  };
  if (holds("CERTIFICATE REQUEST") || holds("NEW CERTIFICATE REQUEST")) {
    return "this is a certificate request, not a private key: use the key file written with the request "
           "(pocketca request --key-out, openssl req -keyout)";
  }
  if (holds("CERTIFICATE")) return "this is a certificate, not a private key: use the key file that belongs to it";
  if (pem.find("PRIVATE KEY-----") != std::string::npos) {
    return "the private key does not decode: the file is damaged or the key type is not supported" +
           (openssl_detail.empty() ? "" : " (OpenSSL: " + openssl_detail + ")");
  }
  return "not a private key in PEM form (-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----)";
}

}  // namespace

KeySpec KeySpec::parse(const std::string& text) {
  const std::string t = lower(text);
  const auto colon = t.find(':');
  const std::string kind = t.substr(0, colon);
  const std::string param = colon == std::string::npos ? "" : t.substr(colon + 1);
  KeySpec spec;
  if (kind == "rsa" && (param == "2048" || param == "3072" || param == "4096")) {
    spec.type = Type::rsa;
    spec.rsa_bits = std::stoi(param);
    return spec;
  }
  if (kind == "ec" && curve_aliases().count(param) != 0) {
    spec.type = Type::ec;
    spec.curve = curve_aliases().at(param);
    return spec;
  }
  throw Error(ErrorKind::invalid_input,
              "key type \"" + text + "\" is not supported; use rsa:2048, rsa:3072, rsa:4096, ec:p256 or ec:p384");
}

std::string KeySpec::to_string() const {
  if (type == Type::rsa) return "rsa:" + std::to_string(rsa_bits);
  return curve == "P-384" ? "ec:p384" : curve == "P-521" ? "ec:p521" : "ec:p256";
}

std::string KeySpec::describe() const {
  return type == Type::rsa ? "RSA " + std::to_string(rsa_bits) : "EC " + curve;
}

PrivateKey PrivateKey::generate(const KeySpec& spec) {
  EVP_PKEY* key = spec.type == KeySpec::Type::rsa
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(spec.rsa_bits))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", spec.curve.c_str());
  return PrivateKey(ossl::adopt(check_ptr(key, "generating a key")));
}

bool PrivateKey::is_encrypted_pem(const std::string& pem) {
  return pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string::npos ||
         pem.find("Proc-Type: 4,ENCRYPTED") != std::string::npos;
}

PrivateKey PrivateKey::from_pem(const std::string& pem, const std::optional<std::string>& passphrase,
                                const char* key_type_hint) {
  const bool encrypted = is_encrypted_pem(pem);
  if (encrypted && !passphrase) {
    throw Error(ErrorKind::wrong_passphrase, "the key is encrypted and no passphrase was given");
  }
  // An empty passphrase still goes to OpenSSL as "", and no callback is set, so a key
  // never falls back to OpenSSL's own terminal prompt.
  std::string pass = passphrase.value_or("");
  // Not for an encrypted key: its KDF dwarfs the saving, and a wrong passphrase is tried once.
  const char* key_type = encrypted ? nullptr : key_type_hint;
  ossl::Ptr<EVP_PKEY> key = decode_private_key(pem, pass, key_type);
  if (key == nullptr && key_type != nullptr) {
    (void)drain_openssl_errors();  // a key of another type, or none: the untyped read says which
    key = decode_private_key(pem, pass, nullptr);
  }
  OPENSSL_cleanse(pass.data(), pass.size());
  if (key == nullptr) {
    const std::string detail = drain_openssl_errors();
    if (encrypted) throw Error(ErrorKind::wrong_passphrase, "the key does not decrypt with the passphrase given");
    throw Error(ErrorKind::invalid_input, why_no_key(pem, detail));
  }
  return PrivateKey(std::move(key));
}

std::string PrivateKey::to_pem() const {
  auto bio = ossl::adopt(check_ptr(BIO_new(BIO_s_mem()), "allocating a buffer"));
  check_one(PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr),
            "writing a key");
  return bio_to_string(bio.get());
}

std::string PrivateKey::to_encrypted_pem(const std::string& passphrase) const {
  if (passphrase.empty()) throw Error(ErrorKind::invalid_input, "the passphrase is empty");
  auto p8 = ossl::adopt(check_ptr(EVP_PKEY2PKCS8(key_.get()), "converting a key to PKCS#8"));
  unsigned char salt[16];
  check_one(RAND_bytes(salt, sizeof salt), "drawing a salt");
  auto pbe = ossl::adopt(check_ptr(PKCS5_pbe2_set_iv(EVP_aes_256_cbc(), key_pbkdf2_iterations, salt, sizeof salt,
                                                     nullptr, NID_hmacWithSHA256),
                                   "setting up key encryption"));
  X509_SIG* sealed = PKCS8_set0_pbe(passphrase.data(), static_cast<int>(passphrase.size()), p8.get(), pbe.get());
  check_ptr(sealed, "encrypting a key");
  (void)pbe.release();  // set0: the X509_SIG owns the algorithm now
  auto sealed_owner = ossl::adopt(sealed);
  auto bio = ossl::adopt(check_ptr(BIO_new(BIO_s_mem()), "allocating a buffer"));
  check_one(PEM_write_bio_PKCS8(bio.get(), sealed), "writing an encrypted key");
  return bio_to_string(bio.get());
}

KeySpec PrivateKey::spec() const {
  KeySpec spec;
  if (EVP_PKEY_is_a(key_.get(), "RSA")) {
    spec.type = KeySpec::Type::rsa;
    spec.rsa_bits = EVP_PKEY_get_bits(key_.get());
  } else if (EVP_PKEY_is_a(key_.get(), "EC")) {
    spec.type = KeySpec::Type::ec;
    spec.curve = curve_of(key_.get());
  } else {
    throw Error(ErrorKind::invalid_input, std::string("unsupported key type ") + EVP_PKEY_get0_type_name(key_.get()));
  }
  return spec;
}

Bytes PrivateKey::public_key_der() const {
  return to_der(key_.get(), i2d_PUBKEY, "encoding a public key");
}

const EVP_MD* PrivateKey::signature_digest() const {
  if (EVP_PKEY_is_a(key_.get(), "EC") && EVP_PKEY_get_bits(key_.get()) >= 384) return EVP_sha384();
  return EVP_sha256();
}

bool PrivateKey::matches(const EVP_PKEY* public_key) const { return EVP_PKEY_eq(key_.get(), public_key) == 1; }

ossl::Ptr<EVP_MD_CTX> PrivateKey::signing_context() const {
  std::call_once(signing_->once, [this] {
    auto prepared = ossl::adopt(check_ptr(EVP_MD_CTX_new(), "allocating a signing context"));
    check_one(EVP_DigestSignInit(prepared.get(), nullptr, signature_digest(), nullptr, key_.get()),
              "preparing to sign");
    signing_->context = std::move(prepared);
  });
  auto copy = ossl::adopt(check_ptr(EVP_MD_CTX_new(), "allocating a signing context"));
  check_one(EVP_MD_CTX_copy_ex(copy.get(), signing_->context.get()), "copying a signing context");
  return copy;
}

}  // namespace pocketca
