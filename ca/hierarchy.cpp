#include "hierarchy.h"

#include <algorithm>
#include <cctype>
#include <pwd.h>
#include <unistd.h>

#include "error.h"
#include "files.h"

namespace pocketca {
namespace {

bool equals_ignoring_case(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

bool is_number(const std::string& s) {
  return !s.empty() && s.size() <= 9 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string known_cas(const std::vector<store::CaRecord>& cas) {
  std::string out;
  for (const auto& ca : cas) out += (out.empty() ? "" : ", ") + ("\"" + ca.name + "\"");
  return out.empty() ? "none" : out;
}

}  // namespace

store::CaRecord find_ca(Home& home, const std::string& selector) {
  const std::vector<store::CaRecord> cas = home.store().list_cas();
  for (const auto& ca : cas) {
    const bool match = selector.empty() ? ca.is_default
                       : is_number(selector)
                           ? ca.index == std::stoll(selector)
                           : equals_ignoring_case(ca.name, selector) || equals_ignoring_case(ca.slug, selector);
    if (match) return ca;
  }
  if (selector.empty()) {
    throw Error(ErrorKind::not_found, "this home has no default CA; name one with --ca (CAs here: " + known_cas(cas) + ")");
  }
  throw Error(ErrorKind::not_found, "no CA \"" + selector + "\" in " + home.dir().string() +
                                        " (CAs here: " + known_cas(cas) + "; see `pocketca ca list`)");
}

std::string ca_validity_warning(const store::CaRecord& ca, Time now) {
  const std::string replace = ca.parent_index ? "add another with `pocketca ca new`" : "make a new home with `pocketca init`";
  if (ca.not_after < now) {
    return "CA \"" + ca.name + "\" expired on " + to_iso8601(ca.not_after) +
           ": clients reject what it signed, and pocketca signs no certificate with it; " + replace;
  }
  const auto left = std::chrono::duration_cast<std::chrono::days>(ca.not_after - now).count();
  if (left > 30) return "";
  return "CA \"" + ca.name + "\" expires on " + to_iso8601(ca.not_after) + " (in " + std::to_string(left) +
         " days): what it signs ends then too; " + replace;
}

std::vector<store::CaRecord> chain_records(Home& home, const store::CaRecord& ca) {
  std::vector<store::CaRecord> chain{ca};
  std::optional<int64_t> parent = ca.parent_index;
  // A home's hierarchy is a tree by construction; the bound only guards a damaged database.
  for (int depth = 0; parent && depth < 16; ++depth) {
    auto record = home.store().find_ca(*parent);
    if (!record) throw Error(ErrorKind::storage, "the database lists a parent CA that does not exist");
    parent = record->parent_index;
    chain.push_back(std::move(*record));
  }
  return chain;
}

std::vector<Certificate> chain_of(Home& home, const store::CaRecord& ca) {
  std::vector<Certificate> chain;
  for (const store::CaRecord& link : chain_records(home, ca)) chain.push_back(Certificate::from_der(link.certificate_der));
  return chain;
}

std::vector<Certificate> chain_of(Home& home, const store::CertificateRecord& cert) {
  const auto issuer = home.store().find_ca(cert.ca_index);
  if (!issuer) throw Error(ErrorKind::storage, "the database lists a certificate of a CA that does not exist");
  std::vector<Certificate> chain = chain_of(home, *issuer);
  chain.insert(chain.begin(), Certificate::from_der(cert.der));
  return chain;
}

PrivateKey load_ca_key(Home& home, const store::CaRecord& ca, const Certificate& ca_certificate,
                       const PassphraseSource& passphrase) {
  const std::string pem = read_secret_file(home.dir() / ca.key_file);
  const EVP_PKEY* public_key = ca_certificate.public_key();
  std::optional<PrivateKey> key;
  try {
    key.emplace(PrivateKey::from_pem(pem, PrivateKey::is_encrypted_pem(pem) ? std::optional(passphrase()) : std::nullopt,
                                     EVP_PKEY_get0_type_name(public_key)));
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::wrong_passphrase) throw;
    throw Error(ErrorKind::wrong_passphrase, "wrong passphrase for the key of CA \"" + ca.name + "\"");
  }
  if (!key->matches(public_key)) {
    throw Error(ErrorKind::insecure, "the key in " + (home.dir() / ca.key_file).string() +
                                         " is not the key of CA \"" + ca.name + "\"; restore the right key file");
  }
  return std::move(*key);
}

PrivateKey load_ca_key(Home& home, const store::CaRecord& ca, const PassphraseSource& passphrase) {
  return load_ca_key(home, ca, Certificate::from_der(ca.certificate_der), passphrase);
}

std::vector<ossl::Ptr<X509_EXTENSION>> issuer_pointers(const store::CaRecord& issuer) {
  std::vector<ossl::Ptr<X509_EXTENSION>> pointers;
  if (issuer.base_url.empty()) return pointers;
  std::string base = issuer.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  pointers.push_back(extensions::crl_distribution_point(base + "/pki/" + issuer.slug + ".crl"));
  if (auto aia = extensions::authority_info_access(base + "/pki/" + issuer.slug + ".crt",
                                                   issuer.ocsp_enabled ? base + "/ocsp" : "")) {
    pointers.push_back(std::move(aia));
  }
  return pointers;
}

std::string os_user_name() {
  if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_name != nullptr) return pw->pw_name;
  return "uid " + std::to_string(::geteuid());
}

}  // namespace pocketca
