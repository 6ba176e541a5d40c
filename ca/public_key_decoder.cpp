#include "public_key_decoder.h"

#include <algorithm>
#include <bit>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/provider.h>

#include "error.h"

namespace pocketca {
namespace {

// A decoder context for one key algorithm, and the slot it decodes into: the context
// keeps the slot's address, so both live on the heap and never move.
struct KeyDecoder {
  EVP_PKEY* decoded = nullptr;
  ossl::Ptr<OSSL_DECODER_CTX> context;

  ~KeyDecoder() { EVP_PKEY_free(decoded); }
};

// The decoder for `algorithm` (a SubjectPublicKeyInfo's algorithm, named as OpenSSL's own
// X509_PUBKEY decoding names it); null when OpenSSL has none. One set per thread: a
// decoder context is not safe to share.
KeyDecoder* decoder_for(const std::string& algorithm) {
  thread_local std::map<std::string, std::unique_ptr<KeyDecoder>> decoders;
  auto& decoder = decoders[algorithm];
  if (!decoder) {
    decoder = std::make_unique<KeyDecoder>();
    decoder->context = ossl::adopt(OSSL_DECODER_CTX_new_for_pkey(
        &decoder->decoded, "DER", "SubjectPublicKeyInfo", algorithm.c_str(), EVP_PKEY_PUBLIC_KEY, nullptr, nullptr));
    if (decoder->context != nullptr && OSSL_DECODER_CTX_get_num_decoders(decoder->context.get()) == 0) {
      decoder->context.reset();
    }
    (void)drain_openssl_errors();
  }
  return decoder->context != nullptr ? decoder.get() : nullptr;
}

// ---- RSA and named-curve EC keys, the ones requests carry: imported from their parts ----

// A key-import context for "RSA" or "EC", kept per thread (EVP_PKEY_fromdata may be called
// on it again and again); null when OpenSSL offers no such key manager.
EVP_PKEY_CTX* importer_for(const char* algorithm) {
  thread_local std::map<std::string, ossl::Ptr<EVP_PKEY_CTX>> importers;
  auto [found, added] = importers.try_emplace(algorithm);
  if (added) {
    found->second = ossl::adopt(EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr));
    if (found->second != nullptr && EVP_PKEY_fromdata_init(found->second.get()) != 1) found->second.reset();
    (void)drain_openssl_errors();
  }
  return found->second.get();
}

ossl::Ptr<EVP_PKEY> import_key(const char* algorithm, OSSL_PARAM* parts) {
  EVP_PKEY_CTX* importer = importer_for(algorithm);
  EVP_PKEY* key = nullptr;
  if (importer == nullptr || EVP_PKEY_fromdata(importer, &key, EVP_PKEY_PUBLIC_KEY, parts) != 1) {
    (void)drain_openssl_errors();
    return nullptr;
  }
  return ossl::adopt(key);
}

// RFC 8017's RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }, both
// positive, and nothing after it.
struct RsaPublicKey {
  ossl::Ptr<STACK_OF(ASN1_TYPE)> sequence;  // owns the two below
  const ASN1_INTEGER* modulus = nullptr;
  const ASN1_INTEGER* exponent = nullptr;
};

std::optional<RsaPublicKey> rsa_public_key_in(const X509_PUBKEY* spki) {
  ASN1_OBJECT* oid = nullptr;
  const unsigned char* bits = nullptr;
  int length = 0;
  if (X509_PUBKEY_get0_param(&oid, &bits, &length, nullptr, spki) != 1 ||
      (OBJ_obj2nid(oid) != NID_rsaEncryption && OBJ_obj2nid(oid) != NID_rsassaPss)) {
    (void)drain_openssl_errors();
    return std::nullopt;
  }
  const unsigned char* p = bits;
  RsaPublicKey key{ossl::adopt(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, length))};
  (void)drain_openssl_errors();
  if (key.sequence == nullptr || p != bits + length || sk_ASN1_TYPE_num(key.sequence.get()) != 2) return std::nullopt;
  const ASN1_TYPE* modulus = sk_ASN1_TYPE_value(key.sequence.get(), 0);
  const ASN1_TYPE* exponent = sk_ASN1_TYPE_value(key.sequence.get(), 1);
  if (ASN1_TYPE_get(modulus) != V_ASN1_INTEGER || ASN1_TYPE_get(exponent) != V_ASN1_INTEGER) return std::nullopt;
  key.modulus = modulus->value.integer;
  key.exponent = exponent->value.integer;
  return key;
}

// An INTEGER's magnitude (big-endian in DER) in the byte order OSSL_PARAM numbers use: the host's.
std::vector<unsigned char> host_order(const ASN1_INTEGER* n) {
  const unsigned char* big_endian = ASN1_STRING_get0_data(n);
  std::vector<unsigned char> out(big_endian, big_endian + ASN1_STRING_length(n));
  if constexpr (std::endian::native == std::endian::little) std::reverse(out.begin(), out.end());
  return out;
}

ossl::Ptr<EVP_PKEY> import_rsa(const X509_PUBKEY* spki) {
  const std::optional<RsaPublicKey> key = rsa_public_key_in(spki);
  if (!key) return nullptr;
  std::vector<unsigned char> n = host_order(key->modulus);
  std::vector<unsigned char> e = host_order(key->exponent);
  OSSL_PARAM parts[] = {OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_N, n.data(), n.size()),
                        OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_E, e.data(), e.size()), OSSL_PARAM_construct_end()};
  return import_key("RSA", parts);
}

// id-ecPublicKey on a named curve: the curve's OID in the parameters, the point in the bits
// (the key manager checks that it is on the curve).
ossl::Ptr<EVP_PKEY> import_named_curve_ec(const X509_PUBKEY* spki) {
  const unsigned char* bits = nullptr;
  int length = 0;
  X509_ALGOR* algorithm = nullptr;
  if (X509_PUBKEY_get0_param(nullptr, &bits, &length, &algorithm, spki) != 1) {
    (void)drain_openssl_errors();
    return nullptr;
  }
  int parameter_type = V_ASN1_UNDEF;
  const void* parameter = nullptr;
  X509_ALGOR_get0(nullptr, &parameter_type, &parameter, algorithm);
  if (parameter_type != V_ASN1_OBJECT) return nullptr;
  const int curve = OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(parameter));
  const char* curve_name = curve == NID_undef ? nullptr : OBJ_nid2sn(curve);
  if (curve_name == nullptr) return nullptr;
  OSSL_PARAM parts[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(curve_name), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<unsigned char*>(bits),
                                        static_cast<size_t>(length)),
      OSSL_PARAM_construct_end()};
  return import_key("EC", parts);
}

}  // namespace

OSSL_LIB_CTX* context_without_algorithms() {
  struct Context {
    ossl::Ptr<OSSL_LIB_CTX> context = ossl::adopt(check_ptr(OSSL_LIB_CTX_new(), "creating a library context"));
    // Loading a provider explicitly stops OpenSSL from loading the default one on first use.
    OSSL_PROVIDER* null = check_ptr(OSSL_PROVIDER_load(context.get(), "null"), "loading the null provider");
  };
  static const Context instance;
  return instance.context.get();
}

ossl::Ptr<BIGNUM> rsa_public_exponent(const X509_PUBKEY* spki) {
  const std::optional<RsaPublicKey> key = rsa_public_key_in(spki);
  if (!key) return nullptr;
  auto exponent = ossl::adopt(ASN1_INTEGER_to_BN(key->exponent, nullptr));
  (void)drain_openssl_errors();
  return exponent;
}

ossl::Ptr<EVP_PKEY> decode_public_key(const X509_PUBKEY* spki) {
  ASN1_OBJECT* oid = nullptr;
  if (X509_PUBKEY_get0_param(&oid, nullptr, nullptr, nullptr, spki) != 1) {
    (void)drain_openssl_errors();
    return nullptr;
  }
  // The keys requests carry are imported from their parts; anything else, or a key that does
  // not import, goes through OpenSSL's decoder (whose verdict then stands).
  ossl::Ptr<EVP_PKEY> imported;
  if (OBJ_obj2nid(oid) == NID_rsaEncryption) imported = import_rsa(spki);
  if (OBJ_obj2nid(oid) == NID_X9_62_id_ecPublicKey) imported = import_named_curve_ec(spki);
  if (imported != nullptr) return imported;
  char algorithm[128];
  if (OBJ_obj2txt(algorithm, sizeof algorithm, oid, 0) <= 0) {
    (void)drain_openssl_errors();
    return nullptr;
  }
  KeyDecoder* decoder = decoder_for(algorithm);
  unsigned char* der = nullptr;
  const int der_size = i2d_X509_PUBKEY(spki, &der);
  if (decoder == nullptr || der_size <= 0) {
    OPENSSL_free(der);
    (void)drain_openssl_errors();
    return nullptr;
  }
  const unsigned char* in = der;
  size_t left = static_cast<size_t>(der_size);
  const bool decoded = OSSL_DECODER_from_data(decoder->context.get(), &in, &left) == 1 && left == 0;
  OPENSSL_free(der);
  ossl::Ptr<EVP_PKEY> key = ossl::adopt(std::exchange(decoder->decoded, nullptr));
  (void)drain_openssl_errors();
  return decoded ? std::move(key) : nullptr;
}

}  // namespace pocketca
