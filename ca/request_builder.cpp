#include "request_builder.h"

#include "error.h"

namespace pocketca {

Bytes make_request_der(const PrivateKey& key, const X509_NAME* subject) {
  auto req = ossl::adopt(check_ptr(X509_REQ_new(), "allocating a request"));
  check_one(X509_REQ_set_version(req.get(), X509_REQ_VERSION_1), "setting the request version");
  check_one(X509_REQ_set_subject_name(req.get(), subject), "setting the request subject");
  check_one(X509_REQ_set_pubkey(req.get(), key.native()), "setting the request key");
  if (X509_REQ_sign(req.get(), key.native(), key.signature_digest()) <= 0) throw_openssl("signing a request");
  unsigned char* der = nullptr;
  const int len = i2d_X509_REQ(req.get(), &der);
  if (len <= 0) throw_openssl("encoding a request");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace pocketca
