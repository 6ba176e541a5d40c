#pragma once
// Turns whatever an admin hands over into the DER of one PKCS#10 request:
// PEM with "CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST" headers (CRLF or LF,
// text before and after the block), bare Base64 with no header, DER, and any of
// those as UTF-16 LE/BE with a BOM (PowerShell's default) or UTF-8 with a BOM.

#include <string>

#include "bytes.h"

namespace pocketca {

inline constexpr size_t max_request_file_size = 64 * 1024;

// Checks the size cap before looking inside. Throws Error{invalid_request} with a
// message that says what the input looked like ("this is a certificate, not a
// request", "empty file", "no request found: expected PEM, Base64 or DER").
// Does not parse the request itself: Csr::from_der does.
[[nodiscard]] Bytes request_der_from_input(const std::string& raw);

// Files an admin picks up by mistake instead of the request.
enum class NotARequest { certificate, pkcs7_chain, pfx, crl };

// Throws Error{invalid_request} saying what the input is and which file to submit instead.
[[noreturn]] void refuse_not_a_request(NotARequest what);

}  // namespace pocketca
