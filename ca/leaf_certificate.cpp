#include "leaf_certificate.h"

#include "error.h"
#include "hierarchy.h"

namespace pocketca {

CertificateBuilder draft_leaf(const LeafSpec& spec) {
  EVP_PKEY* subject_key = check_ptr(spec.csr.public_key(), "reading the request's key");
  const X509_NAME* subject = spec.csr.subject_name();
  CertificateBuilder builder(subject, X509_REQ_get_X509_PUBKEY(spec.csr.native()), spec.not_before, spec.not_after);
  builder.issued_by(spec.issuer_certificate);

  const CertificateTemplate& t = spec.tmpl;
  if (t.is_ca || t.basic_constraints) builder.basic_constraints(t.is_ca, t.path_len);
  // RFC 5480: an EC key cannot encipher keys, so EC certificates get the EC usage list.
  const bool ec = EVP_PKEY_is_a(subject_key, "EC") == 1;
  builder.key_usage(ec && !t.key_usage_ec.empty() ? t.key_usage_ec : t.key_usage);
  if (!t.extended_key_usage.empty()) builder.extended_key_usage(t.extended_key_usage);
  builder.subject_alt_names(spec.sans, X509_NAME_entry_count(subject) == 0);
  builder.subject_key_identifier().authority_key_identifier();
  add_issuer_pointers(builder, spec.issuer);
  if (t.template_name_extension) builder.template_name(t.name);
  if (t.ocsp_no_check) builder.ocsp_no_check();
  return builder;
}

Certificate sign_leaf(CertificateBuilder&& draft, const Bytes& serial, const PrivateKey& issuer_key) {
  return draft.serial(serial).sign(issuer_key);
}

Certificate sign_leaf(const LeafSpec& spec, const Bytes& serial, const PrivateKey& issuer_key) {
  return sign_leaf(draft_leaf(spec), serial, issuer_key);
}

}  // namespace pocketca
