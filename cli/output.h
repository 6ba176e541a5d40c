#pragma once
// Writing an exported object (a bundle, a certificate, a PFX) where the user asked:
// a file (never overwritten without --force) or stdout.

#include <string>

#include "context.h"

namespace pocketca::cli {

struct Exported {
  std::string content;  // the bytes to write
  std::string format;   // as the user named it: "cer", "p7b-b64", "pfx" …
  bool binary = false;  // refused on a terminal; Base64 inside JSON
  std::string summary;  // what it is, for "Wrote FILE: <summary>"
};

// `out` empty: stdout (binary refused on a terminal), or with --json a
// `content` member. Otherwise the file, written atomically; `json` gains
// `format` and `files`. `json` holds what describes the object (ca, serial …).
void emit_export(const GlobalOptions& global, const Exported& exported, const std::string& out, bool force, Json json);

}  // namespace pocketca::cli
