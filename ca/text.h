#pragma once
// Small text helpers shared by the engine and the CLI.

#include <string>
#include <vector>

namespace pocketca {

// "a, b, c" (or with another separator); "" for an empty list.
[[nodiscard]] inline std::string join(const std::vector<std::string>& parts, const std::string& separator = ", ") {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

}  // namespace pocketca
