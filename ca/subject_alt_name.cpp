#include "subject_alt_name.h"

#include <algorithm>
#include <cctype>

namespace pocketca {

std::string SubjectAltName::to_string() const {
  // The prefixes are OpenSSL's (as `openssl x509 -text` prints a SAN), so what
  // `show` prints reads the same as what an admin sees elsewhere.
  switch (type) {
    case Type::dns: return "DNS:" + value;
    case Type::ip: return "IP:" + value;
    case Type::email: return "email:" + value;
    case Type::uri: return "URI:" + value;
    case Type::upn: return "UPN:" + value;
    case Type::other_name: return "otherName:" + value;
    case Type::directory_name: return "DirName:" + value;
    case Type::registered_id: return "RID:" + value;
    case Type::x400: return "x400Address";
    case Type::edi_party: return "ediPartyName";
  }
  return "unknown";
}

bool same_name(const SubjectAltName& a, const SubjectAltName& b) {
  return a.type == b.type && std::equal(a.value.begin(), a.value.end(), b.value.begin(), b.value.end(),
                                        [](unsigned char x, unsigned char y) { return std::tolower(x) == std::tolower(y); });
}

void add_unique(std::vector<SubjectAltName>& list, const SubjectAltName& san) {
  if (std::none_of(list.begin(), list.end(), [&](const auto& x) { return same_name(x, san); })) list.push_back(san);
}

const char* type_name(SubjectAltName::Type type) {
  switch (type) {
    case SubjectAltName::Type::dns: return "dns";
    case SubjectAltName::Type::ip: return "ip";
    case SubjectAltName::Type::email: return "email";
    case SubjectAltName::Type::uri: return "uri";
    case SubjectAltName::Type::upn: return "upn";
    case SubjectAltName::Type::other_name: return "other_name";
    case SubjectAltName::Type::directory_name: return "directory_name";
    case SubjectAltName::Type::registered_id: return "registered_id";
    case SubjectAltName::Type::x400: return "x400";
    case SubjectAltName::Type::edi_party: return "edi_party";
  }
  return "unknown";
}

}  // namespace pocketca
