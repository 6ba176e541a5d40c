#include "policy.h"

#include <algorithm>
#include <cctype>

#include "error.h"
#include "name_rules.h"

namespace pocketca {
namespace {

[[noreturn]] void deny(const std::string& message) { throw Error(ErrorKind::policy_denied, message); }

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void check_proof_of_possession(const Csr& csr) {
  if (!csr.signature_verifies()) {
    deny("the request's signature does not verify (proof of possession failed): the file was altered or damaged; "
         "make a new request");
  }
}

void check_rsa_key(const RequestKey& key, const CertificateTemplate& tmpl) {
  if (key.bits < tmpl.rsa_min_bits) {
    deny("the request has an RSA " + std::to_string(key.bits) + "-bit key; template " + tmpl.name + " requires at least " +
         std::to_string(tmpl.rsa_min_bits) + " bits — make a new request with -KeySize " + std::to_string(tmpl.rsa_min_bits) + " or larger");
  }
  if (key.bits > max_rsa_bits) {
    deny("the request has an RSA " + std::to_string(key.bits) + "-bit key; at most " + std::to_string(max_rsa_bits) +
         " bits are accepted — make a new request with -KeySize " + std::to_string(std::max(tmpl.rsa_min_bits, 2048)) + " to 4096");
  }
  const std::string& e = key.rsa_exponent;
  const bool small = e.size() < 5 || (e.size() == 5 && e < "65537");
  const bool even = e.empty() || (e.back() - '0') % 2 == 0;
  if (small || even) {
    deny("the request's RSA public exponent is " + (e.empty() ? std::string("missing") : e) +
         "; it must be odd and at least 65537 — make a new key with the standard exponent 65537");
  }
}

// "RSA", "EC", "DSA", "Ed25519": how admins write them.
std::string key_type_name(const std::string& lower_type) {
  if (lower_type == "ed25519") return "Ed25519";
  if (lower_type == "ed448") return "Ed448";
  std::string upper = lower_type;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper;
}

// "an RSA", "an Ed25519", "a DSA": letters whose names start with a vowel sound.
bool starts_with_vowel_sound(const std::string& name) {
  return !name.empty() && std::string("AEFHILMNORSXaeio").find(name[0]) != std::string::npos;
}

void check_key(const Csr& csr, const CertificateTemplate& tmpl) {
  const RequestKey key = csr.key();
  const std::string type = lower(key.algorithm);
  if (type == "ec" && key.explicit_curve) {
    deny("the request's EC key spells out its curve parameters instead of naming a curve; only the named curves "
         "P-256, P-384 and P-521 are accepted — make the key with a named curve");
  }
  if (!contains(tmpl.key_types, type)) {
    std::string allowed;
    for (const auto& t : tmpl.key_types) allowed += (allowed.empty() ? "" : " or ") + key_type_name(t);
    const std::string name = key_type_name(type);
    deny("the request has " + std::string(starts_with_vowel_sound(name) ? "an " : "a ") + name + " key; template " +
         tmpl.name + " accepts only " + allowed + " keys — make a new request with an RSA key of 2048 bits or more" +
         (contains(tmpl.key_types, "ec") ? " or an EC P-256/P-384 key" : ""));
  }
  if (type == "rsa") check_rsa_key(key, tmpl);
  if (type == "ec" && !contains(tmpl.ec_curves, key.curve)) {
    deny("the request's EC key is on curve " + key.curve + "; template " + tmpl.name +
         " accepts only the named curves P-256, P-384 and P-521");
  }
}

void check_subject(const Csr& csr, const CertificateTemplate& tmpl) {
  for (const std::string& cn : csr.common_names()) {
    if (const std::string problem = check_common_name(cn); !problem.empty()) deny(problem);
  }
  // The raw values, not the RFC 4514 text: that escapes control bytes as "\01".
  for (const std::string& value : csr.subject_values()) {
    if (std::any_of(value.begin(), value.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      deny("the request's subject holds a control character or NUL; make a new request with a plain subject");
    }
  }
  if (csr.subject_values().empty() && tmpl.is_ca) deny("a CA request needs a subject");
}

// Checks one SAN against the template and the naming rules; returns it in canonical form.
SubjectAltName checked_san(const SubjectAltName& san, const CertificateTemplate& tmpl) {
  const auto& allowed = tmpl.allowed_san_types;
  if (allowed.empty()) {
    deny("template " + tmpl.name + " makes " + (tmpl.is_ca ? "CA certificates" : "certificates") +
         " without SANs, but the request asks for SAN " + san.to_string() +
         (tmpl.is_ca ? " like a server request — for a server certificate use --template WebServer" : ""));
  }
  if (std::find(allowed.begin(), allowed.end(), san.type) == allowed.end()) {
    std::string names;
    for (auto t : allowed) names += (names.empty() ? "" : ", ") + std::string(type_name(t));
    const std::string why = san.type == SubjectAltName::Type::upn
                                ? " (a UPN in a server certificate lets it log on as that user: the AD CS ESC abuse "
                                  "pattern)"
                                : "";
    deny("the request asks for SAN " + san.to_string() + ", but template " + tmpl.name + " issues only " +
         (names.empty() ? std::string("no SANs") : names + " names") + why);
  }
  if (san.type == SubjectAltName::Type::dns) {
    if (const std::string problem = check_dns_name(san.value); !problem.empty()) deny(problem);
    return {san.type, lower(san.value)};
  }
  if (san.type == SubjectAltName::Type::ip) {
    const auto ip = parse_ip_address(san.value);
    if (!ip) {
      deny("the SAN IP address \"" + san.value + "\" is not an IP address; give IPv4 like 192.0.2.10 or IPv6 like "
           "2001:db8::10 (in --attrib: \"SAN:ipaddress=192.0.2.10\")");
    }
    return {san.type, *ip};
  }
  if (std::any_of(san.value.begin(), san.value.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    deny("SAN " + std::string(type_name(san.type)) + " holds a control character");
  }
  return san;
}

// CN handling as AD CS and Exchange expect: a host-name CN goes first in the SAN.
void place_common_name(const Csr& csr, const CertificateTemplate& tmpl, PolicyDecision& decision) {
  const std::string cn = csr.common_name();
  if (tmpl.is_ca || tmpl.allowed_san_types.empty()) return;
  const auto ip = parse_ip_address(cn);
  const SubjectAltName cn_san =
      ip ? SubjectAltName{SubjectAltName::Type::ip, *ip} : SubjectAltName{SubjectAltName::Type::dns, cn};
  const auto& allowed = tmpl.allowed_san_types;
  const bool template_names_hosts = std::find(allowed.begin(), allowed.end(), cn_san.type) != allowed.end();
  if (!cn.empty() && template_names_hosts && looks_like_host_name(cn)) {
    const SubjectAltName first = checked_san(cn_san, tmpl);
    std::erase_if(decision.sans, [&](const auto& x) { return same_name(x, first); });
    decision.sans.insert(decision.sans.begin(), first);
    return;
  }
  if (decision.sans.empty()) {
    deny(cn.empty() ? "the request has neither a CN nor a SAN, so the certificate would match no name; add "
                      "-DomainName names (or --dns) to the request"
                    : "the CN \"" + cn + "\" is not a host name and the request has no SAN, so the certificate "
                      "would match no name; add the host names as SANs (New-ExchangeCertificate -DomainName)");
  }
  if (!cn.empty()) {
    decision.warnings.push_back(
        looks_like_host_name(cn)
            ? "the CN \"" + cn + "\" is kept, but template " + tmpl.name +
                  " puts no host names in the SAN, and clients match only the SANs"
            : "the CN \"" + cn + "\" is not a host name; it is kept, but clients match only the SANs");
  }
}

}  // namespace

PolicyDecision apply_policy(const Csr& csr, const CertificateTemplate& tmpl,
                            const std::vector<SubjectAltName>& extra_sans) {
  // The key's shape first: an explicit curve or a DSA key gets its own message
  // rather than a failed signature check.
  check_key(csr, tmpl);
  check_proof_of_possession(csr);
  check_subject(csr, tmpl);

  PolicyDecision decision;
  if (csr.requested_sans().size() + extra_sans.size() > max_requested_sans) {
    deny("the request and --attrib ask for " + std::to_string(csr.requested_sans().size() + extra_sans.size()) +
         " SANs; at most " + std::to_string(max_requested_sans) + " are accepted");
  }
  for (const auto* list : {&csr.requested_sans(), &extra_sans}) {
    for (const SubjectAltName& san : *list) add_unique(decision.sans, checked_san(san, tmpl));
  }
  place_common_name(csr, tmpl, decision);
  for (const auto& san : decision.sans) {
    if (san.type != SubjectAltName::Type::dns) continue;
    if (const std::string warning = dns_name_warning(san.value); !warning.empty()) decision.warnings.push_back(warning);
  }
  if (csr.signature_digest() == "sha1") {
    decision.warnings.push_back("the request is signed with SHA-1 (as Exchange still does); that only proves key "
                                "possession, and the certificate is signed with SHA-2");
  }
  return decision;
}

std::vector<SubjectAltName> parse_san_attribute(const std::string& value) {
  std::vector<SubjectAltName> sans;
  size_t start = 0;
  while (start <= value.size()) {
    const size_t end = std::min(value.find('&', start), value.size());
    const std::string item = value.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const std::string kind = lower(item.substr(0, eq));
    const std::string name = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (name.empty()) throw Error(ErrorKind::invalid_input, "--attrib SAN entry \"" + item + "\" has no value");
    using T = SubjectAltName::Type;
    if (kind == "dns") {
      sans.push_back({T::dns, name});
    } else if (kind == "ipaddress" || kind == "ip") {
      sans.push_back({T::ip, name});
    } else if (kind == "email") {
      sans.push_back({T::email, name});
    } else if (kind == "upn") {
      sans.push_back({T::upn, name});
    } else if (kind == "url" || kind == "uri") {
      sans.push_back({T::uri, name});
    } else {
      throw Error(ErrorKind::invalid_input, "--attrib SAN entry \"" + item +
                                                "\": use dns=, ipaddress=, email=, upn= or url= (as certreq -attrib)");
    }
  }
  if (sans.empty()) throw Error(ErrorKind::invalid_input, "--attrib \"SAN:\" names no SAN");
  return sans;
}

}  // namespace pocketca
