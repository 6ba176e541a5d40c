#pragma once
// One setup_x per command: each adds its subcommand, options and callback.

#include <CLI/CLI.hpp>

#include "context.h"

namespace pocketca::cli {

void setup_init(CLI::App& app, GlobalOptions& global);
void setup_ca(CLI::App& app, GlobalOptions& global);
// `exit_code` receives 3 when the request is held as pending.
void setup_submit(CLI::App& app, GlobalOptions& global, int& exit_code);
void setup_list(CLI::App& app, GlobalOptions& global);
void setup_show(CLI::App& app, GlobalOptions& global);
void setup_template(CLI::App& app, GlobalOptions& global);
// approve, deny and retrieve; `exit_code` receives 3 when retrieve finds the request still pending.
void setup_pending(CLI::App& app, GlobalOptions& global, int& exit_code);
void setup_export(CLI::App& app, GlobalOptions& global);
void setup_request(CLI::App& app, GlobalOptions& global);
void setup_audit(CLI::App& app, GlobalOptions& global);
void setup_revoke(CLI::App& app, GlobalOptions& global);  // revoke and unrevoke
void setup_crl(CLI::App& app, GlobalOptions& global);

}  // namespace pocketca::cli
