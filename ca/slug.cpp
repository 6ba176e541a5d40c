#include "slug.h"

#include <cctype>

#include "error.h"

namespace pocketca {

std::string slugify(const std::string& name) {
  std::string slug;
  bool pending_dash = false;
  for (unsigned char c : name) {
    if (std::isalnum(c) != 0 && c < 0x80) {
      if (pending_dash && !slug.empty()) slug += '-';
      pending_dash = false;
      slug += static_cast<char>(std::tolower(c));
    } else {
      pending_dash = true;
    }
  }
  if (slug.empty()) {
    throw Error(ErrorKind::invalid_input,
                "the CA name \"" + name + "\" has no letters or digits to name its files after; use an ASCII name");
  }
  return slug;
}

}  // namespace pocketca
