#pragma once
// Characters that imitate ASCII in a host name: the handful an attacker (or a
// pasted-from-a-document name) actually uses. Data only, for name_rules.cpp.
// Not the full Unicode confusables list (UTS #39): a CN that looks like a host
// name is refused for any non-ASCII character; this table only makes the message
// say which Latin letter the character imitates.

#include <array>
#include <optional>
#include <string>

namespace pocketca::lookalikes {

struct Lookalike {
  char32_t code_point;
  const char* unicode_name;
  char imitates;  // the ASCII character it passes for
};

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

}  // namespace pocketca::lookalikes
