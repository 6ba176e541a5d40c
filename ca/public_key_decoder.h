#pragma once
// Decoding requesters' public keys without OpenSSL 3.0's per-key set-up cost.
//
// d2i_X509_REQ decodes the request's SubjectPublicKeyInfo as it parses, and OpenSSL 3.0
// builds a new decoder context for every key it decodes: it walks every decoder and key
// manager the providers offer, under locks, ~100 µs a request — a third of a P-256 batch.
// So requests are parsed in a library context that offers no algorithms (the key is left
// undecoded, which OpenSSL allows), and their keys are decoded here with one decoder
// context per key algorithm and thread, kept and reused. OpenSSL ≥ 3.2 caches decoder
// contexts itself; Debian bookworm ships 3.0.

#include "ossl.h"

namespace pocketca {

// RSA keys and EC keys on a named curve, the keys requests carry, need no decoder at all:
// they are imported from their parts (EVP_PKEY_fromdata) with a key-import context kept per
// thread, a fraction of even a kept decoder's cost.

// A library context with only the "null" provider: parsing in it never decodes a key.
// Nothing that needs an algorithm (digests, signatures) works in it.
[[nodiscard]] OSSL_LIB_CTX* context_without_algorithms();

// The key of a SubjectPublicKeyInfo (parsed with or without its key decoded), decoded in
// the default library context; nullptr when OpenSSL cannot decode it (an unknown
// algorithm, a malformed key), with the error queue left empty.
[[nodiscard]] ossl::Ptr<EVP_PKEY> decode_public_key(const X509_PUBKEY* spki);

// The public exponent of an RSA (or RSA-PSS) SubjectPublicKeyInfo, read from its DER
// without decoding the key; nullptr when it holds no well-formed RSA public key.
[[nodiscard]] ossl::Ptr<BIGNUM> rsa_public_exponent(const X509_PUBKEY* spki);

}  // namespace pocketca
