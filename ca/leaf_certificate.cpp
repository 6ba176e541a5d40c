#include "leaf_certificate.h"

#include "error.h"
#include "hierarchy.h"

namespace pocketca {

LeafProfile::LeafProfile(const CertificateTemplate& t, const store::CaRecord& issuer,
                         const Certificate& issuer_certificate)
    : issuer_certificate_(issuer_certificate),
      key_usage_(extensions::key_usage(t.key_usage)),
      key_usage_ec_(t.key_usage_ec.empty() ? nullptr : extensions::key_usage(t.key_usage_ec)) {
  if (t.is_ca || t.basic_constraints) basic_constraints_ = extensions::basic_constraints(t.is_ca, t.path_len);
  if (!t.extended_key_usage.empty()) extended_key_usage_ = extensions::extended_key_usage(t.extended_key_usage);
  after_key_ids_.push_back(extensions::authority_key_identifier(issuer_certificate));
  for (auto& pointer : issuer_pointers(issuer)) after_key_ids_.push_back(std::move(pointer));
  if (t.template_name_extension) after_key_ids_.push_back(extensions::template_name(t.name));
  if (t.ocsp_no_check) after_key_ids_.push_back(extensions::ocsp_no_check());
}

CertificateBuilder LeafProfile::draft(const Csr& csr, const std::vector<SubjectAltName>& sans, Time not_before,
                                      Time not_after) const {
  EVP_PKEY* subject_key = check_ptr(csr.public_key(), "reading the request's key");
  const X509_NAME* subject = csr.subject_name();
  CertificateBuilder builder(subject, X509_REQ_get_X509_PUBKEY(csr.native()), not_before, not_after);
  builder.issued_by(issuer_certificate_);

  if (basic_constraints_) builder.add_copy(basic_constraints_.get());
  const bool ec = EVP_PKEY_is_a(subject_key, "EC") == 1;
  builder.add_copy(ec && key_usage_ec_ ? key_usage_ec_.get() : key_usage_.get());
  if (extended_key_usage_) builder.add_copy(extended_key_usage_.get());
  builder.subject_alt_names(sans, X509_NAME_entry_count(subject) == 0);
  builder.subject_key_identifier();
  for (const auto& extension : after_key_ids_) builder.add_copy(extension.get());
  return builder;
}

CertificateBuilder draft_leaf(const LeafSpec& spec) {
  return LeafProfile(spec.tmpl, spec.issuer, spec.issuer_certificate)
      .draft(spec.csr, spec.sans, spec.not_before, spec.not_after);
}

Certificate sign_leaf(CertificateBuilder&& draft, const Bytes& serial, const PrivateKey& issuer_key) {
  return draft.serial(serial).sign(issuer_key);
}

Certificate sign_leaf(const LeafSpec& spec, const Bytes& serial, const PrivateKey& issuer_key) {
  return sign_leaf(draft_leaf(spec), serial, issuer_key);
}

}  // namespace pocketca
