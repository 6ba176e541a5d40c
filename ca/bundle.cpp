#include "bundle.h"

#include "der.h"
#include "error.h"

namespace pocketca {

BundleFormat parse_bundle_format(const std::string& text) {
  if (text == "cer") return BundleFormat::cer;
  if (text == "cer-b64") return BundleFormat::cer_b64;
  if (text == "pem-bundle") return BundleFormat::pem_bundle;
  if (text == "p7b") return BundleFormat::p7b;
  if (text == "p7b-b64") return BundleFormat::p7b_b64;
  throw Error(ErrorKind::invalid_input,
              "format \"" + text + "\" is not known; use cer, cer-b64, pem-bundle, p7b or p7b-b64");
}

bool is_binary(BundleFormat format) { return format == BundleFormat::cer || format == BundleFormat::p7b; }

Bytes pkcs7_certs_only(const std::vector<Certificate>& certificates) {
  auto p7 = ossl::adopt(check_ptr(PKCS7_new(), "allocating a PKCS#7 structure"));
  check_one(PKCS7_set_type(p7.get(), NID_pkcs7_signed), "making a PKCS#7 SignedData");
  check_one(PKCS7_content_new(p7.get(), NID_pkcs7_data), "making PKCS#7 content");
  // Detached: no eContent at all, as crl2pkcs7 and certutil write it.
  PKCS7_set_detached(p7.get(), 1);
  for (const Certificate& cert : certificates) {
    check_one(PKCS7_add_certificate(p7.get(), cert.native_for_encoding()), "adding a certificate to PKCS#7");
  }
  return to_der(p7.get(), i2d_PKCS7, "encoding PKCS#7");
}

std::string encode_bundle(const std::vector<Certificate>& chain, BundleFormat format) {
  if (chain.empty()) throw Error(ErrorKind::invalid_input, "nothing to export");
  switch (format) {
    case BundleFormat::cer: {
      const Bytes& der = chain.front().der();
      return std::string(der.begin(), der.end());
    }
    case BundleFormat::cer_b64:
      return chain.front().pem();
    case BundleFormat::pem_bundle: {
      std::string out;
      for (const Certificate& cert : chain) out += cert.pem();
      return out;
    }
    case BundleFormat::p7b: {
      const Bytes der = pkcs7_certs_only(chain);
      return std::string(der.begin(), der.end());
    }
    case BundleFormat::p7b_b64:
      return pem_block("PKCS7", pkcs7_certs_only(chain));
  }
  throw Error(ErrorKind::invalid_input, "unknown bundle format");
}

}  // namespace pocketca
