#pragma once
// One ownership header for OpenSSL handles: every handle the engine holds is a
// std::unique_ptr with the matching *_free as its deleter, so nothing leaks on
// an exception path and nothing converts to a raw pointer by accident.
//
// Two ways in, named apart so a reader never guesses whether a reference was taken:
//   adopt(p)  takes over a pointer we already own (fresh from a *_new or d2i_*),
//   up_ref(p) takes a new reference to a pointer someone else owns.

#include <memory>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace pocketca::ossl {

template <typename T>
struct Deleter;

#define POCKETCA_OSSL_DELETER(type, free_fn)              \
  template <>                                             \
  struct Deleter<type> {                                  \
    void operator()(type* p) const noexcept { free_fn(p); } \
  }

POCKETCA_OSSL_DELETER(X509, X509_free);
POCKETCA_OSSL_DELETER(X509_REQ, X509_REQ_free);
POCKETCA_OSSL_DELETER(X509_PUBKEY, X509_PUBKEY_free);
POCKETCA_OSSL_DELETER(X509_CRL, X509_CRL_free);
POCKETCA_OSSL_DELETER(X509_NAME, X509_NAME_free);
POCKETCA_OSSL_DELETER(X509_EXTENSION, X509_EXTENSION_free);
POCKETCA_OSSL_DELETER(X509_STORE, X509_STORE_free);
POCKETCA_OSSL_DELETER(X509_STORE_CTX, X509_STORE_CTX_free);
POCKETCA_OSSL_DELETER(X509_SIG, X509_SIG_free);
POCKETCA_OSSL_DELETER(X509_ALGOR, X509_ALGOR_free);
POCKETCA_OSSL_DELETER(PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free);
POCKETCA_OSSL_DELETER(EVP_PKEY, EVP_PKEY_free);
POCKETCA_OSSL_DELETER(EVP_PKEY_CTX, EVP_PKEY_CTX_free);
POCKETCA_OSSL_DELETER(EVP_MD_CTX, EVP_MD_CTX_free);
POCKETCA_OSSL_DELETER(BIO, BIO_free_all);
POCKETCA_OSSL_DELETER(PKCS7, PKCS7_free);
POCKETCA_OSSL_DELETER(PKCS12, PKCS12_free);
POCKETCA_OSSL_DELETER(BIGNUM, BN_free);
POCKETCA_OSSL_DELETER(ASN1_OBJECT, ASN1_OBJECT_free);
// ASN1_INTEGER, ASN1_TIME, ASN1_OCTET_STRING … are all ASN1_STRING underneath,
// one type to C++, and ASN1_STRING_free frees each of them.
POCKETCA_OSSL_DELETER(ASN1_STRING, ASN1_STRING_free);
POCKETCA_OSSL_DELETER(BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free);
POCKETCA_OSSL_DELETER(ASN1_TYPE, ASN1_TYPE_free);
POCKETCA_OSSL_DELETER(GENERAL_NAME, GENERAL_NAME_free);
POCKETCA_OSSL_DELETER(GENERAL_NAMES, GENERAL_NAMES_free);
POCKETCA_OSSL_DELETER(AUTHORITY_KEYID, AUTHORITY_KEYID_free);
POCKETCA_OSSL_DELETER(CRL_DIST_POINTS, CRL_DIST_POINTS_free);
POCKETCA_OSSL_DELETER(DIST_POINT, DIST_POINT_free);
POCKETCA_OSSL_DELETER(AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free);
POCKETCA_OSSL_DELETER(EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free);
POCKETCA_OSSL_DELETER(RSA_PSS_PARAMS, RSA_PSS_PARAMS_free);
POCKETCA_OSSL_DELETER(EVP_ENCODE_CTX, EVP_ENCODE_CTX_free);
POCKETCA_OSSL_DELETER(OSSL_DECODER_CTX, OSSL_DECODER_CTX_free);
POCKETCA_OSSL_DELETER(OSSL_LIB_CTX, OSSL_LIB_CTX_free);

#undef POCKETCA_OSSL_DELETER

// Stacks own their elements: free each with its own *_free, then the stack.
template <>
struct Deleter<STACK_OF(X509)> {
  void operator()(STACK_OF(X509) * p) const noexcept { sk_X509_pop_free(p, X509_free); }
};

template <>
struct Deleter<STACK_OF(X509_EXTENSION)> {
  void operator()(STACK_OF(X509_EXTENSION) * p) const noexcept { sk_X509_EXTENSION_pop_free(p, X509_EXTENSION_free); }
};

// Also ASN1_SEQUENCE_ANY, what d2i_ASN1_SEQUENCE_ANY returns.
template <>
struct Deleter<STACK_OF(ASN1_TYPE)> {
  void operator()(STACK_OF(ASN1_TYPE) * p) const noexcept { sk_ASN1_TYPE_pop_free(p, ASN1_TYPE_free); }
};

template <typename T>
using Ptr = std::unique_ptr<T, Deleter<T>>;

template <typename T>
[[nodiscard]] Ptr<T> adopt(T* owned) noexcept {
  return Ptr<T>(owned);
}

[[nodiscard]] inline Ptr<X509> up_ref(X509* shared) noexcept {
  if (shared != nullptr) X509_up_ref(shared);
  return Ptr<X509>(shared);
}

[[nodiscard]] inline Ptr<EVP_PKEY> up_ref(EVP_PKEY* shared) noexcept {
  if (shared != nullptr) EVP_PKEY_up_ref(shared);
  return Ptr<EVP_PKEY>(shared);
}

}  // namespace pocketca::ossl
