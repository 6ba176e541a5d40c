#pragma once
// How a CA is shown: as JSON for scripts and as text for people.

#include <string>
#include <vector>

#include <map>

#include "ca/revocation.h"
#include "context.h"
#include "store/records.h"

namespace pocketca::cli {

// The `ca list --json` object: name, slug, subject, serial, parent, not_after, expired
// (at `now`), default, then the details `ca show` adds; with `crl`, crl_number,
// crl_next_update and crl_state ("none", "ok", "due", "expired").
[[nodiscard]] Json ca_json(const store::CaRecord& ca, const std::vector<store::CaRecord>& all,
                           const std::filesystem::path& home_dir, const CrlHealth* crl = nullptr, Time now = pocketca::now());
// `crl` (by CA index), when given, adds a CRL column. A CA expired at `now` says so by its date.
[[nodiscard]] std::string ca_table(const std::vector<store::CaRecord>& all,
                                   const std::map<int64_t, CrlHealth>* crl = nullptr, Time now = pocketca::now());
// A CRL just published: ca, number, delta, this_update, next_update, entries, files {crl}.
[[nodiscard]] Json published_crl_json(const PublishedCrl& crl, const std::string& ca_name);
// "Published base CRL 3 of "X" to FILE (2 entries, next update …)".
[[nodiscard]] std::string published_crl_line(const PublishedCrl& crl, const std::string& ca_name);

[[nodiscard]] std::string ca_details(const store::CaRecord& ca, const std::vector<store::CaRecord>& all,
                                     const std::filesystem::path& home_dir, const CrlHealth* crl = nullptr,
                                     Time now = pocketca::now());

}  // namespace pocketca::cli
