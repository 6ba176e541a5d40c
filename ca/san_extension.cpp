#include "san_extension.h"

#include "error.h"

namespace pocketca {
namespace {

ossl::Ptr<ASN1_STRING> ia5(const std::string& value) {
  auto s = ossl::adopt(check_ptr(ASN1_IA5STRING_new(), "allocating a name"));
  check_one(ASN1_STRING_set(s.get(), value.data(), static_cast<int>(value.size())), "setting a name");
  return s;
}

GENERAL_NAME* general_name(const SubjectAltName& san) {
  auto name = ossl::adopt(check_ptr(GENERAL_NAME_new(), "allocating a SAN"));
  switch (san.type) {
    case SubjectAltName::Type::dns:
      GENERAL_NAME_set0_value(name.get(), GEN_DNS, ia5(san.value).release());
      break;
    case SubjectAltName::Type::email:
      GENERAL_NAME_set0_value(name.get(), GEN_EMAIL, ia5(san.value).release());
      break;
    case SubjectAltName::Type::uri:
      GENERAL_NAME_set0_value(name.get(), GEN_URI, ia5(san.value).release());
      break;
    case SubjectAltName::Type::ip: {
      ASN1_OCTET_STRING* ip = a2i_IPADDRESS(san.value.c_str());
      GENERAL_NAME_set0_value(name.get(), GEN_IPADD, check_ptr(ip, "encoding an IP address SAN"));
      break;
    }
    case SubjectAltName::Type::upn: {
      auto value = ossl::adopt(check_ptr(ASN1_TYPE_new(), "allocating a UPN"));
      auto utf8 = ossl::adopt(check_ptr(ASN1_UTF8STRING_new(), "allocating a UPN"));
      check_one(ASN1_STRING_set(utf8.get(), san.value.data(), static_cast<int>(san.value.size())), "setting a UPN");
      ASN1_TYPE_set(value.get(), V_ASN1_UTF8STRING, utf8.release());
      check_one(GENERAL_NAME_set0_othername(name.get(), OBJ_txt2obj("1.3.6.1.4.1.311.20.2.3", 1), value.release()),
                "setting a UPN");
      break;
    }
    default:
      throw Error(ErrorKind::policy_denied, "a " + san.to_string() + " SAN cannot be issued");
  }
  return name.release();
}

}  // namespace

ossl::Ptr<X509_EXTENSION> subject_alt_name_extension(const std::vector<SubjectAltName>& names, bool critical) {
  auto sans = ossl::adopt(check_ptr(GENERAL_NAMES_new(), "allocating SANs"));
  for (const auto& san : names) {
    GENERAL_NAME* entry = general_name(san);
    if (sk_GENERAL_NAME_push(sans.get(), entry) <= 0) {
      GENERAL_NAME_free(entry);
      throw_openssl("adding a SAN");
    }
  }
  return ossl::adopt(check_ptr(X509V3_EXT_i2d(NID_subject_alt_name, critical ? 1 : 0, sans.get()), "encoding SANs"));
}

}  // namespace pocketca
