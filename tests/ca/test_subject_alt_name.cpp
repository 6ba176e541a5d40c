// SubjectAltName values as pocketca prints and names them.

#include <string>

#include <catch2/catch.hpp>

#include "ca/subject_alt_name.h"

using namespace pocketca;
using Type = SubjectAltName::Type;

TEST_CASE("SubjectAltName::to_string uses OpenSSL's prefixes", "[san]") {
  struct Row {  // plain pointers: GCC 12 at -O3 warns falsely on an array of structs of strings
    Type type;
    const char* value;
    const char* text;
  };
  const Row rows[] = {
      {Type::dns, "mail.contoso.lab", "DNS:mail.contoso.lab"},
      {Type::ip, "192.0.2.10", "IP:192.0.2.10"},
      {Type::ip, "2001:db8::1", "IP:2001:db8::1"},
      {Type::email, "administrator@contoso.lab", "email:administrator@contoso.lab"},
      {Type::uri, "https://mail.contoso.lab/owa", "URI:https://mail.contoso.lab/owa"},
      {Type::upn, "administrator@contoso.lab", "UPN:administrator@contoso.lab"},
      {Type::other_name, "1.3.6.1.4.1.311.25.1", "otherName:1.3.6.1.4.1.311.25.1"},
      {Type::directory_name, "CN=Contoso Mail", "DirName:CN=Contoso Mail"},
      {Type::registered_id, "1.2.3.4", "RID:1.2.3.4"},
      {Type::x400, "", "x400Address"},
      {Type::edi_party, "", "ediPartyName"},
  };
  for (const Row& row : rows) {
    SECTION(row.text) { CHECK(SubjectAltName{row.type, row.value}.to_string() == row.text); }
  }
}

TEST_CASE("SubjectAltName::to_string keeps a NUL byte in the value", "[san]") {
  const SubjectAltName san{Type::dns, std::string("mail.contoso.lab\0.evil.example", 30)};
  CHECK(san.to_string() == std::string("DNS:mail.contoso.lab\0.evil.example", 34));
}

TEST_CASE("type_name gives the names template files and --attrib use", "[san]") {
  CHECK(std::string(type_name(Type::dns)) == "dns");
  CHECK(std::string(type_name(Type::ip)) == "ip");
  CHECK(std::string(type_name(Type::email)) == "email");
  CHECK(std::string(type_name(Type::uri)) == "uri");
  CHECK(std::string(type_name(Type::upn)) == "upn");
  CHECK(std::string(type_name(Type::other_name)) == "other_name");
  CHECK(std::string(type_name(Type::directory_name)) == "directory_name");
  CHECK(std::string(type_name(Type::registered_id)) == "registered_id");
  CHECK(std::string(type_name(Type::x400)) == "x400");
  CHECK(std::string(type_name(Type::edi_party)) == "edi_party");
}

TEST_CASE("SubjectAltName compares type and value", "[san]") {
  CHECK(SubjectAltName{Type::dns, "a.contoso.lab"} == SubjectAltName{Type::dns, "a.contoso.lab"});
  CHECK_FALSE(SubjectAltName{Type::dns, "a.contoso.lab"} == SubjectAltName{Type::email, "a.contoso.lab"});
  CHECK_FALSE(SubjectAltName{Type::dns, "a.contoso.lab"} == SubjectAltName{Type::dns, "b.contoso.lab"});
}
