#pragma once
// libidn2 for the naming rules: U-labels to A-labels and back, with libidn2's
// reasons. Internal to name_rules.cpp; the public entry point is to_a_labels().

#include <idn2.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ca/name_text.h"

namespace pocketca::idna {

using namespace name_text;

struct Idn2Free {
  void operator()(char* p) const { idn2_free(p); }
};
using Idn2String = std::unique_ptr<char, Idn2Free>;

// One label to its A-label (UTS #46 non-transitional mapping, then IDNA 2008); a libidn2 code.
inline int lookup_label(const std::string& label, std::string& a_label) {
  char* raw = nullptr;
  const int rc = idn2_lookup_u8(reinterpret_cast<const uint8_t*>(label.c_str()), reinterpret_cast<uint8_t**>(&raw),
                                IDN2_NONTRANSITIONAL);
  const Idn2String owned(raw);
  if (rc == IDN2_OK) a_label = raw;
  return rc;
}

// The name with each non-ASCII label converted, or nullopt with libidn2's reason in `why`.
inline std::optional<std::string> a_labels_of(const std::string& name, std::string& why) {
  if (name.empty() || !decode_utf8(name) || find_control(name)) {
    why = "not a UTF-8 name without control characters";
    return std::nullopt;
  }
  std::vector<std::string> converted;
  for (const std::string& label : split_labels(name)) {
    converted.push_back(label);
    if (is_ascii(label)) continue;
    if (const int rc = lookup_label(label, converted.back()); rc != IDN2_OK) {
      why = idn2_strerror(rc);
      return std::nullopt;
    }
  }
  return join(converted, ".");
}

// Empty when `label` ("xn--…") decodes to a valid IDNA 2008 label that encodes back to
// itself; otherwise the reason. Version-proof: older libidn2 did not check A-labels.
inline std::string a_label_problem(const std::string& label) {
  char* raw = nullptr;
  int rc = idn2_to_unicode_8z8z(label.c_str(), &raw, 0);
  const Idn2String decoded(raw);
  if (rc != IDN2_OK) return idn2_strerror(rc);
  std::string back;
  if (rc = lookup_label(decoded.get(), back); rc != IDN2_OK) {
    return "it decodes to " + quoted(decoded.get()) + ", which IDNA 2008 refuses: " + idn2_strerror(rc);
  }
  if (!equals_ignoring_case(back, label)) {
    return "it decodes to " + quoted(decoded.get()) + ", whose A-label is \"" + back + "\"";
  }
  return "";
}

// The U-label an A-label ("xn--…") stands for, or nullopt when it does not decode.
inline std::optional<std::string> u_label_of(const std::string& a_label) {
  char* raw = nullptr;
  const int rc = idn2_to_unicode_8z8z(a_label.c_str(), &raw, 0);
  const Idn2String decoded(raw);
  if (rc != IDN2_OK) return std::nullopt;
  return std::string(decoded.get());
}

}  // namespace pocketca::idna
