#pragma once
// Time is an input to the engine (Botan's lesson): callers pass `now`, tests
// pass a fixed one. Everything is UTC with one-second resolution.

#include <chrono>
#include <string>

#include "ossl.h"

namespace pocketca {

using Time = std::chrono::sys_seconds;

[[nodiscard]] Time now();
// "2026-11-23T08:57:24Z"
[[nodiscard]] std::string to_iso8601(Time t);
// Accepts "2026-11-23T08:57:24Z", "2026-11-23 08:57:24" and "2026-11-23" (UTC).
// Throws Error{invalid_input} otherwise.
[[nodiscard]] Time parse_iso8601(const std::string& text);

[[nodiscard]] Time from_asn1_time(const ASN1_TIME* t);
// UTCTime through 2049, GeneralizedTime from 2050, as RFC 5280 requires.
[[nodiscard]] ossl::Ptr<ASN1_TIME> to_asn1_time(Time t);

[[nodiscard]] constexpr std::chrono::seconds days(long n) { return std::chrono::seconds(n * 86400L); }
// The same date and time `n` calendar years later (29 February becomes 28 February),
// so "10 years" ends on the anniversary, as AD CS counts validity periods.
[[nodiscard]] Time add_years(Time t, int n);

}  // namespace pocketca
