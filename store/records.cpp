// Text forms of record values: enum names, timestamps and SAN lists as the
// database stores them.

#include "records.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "ca/error.h"
#include "sqlite_store.h"

namespace pocketca::store {

const char* to_string(Disposition d) {
  switch (d) {
    case Disposition::pending: return "pending";
    case Disposition::issued: return "issued";
    case Disposition::denied: return "denied";
    case Disposition::failed: return "failed";
  }
  throw Error{ErrorKind::invalid_input, "unknown request disposition " + std::to_string(static_cast<int>(d))};
}

Disposition disposition_from_string(const std::string& s) {
  for (auto d : {Disposition::pending, Disposition::issued, Disposition::denied, Disposition::failed}) {
    if (s == to_string(d)) return d;
  }
  throw Error{ErrorKind::invalid_input,
              "unknown request disposition \"" + s + "\" (expected pending, issued, denied or failed)"};
}

const char* to_string(CertStatus s) {
  switch (s) {
    case CertStatus::valid: return "valid";
    case CertStatus::revoked: return "revoked";
  }
  throw Error{ErrorKind::invalid_input, "unknown certificate status " + std::to_string(static_cast<int>(s))};
}

CertStatus cert_status_from_string(const std::string& s) {
  if (s == "valid") return CertStatus::valid;
  if (s == "revoked") return CertStatus::revoked;
  throw Error{ErrorKind::invalid_input, "unknown certificate status \"" + s + "\" (expected valid or revoked)"};
}

std::string time_to_text(Time t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    throw Error{ErrorKind::invalid_input,
                "time " + std::to_string(t.time_since_epoch().count()) + " s is outside the years 0000-9999"};
  }
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", year, static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return text;
}

namespace {

// Reads `count` decimal digits at `pos`; -1 when any of them is not a digit.
int digits(std::string_view s, size_t pos, size_t count) {
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

}  // namespace

Time time_from_text(std::string_view text) {
  using namespace std::chrono;
  const auto bad = [&] { return Error{ErrorKind::storage, "malformed time \"" + std::string(text) + "\" in the database"}; };
  // "YYYY-MM-DDTHH:MM:SSZ"
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z') {
    throw bad();
  }
  const int y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
  const int h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) throw bad();
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) throw bad();
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
}

std::string strings_to_json(const std::vector<std::string>& sans) {
  try {
    return nlohmann::json(sans).dump();
  } catch (const nlohmann::json::exception& e) {
    throw Error{ErrorKind::invalid_input, std::string("a subject alternative name cannot be stored: ") + e.what()};
  }
}

std::vector<std::string> strings_from_json(const std::string& json) {
  try {
    return nlohmann::json::parse(json).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    throw Error{ErrorKind::storage, "malformed SAN list \"" + json + "\" in the database: " + e.what()};
  }
}

}  // namespace pocketca::store
