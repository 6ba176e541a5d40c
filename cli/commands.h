#pragma once
// One setup_x per command: each adds its subcommand, options and callback.

#include <CLI/CLI.hpp>

#include "context.h"

namespace pocketca::cli {

void setup_init(CLI::App& app, GlobalOptions& global);
void setup_ca(CLI::App& app, GlobalOptions& global);

}  // namespace pocketca::cli
