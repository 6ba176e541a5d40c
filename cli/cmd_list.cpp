#include "ca/error.h"
#include "certificate_views.h"
#include "certutil_csv.h"
#include "commands.h"
#include "validators.h"

namespace pocketca::cli {
namespace {

struct ListArgs {
  std::string status;
  std::string template_name;
  std::string name;
  std::optional<int> expiring_within;
  size_t limit = 0;  // 0: all
  bool requests = false;
  bool csv = false;
};

std::map<int64_t, std::string> ca_names(Home& home) {
  std::map<int64_t, std::string> names;
  for (const auto& ca : home.store().list_cas()) names[ca.index] = ca.name;
  return names;
}

void list_requests(const GlobalOptions& global, Home& home, const ListArgs& args) {
  store::RequestFilter filter;
  if (!args.status.empty()) filter.disposition = store::disposition_from_string(args.status);
  filter.template_name = canonical_template_name(home, args.template_name);
  filter.name_contains = args.name;
  filter.limit = args.limit;
  const auto requests = home.store().list_requests(filter);
  if (args.csv) {
    print_text(global, requests_csv(home, requests));
    return;
  }
  if (global.json) {
    const auto names = ca_names(home);
    Json list = Json::array();
    for (const auto& r : requests) {
      Json j = request_json(r, r.ca_index ? names.at(*r.ca_index) : "");
      // An issued request names its certificate, as the CSV's SerialNumber column does.
      const auto cert = r.disposition == store::Disposition::issued ? home.store().find_certificate_by_request(r.id)
                                                                    : std::nullopt;
      j["serial"] = cert ? Json(cert->serial) : Json(nullptr);
      list.push_back(std::move(j));
    }
    print_json(list);
    return;
  }
  print_text(global, request_table(requests));
}

void run_list(const GlobalOptions& global, const ListArgs& args) {
  Home home = Home::open(resolve_home(global));
  if (args.requests) return list_requests(global, home, args);
  store::CertificateFilter filter;
  filter.now = now();
  if (!args.status.empty()) filter.status = args.status;
  filter.template_name = canonical_template_name(home, args.template_name);
  filter.name_contains = args.name;
  if (args.expiring_within) filter.expiring_before = filter.now + days(*args.expiring_within);
  filter.limit = args.limit;
  const auto certs = home.store().list_certificates(filter);
  if (args.csv) {
    print_text(global, certificates_csv(home, certs));
    return;
  }
  if (global.json) {
    const auto names = ca_names(home);
    Json list = Json::array();
    for (const auto& c : certs) list.push_back(certificate_json(c, names.at(c.ca_index), filter.now));
    print_json(list);
    return;
  }
  print_text(global, certificate_table(certs, filter.now));
}

}  // namespace

void setup_list(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<ListArgs>();
  CLI::App* cmd = app.add_subcommand("list", "List issued certificates (or requests), newest first");
  cmd->add_option("--status", args->status,
                  "Certificates: valid, revoked, expired; with --requests: pending, issued, denied, failed")
      ->check(CLI::IsMember({"valid", "revoked", "expired", "pending", "issued", "denied", "failed"}))
      ->type_name("S");
  cmd->add_option("--template", args->template_name, "Only this template")->type_name("T");
  cmd->add_option("--name", args->name, "CN or SAN contains this (case-insensitive)")->type_name("SUBSTRING");
  auto* expiring = cmd->add_option("--expiring-within", args->expiring_within, "Valid certificates ending within DAYS")
                       ->check(whole_number(0, 36525))
                       ->type_name("DAYS");
  cmd->add_option("--limit", args->limit, "Only the newest N (default: all)")->check(whole_number(1))->type_name("N");
  cmd->add_flag("--requests", args->requests, "List requests, with denied and failed ones and their reasons")
      ->excludes(expiring);
  cmd->add_flag("--csv", args->csv, "CSV with certutil -view column names (RequestID, Request.Disposition, …)");
  cmd->callback([&global, args] {
    const bool request_status = args->status == "pending" || args->status == "issued" || args->status == "denied" ||
                                args->status == "failed";
    if (!args->status.empty() && request_status != args->requests) {
      throw CLI::ValidationError("--status", args->requests ? "requests are pending, issued, denied or failed"
                                                            : "certificates are valid, revoked or expired");
    }
    if (args->csv && global.json) throw CLI::ValidationError("--csv and --json exclude each other");
    run_list(global, *args);
  });
}

}  // namespace pocketca::cli
