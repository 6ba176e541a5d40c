#pragma once
// Issuance templates: named profiles loaded from TOML files. Built-ins ship in
// templates/ (compiled into the binary); a home may add its own in
// <home>/templates/, which win on a name clash. A template that does not load
// is an error naming its file and key, never a silently different profile.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "subject_alt_name.h"

namespace pocketca {

struct CertificateTemplate {
  std::string name;                 // "WebServer": what --template and the template-name extension use
  std::string display_name;         // "Web Server"
  std::string description;          // one or two sentences for `template show`
  std::string source;               // file it came from ("built-in webserver.toml" or a path)

  // Validity: exactly one of the two is set in the file ("validity = \"2y\"" or "\"90d\"").
  int validity_years = 0;
  int validity_days = 0;

  // Extensions, always from the template, never from the request.
  std::vector<std::string> key_usage;     // OpenSSL names: digitalSignature, keyEncipherment, keyCertSign, cRLSign …
  std::vector<std::string> key_usage_ec;  // for EC keys (RFC 5480: no keyEncipherment); empty = same as key_usage
                                          // (Ed25519 keys use key_usage, which then may not encipher or agree)
  std::vector<std::string> extended_key_usage;  // OpenSSL names: serverAuth, clientAuth, emailProtection, OCSPSigning …
  bool is_ca = false;                     // basicConstraints CA:TRUE (only CA templates, e.g. SubCA)
  std::optional<int> path_len;            // CA templates only
  bool basic_constraints = false;         // write basicConstraints at all (always true when is_ca; end-entity: CA:FALSE)
  bool template_name_extension = true;    // 1.3.6.1.4.1.311.20.2 BMPString <name>, as AD CS v1 templates
  bool ocsp_no_check = false;             // id-pkix-ocsp-nocheck (OCSPResponder)

  // Keys the template accepts.
  std::vector<std::string> key_types = {"rsa", "ec"};      // "rsa", "ec"; "ed25519" only if a template allows it
  int rsa_min_bits = 2048;
  std::vector<std::string> ec_curves = {"P-256", "P-384", "P-521"};

  // Names.
  std::vector<SubjectAltName::Type> allowed_san_types = {SubjectAltName::Type::dns, SubjectAltName::Type::ip};
  bool requires_approval = false;         // submissions go to pending

  [[nodiscard]] bool issues_end_entity() const { return !is_ca; }
};

class TemplateSet {
 public:
  // Loads every built-in, then every *.toml in `home_templates_dir` (if it exists),
  // validating each. Throws Error{template_invalid} naming the file and key.
  [[nodiscard]] static TemplateSet load(const std::filesystem::path& home_templates_dir);
  // Parses one TOML text; `source` names it in errors. Throws Error{template_invalid}.
  [[nodiscard]] static CertificateTemplate parse(const std::string& toml_text, const std::string& source);

  // By name or display name, case-insensitively; nullptr when none.
  [[nodiscard]] const CertificateTemplate* find(const std::string& name_or_display_name) const;
  [[nodiscard]] const std::vector<CertificateTemplate>& all() const { return templates_; }

 private:
  std::vector<CertificateTemplate> templates_;
};

// The built-in template files compiled into the binary: file name -> TOML text.
[[nodiscard]] const std::map<std::string, std::string>& builtin_template_files();

}  // namespace pocketca
