#include "pkcs12.h"

#include <openssl/pkcs12.h>

#include "der.h"
#include "error.h"

namespace pocketca {

PfxCompat parse_pfx_compat(const std::string& text) {
  if (text == "legacy") return PfxCompat::legacy;
  if (text == "modern") return PfxCompat::modern;
  throw Error(ErrorKind::invalid_input, "--pfx-compat is legacy or modern, not \"" + text + "\"");
}

Bytes make_pfx(const std::vector<Certificate>& chain, const PrivateKey& key, const std::string& password,
               PfxCompat compat) {
  if (chain.empty()) throw Error(ErrorKind::invalid_input, "no certificate to put in the PFX");
  if (password.empty()) {
    // Windows imports a password-less PFX, but the key would sit unprotected on disk and in transit.
    throw Error(ErrorKind::invalid_input, "the PFX password is empty; a PFX carries the private key");
  }
  const Certificate& cert = chain.front();
  if (!key.matches(cert.public_key())) {
    (void)drain_openssl_errors();
    throw Error(ErrorKind::invalid_input, "the key does not belong to certificate " + cert.serial_hex() + " (" +
                                              cert.subject() + "): give the key file the request was made with");
  }
  auto issuers = ossl::adopt(check_ptr(sk_X509_new_null(), "allocating the PFX chain"));
  for (size_t i = 1; i < chain.size(); ++i) {
    X509* issuer = chain[i].native();
    check_one(X509_up_ref(issuer), "referencing a CA certificate");
    if (sk_X509_push(issuers.get(), issuer) <= 0) {
      X509_free(issuer);
      throw_openssl("adding a CA certificate to the PFX");
    }
  }
  const int pbe = compat == PfxCompat::legacy ? NID_pbe_WithSHA1And3_Key_TripleDES_CBC : NID_aes_256_cbc;
  const EVP_MD* mac_digest = compat == PfxCompat::legacy ? EVP_sha1() : EVP_sha256();
  const std::string friendly_name = cert.common_name().empty() ? cert.subject() : cert.common_name();
  // mac_iter -1: no MAC yet, so the MAC digest can be chosen explicitly below
  // rather than left to the OpenSSL version's default.
  auto pfx = ossl::adopt(PKCS12_create(password.c_str(), friendly_name.c_str(), key.native(), cert.native(),
                                       issuers.get(), pbe, pbe, PKCS12_DEFAULT_ITER, -1, 0));
  if (!pfx) throw_openssl("building the PFX");
  check_one(PKCS12_set_mac(pfx.get(), password.c_str(), -1, nullptr, 0, PKCS12_DEFAULT_ITER, mac_digest),
            "adding the PFX's MAC");
  return to_der(pfx.get(), i2d_PKCS12, "encoding the PFX");
}

}  // namespace pocketca
