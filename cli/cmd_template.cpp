#include <algorithm>

#include "ca/certificate_template.h"
#include "ca/error.h"
#include "ca/text.h"
#include "commands.h"
#include "table.h"

namespace pocketca::cli {
namespace {

std::string joined(const std::vector<std::string>& items, const std::string& none = "none") {
  return items.empty() ? none : join(items);
}

std::string validity_of(const CertificateTemplate& t) {
  if (t.validity_years > 0) return std::to_string(t.validity_years) + (t.validity_years == 1 ? " year" : " years");
  return std::to_string(t.validity_days) + (t.validity_days == 1 ? " day" : " days");
}

std::vector<std::string> san_types(const CertificateTemplate& t) {
  std::vector<std::string> names;
  for (auto type : t.allowed_san_types) names.emplace_back(type_name(type));
  return names;
}

std::string key_rules(const CertificateTemplate& t) {
  std::string out;
  for (const auto& type : t.key_types) {
    std::string rule = type == "rsa" ? "RSA " + std::to_string(t.rsa_min_bits) + "–8192 bits"
                       : type == "ec" ? "EC " + joined(t.ec_curves)
                                      : type;
    out += (out.empty() ? "" : "; ") + rule;
  }
  return out;
}

Json template_json(const CertificateTemplate& t) {
  Json j;
  j["name"] = t.name;
  j["display_name"] = t.display_name;
  j["description"] = t.description;
  j["validity"] = validity_of(t);
  j["key_usage"] = t.key_usage;
  j["key_usage_ec"] = t.key_usage_ec.empty() ? t.key_usage : t.key_usage_ec;
  j["extended_key_usage"] = t.extended_key_usage;
  j["ca"] = t.is_ca;
  j["path_len"] = t.path_len ? Json(*t.path_len) : Json(nullptr);
  j["key_types"] = t.key_types;
  j["rsa_min_bits"] = t.rsa_min_bits;
  j["ec_curves"] = t.ec_curves;
  j["san_types"] = san_types(t);
  j["requires_approval"] = t.requires_approval;
  j["template_name_extension"] = t.template_name_extension;
  j["source"] = t.source;
  return j;
}

std::string template_words(const CertificateTemplate& t) {
  Table table({"  purpose", joined(t.extended_key_usage, t.is_ca ? "any (CA certificate)" : "none")});
  table.add({"  validity", validity_of(t)});
  table.add({"  key usage", joined(t.key_usage) + " (critical)" +
                                (t.key_usage_ec.empty() ? "" : "; EC keys: " + joined(t.key_usage_ec))});
  table.add({"  basic constraints", t.is_ca ? "CA:TRUE" + (t.path_len ? ", pathLen " + std::to_string(*t.path_len) : "") +
                                                  " (critical)"
                                    : t.basic_constraints ? "CA:FALSE" : "none (end entity)"});
  table.add({"  keys", key_rules(t)});
  const auto& allowed = t.allowed_san_types;
  const bool names_hosts = std::find(allowed.begin(), allowed.end(), SubjectAltName::Type::dns) != allowed.end() ||
                           std::find(allowed.begin(), allowed.end(), SubjectAltName::Type::ip) != allowed.end();
  table.add({"  names", "subject from the request; SANs: " + joined(san_types(t)) +
                            (!t.is_ca && names_hosts ? "; a host-name CN is added to the SAN, first" : "")});
  table.add({"  approval", t.requires_approval ? "required (requests wait as pending)" : "not needed"});
  table.add({"  template name ext.", t.template_name_extension ? "1.3.6.1.4.1.311.20.2 = " + t.name : "none"});
  table.add({"  from", t.source});
  return t.name + " (" + t.display_name + ")\n  " + t.description + "\n" + table.render();
}

void run_list(const GlobalOptions& global) {
  const TemplateSet templates = TemplateSet::load(Home::open(resolve_home(global)).templates_dir());
  if (global.json) {
    Json list = Json::array();
    for (const auto& t : templates.all()) list.push_back(template_json(t));
    print_json(list);
    return;
  }
  Table table({"NAME", "DISPLAY NAME", "PURPOSE", "VALIDITY", "APPROVAL"});
  for (const auto& t : templates.all()) {
    table.add({t.name, t.display_name, joined(t.extended_key_usage, t.is_ca ? "CA" : "none"), validity_of(t),
               t.requires_approval ? "required" : "-"});
  }
  print_text(global, table.render());
}

void run_show(const GlobalOptions& global, const std::string& name) {
  const TemplateSet templates = TemplateSet::load(Home::open(resolve_home(global)).templates_dir());
  const CertificateTemplate* t = templates.find(name);
  if (t == nullptr) {
    std::string names;
    for (const auto& each : templates.all()) names += (names.empty() ? "" : ", ") + each.name;
    throw pocketca::Error(ErrorKind::not_found, "there is no template \"" + name + "\"; templates: " + names);
  }
  if (global.json) {
    print_json(template_json(*t));
    return;
  }
  print_text(global, template_words(*t));
}

}  // namespace

void setup_template(CLI::App& app, GlobalOptions& global) {
  CLI::App* cmd = app.add_subcommand("template", "What the issuance templates do");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "List the templates (built-in and this home's)");
  list->callback([&global] { run_list(global); });
  auto name = std::make_shared<std::string>();
  CLI::App* show = cmd->add_subcommand("show", "Explain one template in words and values");
  show->add_option("NAME", *name, "Template name or display name")->required();
  show->callback([&global, name] { run_show(global, *name); });
}

}  // namespace pocketca::cli
