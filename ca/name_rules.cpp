// The naming rules of the policy (design.md, "Policy"). Every message quotes the
// name with control bytes escaped, so a NUL smuggled into a request shows as \x00.

#include "ca/name_rules.h"

#include <arpa/inet.h>
#include <idn2.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "ca/lookalikes.h"
#include "ca/name_text.h"

namespace pocketca {
namespace {

using namespace name_text;

bool is_ldh(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Four decimal parts 0–255 without leading zeros: inet_pton alone is not the contract
// everywhere (some libcs read "010" as octal or accept "1.2.3").
bool is_strict_dotted_quad(const std::string& text) {
  const std::vector<std::string> parts = split_labels(text);
  if (parts.size() != 4) return false;
  return std::all_of(parts.begin(), parts.end(), [](const std::string& part) {
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), is_digit)) return false;
    return (part.size() == 1 || part.front() != '0') && std::stoi(part) <= 255;
  });
}

std::string dns_error(const std::string& name, const std::string& rest) { return "DNS name " + quoted(name) + rest; }

// ---- libidn2 ----

struct Idn2Free {
  void operator()(char* p) const { idn2_free(p); }
};
using Idn2String = std::unique_ptr<char, Idn2Free>;

// One label to its A-label (UTS #46 non-transitional mapping, then IDNA 2008); a libidn2 code.
int lookup_label(const std::string& label, std::string& a_label) {
  char* raw = nullptr;
  const int rc = idn2_lookup_u8(reinterpret_cast<const uint8_t*>(label.c_str()), reinterpret_cast<uint8_t**>(&raw),
                                IDN2_NONTRANSITIONAL);
  const Idn2String owned(raw);
  if (rc == IDN2_OK) a_label = raw;
  return rc;
}

// The name with each non-ASCII label converted, or nullopt with libidn2's reason in `why`.
std::optional<std::string> a_labels_of(const std::string& name, std::string& why) {
  if (name.empty() || !decode_utf8(name) || find_control(name)) {
    why = "not a UTF-8 name without control characters";
    return std::nullopt;
  }
  std::vector<std::string> converted;
  for (const std::string& label : split_labels(name)) {
    converted.push_back(label);
    if (is_ascii(label)) continue;
    if (const int rc = lookup_label(label, converted.back()); rc != IDN2_OK) {
      why = idn2_strerror(rc);
      return std::nullopt;
    }
  }
  return join(converted, ".");
}

// Empty when `label` ("xn--…") decodes to a valid IDNA 2008 label that encodes back to
// itself; otherwise the reason. Version-proof: older libidn2 did not check A-labels.
std::string a_label_problem(const std::string& label) {
  char* raw = nullptr;
  int rc = idn2_to_unicode_8z8z(label.c_str(), &raw, 0);
  const Idn2String decoded(raw);
  if (rc != IDN2_OK) return idn2_strerror(rc);
  std::string back;
  if (rc = lookup_label(decoded.get(), back); rc != IDN2_OK) {
    return "it decodes to " + quoted(decoded.get()) + ", which IDNA 2008 refuses: " + idn2_strerror(rc);
  }
  if (!equals_ignoring_case(back, label)) {
    return "it decodes to " + quoted(decoded.get()) + ", whose A-label is \"" + back + "\"";
  }
  return "";
}

// ---- DNS name rules, in the order they are checked ----

std::string check_characters(const std::string& name, const char* what) {
  const auto control = find_control(name);
  if (!control) return "";
  return std::string(what) + " " + quoted(name) + " holds a control character: its " + ordinal(control->position) +
         " character is " + control->escaped +
         ". NUL and control characters are never allowed in a name (a request carrying one is malformed, or "
         "hides a second name behind it): re-create the request";
}

std::string check_non_ascii(const std::string& name) {
  if (is_ascii(name)) return "";
  if (!decode_utf8(name)) return dns_error(name, " is not valid UTF-8: type it in plain ASCII letters, digits and hyphens");
  std::string why;
  const auto a_labels = a_labels_of(name, why);
  if (!a_labels) {
    return dns_error(name, " holds non-ASCII characters that have no valid A-label (IDNA 2008) form (" + why +
                               "): use plain ASCII letters, digits and hyphens");
  }
  const std::string said = " holds non-ASCII characters (a U-label); certificates carry internationalised names as A-labels";
  const std::string problem = check_dns_name(*a_labels);
  if (problem.empty()) return dns_error(name, said + ": use \"" + *a_labels + "\"");
  return dns_error(name, said + ", and its A-label form is refused too: " + problem);
}

std::string check_wildcards(const std::string& name, const std::vector<std::string>& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string& label = labels[i];
    if (label.find('*') == std::string::npos) continue;
    if (label != "*") {
      std::string fix = "list the names";
      if (i == 0 && labels.size() > 1) fix = "use \"*" + name.substr(label.size()) + "\" or " + fix;
      return dns_error(name, " has a partial wildcard " + quoted(label) +
                                 "; '*' is allowed only as the whole left-most label (\"*.contoso.lab\"): " + fix);
    }
    if (i > 0) {
      return dns_error(name, " has '*' as its " + ordinal(i + 1) +
                                 " label; a wildcard is allowed only once, as the whole left-most label "
                                 "(\"*.contoso.lab\"): list the names instead");
    }
  }
  if (labels.front() != "*") return "";
  if (labels.size() == 1) {
    return dns_error(name, " is a bare wildcard that would match any name: put the domain after it, e.g. \"*.contoso.lab\"");
  }
  if (labels.size() == 2 && !labels[1].empty()) {
    return dns_error(name, " puts the wildcard directly over the single label " + quoted(labels[1]) +
                               ", matching every name in a whole top-level domain, which clients refuse: "
                               "put it over your domain, e.g. \"*.contoso." + labels[1] + "\"");
  }
  return "";
}

std::string check_label_characters(const std::string& name, const std::string& label) {
  if (label.front() == '_') {
    return dns_error(name, ": label " + quoted(label) +
                               " starts with an underscore, as service (SRV) record names do; those are not host "
                               "names (letters, digits and hyphens only): name the host the record points to");
  }
  if (label.find('_') != std::string::npos) {
    std::string fixed = name;
    std::replace(fixed.begin(), fixed.end(), '_', '-');
    return dns_error(name, ": label " + quoted(label) +
                               " contains an underscore, which host names may not have (letters, digits and "
                               "hyphens only): use a hyphen instead, e.g. \"" + fixed + "\"");
  }
  const auto bad = std::find_if(label.begin(), label.end(), [](char c) { return !is_ldh(c); });
  if (bad != label.end()) {
    const std::string shown = *bad == ' ' ? "a space" : "'" + std::string(1, *bad) + "'";
    return dns_error(name, ": label " + quoted(label) + " contains " + shown +
                               "; a DNS name holds only letters, digits and hyphens, with dots between labels: remove it");
  }
  if (label.front() == '-' || label.back() == '-') {
    return dns_error(name, ": label " + quoted(label) + (label.front() == '-' ? " starts" : " ends") +
                               " with a hyphen; labels must start and end with a letter or digit");
  }
  return "";
}

std::string check_label(const std::string& name, const std::string& label, size_t index) {
  if (label.empty() && index == 0) {
    return dns_error(name, " starts with a dot: remove it (for every host under a domain, use a wildcard such as \"*" +
                               name + "\")");
  }
  if (label.empty()) return dns_error(name, " has an empty label (two dots in a row): remove the extra dot");
  if (label == "*") return "";  // placement already checked
  if (label.size() > 63) {
    return dns_error(name, ": label " + quoted(label) + " is " + std::to_string(label.size()) +
                               " characters; a DNS label holds at most 63: shorten it");
  }
  if (auto problem = check_label_characters(name, label); !problem.empty()) return problem;
  if (!equals_ignoring_case(label.substr(0, 4), "xn--")) return "";
  const std::string problem = a_label_problem(label);
  if (problem.empty()) return "";
  return dns_error(name, ": label " + quoted(label) + " starts with \"xn--\" but is not a valid A-label (" + problem +
                             "): convert the Unicode name with an IDNA 2008 tool such as idn2 instead of writing "
                             "the A-label by hand");
}

std::string check_top_label(const std::string& name, const std::string& top) {
  if (!std::all_of(top.begin(), top.end(), is_digit)) return "";
  if (const auto ip = parse_ip_address(name)) {
    return dns_error(name, " is an IP address, not a DNS name: request it as an IP address SAN (IP:" + *ip + ")");
  }
  return dns_error(name, " ends in the all-numeric label \"" + top +
                             "\"; no top-level domain is numeric, so it reads as a malformed IP address: give a "
                             "host name, or an IP address SAN in dotted-quad form");
}

std::string check_dns_structure(const std::string& name) {
  if (name.back() == '.' && name.size() > 1) {
    return dns_error(name, " ends with a dot; certificate names are written without the root dot: use \"" +
                               name.substr(0, name.size() - 1) + "\"");
  }
  const std::vector<std::string> labels = split_labels(name);
  if (auto problem = check_wildcards(name, labels); !problem.empty()) return problem;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (auto problem = check_label(name, labels[i], i); !problem.empty()) return problem;
  }
  return check_top_label(name, labels.back());
}

// ---- CN ----

// `cn` holds non-ASCII and reads as a host name: name the characters, and what they imitate.
std::string lookalike_error(const std::string& cn, const std::vector<CodePoint>& code_points) {
  std::vector<std::string> told;
  std::string imitated;
  size_t non_ascii = 0;
  size_t known = 0;
  for (size_t i = 0; i < code_points.size(); ++i) {
    const char32_t cp = code_points[i].value;
    if (cp < 0x80) {
      imitated += static_cast<char>(cp);
      continue;
    }
    ++non_ascii;
    const auto match = lookalikes::find(cp);
    std::string said = "its " + ordinal(i + 1) + " character ";
    if (match) {
      ++known;
      imitated += match->imitates;
      const bool letter = (match->imitates | 0x20) >= 'a' && (match->imitates | 0x20) <= 'z';
      said += "is " + code_point_label(cp) + " " + match->unicode_name + ", a look-alike of " +
              (letter ? "Latin " : "") + "\"" + match->imitates + "\"";
    } else {
      said += quoted(cn.substr(code_points[i].offset, code_points[i].length)) + " is " + code_point_label(cp) +
              ", which is not ASCII";
    }
    if (told.size() < 3) told.push_back(said);
  }
  std::string text = "CN " + quoted(cn) + " looks like a host name but " + join(told, ", and ");
  if (non_ascii > told.size()) text += ", and " + std::to_string(non_ascii - told.size()) + " more are not ASCII";
  std::string why;
  const auto a_labels = a_labels_of(cn, why);
  if (known == non_ascii) {
    text += "; use plain ASCII (\"" + imitated + "\")";
    if (a_labels && *a_labels != imitated) text += " or the A-label form (\"" + *a_labels + "\")";
    return text;
  }
  if (a_labels) return text + "; use the A-label form (\"" + *a_labels + "\") or plain ASCII";
  return text + "; use plain ASCII";
}

}  // namespace

std::string check_dns_name(const std::string& name) {
  if (name.empty()) return "DNS name is empty: give a host name such as mail.contoso.lab";
  if (auto problem = check_characters(name, "DNS name"); !problem.empty()) return problem;
  if (const size_t length = character_count(name); length > max_dns_name_length) {
    return dns_error(name, " is " + std::to_string(length) + " characters; DNS allows at most " +
                               std::to_string(max_dns_name_length) + ": use a shorter name");
  }
  if (auto problem = check_non_ascii(name); !problem.empty()) return problem;
  return check_dns_structure(name);
}

std::optional<std::string> parse_ip_address(const std::string& text) {
  if (text.find('\0') != std::string::npos) return std::nullopt;  // inet_pton would stop at it
  const int family = text.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (family == AF_INET && !is_strict_dotted_quad(text)) return std::nullopt;
  unsigned char address[sizeof(in6_addr)] = {};
  if (inet_pton(family, text.c_str(), address) != 1) return std::nullopt;
  char canonical[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family, address, canonical, sizeof canonical) == nullptr) return std::nullopt;
  return std::string(canonical);
}

bool looks_like_host_name(const std::string& cn) {
  if (parse_ip_address(cn)) return true;
  const auto code_points = decode_utf8(cn);
  if (!code_points) return false;
  bool dot = false, non_ascii = false, name_character = false;
  for (const CodePoint& code_point : *code_points) {
    const char32_t cp = code_point.value;
    if (is_dot_like(cp)) {
      dot = true;
    } else if (cp >= 0x80) {
      if (is_space_like(cp) || is_control(cp)) return false;
      non_ascii = name_character = true;
    } else if (is_ldh(static_cast<char>(cp)) || cp == '_' || cp == '*') {
      name_character = name_character || (cp != '-' && cp != '_');
    } else {
      return false;
    }
  }
  // A single word with non-ASCII ("Jürgen") is a display name, not a host.
  return name_character && (dot || !non_ascii);
}

std::string check_common_name(const std::string& cn) {
  if (cn.empty()) return "";
  if (auto problem = check_characters(cn, "CN"); !problem.empty()) return problem;
  const auto code_points = decode_utf8(cn);
  if (!code_points) return "CN " + quoted(cn) + " is not valid UTF-8: re-create the request with the name in UTF-8";
  if (code_points->size() > max_common_name_length) {
    return "CN " + quoted(cn) + " is " + std::to_string(code_points->size()) + " characters; RFC 5280 allows " +
           std::to_string(max_common_name_length) +
           " — put the long name in the SAN (New-ExchangeCertificate -DomainName) and use a shorter CN";
  }
  if (!is_ascii(cn) && looks_like_host_name(cn)) return lookalike_error(cn, *code_points);
  return "";
}

std::string dns_name_warning(const std::string& name) {
  std::string lower = to_lower_ascii(name);
  if (!lower.empty() && lower.back() == '.') lower.pop_back();
  if (lower.empty()) return "";
  const auto under = [&](const std::string& suffix) {
    return lower == suffix || (lower.size() > suffix.size() && lower.ends_with("." + suffix));
  };
  if (under("localhost")) {
    return "DNS name " + quoted(name) +
           " is under .localhost, which resolvers answer with the loopback address (RFC 6761): no other machine "
           "reaches the server by this name";
  }
  if (under("local")) {
    return "DNS name " + quoted(name) +
           " is under .local, which is reserved for multicast DNS (RFC 6762): macOS, iOS and Linux resolvers "
           "(Avahi, systemd-resolved) look it up by mDNS rather than asking your DNS server, so those clients may "
           "not reach the server; prefer a domain you own, or home.arpa (RFC 8375)";
  }
  if (lower.find('.') == std::string::npos) {
    return "DNS name " + quoted(name) +
           " is a single label: only clients whose DNS suffix search completes it reach the server by this name, "
           "and clients on another domain (or connecting by the full name) won't match it; list the fully "
           "qualified name as well";
  }
  return "";
}

std::optional<std::string> to_a_labels(const std::string& utf8_name) {
  std::string why;
  return a_labels_of(utf8_name, why);
}

}  // namespace pocketca
