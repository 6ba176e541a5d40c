#pragma once
// One subjectAltName entry, as pocketca reasons about it. Values are the
// untrusted text of a request until policy has checked them.

#include <string>
#include <vector>

namespace pocketca {

struct SubjectAltName {
  enum class Type { dns, ip, email, uri, upn, other_name, directory_name, registered_id, x400, edi_party };
  Type type = Type::dns;
  // dns/email/uri/upn: the string as encoded; ip: dotted IPv4 or RFC 5952 IPv6 text;
  // other types: a short description (their content is never issued).
  std::string value;

  // "DNS:mail.contoso.com", "IP:192.0.2.10", "email:a@b", "URI:…", "UPN:…", "otherName:<oid>", …
  [[nodiscard]] std::string to_string() const;
  friend bool operator==(const SubjectAltName&, const SubjectAltName&) = default;
};

// Same type and value, case-insensitively (DNS names and the rest compare that way in SANs).
[[nodiscard]] bool same_name(const SubjectAltName& a, const SubjectAltName& b);
// Appends `san` unless `list` holds the same name already.
void add_unique(std::vector<SubjectAltName>& list, const SubjectAltName& san);

// "dns", "ip", "email", "uri", "upn" (template files and --attrib use these names).
[[nodiscard]] const char* type_name(SubjectAltName::Type type);

}  // namespace pocketca
