// pocketca-seed: a developer-only loader for scripts/bench. It fills a home with COUNT issued
// certificates far faster than `submit --batch` (which pays OpenSSL 3.0's decoder for every
// request it parses) by parsing the one request once and then doing what issuance does for each
// certificate, with the engine's own functions: the request row, the audit entries, an AD CS
// serial from the request ID, sign_leaf() with the template, the certificate row. With --revoked,
// each row is recorded revoked (what `revoke --no-publish` writes), for CRL measurements.
// Never use it on a real CA: it skips the CSR signature check and policy after the first request.
//
//   pocketca-seed HOME CA REQUEST-FILE COUNT [--revoked] [--requester NAME]

#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "ca/error.h"
#include "ca/files.h"
#include "ca/hierarchy.h"
#include "ca/home.h"
#include "ca/leaf_certificate.h"
#include "ca/policy.h"
#include "ca/request_intake.h"
#include "ca/serial.h"
#include "ca/submission.h"
#include "ca/issuance.h"

using namespace pocketca;

namespace {

constexpr size_t kGroup = 20000;  // rows per transaction
const char* const kReasons[] = {"keyCompromise", "superseded", "cessationOfOperation", "unspecified"};

int usage() {
  std::cerr << "usage: pocketca-seed HOME CA REQUEST-FILE COUNT [--revoked] [--requester NAME]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) return usage();
  bool revoked = false;
  std::string requester = "pocketca-seed";
  for (int i = 5; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--revoked") {
      revoked = true;
    } else if (arg == "--requester" && i + 1 < argc) {
      requester = argv[++i];
    } else {
      return usage();
    }
  }
  try {
    Home home = Home::open(argv[1]);
    const store::CaRecord ca = find_ca(home, argv[2]);
    const PrivateKey key = load_ca_key(home, ca, [] { return std::string(); });
    const std::vector<Certificate> chain = chain_of(home, ca);
    const TemplateSet templates = TemplateSet::load(home.templates_dir());
    const CertificateTemplate& tmpl = templates.find("WebServer") ? *templates.find("WebServer") : templates.all().at(0);
    const Csr csr = Csr::from_der(request_der_from_input(read_file(argv[3], 1 << 16)));
    if (!csr.signature_verifies()) throw Error(ErrorKind::invalid_input, "the request's signature does not verify");
    const PolicyDecision decision = apply_policy(csr, tmpl, {});
    const long count = std::stol(argv[4]);

    SubmitOptions options;
    options.requester = requester;
    home.store().set_bulk_writes(true);  // as a batch does; checkpointed before the measurements
    for (long done = 0; done < count;) {
      const size_t n = std::min<size_t>(kGroup, static_cast<size_t>(count - done));
      options.now = now();
      const Time not_after = std::min(add_years(options.now, 2), ca.not_after);
      home.store().write([&](store::Writer& w) {
        std::vector<int64_t> ids(n);
        for (size_t i = 0; i < n; ++i) {
          ids[i] = w.add_request(request_row(csr, ca, tmpl.name, options, store::Disposition::pending, ""));
          w.add_audit({0, options.now, requester, "submitted", ids[i], "", csr.subject()});
        }
        std::vector<std::optional<Certificate>> issued(n);
        auto sign_range = [&](size_t from, size_t step) {
          for (size_t i = from; i < n; i += step) {
            issued[i] = sign_leaf({csr, tmpl, decision.sans, ca, chain.front(), options.now - clock_skew_allowance,
                                   not_after},
                                  make_serial(static_cast<uint32_t>(ids[i]), static_cast<uint16_t>(ca.index)), key);
          }
        };
        {
          std::jthread helper(sign_range, 1, 2);
          sign_range(0, 2);
        }
        for (size_t i = 0; i < n; ++i) {
          store::CertificateRecord row = certificate_row(*issued[i], ca.index, ids[i], decision.sans, tmpl.name);
          if (revoked) {
            row.status = store::CertStatus::revoked;
            row.revoked_at = options.now;
            row.revocation_reason = kReasons[ids[i] % 4];
          }
          w.add_certificate(row);
          w.resolve_request(ids[i], store::Disposition::issued, "", options.now);
          w.add_audit({0, options.now, requester, "issued", ids[i], row.serial, tmpl.name});
          if (revoked) w.add_audit({0, options.now, requester, "revoked", ids[i], row.serial, row.revocation_reason});
        }
      });
      done += static_cast<long>(n);
      std::cerr << "\rseeded " << done << " of " << count << std::flush;
    }
    home.store().set_bulk_writes(false);
    std::cerr << '\n';
  } catch (const std::exception& e) {
    std::cerr << "pocketca-seed: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
