#include "validators.h"

#include <charconv>

#include "ca/error.h"
#include "ca/key.h"
#include "ca/time.h"

namespace pocketca::cli {
namespace {

// A validator whose check is an engine parser: its Error's message is the usage error.
template <typename Parse>
CLI::Validator parsed_by(Parse parse) {
  return CLI::Validator(
      [parse](std::string& text) -> std::string {
        try {
          (void)parse(text);
          return "";
        } catch (const pocketca::Error& e) {
          return e.what();
        }
      },
      "");
}

}  // namespace

CLI::Validator whole_number(long long min, std::optional<long long> max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        long long value = 0;
        const char* end = text.data() + text.size();
        const auto [stop, error] = std::from_chars(text.data(), end, value);
        if (text.empty() || error != std::errc() || stop != end || value < min || (max && value > *max)) {
          return "\"" + text + "\" is not a whole number " +
                 (max ? "from " + std::to_string(min) + " to " + std::to_string(*max)
                      : "of " + std::to_string(min) + " or more");
        }
        return "";
      },
      "");
}

CLI::Validator not_blank() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (text.find_first_not_of(" \t\r\n") == std::string::npos) return "must not be empty or only blanks";
        return "";
      },
      "");
}

CLI::Validator key_type() {
  return parsed_by([](const std::string& text) { return KeySpec::parse(text); });
}

CLI::Validator iso8601_time() {
  return parsed_by([](const std::string& text) { return parse_iso8601(text); });
}

}  // namespace pocketca::cli
