// The naming rules of the policy (design.md, "Policy"). Every message quotes the
// name with control bytes escaped, so a NUL smuggled into a request shows as \x00.

#include "ca/name_rules.h"

#include <arpa/inet.h>

#include <algorithm>
#include <vector>

#include "ca/idna.h"
#include "ca/lookalikes.h"
#include "ca/name_text.h"

namespace pocketca {
namespace {

using namespace name_text;
using idna::a_label_problem;
using idna::a_labels_of;

bool is_ldh(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'; }
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

// ---- DNS name rules, in the order they are checked ----

std::string check_characters(const std::string& name, const char* what) {
  const auto control = find_control(name);
  if (!control) return "";
  return std::string(what) + " " + quoted(name) + " holds a control character: its " + ordinal(control->position) +
         " character is " + control->escaped +
         ". NUL and control characters are never allowed in a name (a request carrying one is malformed, or "
         "hides a second name behind it): re-create the request";
}

// The A-label form of `text` when it is a valid DNS name.
std::optional<std::string> valid_a_labels(const std::string& text) {
  std::string why;
  auto a_labels = a_labels_of(text, why);
  if (a_labels && !check_dns_name(*a_labels).empty()) return std::nullopt;
  return a_labels;
}

std::string check_non_ascii(const std::string& name) {
  if (is_ascii(name)) return "";
  const auto code_points = decode_utf8(name);
  if (!code_points) return dns_error(name, " is not valid UTF-8: type it in plain ASCII letters, digits and hyphens");
  if (lookalikes::imitation_of(*code_points)) {
    return dns_error(name,
                     " holds non-ASCII look-alikes: " + lookalikes::explain(name, *code_points, valid_a_labels(name)));
  }
  std::string why;
  const auto a_labels = a_labels_of(name, why);
  if (!a_labels) {
    return dns_error(name, " holds non-ASCII characters that have no valid A-label (IDNA 2008) form (" + why +
                               "): use plain ASCII letters, digits and hyphens");
  }
  const std::string said =
      " holds non-ASCII characters (a U-label); certificates carry internationalised names as A-labels";
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
    return dns_error(name,
                     " is a bare wildcard that would match any name: put the domain after it, e.g. \"*.contoso.lab\"");
  }
  if (labels.size() == 2 && !labels[1].empty()) {
    return dns_error(name, " puts the wildcard directly over the single label " + quoted(labels[1]) +
                               ", matching every name in a whole top-level domain, which clients refuse: "
                               "put it over your domain, e.g. \"*.contoso." +
                               labels[1] + "\"");
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
                               "hyphens only): use a hyphen instead, e.g. \"" +
                               fixed + "\"");
  }
  const auto bad = std::find_if(label.begin(), label.end(), [](char c) { return !is_ldh(c); });
  if (bad != label.end()) {
    const std::string shown = *bad == ' ' ? "a space" : "'" + std::string(1, *bad) + "'";
    return dns_error(name,
                     ": label " + quoted(label) + " contains " + shown +
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
    const bool domain_follows = name.size() > 1 && name[1] != '.';
    return dns_error(name, " starts with a dot: remove it" +
                               (domain_follows ? " (for every host under a domain, use a wildcard: \"*" + name + "\")"
                                               : std::string()));
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

// ---- warnings ----

// A valid A-label whose letters all pass for Latin ones ("xn--80ak6aa92e" is Cyrillic "аррӏе").
std::string homograph_warning(const std::string& name) {
  for (const std::string& label : split_labels(name)) {
    if (!equals_ignoring_case(label.substr(0, 4), "xn--")) continue;
    const auto u_label = idna::u_label_of(label);
    const auto code_points = u_label ? decode_utf8(*u_label) : std::nullopt;
    const auto imitated = code_points ? lookalikes::imitation_of(*code_points) : std::nullopt;
    if (!imitated) continue;
    return "DNS name " + quoted(name) + ": label \"" + label + "\" is the internationalised label " + quoted(*u_label) +
           ", which passes for \"" + *imitated +
           "\" (its non-ASCII letters are look-alikes of Latin ones); make sure this is the name you mean";
  }
  return "";
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
  if (!is_ascii(cn) && looks_like_host_name(cn)) {
    return "CN " + quoted(cn) + " looks like a host name but " +
           lookalikes::explain(cn, *code_points, valid_a_labels(cn));
  }
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
  return homograph_warning(name);
}

std::optional<std::string> to_a_labels(const std::string& utf8_name) {
  std::string why;
  return a_labels_of(utf8_name, why);
}

}  // namespace pocketca
