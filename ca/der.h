#pragma once
// DER out of OpenSSL's i2d_* functions, copied into Bytes with the buffer freed
// and a failure turned into Error{crypto}.

#include <openssl/crypto.h>

#include "bytes.h"
#include "error.h"

namespace pocketca {

// Takes over what an i2d_* call allocated; `len` is that call's result.
inline Bytes take_der(unsigned char* der, int len, const char* what_failed) {
  if (len <= 0) {
    OPENSSL_free(der);
    throw_openssl(what_failed);
  }
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

// to_der(cert, i2d_X509, "encoding a certificate")
template <typename T, typename I2d>
Bytes to_der(const T* object, I2d i2d, const char* what_failed) {
  unsigned char* der = nullptr;
  const int len = i2d(object, &der);
  return take_der(der, len, what_failed);
}

}  // namespace pocketca
