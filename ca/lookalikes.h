#pragma once
// Characters that imitate ASCII in a host name: the handful an attacker (or a
// name pasted from a document) actually uses, and how a message names them.
// Internal to name_rules.cpp. Not the full Unicode confusables list (UTS #39): a
// host name is refused for any non-ASCII character; this table only lets the
// message say which Latin letter a character imitates.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "ca/name_text.h"

namespace pocketca::lookalikes {

using name_text::code_point_label;
using name_text::CodePoint;
using name_text::join;
using name_text::ordinal;
using name_text::quoted;

struct Lookalike {
  char32_t code_point;
  const char* unicode_name;
  char imitates;  // the ASCII character it passes for
};

// clang-format off
inline constexpr std::array<Lookalike, 62> table{{
    {0x0430, "CYRILLIC SMALL LETTER A", 'a'},       {0x0435, "CYRILLIC SMALL LETTER IE", 'e'},
    {0x043E, "CYRILLIC SMALL LETTER O", 'o'},       {0x0440, "CYRILLIC SMALL LETTER ER", 'p'},
    {0x0441, "CYRILLIC SMALL LETTER ES", 'c'},      {0x0445, "CYRILLIC SMALL LETTER HA", 'x'},
    {0x0443, "CYRILLIC SMALL LETTER U", 'y'},       {0x0455, "CYRILLIC SMALL LETTER DZE", 's'},
    {0x0456, "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I", 'i'},
    {0x0458, "CYRILLIC SMALL LETTER JE", 'j'},      {0x04BB, "CYRILLIC SMALL LETTER SHHA", 'h'},
    {0x04CF, "CYRILLIC SMALL LETTER PALOCHKA", 'l'}, {0x0501, "CYRILLIC SMALL LETTER KOMI DE", 'd'},
    {0x0405, "CYRILLIC CAPITAL LETTER DZE", 'S'},
    {0x0406, "CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I", 'I'},
    {0x0408, "CYRILLIC CAPITAL LETTER JE", 'J'},    {0x0410, "CYRILLIC CAPITAL LETTER A", 'A'},
    {0x0412, "CYRILLIC CAPITAL LETTER VE", 'B'},    {0x0415, "CYRILLIC CAPITAL LETTER IE", 'E'},
    {0x041A, "CYRILLIC CAPITAL LETTER KA", 'K'},    {0x041C, "CYRILLIC CAPITAL LETTER EM", 'M'},
    {0x041D, "CYRILLIC CAPITAL LETTER EN", 'H'},    {0x041E, "CYRILLIC CAPITAL LETTER O", 'O'},
    {0x0420, "CYRILLIC CAPITAL LETTER ER", 'P'},    {0x0421, "CYRILLIC CAPITAL LETTER ES", 'C'},
    {0x0422, "CYRILLIC CAPITAL LETTER TE", 'T'},    {0x0425, "CYRILLIC CAPITAL LETTER HA", 'X'},
    {0x03B1, "GREEK SMALL LETTER ALPHA", 'a'},      {0x03B9, "GREEK SMALL LETTER IOTA", 'i'},
    {0x03BA, "GREEK SMALL LETTER KAPPA", 'k'},      {0x03BD, "GREEK SMALL LETTER NU", 'v'},
    {0x03BF, "GREEK SMALL LETTER OMICRON", 'o'},    {0x03C1, "GREEK SMALL LETTER RHO", 'p'},
    {0x03C5, "GREEK SMALL LETTER UPSILON", 'u'},    {0x0391, "GREEK CAPITAL LETTER ALPHA", 'A'},
    {0x0392, "GREEK CAPITAL LETTER BETA", 'B'},     {0x0395, "GREEK CAPITAL LETTER EPSILON", 'E'},
    {0x0396, "GREEK CAPITAL LETTER ZETA", 'Z'},     {0x0397, "GREEK CAPITAL LETTER ETA", 'H'},
    {0x0399, "GREEK CAPITAL LETTER IOTA", 'I'},     {0x039A, "GREEK CAPITAL LETTER KAPPA", 'K'},
    {0x039C, "GREEK CAPITAL LETTER MU", 'M'},       {0x039D, "GREEK CAPITAL LETTER NU", 'N'},
    {0x039F, "GREEK CAPITAL LETTER OMICRON", 'O'},  {0x03A1, "GREEK CAPITAL LETTER RHO", 'P'},
    {0x03A4, "GREEK CAPITAL LETTER TAU", 'T'},      {0x03A5, "GREEK CAPITAL LETTER UPSILON", 'Y'},
    {0x03A7, "GREEK CAPITAL LETTER CHI", 'X'},      {0x0131, "LATIN SMALL LETTER DOTLESS I", 'i'},
    {0x0261, "LATIN SMALL LETTER SCRIPT G", 'g'},   {0x0585, "ARMENIAN SMALL LETTER OH", 'o'},
    {0x2010, "HYPHEN", '-'},                        {0x2011, "NON-BREAKING HYPHEN", '-'},
    {0x2013, "EN DASH", '-'},                       {0x2212, "MINUS SIGN", '-'},
    {0x3002, "IDEOGRAPHIC FULL STOP", '.'},         {0xFF61, "HALFWIDTH IDEOGRAPHIC FULL STOP", '.'},
    {0xFF0D, "FULLWIDTH HYPHEN-MINUS", '-'},        {0xFF0E, "FULLWIDTH FULL STOP", '.'},
    {0xFF20, "FULLWIDTH COMMERCIAL AT", '@'},       {0xFF3F, "FULLWIDTH LOW LINE", '_'},
}};
// clang-format on

// What `find` tells about a look-alike: its Unicode name and the ASCII it passes for.
struct Match {
  std::string unicode_name;
  char imitates;
};

// Fullwidth letters and digits (U+FF10–U+FF5A) are computed, not listed one by one.
inline std::optional<Match> find_fullwidth(char32_t cp) {
  static constexpr std::array<const char*, 10> digits{"ZERO", "ONE", "TWO",   "THREE", "FOUR",
                                                      "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"};
  const auto ascii = static_cast<char>(cp - 0xFEE0);
  if (cp >= 0xFF10 && cp <= 0xFF19) {
    return Match{std::string("FULLWIDTH DIGIT ") + digits[static_cast<size_t>(ascii - '0')], ascii};
  }
  if (cp >= 0xFF21 && cp <= 0xFF3A) return Match{std::string("FULLWIDTH LATIN CAPITAL LETTER ") + ascii, ascii};
  if (cp >= 0xFF41 && cp <= 0xFF5A) {
    return Match{std::string("FULLWIDTH LATIN SMALL LETTER ") + static_cast<char>(ascii - 'a' + 'A'), ascii};
  }
  return std::nullopt;
}

// The look-alike `cp` is, or nullopt when it is not a known one.
inline std::optional<Match> find(char32_t cp) {
  for (const Lookalike& entry : table) {
    if (entry.code_point == cp) return Match{entry.unicode_name, entry.imitates};
  }
  return find_fullwidth(cp);
}

// What `code_points` pass for when every non-ASCII one is a known look-alike
// ("mаil" -> "mail"); nullopt when one is not, or when all are ASCII already.
inline std::optional<std::string> imitation_of(const std::vector<CodePoint>& code_points) {
  std::string ascii;
  bool imitates = false;
  for (const CodePoint& cp : code_points) {
    if (cp.value < 0x80) {
      ascii += static_cast<char>(cp.value);
      continue;
    }
    const auto match = find(cp.value);
    if (!match) return std::nullopt;
    ascii += match->imitates;
    imitates = true;
  }
  if (!imitates) return std::nullopt;
  return ascii;
}

// "its 2nd character is U+0430 CYRILLIC SMALL LETTER A, a look-alike of Latin "a"".
inline std::string describe_character(const std::string& text, const CodePoint& cp, size_t index) {
  std::string said = "its " + ordinal(index + 1) + " character ";
  const auto match = find(cp.value);
  if (!match) {
    return said + quoted(text.substr(cp.offset, cp.length)) + " is " + code_point_label(cp.value) +
           ", which is not ASCII";
  }
  const char lower = static_cast<char>(match->imitates | 0x20);
  const bool letter = lower >= 'a' && lower <= 'z';
  return said + "is " + code_point_label(cp.value) + " " + match->unicode_name + ", a look-alike of " +
         (letter ? "Latin \"" : "\"") + match->imitates + "\"";
}

// The non-ASCII characters of `text` named (the first three), then what to use instead:
// the ASCII it imitates when every one is a known look-alike, and `a_labels` if given.
inline std::string explain(const std::string& text, const std::vector<CodePoint>& code_points,
                           const std::optional<std::string>& a_labels) {
  constexpr size_t max_told = 3;
  std::vector<std::string> told;
  size_t non_ascii = 0;
  for (size_t i = 0; i < code_points.size(); ++i) {
    if (code_points[i].value < 0x80) continue;
    if (++non_ascii <= max_told) told.push_back(describe_character(text, code_points[i], i));
  }
  std::string out = join(told, ", and ");
  if (non_ascii > told.size()) out += ", and " + std::to_string(non_ascii - told.size()) + " more are not ASCII";
  if (const auto imitated = imitation_of(code_points)) {
    out += "; use plain ASCII (\"" + *imitated + "\")";
    if (a_labels && *a_labels != *imitated) out += " or the A-label form (\"" + *a_labels + "\")";
    return out;
  }
  if (a_labels) return out + "; use the A-label form (\"" + *a_labels + "\") or plain ASCII";
  return out + "; use plain ASCII";
}

}  // namespace pocketca::lookalikes
