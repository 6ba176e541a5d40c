#include "exchange_request.h"

#include <algorithm>

#include "distinguished_name.h"
#include "error.h"
#include "name_rules.h"
#include "request_builder.h"

namespace pocketca {
namespace {

[[noreturn]] void refuse(const std::string& message) { throw Error(ErrorKind::invalid_input, message); }

SubjectAltName checked_dns(const std::string& name) {
  if (const std::string problem = check_dns_name(name); !problem.empty()) refuse(problem);
  return {SubjectAltName::Type::dns, name};
}

SubjectAltName checked_ip(const std::string& text) {
  const auto ip = parse_ip_address(text);
  if (!ip) refuse("\"" + text + "\" is not an IP address (give IPv4 like 192.0.2.10 or IPv6 like 2001:db8::10)");
  return {SubjectAltName::Type::ip, *ip};
}

}  // namespace

ExchangeRequest make_exchange_request(const ExchangeRequestSpec& spec) {
  const auto subject = parse_distinguished_name(spec.subject);
  const std::string cn = common_name_of(subject.get());
  if (const std::string problem = check_common_name(cn); !cn.empty() && !problem.empty()) refuse(problem);

  std::vector<SubjectAltName> sans;
  if (!cn.empty() && looks_like_host_name(cn)) {
    add_unique(sans, parse_ip_address(cn) ? checked_ip(cn) : checked_dns(cn));
  }
  for (const auto& name : spec.dns_names) add_unique(sans, checked_dns(name));
  for (const auto& ip : spec.ip_addresses) add_unique(sans, checked_ip(ip));
  if (sans.empty()) {
    refuse(cn.empty() ? "the request would name nothing: give --subject \"CN=host.example\" or --dns NAME"
                      : "the CN \"" + cn + "\" is not a host name and no --dns/--ip was given: the certificate "
                        "would match no server name");
  }

  PrivateKey key = PrivateKey::generate(spec.key);
  Bytes der = make_request_der(key, subject.get(), sans);
  return ExchangeRequest{std::move(key), std::move(der), to_rfc4514(subject.get()), std::move(sans)};
}

}  // namespace pocketca
