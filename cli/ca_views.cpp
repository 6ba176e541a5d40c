#include "ca_views.h"

#include "ca/key.h"
#include "ca/time.h"
#include "table.h"

namespace pocketca::cli {
namespace {

std::string name_of(std::optional<int64_t> index, const std::vector<store::CaRecord>& all) {
  for (const auto& ca : all) {
    if (index && ca.index == *index) return ca.name;
  }
  return "";
}

std::string date_of(Time t) { return to_iso8601(t).substr(0, 10); }

std::string key_words(const store::CaRecord& ca) {
  return KeySpec::parse(ca.key_spec).describe() + (ca.key_encrypted ? "" : " (unencrypted)");
}

// "2026-11-30 (CRL 4)", "2026-11-30 DUE", "none yet".
std::string crl_words(const CrlHealth& crl) {
  if (!crl.latest) return "none yet";
  const std::string when = date_of(crl.latest->next_update);
  if (crl.state == "expired") return "EXPIRED " + when;
  if (crl.state == "due") return "due " + when;
  return "until " + when;
}

}  // namespace

Json ca_json(const store::CaRecord& ca, const std::vector<store::CaRecord>& all, const std::filesystem::path& home_dir,
             const CrlHealth* crl, Time now) {
  const std::string parent = name_of(ca.parent_index, all);
  Json j;
  j["name"] = ca.name;
  j["slug"] = ca.slug;
  j["subject"] = ca.subject;
  j["serial"] = ca.serial;
  j["parent"] = parent.empty() ? Json(nullptr) : Json(parent);
  j["not_after"] = to_iso8601(ca.not_after);
  j["expired"] = ca.not_after < now;
  j["default"] = ca.is_default;
  j["index"] = ca.index;
  j["not_before"] = to_iso8601(ca.not_before);
  j["thumbprint"] = ca.sha1_thumbprint;
  j["sha256"] = ca.sha256_fingerprint;
  j["key"] = ca.key_spec;
  j["key_encrypted"] = ca.key_encrypted;
  j["path_len"] = ca.path_len ? Json(*ca.path_len) : Json(nullptr);
  j["base_url"] = ca.base_url.empty() ? Json(nullptr) : Json(ca.base_url);
  j["certificate_file"] = (home_dir / "public" / (ca.slug + ".crt")).string();
  j["crl_days"] = ca.crl_days;
  j["delta_crl_days"] = ca.delta_crl_days ? Json(*ca.delta_crl_days) : Json(nullptr);
  if (crl) {
    j["crl_number"] = crl->latest ? Json(crl->latest->number) : Json(nullptr);
    j["crl_next_update"] = crl->latest ? Json(to_iso8601(crl->latest->next_update)) : Json(nullptr);
    j["crl_state"] = crl->state;
  }
  return j;
}

std::string ca_table(const std::vector<store::CaRecord>& all, const std::map<int64_t, CrlHealth>* crl, Time now) {
  std::vector<std::string> header = {"", "#", "NAME", "PARENT", "KEY", "NOT AFTER", "SERIAL"};
  if (crl) header.push_back("CRL");
  Table table(header);
  for (const auto& ca : all) {
    const std::string parent = name_of(ca.parent_index, all);
    std::vector<std::string> row = {ca.is_default ? "*" : "", std::to_string(ca.index), ca.name,
                                    parent.empty() ? "(root)" : parent, key_words(ca),
                                    date_of(ca.not_after) + (ca.not_after < now ? " EXPIRED" : ""), ca.serial};
    if (crl) row.push_back(crl->count(ca.index) ? crl_words(crl->at(ca.index)) : "");
    table.add(row);
  }
  return table.render() + "* default issuer\n";
}

std::string ca_details(const store::CaRecord& ca, const std::vector<store::CaRecord>& all,
                       const std::filesystem::path& home_dir, const CrlHealth* crl, Time now) {
  const std::string parent = name_of(ca.parent_index, all);
  Table t({"  index", std::to_string(ca.index)});
  t.add({"  slug", ca.slug});
  t.add({"  subject", ca.subject});
  t.add({"  issued by", parent.empty() ? "itself (self-signed root)" : parent});
  t.add({"  serial", ca.serial});
  t.add({"  thumbprint", ca.sha1_thumbprint});
  t.add({"  sha256", ca.sha256_fingerprint});
  t.add({"  valid", to_iso8601(ca.not_before) + " to " + to_iso8601(ca.not_after) + (ca.not_after < now ? " (EXPIRED)" : "")});
  t.add({"  key", key_words(ca) + ", " + (home_dir / ca.key_file).string()});
  t.add({"  path length", ca.path_len ? std::to_string(*ca.path_len) : "unlimited"});
  t.add({"  CRL/AIA base", ca.base_url.empty() ? "none (certificates it signs carry no CDP/AIA)" : ca.base_url});
  t.add({"  certificate", (home_dir / "public" / (ca.slug + ".crt")).string()});
  t.add({"  CRL every", std::to_string(ca.crl_days) + " days" +
                            (ca.delta_crl_days ? ", delta every " + std::to_string(*ca.delta_crl_days) + " day(s)" : "")});
  if (crl) {
    t.add({"  CRL", crl->latest ? "number " + std::to_string(crl->latest->number) + ", " +
                                      std::to_string(crl->latest->entries) + " entries, " + crl_words(*crl) + " (" +
                                      (home_dir / "public" / (ca.slug + ".crl")).string() + ")"
                                : "none published yet (pocketca crl)"});
  }
  return ca.name + (ca.is_default ? "  (default issuer)" : "") + "\n" + t.render();
}

Json published_crl_json(const PublishedCrl& crl, const std::string& ca_name) {
  return {{"ca", ca_name},
          {"number", crl.record.number},
          {"delta", crl.record.is_delta},
          {"this_update", to_iso8601(crl.record.this_update)},
          {"next_update", to_iso8601(crl.record.next_update)},
          {"entries", crl.record.entries},
          {"files", {{"crl", crl.file.string()}}}};
}

std::string published_crl_line(const PublishedCrl& crl, const std::string& ca_name) {
  return "Published " + std::string(crl.record.is_delta ? "delta" : "base") + " CRL " +
         std::to_string(crl.record.number) + " of \"" + ca_name + "\" to " + crl.file.string() + " (" +
         std::to_string(crl.record.entries) + (crl.record.entries == 1 ? " entry" : " entries") + ", valid " +
         to_iso8601(crl.record.this_update) + " to " + to_iso8601(crl.record.next_update) + ")\n";
}

}  // namespace pocketca::cli
