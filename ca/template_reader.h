#pragma once
// Internal to certificate_template.cpp: reads typed values out of one template's
// TOML, and the one table from the names people write to OpenSSL's names. Every
// error is Error{template_invalid} naming the file and the dotted key.

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "error.h"

namespace pocketca::template_reading {

// One table from the spellings people write to the names OpenSSL's config takes.
// Spellings are compared lower-cased without spaces, '-' and '_', so "Digital
// Signature", "digital_signature" and "digitalSignature" are one name.
struct Alias {
  std::string_view spelling;
  std::string_view name;
};
inline constexpr Alias key_usage_names[] = {
    {"digitalsignature", "digitalSignature"}, {"signing", "digitalSignature"},
    {"nonrepudiation", "nonRepudiation"},     {"contentcommitment", "nonRepudiation"},
    {"keyencipherment", "keyEncipherment"},   {"dataencipherment", "dataEncipherment"},
    {"keyagreement", "keyAgreement"},         {"keycertsign", "keyCertSign"},
    {"certsign", "keyCertSign"},              {"crlsign", "cRLSign"}};
inline constexpr Alias eku_names[] = {  // Windows' words and the OIDs too, so a repeat is caught
    {"serverauth", "serverAuth"},           {"serverauthentication", "serverAuth"},
    {"1.3.6.1.5.5.7.3.1", "serverAuth"},    {"clientauth", "clientAuth"},
    {"clientauthentication", "clientAuth"}, {"1.3.6.1.5.5.7.3.2", "clientAuth"},
    {"codesigning", "codeSigning"},         {"1.3.6.1.5.5.7.3.3", "codeSigning"},
    {"emailprotection", "emailProtection"}, {"secureemail", "emailProtection"},
    {"1.3.6.1.5.5.7.3.4", "emailProtection"}, {"timestamping", "timeStamping"},
    {"1.3.6.1.5.5.7.3.8", "timeStamping"},  {"ocspsigning", "OCSPSigning"},
    {"1.3.6.1.5.5.7.3.9", "OCSPSigning"}};
inline constexpr Alias key_type_names[] = {{"rsa", "rsa"}, {"ec", "ec"}, {"ecdsa", "ec"}, {"ed25519", "ed25519"}};
inline constexpr Alias curve_names[] = {
    {"p256", "P-256"}, {"prime256v1", "P-256"}, {"secp256r1", "P-256"}, {"p384", "P-384"},
    {"secp384r1", "P-384"}, {"p521", "P-521"}, {"secp521r1", "P-521"}};
inline constexpr Alias san_type_names[] = {  // the names of type_name() in subject_alt_name.h
    {"dns", "dns"}, {"ip", "ip"}, {"ipaddress", "ip"}, {"email", "email"},
    {"rfc822name", "email"}, {"uri", "uri"}, {"upn", "upn"}};

struct Vocabulary {
  std::span<const Alias> aliases;
  std::string_view what;  // "a key usage"
  bool oids = false;      // a dotted OID is a name too (EKUs)
};

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) { return lower(x) == lower(y); });
}

inline std::string in_quotes(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  return out + "\"";
}

inline bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Two or more arcs of decimal digits without leading zeros, the first 0, 1 or 2.
inline bool is_dotted_oid(std::string_view s) {
  size_t arcs = 0;
  for (size_t start = 0; start <= s.size(); ++arcs) {
    const size_t end = std::min(s.find('.', start), s.size());
    const std::string_view arc = s.substr(start, end - start);
    if (arc.empty() || arc.size() > 20 || (arc.size() > 1 && arc[0] == '0')) return false;
    if (!std::all_of(arc.begin(), arc.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
    if (arcs == 0 && (arc.size() > 1 || arc[0] > '2')) return false;
    start = end + 1;
  }
  return arcs >= 2;
}

// "digitalSignature, nonRepudiation, …": each name once, without its aliases.
inline std::string known(const Vocabulary& vocabulary) {
  std::vector<std::string> names;
  for (const auto& a : vocabulary.aliases)
    if (!contains(names, a.name)) names.emplace_back(a.name);
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return vocabulary.oids ? out + ", or a dotted OID" : out;
}

inline std::string_view type_word(toml::node_type type) {
  switch (type) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
  }
  return "an unknown type";
}

// A table of the file and its dotted key ("" for the top level); null when absent.
struct Section {
  const toml::table* table = nullptr;
  std::string prefix;
  [[nodiscard]] std::string key(std::string_view k) const {
    return prefix.empty() ? std::string(k) : prefix + "." + std::string(k);
  }
};

// Reads typed values out of one file and remembers which keys it set, so the
// checks can tell a default from a choice. Every error names the file and key.
class Reader {
 public:
  explicit Reader(const std::string& source) : source_(source) {}

  [[noreturn]] void fail(std::string_view key, const std::string& what) const {
    throw Error(ErrorKind::template_invalid, "template " + source_ + ": key \"" + std::string(key) + "\": " + what);
  }
  [[nodiscard]] bool has(const std::string& key) const { return present_.count(key) != 0; }

  void only(const Section& s, std::initializer_list<std::string_view> allowed) const {
    if (s.table == nullptr) return;
    for (auto&& [k, v] : *s.table) {
      if (std::find(allowed.begin(), allowed.end(), k.str()) != allowed.end()) continue;
      std::string list;
      for (const auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail(s.key(k.str()), "unknown key; " + (s.prefix.empty() ? "the top level" : "[" + s.prefix + "]") +
                               " allows " + list);
    }
  }
  Section section(const Section& parent, std::string_view key) {
    const toml::node* n = node(parent, key);
    if (n != nullptr && !n->is_table()) wrong_type(parent.key(key), "a table", *n);
    return Section{n == nullptr ? nullptr : n->as_table(), parent.key(key)};
  }
  template <typename T>
  std::optional<T> value(const Section& s, std::string_view key, std::string_view expected) {
    const toml::node* n = node(s, key);
    if (n == nullptr) return std::nullopt;
    if (auto v = n->value_exact<T>()) return v;
    wrong_type(s.key(key), expected, *n);
  }
  std::optional<std::vector<std::string>> strings(const Section& s, std::string_view key) {
    const toml::node* n = node(s, key);
    if (n == nullptr) return std::nullopt;
    const toml::array* array = n->as_array();
    if (array == nullptr) wrong_type(s.key(key), "an array of strings", *n);
    std::vector<std::string> out;
    for (size_t i = 0; i < array->size(); ++i) {
      auto item = (*array)[i].value_exact<std::string>();
      if (!item) wrong_type(s.key(key) + "[" + std::to_string(i) + "]", "a string", (*array)[i]);
      out.push_back(*item);
    }
    return out;
  }
  // `names` mapped through `vocabulary`; unknown and repeated names are errors.
  std::vector<std::string> names(const std::string& key, const std::vector<std::string>& names,
                                 const Vocabulary& vocabulary) const {
    std::vector<std::string> out;
    for (const auto& name : names) {
      std::string normal;
      for (const char c : name)
        if (c != ' ' && c != '-' && c != '_') normal += lower(c);
      const auto hit = std::find_if(vocabulary.aliases.begin(), vocabulary.aliases.end(),
                                    [&](const Alias& a) { return a.spelling == normal; });
      if (hit == vocabulary.aliases.end() && !(vocabulary.oids && is_dotted_oid(name)))
        fail(key, in_quotes(name) + " is not " + std::string(vocabulary.what) + "; use one of " + known(vocabulary));
      std::string canonical = hit != vocabulary.aliases.end() ? std::string(hit->name) : name;
      if (contains(out, canonical)) fail(key, in_quotes(name) + " is listed twice (as " + canonical + ")");
      out.push_back(std::move(canonical));
    }
    return out;
  }

 private:
  const toml::node* node(const Section& s, std::string_view key) {
    const toml::node* n = s.table == nullptr ? nullptr : s.table->get(key);
    if (n != nullptr) present_.insert(s.key(key));
    return n;
  }
  [[noreturn]] void wrong_type(const std::string& key, std::string_view expected, const toml::node& found) const {
    fail(key, "expected " + std::string(expected) + ", found " + std::string(type_word(found.type())));
  }

  std::string source_;
  std::set<std::string> present_;
};

}  // namespace pocketca::template_reading
