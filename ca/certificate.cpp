#include "certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "der.h"
#include "distinguished_name.h"
#include "error.h"

namespace pocketca {
namespace {

Bytes encode(X509* cert) { return to_der(cert, i2d_X509, "encoding a certificate"); }

std::string digest_of(const Bytes& der, const EVP_MD* md, bool upper) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  check_one(EVP_Digest(der.data(), der.size(), out, &len, md, nullptr), "hashing a certificate");
  return upper ? to_hex_upper(out, len) : to_hex_lower(out, len);
}

}  // namespace

Certificate Certificate::from_der(const Bytes& der) {
  const unsigned char* p = der.data();
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (cert == nullptr || p != der.data() + der.size()) {
    X509_free(cert);
    const std::string detail = drain_openssl_errors();
    throw Error(ErrorKind::invalid_input, "not a DER certificate" + (detail.empty() ? "" : ": " + detail));
  }
  return Certificate(ossl::adopt(cert), der, true);
}

Certificate Certificate::from_pem(const std::string& pem) {
  auto bio = ossl::adopt(check_ptr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), "reading a certificate"));
  X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (cert == nullptr) {
    const std::string detail = drain_openssl_errors();
    throw Error(ErrorKind::invalid_input, "not a PEM certificate" + (detail.empty() ? "" : ": " + detail));
  }
  return adopt(ossl::adopt(cert));
}

Certificate Certificate::adopt(ossl::Ptr<X509> cert) {
  Bytes der = encode(cert.get());
  return Certificate(std::move(cert), std::move(der), false);
}

X509* Certificate::native() const {
  if (!key_checked_) {
    // Only a certificate adopt() kept as built lacks a decoded key; anything read from DER
    // that still has none has a key OpenSSL cannot decode, and reading it again won't help.
    if (X509_get0_pubkey(cert_.get()) == nullptr) cert_ = from_der(der_).cert_;
    ERR_clear_error();
    key_checked_ = true;
  }
  return cert_.get();
}

EVP_PKEY* Certificate::public_key() const {
  return check_ptr(X509_get0_pubkey(native()), "reading a certificate's public key");
}

std::string Certificate::pem() const { return pem_block("CERTIFICATE", der_); }
std::string Certificate::subject() const { return to_rfc4514(X509_get_subject_name(cert_.get())); }
std::string Certificate::issuer() const { return to_rfc4514(X509_get_issuer_name(cert_.get())); }
std::string Certificate::common_name() const { return common_name_of(X509_get_subject_name(cert_.get())); }

std::string Certificate::serial_hex() const {
  auto bn = ossl::adopt(check_ptr(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_.get()), nullptr), "reading a serial"));
  Bytes bytes(static_cast<size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), bytes.data());
  return bytes.empty() ? "00" : to_hex_lower(bytes);
}

std::string Certificate::sha1_thumbprint() const { return digest_of(der_, EVP_sha1(), true); }
std::string Certificate::sha256_fingerprint() const { return digest_of(der_, EVP_sha256(), false); }
Time Certificate::not_before() const { return from_asn1_time(X509_get0_notBefore(cert_.get())); }
Time Certificate::not_after() const { return from_asn1_time(X509_get0_notAfter(cert_.get())); }
bool Certificate::is_ca() const { return X509_check_ca(cert_.get()) == 1; }

std::optional<int> Certificate::path_len() const {
  const long len = X509_get_pathlen(cert_.get());
  if (len < 0 || !is_ca()) return std::nullopt;
  return static_cast<int>(len);
}

bool Certificate::is_self_signed() const { return X509_self_signed(cert_.get(), 0) == 1; }

Bytes Certificate::subject_key_id() const {
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(cert_.get());
  if (ski == nullptr) return {};
  const unsigned char* data = ASN1_STRING_get0_data(ski);
  return Bytes(data, data + ASN1_STRING_length(ski));
}

}  // namespace pocketca
