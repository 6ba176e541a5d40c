#pragma once

#include <string>

namespace pocketca {

// A file-safe form of a CA name: "Contoso Lab Issuing CA" -> "contoso-lab-issuing-ca".
// ASCII letters and digits kept (lower case), every other run becomes one '-'.
// Throws Error{invalid_input} when nothing file-safe is left.
[[nodiscard]] std::string slugify(const std::string& name);

}  // namespace pocketca
