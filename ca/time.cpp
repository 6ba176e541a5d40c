#include "time.h"

#include <cstdio>
#include <ctime>
#include <string>

#include "error.h"

namespace pocketca {

Time now() { return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()); }

std::string to_iso8601(Time t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  return buf;
}

namespace {

// The number written in text[pos, pos + width) when every one of those is an ASCII digit,
// -1 otherwise: no sign, no blank, no shorter field (what sscanf's %2d lets through).
int digits_at(const std::string& text, size_t pos, size_t width) {
  if (pos + width > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool char_at(const std::string& text, size_t pos, char c) { return pos < text.size() && text[pos] == c; }

[[noreturn]] void not_a_time(const std::string& text) {
  throw Error(ErrorKind::invalid_input,
              "\"" + text + "\" is not a time; use ISO 8601 UTC like 2026-11-23T08:30:00Z or 2026-11-23");
}

}  // namespace

Time parse_iso8601(const std::string& text) {
  // Fixed columns: "YYYY-MM-DD", or that and "THH:MM:SS" (or " HH:MM:SS"), then an optional "Z".
  const int y = digits_at(text, 0, 4), mo = digits_at(text, 5, 2), d = digits_at(text, 8, 2);
  if (y < 0 || mo < 0 || d < 0 || !char_at(text, 4, '-') || !char_at(text, 7, '-')) not_a_time(text);
  int h = 0, mi = 0, s = 0;
  if (text.size() > 10) {
    h = digits_at(text, 11, 2);
    mi = digits_at(text, 14, 2);
    s = digits_at(text, 17, 2);
    const bool ok = (char_at(text, 10, 'T') || char_at(text, 10, ' ')) && char_at(text, 13, ':') &&
                    char_at(text, 16, ':') && h >= 0 && mi >= 0 && s >= 0 &&
                    (text.size() == 19 || (text.size() == 20 && char_at(text, 19, 'Z')));
    if (!ok) not_a_time(text);
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) not_a_time(text);
  return std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s);
}

Time add_years(Time t, int n) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd{day};
  ymd += std::chrono::years(n);
  if (!ymd.ok()) ymd = ymd.year() / ymd.month() / std::chrono::last;
  return std::chrono::sys_days(ymd) + (t - day);
}

Time from_asn1_time(const ASN1_TIME* t) {
  struct tm tm {};
  check_one(ASN1_TIME_to_tm(t, &tm), "reading a certificate time");
  const std::chrono::year_month_day ymd{std::chrono::year(tm.tm_year + 1900),
                                        std::chrono::month(static_cast<unsigned>(tm.tm_mon + 1)),
                                        std::chrono::day(static_cast<unsigned>(tm.tm_mday))};
  return std::chrono::sys_days(ymd) + std::chrono::hours(tm.tm_hour) + std::chrono::minutes(tm.tm_min) +
         std::chrono::seconds(tm.tm_sec);
}

ossl::Ptr<ASN1_TIME> to_asn1_time(Time t) {
  // ASN1_TIME_adj picks UTCTime or GeneralizedTime by year, per RFC 5280 4.1.2.5.
  return ossl::adopt(check_ptr(ASN1_TIME_adj(nullptr, static_cast<time_t>(t.time_since_epoch().count()), 0, 0),
                               "encoding a time"));
}

}  // namespace pocketca
