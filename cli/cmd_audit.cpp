// `audit`: who did what, when — every state change the CA recorded, oldest first.

#include "ca/time.h"
#include "commands.h"
#include "table.h"
#include "validators.h"

namespace pocketca::cli {
namespace {

Json audit_json(const store::AuditEntry& e) {
  Json j{{"at", to_iso8601(e.at)}, {"actor", e.actor}, {"action", e.action}};
  j["request_id"] = e.request_id ? Json(*e.request_id) : Json(nullptr);
  j["serial"] = e.serial.empty() ? Json(nullptr) : Json(e.serial);
  j["details"] = e.details;
  return j;
}

void run_audit(const GlobalOptions& global, const std::string& since) {
  Home home = Home::open(resolve_home(global));
  const auto entries = home.store().list_audit(since.empty() ? std::nullopt : std::optional<Time>(parse_iso8601(since)));
  if (global.json) {
    Json list = Json::array();
    for (const auto& e : entries) list.push_back(audit_json(e));
    print_json(list);
    return;
  }
  Table table({"AT", "ACTOR", "ACTION", "REQUEST", "SERIAL", "DETAILS"});
  for (const auto& e : entries) {
    table.add({to_iso8601(e.at), e.actor, e.action, e.request_id ? std::to_string(*e.request_id) : "", e.serial, e.details});
  }
  print_text(global, table.render());
}

}  // namespace

void setup_audit(CLI::App& app, GlobalOptions& global) {
  auto since = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("audit", "The audit log: who did what and when, oldest first");
  cmd->add_option("--since", *since, "Only entries at or after TIME (ISO 8601 UTC: 2026-11-23 or 2026-11-23T08:30:00Z)")
      ->check(iso8601_time())
      ->type_name("TIME");
  cmd->callback([&global, since] { run_audit(global, *since); });
}

}  // namespace pocketca::cli
