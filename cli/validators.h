#pragma once
// CLI11 validators: a bad option value is a usage error (exit 2) naming the option, raised
// while the command line is parsed, before the command reads or writes anything.
// CLI11 prefixes each message with the option: "--days: …".

#include <optional>

#include <CLI/CLI.hpp>

namespace pocketca::cli {

// A whole number from `min` to `max` (no upper bound without one):
// `"0" is not a whole number from 1 to 36525`.
[[nodiscard]] CLI::Validator whole_number(long long min, std::optional<long long> max = std::nullopt);

// A name that is not empty and not only blanks: "must not be empty or only blanks".
[[nodiscard]] CLI::Validator not_blank();

// A key type KeySpec::parse accepts ("rsa:2048", "ec:p256" …); the message lists them.
[[nodiscard]] CLI::Validator key_type();

// A time parse_iso8601 accepts ("2026-11-23", "2026-11-23T08:30:00Z").
[[nodiscard]] CLI::Validator iso8601_time();

}  // namespace pocketca::cli
