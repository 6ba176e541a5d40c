#include "output.h"

#include <iostream>
#include <unistd.h>

#include "ca/bytes.h"
#include "ca/error.h"
#include "ca/files.h"

namespace pocketca::cli {

void emit_export(const GlobalOptions& global, const Exported& exported, const std::string& out, bool force, Json json) {
  json["format"] = exported.format;
  if (!out.empty() && out != "-") {
    write_file_atomically(out, exported.content, force, exported.format == "pfx" ? 0600 : 0644);
    json["files"] = {{exported.format, out}};
    if (global.json) {
      print_json(json);
    } else {
      print_text(global, "Wrote " + out + ": " + exported.summary + " (" + exported.format + ")\n");
    }
    return;
  }
  if (global.json) {
    const Bytes bytes(exported.content.begin(), exported.content.end());
    json["content"] = exported.binary ? base64_lines(bytes) : exported.content;
    print_json(json);
    return;
  }
  if (exported.binary && ::isatty(STDOUT_FILENO) == 1) {
    throw Error(ErrorKind::invalid_input, exported.format + " is binary and stdout is a terminal; give --out FILE" +
                                              (exported.format == "pfx" ? "" : " or use a Base64 format"));
  }
  std::cout << exported.content;
  std::cout.flush();
}

}  // namespace pocketca::cli
