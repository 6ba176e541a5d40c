// Issuance templates from TOML. Like cfssl's profile loader: read every key into
// typed values, then check the values against each other. One bad key rejects the
// whole file with the file and the key named; a template never loads half-right.

#include "certificate_template.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>

#include "error.h"
#include "template_reader.h"

namespace pocketca {
namespace {

using namespace template_reading;
namespace fs = std::filesystem;
using Type = SubjectAltName::Type;

constexpr std::streamsize max_template_bytes = 64 * 1024;  // a template is a few dozen lines
constexpr std::string_view a_boolean = "a boolean (true or false)";
const std::string missing = "missing; every template needs name, display_name, validity and extensions.key_usage";

bool is_template_name(std::string_view s) {
  const auto ok = [](char c) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alnum || c == '-' || c == '_' || c == '.';
  };
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), ok) && s[0] != '-' && s[0] != '.';
}

// Control characters; a multi-line description may keep its line breaks and tabs.
bool has_control(std::string_view s, bool multi_line) {
  return std::any_of(s.begin(), s.end(), [&](char c) {
    const bool layout = c == '\n' || c == '\r' || c == '\t';
    return (static_cast<unsigned char>(c) < 0x20 && !(multi_line && layout)) || c == 0x7f;
  });
}

// "2y" or "90d": a whole number of years (1-100) or days (1-36525), nothing else.
void read_validity(const Reader& r, const std::string& text, CertificateTemplate& t) {
  const char unit = text.empty() ? '\0' : text.back();
  const std::string_view digits(text.data(), text.empty() ? 0 : text.size() - 1);
  if ((unit != 'y' && unit != 'd') || digits.empty() || digits.size() > 6 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    r.fail("validity", in_quotes(text) + " is not a validity; write \"<N>y\" for years or \"<N>d\" for days, " +
                           "e.g. \"2y\" or \"90d\"");
  int n = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (n < 1 || n > (unit == 'y' ? 100 : 36525))
    r.fail("validity", in_quotes(text) + " is out of range; allowed are 1y to 100y, or 1d to 36525d");
  (unit == 'y' ? t.validity_years : t.validity_days) = n;
}

void read_identity(Reader& r, const Section& top, CertificateTemplate& t) {
  const auto required = [&](std::string_view key) {
    auto v = r.value<std::string>(top, key, "a string");
    if (!v) r.fail(key, missing);
    return *v;
  };
  t.name = required("name");
  if (!is_template_name(t.name))
    r.fail("name", in_quotes(t.name) + " is not a template name; use 1-64 ASCII letters, digits, '-', '_' or '.', " +
                       "no spaces (the display name may have them)");
  t.display_name = required("display_name");
  if (t.display_name.empty() || t.display_name.size() > 128 || has_control(t.display_name, false) ||
      t.display_name.front() == ' ' || t.display_name.back() == ' ')
    r.fail("display_name", in_quotes(t.display_name) + " is not a display name; use 1-128 characters, " +
                               "no control characters, no leading or trailing spaces");
  read_validity(r, required("validity"), t);
  t.description = r.value<std::string>(top, "description", "a string").value_or("");
  if (t.description.size() > 2000 || has_control(t.description, true))
    r.fail("description", "too long or odd; keep it under 2000 characters, without control characters " +
                              std::string("other than line breaks and tabs"));
  t.requires_approval = r.value<bool>(top, "requires_approval", a_boolean).value_or(false);
}

void read_extensions(Reader& r, const Section& s, CertificateTemplate& t) {
  r.only(s, {"key_usage", "key_usage_ec", "extended_key_usage", "is_ca", "path_len", "basic_constraints",
             "template_name_extension", "ocsp_no_check"});
  const Vocabulary usages{key_usage_names, "a key usage"};
  const auto key_usage = r.strings(s, "key_usage");
  if (!key_usage) r.fail(s.key("key_usage"), missing);
  t.key_usage = r.names(s.key("key_usage"), *key_usage, usages);
  if (t.key_usage.empty())
    r.fail(s.key("key_usage"), "empty; every certificate carries a key usage, list at least one");
  if (const auto ec = r.strings(s, "key_usage_ec")) {
    t.key_usage_ec = r.names(s.key("key_usage_ec"), *ec, usages);
    if (t.key_usage_ec.empty())
      r.fail(s.key("key_usage_ec"), "empty; list at least one, or leave the key out to use key_usage");
  }
  const auto ekus = r.strings(s, "extended_key_usage").value_or(std::vector<std::string>{});
  const Vocabulary purposes{eku_names, "an extended key usage", true};
  t.extended_key_usage = r.names(s.key("extended_key_usage"), ekus, purposes);
  t.is_ca = r.value<bool>(s, "is_ca", a_boolean).value_or(false);
  if (const auto path_len = r.value<int64_t>(s, "path_len", "an integer")) {
    if (*path_len < 0 || *path_len > 255)
      r.fail(s.key("path_len"), std::to_string(*path_len) + " is out of range; use 0 to 255");
    t.path_len = static_cast<int>(*path_len);
  }
  const bool basic_constraints = r.value<bool>(s, "basic_constraints", a_boolean).value_or(false);
  t.basic_constraints = t.is_ca || basic_constraints;  // a CA certificate always carries it
  t.template_name_extension = r.value<bool>(s, "template_name_extension", a_boolean).value_or(true);
  t.ocsp_no_check = r.value<bool>(s, "ocsp_no_check", a_boolean).value_or(false);
}

void read_keys(Reader& r, const Section& s, CertificateTemplate& t) {
  r.only(s, {"types", "rsa_min_bits", "ec_curves"});
  if (const auto types = r.strings(s, "types")) {
    t.key_types = r.names(s.key("types"), *types, Vocabulary{key_type_names, "a key type"});
    if (t.key_types.empty()) r.fail(s.key("types"), "empty; list at least one key type");
  }
  if (const auto bits = r.value<int64_t>(s, "rsa_min_bits", "an integer")) {
    if (!contains(t.key_types, "rsa")) r.fail(s.key("rsa_min_bits"), "set, but keys.types does not allow \"rsa\"");
    if (*bits < 2048 || *bits > 8192)
      r.fail(s.key("rsa_min_bits"), std::to_string(*bits) + " is out of range; use 2048 to 8192");
    t.rsa_min_bits = static_cast<int>(*bits);
  }
  if (const auto curves = r.strings(s, "ec_curves")) {
    if (!contains(t.key_types, "ec")) r.fail(s.key("ec_curves"), "set, but keys.types does not allow \"ec\"");
    t.ec_curves = r.names(s.key("ec_curves"), *curves, Vocabulary{curve_names, "a supported curve"});
    if (t.ec_curves.empty())
      r.fail(s.key("ec_curves"), "empty; list at least one curve, or leave \"ec\" out of keys.types");
  }
}

void read_names(Reader& r, const Section& s, CertificateTemplate& t) {
  r.only(s, {"san_types"});
  const auto types = r.strings(s, "san_types");
  if (!types) {
    if (t.is_ca) t.allowed_san_types.clear();  // the dns+ip default is for end-entity templates
    return;
  }
  t.allowed_san_types.clear();
  for (const auto& name : r.names(s.key("san_types"), *types, Vocabulary{san_type_names, "a SAN type"}))
    for (const Type type : {Type::dns, Type::ip, Type::email, Type::uri, Type::upn})
      if (name == type_name(type)) t.allowed_san_types.push_back(type);
}

// basicConstraints, keyCertSign/cRLSign, SANs and pathLen must agree on CA or not.
void check_ca_or_not(const Reader& r, const CertificateTemplate& t) {
  for (const auto& [key, usages] :
       {std::pair{"extensions.key_usage", &t.key_usage}, {"extensions.key_usage_ec", &t.key_usage_ec}}) {
    if (t.is_ca && !usages->empty() && !contains(*usages, "keyCertSign"))
      r.fail(key, "a CA template (is_ca = true) needs \"keyCertSign\", or its certificates cannot sign anything");
    for (const char* usage : {"keyCertSign", "cRLSign"})
      if (!t.is_ca && contains(*usages, usage))
        r.fail(key, in_quotes(usage) + " is only for CA templates (is_ca = false)");
  }
  if (t.is_ca && !t.allowed_san_types.empty())
    r.fail("names.san_types", "a CA template (is_ca = true) takes no SANs; use san_types = [] or leave the key out");
  if (t.is_ca && r.has("extensions.basic_constraints"))
    r.fail("extensions.basic_constraints",
           "only for end-entity templates; a CA template always carries basicConstraints CA:TRUE, critical");
  if (!t.is_ca && t.path_len) r.fail("extensions.path_len", "only for CA templates (is_ca = false)");
}

// RFC 5480: EC keys never encipher; RFC 8410: Ed25519 keys only sign.
void check_usage_per_key_type(const Reader& r, const CertificateTemplate& t) {
  const bool ec = contains(t.key_types, "ec");
  for (const char* usage : {"keyEncipherment", "dataEncipherment"}) {
    if (contains(t.key_usage_ec, usage))
      r.fail("extensions.key_usage_ec", in_quotes(usage) + " is not allowed for EC keys (RFC 5480)");
    if (ec && t.key_usage_ec.empty() && contains(t.key_usage, usage))
      r.fail("extensions.key_usage_ec", "missing, but key_usage has " + in_quotes(usage) +
                                            ", which EC keys cannot use (RFC 5480); " +
                                            "add e.g. key_usage_ec = [\"digitalSignature\"]");
  }
  if (r.has("extensions.key_usage_ec") && !ec)
    r.fail("extensions.key_usage_ec", "set, but keys.types does not allow \"ec\"");
  if (contains(t.key_types, "ed25519"))
    for (const char* usage : {"keyEncipherment", "dataEncipherment", "keyAgreement"})
      if (contains(t.key_usage, usage))
        r.fail("extensions.key_usage",
               in_quotes(usage) + " is not allowed for Ed25519 keys (RFC 8410), which keys.types allows");
}

void check_ocsp(const Reader& r, const CertificateTemplate& t) {
  if (t.ocsp_no_check && (t.is_ca || !contains(t.extended_key_usage, "OCSPSigning")))
    r.fail("extensions.ocsp_no_check",
           "only for OCSP responder templates (extended_key_usage with \"OCSPSigning\", is_ca = false)");
}

toml::table parse_toml(const std::string& text, const std::string& source) {
  try {
    return toml::parse(std::string_view(text), std::string_view(source));
  } catch (const toml::parse_error& e) {
    throw Error(ErrorKind::template_invalid, "template " + source + ": line " + std::to_string(e.source().begin.line) +
                                                 ", column " + std::to_string(e.source().begin.column) + ": " +
                                                 std::string(e.description()));
  }
}

std::string read_template_file(const fs::path& path) {
  const auto fail = [&](const std::string& what) {
    throw Error(ErrorKind::template_invalid, "template " + path.string() + ": " + what);
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(std::string("cannot open: ") + std::strerror(errno));
  std::string text(static_cast<size_t>(max_template_bytes) + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) fail(std::string("cannot read: ") + std::strerror(errno));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > static_cast<size_t>(max_template_bytes))
    fail("larger than 64 KiB; a template is a few dozen lines");
  return text;
}

// Every *.toml in `dir`, in file-name order; none when the folder does not exist.
std::vector<CertificateTemplate> load_folder(const fs::path& dir) {
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  if (status.type() == fs::file_type::not_found) return {};
  if (ec || !fs::is_directory(status))
    throw Error(ErrorKind::template_invalid, "template folder " + dir.string() + ": " +
                                                 (ec ? ec.message() : std::string("not a folder")));
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".toml") files.push_back(it->path());
  if (ec) throw Error(ErrorKind::template_invalid, "template folder " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<CertificateTemplate> templates;
  for (const auto& file : files) templates.push_back(TemplateSet::parse(read_template_file(file), file.string()));
  return templates;
}

bool is_builtin(const CertificateTemplate& t) { return t.source.starts_with("built-in "); }

// Names and display names must pick out one template: no two may share either,
// whichever way round. The error names the file to fix (a home one when it is one).
void check_unique(const std::vector<CertificateTemplate>& templates) {
  for (size_t i = 0; i < templates.size(); ++i)
    for (size_t j = i + 1; j < templates.size(); ++j) {
      const bool swap = is_builtin(templates[j]) && !is_builtin(templates[i]);
      const CertificateTemplate& kept = templates[swap ? j : i];
      const CertificateTemplate& culprit = templates[swap ? i : j];
      for (const auto& [key, value] : {std::pair{"name", &culprit.name}, {"display_name", &culprit.display_name}})
        if (iequals(*value, kept.name) || iequals(*value, kept.display_name))
          throw Error(ErrorKind::template_invalid,
                      "template " + culprit.source + ": key \"" + key + "\": " + in_quotes(*value) +
                          " is already the name or display name of template " + kept.name + " in " + kept.source +
                          (is_builtin(kept) == is_builtin(culprit) ? "" : "; to replace a built-in, use its name"));
    }
}

}  // namespace

CertificateTemplate TemplateSet::parse(const std::string& toml_text, const std::string& source) {
  const toml::table root = parse_toml(toml_text, source);
  Reader r(source);
  const Section top{&root, ""};
  r.only(top, {"name", "display_name", "description", "validity", "requires_approval", "extensions", "keys", "names"});
  CertificateTemplate t;
  t.source = source;
  read_identity(r, top, t);
  read_extensions(r, r.section(top, "extensions"), t);
  read_keys(r, r.section(top, "keys"), t);
  read_names(r, r.section(top, "names"), t);
  check_ca_or_not(r, t);
  check_usage_per_key_type(r, t);
  check_ocsp(r, t);
  return t;
}

TemplateSet TemplateSet::load(const std::filesystem::path& home_templates_dir) {
  std::vector<CertificateTemplate> templates;
  for (const auto& [file, text] : builtin_template_files()) templates.push_back(parse(text, "built-in " + file));
  check_unique(templates);
  std::vector<CertificateTemplate> home = load_folder(home_templates_dir);
  check_unique(home);
  for (auto& mine : home) {
    const auto same = std::find_if(templates.begin(), templates.end(),
                                   [&](const CertificateTemplate& t) { return iequals(t.name, mine.name); });
    if (same != templates.end()) *same = std::move(mine);  // a home template wins on a name clash
    else templates.push_back(std::move(mine));
  }
  check_unique(templates);
  TemplateSet set;
  set.templates_ = std::move(templates);
  return set;
}

const CertificateTemplate* TemplateSet::find(const std::string& name_or_display_name) const {
  for (const auto& t : templates_)
    if (iequals(t.name, name_or_display_name) || iequals(t.display_name, name_or_display_name)) return &t;
  return nullptr;
}

}  // namespace pocketca
