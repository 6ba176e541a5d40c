#pragma once
// What every command shares: the global options and how output is written.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ca/hierarchy.h"

namespace pocketca::cli {

using Json = nlohmann::ordered_json;

struct GlobalOptions {
  std::string home;             // --home; empty: $POCKETCA_HOME, else ./pki
  bool json = false;            // --json
  bool quiet = false;           // -q
  std::string passphrase_file;  // --passphrase-file
};

// --home, else $POCKETCA_HOME, else ./pki
[[nodiscard]] std::filesystem::path resolve_home(const GlobalOptions& global);

// `text` for a POSIX shell: as it is when nothing in it is special, else in single quotes.
[[nodiscard]] std::string shell_quoted(const std::string& text);

// How a command printed for the user to run next calls pocketca: with the --home this one was
// given, so that it acts on the same CA home.
[[nodiscard]] std::string pocketca_invocation(const GlobalOptions& global);

// Reads the CA-key passphrase once, from --passphrase-file, $POCKETCA_PASSPHRASE
// or a no-echo prompt (twice, to confirm, when `confirm` is set), then reuses it.
[[nodiscard]] PassphraseSource passphrase_source(const GlobalOptions& global, bool confirm);

// Another secret (a PFX password, a key passphrase): the first line of `file`,
// else a no-echo prompt (twice when `confirm`). `what` names it ("PFX password"),
// `option` is the flag that gives the file ("--password-file").
[[nodiscard]] std::string read_secret(const std::string& file, const std::string& what, const std::string& option,
                                      bool confirm);

// Who acts, for the database and the audit log: `named` (--requester, --actor), else the OS user.
[[nodiscard]] std::string actor_or_os_user(const std::string& named);

// Asks a yes/no question on the terminal; false without a terminal or unless "y"/"yes".
[[nodiscard]] bool confirm(const std::string& question);

// Human output goes to stdout unless -q or --json; JSON goes to stdout as one document.
void print_text(const GlobalOptions& global, const std::string& text);
void print_json(const Json& document);
// Warnings always go to stderr ("warning: …"), -q or not: they say something is wrong.
void print_warnings(const std::vector<std::string>& warnings);

}  // namespace pocketca::cli
