#pragma once
// How a CA is shown: as JSON for scripts and as text for people.

#include <string>
#include <vector>

#include "context.h"
#include "store/records.h"

namespace pocketca::cli {

// The `ca list --json` object: name, slug, subject, serial, parent, not_after,
// default, then the details `ca show` adds.
[[nodiscard]] Json ca_json(const store::CaRecord& ca, const std::vector<store::CaRecord>& all,
                           const std::filesystem::path& home_dir);
[[nodiscard]] std::string ca_table(const std::vector<store::CaRecord>& all);
[[nodiscard]] std::string ca_details(const store::CaRecord& ca, const std::vector<store::CaRecord>& all,
                                     const std::filesystem::path& home_dir);

}  // namespace pocketca::cli
