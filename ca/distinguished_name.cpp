#include "distinguished_name.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include <openssl/err.h>
#include <openssl/objects.h>

#include "bytes.h"
#include "error.h"
#include "name_text.h"

namespace pocketca {
namespace {

struct Rdn {
  std::string type;
  std::string value;
};

[[noreturn]] void bad_name(const std::string& text, const std::string& why) {
  throw Error(ErrorKind::invalid_input, "cannot read the name \"" + text + "\": " + why +
                                            " (write it like \"CN=Contoso Lab Root CA, O=Contoso Ltd, C=US\")");
}

// RFC 5280's upper bounds (ub-common-name 64 …), as OpenSSL's string table holds them, said in
// words rather than as OpenSSL's "string too long (maxsize=64)".
void check_length(const Rdn& rdn, int nid) {
  const ASN1_STRING_TABLE* bounds = ASN1_STRING_TABLE_get(nid);
  const auto characters = name_text::decode_utf8(rdn.value);
  if (bounds == nullptr || bounds->maxsize <= 0 || !characters || static_cast<long>(characters->size()) <= bounds->maxsize) {
    return;
  }
  throw Error(ErrorKind::invalid_input,
              rdn.type + " is " + std::to_string(characters->size()) + " characters long; RFC 5280 allows at most " +
                  std::to_string(bounds->maxsize) +
                  (nid == NID_commonName ? " — a longer host name belongs in the SAN only (--dns), with a shorter CN"
                                         : ""));
}

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

enum class NameForm { rfc4514, openssl };  // "CN=…, O=…" or "/O=…/CN=…"

// Splits on unescaped separators and resolves escapes in each part's value. RFC 4514 form
// separates with ',' and, as RFC 2253 and 1779 parsers do, ';' (RFC 4514 forbids an unescaped
// ';' in a value, so "O=Contoso Ltd; C=US" is two RDNs); OpenSSL's form with '/' only.
std::vector<Rdn> split_rdns(const std::string& text, const std::string& body, NameForm form) {
  const auto is_separator = [form](char c) { return form == NameForm::openssl ? c == '/' : c == ',' || c == ';'; };
  std::vector<Rdn> rdns;
  std::string current;
  // Blanks around a value are dropped, escaped ones are data (RFC 4514 2.4): trailing
  // blanks are trimmed back to the end of the last escaped character, no further.
  size_t escaped_end = 0;
  bool in_value = false;
  Rdn rdn;
  auto finish = [&] {
    if (!in_value) {
      if (trim(current).empty()) return;  // tolerate a trailing separator
      bad_name(text, "\"" + trim(current) + "\" has no '='");
    }
    const size_t last = current.find_last_not_of(" \t");
    rdn.value = current.substr(0, std::max(escaped_end, last == std::string::npos ? 0 : last + 1));
    if (rdn.value.empty()) bad_name(text, rdn.type + " has an empty value");
    rdns.push_back(rdn);
    rdn = {};
    current.clear();
    escaped_end = 0;
    in_value = false;
  };
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '\\' && i + 1 < body.size()) {
      if (i + 2 < body.size() && hex_digit_value(body[i + 1]) >= 0 && hex_digit_value(body[i + 2]) >= 0) {
        current += static_cast<char>(hex_digit_value(body[i + 1]) * 16 + hex_digit_value(body[i + 2]));
        i += 2;
      } else {
        current += body[++i];
      }
      escaped_end = current.size();
    } else if (in_value && current.empty() && is_blank(c)) {
      continue;  // a blank before the value
    } else if (is_separator(c)) {
      finish();
    } else if (c == '=' && !in_value) {
      rdn.type = trim(current);
      current.clear();
      escaped_end = 0;
      in_value = true;
    } else if (c == '+' && form == NameForm::rfc4514 && in_value) {
      bad_name(text, "multi-valued RDNs ('+') are not supported; escape a literal plus as \\+");
    } else {
      current += c;
    }
  }
  finish();
  return rdns;
}

bool names_object(const std::string& type, int nid) {
  const char* short_name = OBJ_nid2sn(nid);
  const char* long_name = OBJ_nid2ln(nid);
  return (short_name != nullptr && name_text::equals_ignoring_case(type, short_name)) ||
         (long_name != nullptr && name_text::equals_ignoring_case(type, long_name));
}

// The one object whose short or long name is `type` in any case; NID_undef for none, or for
// several ("MAIL" is both OpenSSL's Mail arc and the mail attribute).
int unique_object_named(const std::string& type) {
  int found = NID_undef;
  for (int nid = 1, end = OBJ_new_nid(0); nid < end; ++nid) {
    if (!names_object(type, nid)) continue;
    if (found != NID_undef) return NID_undef;
    found = nid;
  }
  return found;
}

// RFC 4514 3: attribute type names are case-insensitive ("cn", "CN", "commonName"), but
// OBJ_txt2nid is not. NID_undef when `type` names no object, or more than one.
int attribute_nid(const std::string& type) {
  // RFC 4514's own keywords come first: OpenSSL reads "uid" as uniqueIdentifier, RFC 4514
  // as userId, like "UID".
  for (const int nid : {NID_commonName, NID_localityName, NID_stateOrProvinceName, NID_organizationName,
                        NID_organizationalUnitName, NID_countryName, NID_streetAddress, NID_domainComponent,
                        NID_userId}) {
    if (names_object(type, nid)) return nid;
  }
  // A miss is an answer, not a failure: OBJ_txt2nid and OBJ_nid2sn (for a reserved NID with
  // no object) queue errors that must not end up in some later, unrelated message.
  ERR_set_mark();
  int found = OBJ_txt2nid(type.c_str());  // an OID, or OpenSSL's own spelling
  if (found == NID_undef) found = unique_object_named(type);
  ERR_pop_to_mark();
  return found;
}

}  // namespace

ossl::Ptr<X509_NAME> parse_distinguished_name(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) bad_name(text, "it is empty");
  // Only leading blanks go here: a trailing one may be escaped ("CN=pad\ "), and split_rdns knows.
  const std::string body = text.substr(first);
  const bool openssl_form = body.front() == '/';
  std::vector<Rdn> rdns = openssl_form ? split_rdns(text, body.substr(1), NameForm::openssl)
                                       : split_rdns(text, body, NameForm::rfc4514);
  if (rdns.empty()) bad_name(text, "it has no attributes");
  // X509_NAME holds the most general RDN first; RFC 4514 text lists it last.
  if (!openssl_form) std::reverse(rdns.begin(), rdns.end());

  auto name = ossl::adopt(check_ptr(X509_NAME_new(), "allocating a name"));
  for (const Rdn& rdn : rdns) {
    const int nid = attribute_nid(rdn.type);
    if (nid == NID_undef) bad_name(text, "\"" + rdn.type + "\" is not an attribute type (CN, O, OU, L, ST, C, DC …)");
    for (unsigned char c : rdn.value) {
      if (c < 0x20 || c == 0x7f) bad_name(text, rdn.type + " holds a control character");
    }
    check_length(rdn, nid);
    const auto* value = reinterpret_cast<const unsigned char*>(rdn.value.data());
    if (X509_NAME_add_entry_by_NID(name.get(), nid, MBSTRING_UTF8, value, static_cast<int>(rdn.value.size()), -1,
                                   0) != 1) {
      const std::string detail = drain_openssl_errors();
      bad_name(text, rdn.type + "=" + rdn.value + " is not a valid value" + (detail.empty() ? "" : " (" + detail + ")"));
    }
  }
  return name;
}

std::string to_rfc4514(const X509_NAME* name) {
  auto bio = ossl::adopt(check_ptr(BIO_new(BIO_s_mem()), "allocating a buffer"));
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    throw_openssl("printing a name");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string common_name_of(const X509_NAME* name) {
  int last = -1;
  for (int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) {
    last = i;
  }
  if (last < 0) return "";
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, value);
  if (len < 0) throw_openssl("reading a common name");
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace pocketca

namespace pocketca {

ossl::Ptr<X509_NAME> with_common_name(const X509_NAME* base, const std::string& common_name) {
  auto name = ossl::adopt(check_ptr(X509_NAME_new(), "allocating a name"));
  const int count = base != nullptr ? X509_NAME_entry_count(base) : 0;
  for (int i = 0; i < count; ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(base, i);
    if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry)) == NID_commonName) continue;
    check_one(X509_NAME_add_entry(name.get(), entry, -1, 0), "copying a name");
  }
  for (unsigned char c : common_name) {
    if (c < 0x20 || c == 0x7f) throw Error(ErrorKind::invalid_input, "the name holds a control character");
  }
  // ub-common-name counts characters, as OpenSSL's own check in X509_NAME_add_entry_by_NID does.
  const auto characters = name_text::decode_utf8(common_name);
  if (!characters) throw Error(ErrorKind::invalid_input, "the common name is not valid UTF-8");
  if (characters->empty() || characters->size() > 64) {
    throw Error(ErrorKind::invalid_input, "the common name \"" + common_name + "\" must be 1 to 64 characters (RFC 5280)");
  }
  const auto* value = reinterpret_cast<const unsigned char*>(common_name.data());
  if (X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8, value,
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    throw_openssl("setting the common name \"" + common_name + "\"");
  }
  return name;
}

}  // namespace pocketca
