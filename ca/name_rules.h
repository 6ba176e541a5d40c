#pragma once
// The naming rules of the policy, as pure functions over text. Each returns an
// empty string when the name is fine, or the complete error message a user sees
// ("DNS name \"…\" …: what to do"). No OpenSSL.

#include <optional>
#include <string>

namespace pocketca {

inline constexpr size_t max_dns_name_length = 253;
inline constexpr size_t max_common_name_length = 64;

// LDH labels of 1–63 characters, no leading/trailing hyphen, A-labels (xn--) for
// IDNs; a U-label is refused with its A-label suggested; '*' only as the whole
// left-most label (and not directly on a public suffix-like single label: "*.com"
// is refused); ≤ 253 characters; no NUL or control bytes; a trailing dot is refused.
[[nodiscard]] std::string check_dns_name(const std::string& name);

// The IP address in canonical text (RFC 5952 for IPv6), or nullopt when `text` is no IP literal.
[[nodiscard]] std::optional<std::string> parse_ip_address(const std::string& text);

// True when `cn` reads as a host name (has a dot or is a single LDH label, or is an IP
// address) rather than a display name like "Contoso Mail".
[[nodiscard]] bool looks_like_host_name(const std::string& cn);

// CN rules: ≤ 64 characters (say to put a longer name in the SAN), no control bytes,
// and a CN that looks like a host name but holds non-ASCII is refused with the
// look-alike explained (e.g. Cyrillic 'а' in "mаil.contoso.com").
[[nodiscard]] std::string check_common_name(const std::string& cn);

// Warnings for names that are legal but a lab admin should hear about: single-label
// names, ".local" and other non-public suffixes used by mDNS. Empty when none.
[[nodiscard]] std::string dns_name_warning(const std::string& name);

// The A-label form of a name holding U-labels ("bücher.example" -> "xn--bcher-kva.example"),
// by RFC 3492 Punycode; nullopt when it cannot be converted.
[[nodiscard]] std::optional<std::string> to_a_labels(const std::string& utf8_name);

}  // namespace pocketca
