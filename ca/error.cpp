#include "error.h"

#include <openssl/err.h>

namespace pocketca {

std::string drain_openssl_errors() {
  std::string out;
  const char* file = nullptr;
  int line = 0;
  const char* func = nullptr;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long code = ERR_get_error_all(&file, &line, &func, &data, &flags)) {
    char reason[256];
    ERR_error_string_n(code, reason, sizeof reason);
    if (!out.empty()) out += "; ";
    out += reason;
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
      out += " (";
      out += data;
      out += ")";
    }
  }
  return out;
}

void throw_openssl(const std::string& what_failed) {
  std::string detail = drain_openssl_errors();
  std::string message = what_failed;
  if (!detail.empty()) message += ": " + detail;
  throw Error(ErrorKind::crypto, message);
}

}  // namespace pocketca
