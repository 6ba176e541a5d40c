// Key specs and private keys: parsing what a user types, generating, and
// keeping keys at rest as PBES2-encrypted PKCS#8.

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "ca/key.h"
#include "ca_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;

namespace {

// The DER body of the first PEM block in `pem`, and its label.
struct PemBlock {
  std::string label;
  Bytes der;
};

PemBlock decode_pem(const std::string& pem) {
  auto bio = ossl::adopt(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  REQUIRE(PEM_read_bio(bio.get(), &name, &header, &data, &len) == 1);
  PemBlock block{name, Bytes(data, data + len)};
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  return block;
}

// What `write` (a PEM_write_bio_… call) puts into a memory BIO.
template <typename Write>
std::string pem_written(Write write) {
  auto bio = ossl::adopt(BIO_new(BIO_s_mem()));
  REQUIRE(write(bio.get()) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string traditional_pem(const PrivateKey& key) {
  return pem_written([&](BIO* bio) {
    return PEM_write_bio_PrivateKey_traditional(bio, key.native(), nullptr, nullptr, 0, nullptr, nullptr);
  });
}

std::string public_pem(const PrivateKey& key) {
  return pem_written([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key.native()); });
}

bool contains_bytes(const Bytes& haystack, const Bytes& needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

ossl::Ptr<EVP_PKEY> public_half(const PrivateKey& key) {
  const Bytes spki = key.public_key_der();
  const unsigned char* p = spki.data();
  return ossl::adopt(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
}

template <typename T, void (*Free)(T*)>
struct FreeWith {
  void operator()(T* p) const { Free(p); }
};
using Pbe2Param = std::unique_ptr<PBE2PARAM, FreeWith<PBE2PARAM, PBE2PARAM_free>>;
using Pbkdf2Param = std::unique_ptr<PBKDF2PARAM, FreeWith<PBKDF2PARAM, PBKDF2PARAM_free>>;

}  // namespace

TEST_CASE("KeySpec::parse accepts the supported key types and their aliases", "[key]") {
  struct Row {
    const char* text;
    KeySpec::Type type;
    int rsa_bits;
    const char* curve;
    const char* canonical;
    const char* described;
  };
  const Row rows[] = {
      {"rsa:2048", KeySpec::Type::rsa, 2048, "", "rsa:2048", "RSA 2048"},
      {"rsa:3072", KeySpec::Type::rsa, 3072, "", "rsa:3072", "RSA 3072"},
      {"rsa:4096", KeySpec::Type::rsa, 4096, "", "rsa:4096", "RSA 4096"},
      {"RSA:2048", KeySpec::Type::rsa, 2048, "", "rsa:2048", "RSA 2048"},
      {"ec:p256", KeySpec::Type::ec, 0, "P-256", "ec:p256", "EC P-256"},
      {"EC:P256", KeySpec::Type::ec, 0, "P-256", "ec:p256", "EC P-256"},
      {"ec:P-256", KeySpec::Type::ec, 0, "P-256", "ec:p256", "EC P-256"},
      {"ec:prime256v1", KeySpec::Type::ec, 0, "P-256", "ec:p256", "EC P-256"},
      {"ec:secp256r1", KeySpec::Type::ec, 0, "P-256", "ec:p256", "EC P-256"},
      {"ec:p384", KeySpec::Type::ec, 0, "P-384", "ec:p384", "EC P-384"},
      {"ec:P-384", KeySpec::Type::ec, 0, "P-384", "ec:p384", "EC P-384"},
      {"ec:secp384r1", KeySpec::Type::ec, 0, "P-384", "ec:p384", "EC P-384"},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    const KeySpec spec = KeySpec::parse(row.text);
    CHECK(spec.type == row.type);
    if (row.type == KeySpec::Type::rsa) {
      CHECK(spec.rsa_bits == row.rsa_bits);
    } else {
      CHECK(spec.curve == row.curve);
    }
    CHECK(spec.to_string() == row.canonical);
    CHECK(spec.describe() == row.described);
    // The canonical form parses back to the same key type.
    const KeySpec again = KeySpec::parse(spec.to_string());
    CHECK(again.to_string() == spec.to_string());
    CHECK(again.describe() == spec.describe());
  }
}

TEST_CASE("KeySpec::parse rejects everything else as invalid input naming the accepted values", "[key]") {
  for (const char* bad : {"rsa:1024", "rsa:8192", "rsa:2047", "rsa", "rsa:", "rsa2048", "rsa:2048 ", " rsa:2048",
                          "dsa", "dsa:2048", "ed25519", "ed448", "ec", "ec:", "ec:p521", "ec:secp256k1",
                          "ec:p256:x", "", ":"}) {
    INFO("\"" << bad << "\"");
    const Error e = error_from([&] { (void)KeySpec::parse(bad); });
    CHECK(e.kind() == ErrorKind::invalid_input);
    CHECK(contains(e.what(), "rsa:2048"));
    CHECK(contains(e.what(), "ec:p384"));
  }
}

TEST_CASE("PrivateKey::generate makes each supported key type", "[key]") {
  for (const char* text : {"rsa:2048", "rsa:3072", "rsa:4096", "ec:p256", "ec:p384"}) {
    INFO(text);
    const PrivateKey& key = shared_key(text);
    CHECK(key.spec().to_string() == text);
    if (key.spec().type == KeySpec::Type::rsa) {
      CHECK(EVP_PKEY_is_a(key.native(), "RSA") == 1);
      CHECK(EVP_PKEY_get_bits(key.native()) == KeySpec::parse(text).rsa_bits);
      BIGNUM* e = nullptr;
      REQUIRE(EVP_PKEY_get_bn_param(key.native(), OSSL_PKEY_PARAM_RSA_E, &e) == 1);
      CHECK(BN_get_word(e) == 65537);
      BN_free(e);
    } else {
      CHECK(EVP_PKEY_is_a(key.native(), "EC") == 1);
      char group[64] = {};
      size_t len = 0;
      REQUIRE(EVP_PKEY_get_utf8_string_param(key.native(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) == 1);
      CHECK(std::string(group) == (KeySpec::parse(text).curve == "P-256" ? "prime256v1" : "secp384r1"));
    }
    // The public half is a SubjectPublicKeyInfo OpenSSL reads, and it is this key's.
    auto pub = public_half(key);
    REQUIRE(pub);
    CHECK(key.matches(pub.get()));
  }
  SECTION("two generated keys differ") {
    const PrivateKey a = PrivateKey::generate(KeySpec::parse("ec:p256"));
    const PrivateKey b = PrivateKey::generate(KeySpec::parse("ec:p256"));
    CHECK(a.public_key_der() != b.public_key_der());
    CHECK_FALSE(a.matches(public_half(b).get()));
    CHECK_FALSE(b.matches(a.native()));
  }
}

TEST_CASE("signature_digest is SHA-384 for P-384 and SHA-256 otherwise", "[key]") {
  CHECK(EVP_MD_get_type(shared_key("ec:p384").signature_digest()) == NID_sha384);
  CHECK(EVP_MD_get_type(shared_key("ec:p256").signature_digest()) == NID_sha256);
  CHECK(EVP_MD_get_type(shared_key("rsa:2048").signature_digest()) == NID_sha256);
  CHECK(EVP_MD_get_type(shared_key("rsa:4096").signature_digest()) == NID_sha256);
}

TEST_CASE("encrypted PEM round-trips for every key type", "[key]") {
  for (const char* text : {"rsa:2048", "rsa:3072", "rsa:4096", "ec:p256", "ec:p384"}) {
    INFO(text);
    const PrivateKey& key = shared_key(text);
    const std::string pem = key.to_encrypted_pem("correct horse");
    CHECK(PrivateKey::is_encrypted_pem(pem));
    const PrivateKey back = PrivateKey::from_pem(pem, std::string("correct horse"));
    CHECK(back.matches(public_half(key).get()));
    CHECK(back.spec().to_string() == text);
  }
}

TEST_CASE("encrypted keys refuse a wrong or missing passphrase", "[key]") {
  const PrivateKey& key = shared_key("ec:p256");
  static const std::string pem = key.to_encrypted_pem("correct horse");  // once, not once per SECTION

  SECTION("wrong passphrase") {
    const Error e = error_from([&] { (void)PrivateKey::from_pem(pem, std::string("correct hors")); });
    CHECK(e.kind() == ErrorKind::wrong_passphrase);
    CHECK(ERR_peek_error() == 0);  // the failed decryption left nothing on OpenSSL's queue
  }
  SECTION("no passphrase") {
    CHECK(error_from([&] { (void)PrivateKey::from_pem(pem, std::nullopt); }).kind() == ErrorKind::wrong_passphrase);
  }
  SECTION("empty passphrase") {
    CHECK(error_from([&] { (void)PrivateKey::from_pem(pem, std::string()); }).kind() == ErrorKind::wrong_passphrase);
  }
  SECTION("an empty passphrase is refused when encrypting") {
    CHECK(error_from([&] { (void)key.to_encrypted_pem(""); }).kind() == ErrorKind::invalid_input);
  }
  SECTION("each encryption uses a fresh salt and IV") {
    CHECK(key.to_encrypted_pem("correct horse") != pem);
  }
}

TEST_CASE("encrypted keys are PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC", "[key]") {
  const PrivateKey& key = shared_key("ec:p256");
  static const std::string pem = key.to_encrypted_pem("correct horse");  // once, not once per SECTION
  CHECK(contains(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
  CHECK_FALSE(contains(pem, "-----BEGIN PRIVATE KEY-----"));

  SECTION("the plaintext key is nowhere in it") {
    BIGNUM* d = nullptr;
    REQUIRE(EVP_PKEY_get_bn_param(key.native(), OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1);
    Bytes scalar(32);
    REQUIRE(BN_bn2binpad(d, scalar.data(), static_cast<int>(scalar.size())) == 32);
    BN_clear_free(d);
    const PemBlock encrypted = decode_pem(pem);
    CHECK(encrypted.label == "ENCRYPTED PRIVATE KEY");
    CHECK_FALSE(contains_bytes(encrypted.der, scalar));
    CHECK_FALSE(contains_bytes(encrypted.der, Bytes(scalar.begin(), scalar.begin() + 8)));
    const PemBlock plain = decode_pem(key.to_pem());
    CHECK_FALSE(contains_bytes(encrypted.der, plain.der));
  }

  SECTION("OpenSSL reads the PBES2 parameters") {
    auto bio = ossl::adopt(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    auto sig = ossl::adopt(PEM_read_bio_PKCS8(bio.get(), nullptr, nullptr, nullptr));
    REQUIRE(sig);
    const X509_ALGOR* alg = nullptr;
    const ASN1_OCTET_STRING* digest = nullptr;
    X509_SIG_get0(sig.get(), &alg, &digest);
    const ASN1_OBJECT* oid = nullptr;
    int param_type = 0;
    const void* param = nullptr;
    X509_ALGOR_get0(&oid, &param_type, &param, alg);
    REQUIRE(OBJ_obj2nid(oid) == NID_pbes2);
    REQUIRE(param_type == V_ASN1_SEQUENCE);

    Pbe2Param pbe2(static_cast<PBE2PARAM*>(
        ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter)));
    REQUIRE(pbe2);
    CHECK(OBJ_obj2nid(pbe2->encryption->algorithm) == NID_aes_256_cbc);
    REQUIRE(OBJ_obj2nid(pbe2->keyfunc->algorithm) == NID_id_pbkdf2);
    Pbkdf2Param kdf(static_cast<PBKDF2PARAM*>(
        ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter)));
    REQUIRE(kdf);
    CHECK(ASN1_INTEGER_get(kdf->iter) == key_pbkdf2_iterations);
    CHECK(key_pbkdf2_iterations == 600000);
    REQUIRE(kdf->prf != nullptr);  // absent would mean the HMAC-SHA1 default
    CHECK(OBJ_obj2nid(kdf->prf->algorithm) == NID_hmacWithSHA256);
    REQUIRE(kdf->salt->type == V_ASN1_OCTET_STRING);
    CHECK(ASN1_STRING_length(kdf->salt->value.octet_string) >= 16);
  }
}

TEST_CASE("PrivateKey::from_pem reads unencrypted PKCS#8 and traditional keys", "[key]") {
  const PrivateKey& key = shared_key("ec:p256");
  auto pub = public_half(key);

  SECTION("unencrypted PKCS#8, with or without a passphrase given") {
    const std::string pem = key.to_pem();
    CHECK(contains(pem, "-----BEGIN PRIVATE KEY-----"));
    CHECK_FALSE(PrivateKey::is_encrypted_pem(pem));
    CHECK(PrivateKey::from_pem(pem, std::nullopt).matches(pub.get()));
    CHECK(PrivateKey::from_pem(pem, std::string("unused")).matches(pub.get()));
  }
  SECTION("traditional (SEC1) PEM, plain and encrypted") {
    const std::string plain = traditional_pem(key);
    CHECK(contains(plain, "-----BEGIN EC PRIVATE KEY-----"));
    CHECK(PrivateKey::from_pem(plain, std::nullopt).matches(pub.get()));

    std::string pass = "legacy pass";
    const std::string encrypted = pem_written([&](BIO* bio) {
      return PEM_write_bio_PrivateKey_traditional(bio, key.native(), EVP_aes_128_cbc(),
                                                  reinterpret_cast<unsigned char*>(pass.data()),
                                                  static_cast<int>(pass.size()), nullptr, nullptr);
    });
    CHECK(PrivateKey::is_encrypted_pem(encrypted));
    CHECK(PrivateKey::from_pem(encrypted, pass).matches(pub.get()));
    CHECK(error_from([&] { (void)PrivateKey::from_pem(encrypted, std::string("nope")); }).kind() ==
          ErrorKind::wrong_passphrase);
    CHECK(error_from([&] { (void)PrivateKey::from_pem(encrypted, std::nullopt); }).kind() ==
          ErrorKind::wrong_passphrase);
  }
}

TEST_CASE("PrivateKey::from_pem reads a key whatever the type hint says", "[key]") {
  const PrivateKey& rsa = shared_key("rsa:2048");
  const PrivateKey& ec = shared_key("ec:p256");
  auto rsa_pub = public_half(rsa);
  auto ec_pub = public_half(ec);

  SECTION("the right hint, in PKCS#8 and traditional form") {
    CHECK(PrivateKey::from_pem(rsa.to_pem(), std::nullopt, "RSA").matches(rsa_pub.get()));
    CHECK(PrivateKey::from_pem(ec.to_pem(), std::nullopt, "EC").matches(ec_pub.get()));
    const std::string traditional = traditional_pem(rsa);
    REQUIRE(contains(traditional, "-----BEGIN RSA PRIVATE KEY-----"));
    CHECK(PrivateKey::from_pem(traditional, std::nullopt, "RSA").matches(rsa_pub.get()));
  }
  SECTION("a wrong hint: the key is read all the same, and no error is left queued") {
    CHECK(PrivateKey::from_pem(rsa.to_pem(), std::nullopt, "EC").matches(rsa_pub.get()));
    CHECK(PrivateKey::from_pem(ec.to_pem(), std::nullopt, "RSA").matches(ec_pub.get()));
    CHECK(ERR_peek_error() == 0);
  }
  SECTION("a key after another PEM block, as without a hint") {
    const std::string public_then_private = public_pem(ec) + ec.to_pem();
    CHECK(PrivateKey::from_pem(public_then_private, std::nullopt).matches(ec_pub.get()));
    CHECK(PrivateKey::from_pem(public_then_private, std::nullopt, "EC").matches(ec_pub.get()));
  }
  SECTION("an encrypted key with a hint: the passphrase still decides") {
    const std::string encrypted = ec.to_encrypted_pem("hinted");
    CHECK(PrivateKey::from_pem(encrypted, std::string("hinted"), "EC").matches(ec_pub.get()));
    CHECK(error_from([&] { (void)PrivateKey::from_pem(encrypted, std::string("nope"), "EC"); }).kind() ==
          ErrorKind::wrong_passphrase);
  }
  SECTION("no key at all, with a hint: invalid input, as without") {
    CHECK(error_from([&] { (void)PrivateKey::from_pem("hello, world", std::nullopt, "RSA"); }).kind() ==
          ErrorKind::invalid_input);
    CHECK(ERR_peek_error() == 0);
  }
}

TEST_CASE("PrivateKey::from_pem refuses what is not a key as invalid input", "[key]") {
  const std::string public_key_pem = public_pem(shared_key("ec:p256"));
  const std::string bad_inputs[] = {
      "",
      "hello, world",
      "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
      "-----BEGIN PRIVATE KEY-----\n",
      public_key_pem,
  };
  for (const std::string& bad : bad_inputs) {
    INFO(bad);
    CHECK(error_from([&] { (void)PrivateKey::from_pem(bad, std::nullopt); }).kind() == ErrorKind::invalid_input);
    CHECK(ERR_peek_error() == 0);
  }
}

TEST_CASE("PrivateKey::from_pem says what a file holds instead of a key", "[key]") {
  const auto message = [](const std::string& pem) {
    return std::string(error_from([&] { (void)PrivateKey::from_pem(pem, std::nullopt); }).what());
  };
  const std::string body = "\nMIIB\n";
  CHECK_THAT(message("-----BEGIN CERTIFICATE REQUEST-----" + body + "-----END CERTIFICATE REQUEST-----\n"),
             Catch::StartsWith("this is a certificate request, not a private key: use the key file written with"));
  CHECK_THAT(message("-----BEGIN NEW CERTIFICATE REQUEST-----" + body + "-----END NEW CERTIFICATE REQUEST-----\n"),
             Catch::StartsWith("this is a certificate request, not a private key"));
  CHECK_THAT(message("-----BEGIN CERTIFICATE-----" + body + "-----END CERTIFICATE-----\n"),
             Catch::StartsWith("this is a certificate, not a private key"));
  CHECK_THAT(message("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"),
             Catch::StartsWith("the private key does not decode"));
  CHECK(message("hello, world") == "not a private key in PEM form (-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----)");
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("signing_context hands out ready copies whose signatures verify, from several threads", "[key]") {
  const std::string spec = GENERATE("rsa:2048", "ec:p256", "ec:p384");
  CAPTURE(spec);
  const PrivateKey key = PrivateKey::generate(KeySpec::parse(spec));
  // Catch2 asserts on one thread only: the threads count, the test checks the counts.
  std::atomic<int> verified{0};
  std::atomic<int> failed{0};
  const auto sign_and_verify = [&](int thread) {
    for (int n = 0; n < 25; ++n) {
      const std::string message = "message " + std::to_string(thread) + "/" + std::to_string(n);
      const auto* data = reinterpret_cast<const unsigned char*>(message.data());
      auto signing = key.signing_context();
      size_t size = 0;
      Bytes signature;
      bool ok = EVP_DigestSign(signing.get(), nullptr, &size, data, message.size()) == 1;
      if (ok) {
        signature.resize(size);
        ok = EVP_DigestSign(signing.get(), signature.data(), &size, data, message.size()) == 1;
        signature.resize(size);
      }
      // Verified the ordinary way, with the digest signature_digest() names.
      auto verifying = ossl::adopt(EVP_MD_CTX_new());
      ok = ok && EVP_DigestVerifyInit(verifying.get(), nullptr, key.signature_digest(), nullptr, key.native()) == 1 &&
           EVP_DigestVerify(verifying.get(), signature.data(), signature.size(), data, message.size()) == 1;
      ++(ok ? verified : failed);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back(sign_and_verify, t);
  sign_and_verify(3);
  for (auto& t : threads) t.join();
  CHECK(verified == 100);
  CHECK(failed == 0);
  CHECK(ERR_peek_error() == 0);
}
