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

// A library context with only the "null" provider: parsing in it never decodes a key.
// Nothing that needs an algorithm (digests, signatures) works in it.
[[nodiscard]] OSSL_LIB_CTX* context_without_algorithms();

// The key of a SubjectPublicKeyInfo (parsed with or without its key decoded), decoded in
// the default library context; nullptr when OpenSSL cannot decode it (an unknown
// algorithm, a malformed key), with the error queue left empty.
[[nodiscard]] ossl::Ptr<EVP_PKEY> decode_public_key(const X509_PUBKEY* spki);

}  // namespace pocketca
