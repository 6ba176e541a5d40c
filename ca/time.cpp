#include "time.h"

#include <cstdio>
#include <ctime>

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

Time parse_iso8601(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char sep = 'T';
  int consumed = 0;
  bool ok = false;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &s, &consumed) == 7 &&
      (sep == 'T' || sep == ' ')) {
    const std::string rest = text.substr(static_cast<size_t>(consumed));
    ok = rest.empty() || rest == "Z";
  } else if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) == 3) {
    ok = static_cast<size_t>(consumed) == text.size();
    h = mi = s = 0;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!ok || !ymd.ok() || h > 23 || mi > 59 || s > 60) {
    throw Error(ErrorKind::invalid_input,
                "\"" + text + "\" is not a time; use ISO 8601 UTC like 2026-11-23T08:30:00Z or 2026-11-23");
  }
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
