#include "certificate_builder.h"

#include "error.h"
#include "san_extension.h"
#include "text.h"

namespace pocketca {
namespace {

// Copies algorithm, parameters and key bits of a SubjectPublicKeyInfo.
void copy_public_key(X509_PUBKEY* to, const X509_PUBKEY* from) {
  const ASN1_OBJECT* algorithm = nullptr;
  const unsigned char* bits = nullptr;
  int length = 0;
  X509_ALGOR* algor = nullptr;
  check_one(X509_PUBKEY_get0_param(nullptr, &bits, &length, &algor, from), "reading the request's key");
  int parameter_type = V_ASN1_UNDEF;
  const void* parameter = nullptr;
  X509_ALGOR_get0(&algorithm, &parameter_type, &parameter, algor);
  void* parameter_copy = nullptr;
  if (parameter_type == V_ASN1_OBJECT) {
    parameter_copy = check_ptr(OBJ_dup(static_cast<const ASN1_OBJECT*>(parameter)), "copying key parameters");
  } else if (parameter_type == V_ASN1_SEQUENCE) {
    parameter_copy = check_ptr(ASN1_STRING_dup(static_cast<const ASN1_STRING*>(parameter)), "copying key parameters");
  }
  auto* bits_copy = static_cast<unsigned char*>(check_ptr(OPENSSL_memdup(bits, static_cast<size_t>(length)), "copying a key"));
  if (X509_PUBKEY_set0_param(to, check_ptr(OBJ_dup(algorithm), "copying a key algorithm"), parameter_type,
                             parameter_copy, bits_copy, length) != 1) {
    OPENSSL_free(bits_copy);
    throw_openssl("setting the certificate's key");
  }
}

// An extension from OpenSSL's configuration syntax; `issuer` and `subject` are what the value
// may refer to (AKI and SKI), nullptr when it refers to neither.
ossl::Ptr<X509_EXTENSION> conf_extension(int nid, const std::string& value, X509* issuer, X509* subject) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, subject, nullptr, nullptr, 0);
  auto ext = ossl::adopt(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext) throw_openssl(std::string("building the ") + OBJ_nid2sn(nid) + " extension from \"" + value + "\"");
  return ext;
}

}  // namespace

namespace extensions {

ossl::Ptr<X509_EXTENSION> basic_constraints(bool is_ca, std::optional<int> path_len) {
  std::string value = is_ca ? "critical,CA:TRUE" : "CA:FALSE";
  if (is_ca && path_len) value += ",pathlen:" + std::to_string(*path_len);
  return conf_extension(NID_basic_constraints, value, nullptr, nullptr);
}

ossl::Ptr<X509_EXTENSION> key_usage(const std::vector<std::string>& usages) {
  return conf_extension(NID_key_usage, "critical," + join(usages, ","), nullptr, nullptr);
}

ossl::Ptr<X509_EXTENSION> extended_key_usage(const std::vector<std::string>& purposes) {
  return conf_extension(NID_ext_key_usage, join(purposes, ","), nullptr, nullptr);
}

ossl::Ptr<X509_EXTENSION> authority_key_identifier(const Certificate& issuer) {
  return conf_extension(NID_authority_key_identifier, "keyid:always", issuer.native(), nullptr);
}

ossl::Ptr<X509_EXTENSION> crl_distribution_point(const std::string& url) {
  if (!is_publishable_url(url)) throw Error(ErrorKind::invalid_input, "\"" + url + "\" is not a usable CRL URL");
  return conf_extension(NID_crl_distribution_points, "URI:" + url, nullptr, nullptr);
}

ossl::Ptr<X509_EXTENSION> authority_info_access(const std::string& ca_issuers_url, const std::string& ocsp_url) {
  std::vector<std::string> entries;
  if (!ocsp_url.empty()) entries.push_back("OCSP;URI:" + ocsp_url);
  if (!ca_issuers_url.empty()) entries.push_back("caIssuers;URI:" + ca_issuers_url);
  for (const auto* url : {&ca_issuers_url, &ocsp_url}) {
    if (!url->empty() && !is_publishable_url(*url)) {
      throw Error(ErrorKind::invalid_input, "\"" + *url + "\" is not a usable AIA URL");
    }
  }
  if (entries.empty()) return nullptr;
  return conf_extension(NID_info_access, join(entries, ","), nullptr, nullptr);
}

ossl::Ptr<X509_EXTENSION> template_name(const std::string& name) {
  // BMPString is UTF-16BE; template names are ASCII (the loader guarantees it).
  std::string utf16;
  for (char c : name) {
    utf16 += '\0';
    utf16 += c;
  }
  auto bmp = ossl::adopt(check_ptr(ASN1_BMPSTRING_new(), "allocating a template name"));
  check_one(ASN1_STRING_set(bmp.get(), utf16.data(), static_cast<int>(utf16.size())), "setting a template name");
  unsigned char* der = nullptr;
  const int len = i2d_ASN1_BMPSTRING(bmp.get(), &der);
  if (len <= 0) throw_openssl("encoding a template name");
  auto octets = ossl::adopt(ASN1_OCTET_STRING_new());
  const int set = octets ? ASN1_OCTET_STRING_set(octets.get(), der, len) : 0;
  OPENSSL_free(der);
  check_one(set, "encoding a template name");
  auto oid = ossl::adopt(check_ptr(OBJ_txt2obj("1.3.6.1.4.1.311.20.2", 1), "template name OID"));
  return ossl::adopt(
      check_ptr(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, octets.get()), "building the template name"));
}

ossl::Ptr<X509_EXTENSION> ocsp_no_check() {
  // The extension's value is an ASN.1 NULL (05 00).
  static const unsigned char null_der[] = {0x05, 0x00};
  auto octets = ossl::adopt(check_ptr(ASN1_OCTET_STRING_new(), "allocating OCSP no-check"));
  check_one(ASN1_OCTET_STRING_set(octets.get(), null_der, sizeof null_der), "setting OCSP no-check");
  return ossl::adopt(check_ptr(X509_EXTENSION_create_by_NID(nullptr, NID_id_pkix_OCSP_noCheck, 0, octets.get()),
                               "building OCSP no-check"));
}

}  // namespace extensions

CertificateBuilder::CertificateBuilder(const X509_NAME* subject, Time not_before, Time not_after)
    : cert_(ossl::adopt(check_ptr(X509_new(), "allocating a certificate"))) {
  check_one(X509_set_version(cert_.get(), X509_VERSION_3), "setting the certificate version");
  check_one(X509_set_subject_name(cert_.get(), subject), "setting the subject");
  check_one(X509_set1_notBefore(cert_.get(), to_asn1_time(not_before).get()), "setting notBefore");
  check_one(X509_set1_notAfter(cert_.get(), to_asn1_time(not_after).get()), "setting notAfter");
}

CertificateBuilder::CertificateBuilder(const X509_NAME* subject, const X509_PUBKEY* subject_public_key,
                                       Time not_before, Time not_after)
    : CertificateBuilder(subject, not_before, not_after) {
  copy_public_key(X509_get_X509_PUBKEY(cert_.get()), subject_public_key);
}

CertificateBuilder::CertificateBuilder(const X509_NAME* subject, EVP_PKEY* subject_public_key, const Bytes& serial,
                                       Time not_before, Time not_after)
    : CertificateBuilder(subject, not_before, not_after) {
  check_one(X509_set_pubkey(cert_.get(), subject_public_key), "setting the public key");
  this->serial(serial);
}

CertificateBuilder& CertificateBuilder::serial(const Bytes& serial) {
  auto bn = ossl::adopt(check_ptr(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr), "serial"));
  auto serial_int = ossl::adopt(check_ptr(BN_to_ASN1_INTEGER(bn.get(), nullptr), "encoding the serial"));
  check_one(X509_set_serialNumber(cert_.get(), serial_int.get()), "setting the serial");
  has_serial_ = true;
  return *this;
}

CertificateBuilder& CertificateBuilder::issued_by(const Certificate& issuer) {
  issuer_ = issuer;
  // Byte-identical issuer name: chain building and CRL matching compare encodings.
  check_one(X509_set_issuer_name(cert_.get(), X509_get_subject_name(issuer.native())), "setting the issuer");
  return *this;
}

CertificateBuilder& CertificateBuilder::add(ossl::Ptr<X509_EXTENSION> extension) { return add_copy(extension.get()); }

CertificateBuilder& CertificateBuilder::add_copy(X509_EXTENSION* extension) {
  check_one(X509_add_ext(cert_.get(), extension, -1), "adding an extension");
  return *this;
}

CertificateBuilder& CertificateBuilder::subject_alt_names(const std::vector<SubjectAltName>& names, bool critical) {
  if (names.empty()) return *this;
  return add(subject_alt_name_extension(names, critical));
}

CertificateBuilder& CertificateBuilder::basic_constraints(bool is_ca, std::optional<int> path_len) {
  return add(extensions::basic_constraints(is_ca, path_len));
}

CertificateBuilder& CertificateBuilder::key_usage(const std::vector<std::string>& usages) {
  return add(extensions::key_usage(usages));
}

CertificateBuilder& CertificateBuilder::extended_key_usage(const std::vector<std::string>& purposes) {
  return add(extensions::extended_key_usage(purposes));
}

CertificateBuilder& CertificateBuilder::subject_key_identifier() {
  return add(conf_extension(NID_subject_key_identifier, "hash", nullptr, cert_.get()));
}

CertificateBuilder& CertificateBuilder::authority_key_identifier() {
  if (issuer_) return add(extensions::authority_key_identifier(*issuer_));
  return add(conf_extension(NID_authority_key_identifier, "keyid:always", cert_.get(), cert_.get()));  // self-signed
}

Certificate CertificateBuilder::sign(const PrivateKey& signing_key) {
  if (!has_serial_) throw Error(ErrorKind::crypto, "signing a certificate: it has no serial");
  // Self-signed unless issued_by() named an issuer (set here, once: each set copies the name).
  if (!issuer_) check_one(X509_set_issuer_name(cert_.get(), X509_get_subject_name(cert_.get())), "setting the issuer");
  if (X509_sign_ctx(cert_.get(), signing_key.signing_context().get()) <= 0) {
    throw_openssl("signing a certificate");
  }
  return Certificate::adopt(std::move(cert_));
}

bool is_publishable_url(const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) return false;
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f || c == ',' || c == '"' || c == '\\') return false;
  }
  // "http://" alone, or with only a port, names no server a client could fetch from.
  const size_t start = url.find("://") + 3;
  const std::string authority = url.substr(start, url.find_first_of("/?#", start) - start);
  const size_t colon = authority.rfind(':');
  const bool has_port = colon != std::string::npos && authority.find(']', colon) == std::string::npos;
  return !(has_port ? authority.substr(0, colon) : authority).empty();
}

}  // namespace pocketca
