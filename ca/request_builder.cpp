#include "request_builder.h"

#include "der.h"
#include "error.h"
#include "san_extension.h"

namespace pocketca {

Bytes make_request_der(const PrivateKey& key, const X509_NAME* subject, const std::vector<SubjectAltName>& sans) {
  auto req = ossl::adopt(check_ptr(X509_REQ_new(), "allocating a request"));
  check_one(X509_REQ_set_version(req.get(), X509_REQ_VERSION_1), "setting the request version");
  check_one(X509_REQ_set_subject_name(req.get(), subject), "setting the request subject");
  check_one(X509_REQ_set_pubkey(req.get(), key.native()), "setting the request key");
  if (!sans.empty()) {
    auto extensions = ossl::adopt(check_ptr(sk_X509_EXTENSION_new_null(), "allocating request extensions"));
    auto san = subject_alt_name_extension(sans);
    check_one(sk_X509_EXTENSION_push(extensions.get(), san.get()) > 0 ? 1 : 0, "adding the SAN to the request");
    // The stack's deleter frees what it holds, so it owns the SAN from here.
    (void)san.release();
    check_one(X509_REQ_add_extensions(req.get(), extensions.get()), "adding the request's extensions");
  }
  if (X509_REQ_sign_ctx(req.get(), key.signing_context().get()) <= 0) throw_openssl("signing a request");
  return to_der(req.get(), i2d_X509_REQ, "encoding a request");
}

}  // namespace pocketca
