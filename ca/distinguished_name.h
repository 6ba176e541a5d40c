#pragma once

#include <string>

#include "ossl.h"

namespace pocketca {

// Parses a distinguished name an admin types:
//   RFC 4514, most specific first:   "CN=Contoso Lab Root CA, O=Contoso Ltd, C=US"
//     (';' separates RDNs too, as in RFC 2253 and 1779: "O=Contoso Ltd; C=US")
//   OpenSSL's form, most general first: "/C=US/O=Contoso Ltd/CN=Contoso Lab Root CA"
//     (',' and ';' are plain characters there)
// RFC 4514 escapes (\, \+ \" \\ \; \< \> \= \# and \XX hex) are honoured.
// Throws Error{invalid_input} naming the part it could not read.
[[nodiscard]] ossl::Ptr<X509_NAME> parse_distinguished_name(const std::string& text);

// RFC 4514 form, most specific first, UTF-8 unescaped: "CN=Contoso Lab Root CA,O=Contoso Ltd,C=US".
[[nodiscard]] std::string to_rfc4514(const X509_NAME* name);

// The last (most specific) commonName, "" when there is none.
[[nodiscard]] std::string common_name_of(const X509_NAME* name);

}  // namespace pocketca

namespace pocketca {

// `base` (may be null) with every commonName dropped and CN=`common_name` added
// as the most specific RDN: how a CA's subject inherits O/OU/C from its parent.
[[nodiscard]] ossl::Ptr<X509_NAME> with_common_name(const X509_NAME* base, const std::string& common_name);

}  // namespace pocketca
