#include "store.h"

namespace pocketca::store {

std::vector<RevokedCertificate> Store::list_revoked(int64_t ca_index, Time still_valid_at) {
  std::vector<RevokedCertificate> out;
  each_revoked(ca_index, still_valid_at, [&out](const RevokedCertificateView& r) {
    out.push_back({std::string(r.serial), r.revoked_at, std::string(r.reason)});
  });
  return out;
}

}  // namespace pocketca::store
