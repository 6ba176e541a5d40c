# Generates builtin_templates.cpp: every templates/*.toml as a C++ raw string, so
# the binary carries its built-in templates and needs no install path.
# Usage: cmake -DDIR=<templates dir> -DOUT=<file.cpp> -P embed_templates.cmake
file(GLOB files "${DIR}/*.toml")
list(SORT files)
set(entries "")
foreach(file ${files})
  file(READ "${file}" text)
  get_filename_component(name "${file}" NAME)
  string(APPEND entries "      {\"${name}\", R\"pocketca_toml(${text})pocketca_toml\"},\n")
endforeach()
set(source "// Generated from templates/*.toml by ca/embed_templates.cmake; do not edit.
#include \"ca/certificate_template.h\"

namespace pocketca {

const std::map<std::string, std::string>& builtin_template_files() {
  static const std::map<std::string, std::string> files = {
${entries}  };
  return files;
}

}  // namespace pocketca
")
file(WRITE "${OUT}.new" "${source}")
file(COPY_FILE "${OUT}.new" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.new")
