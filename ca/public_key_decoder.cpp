#include "public_key_decoder.h"

#include <map>
#include <memory>
#include <string>
#include <utility>

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

ossl::Ptr<EVP_PKEY> decode_public_key(const X509_PUBKEY* spki) {
  ASN1_OBJECT* oid = nullptr;
  if (X509_PUBKEY_get0_param(&oid, nullptr, nullptr, nullptr, spki) != 1) {
    (void)drain_openssl_errors();
    return nullptr;
  }
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
