#pragma once
// OpenSSL 3.0 fills per-process tables on first use: its error strings, the name map of
// every algorithm (copied from the legacy tables, once per library context), the key
// managers, digests and signatures it constructs from the providers. In a command that
// issues one certificate that is ~0.9 ms of work before the request is even parsed, all
// of it independent of the request. OpenSslWarmup does it on another core while the
// command opens the database, reads its templates and looks up the CA; what is not ready
// when the command needs it, the command waits for (OpenSSL's own locks), never does twice.
// Only for commands with a millisecond of other work before their first OpenSSL call
// (submit, approve: -1.0 and -0.5 ms): `crl`, which reads the CA key at once, was 0.7 ms
// slower with it, waiting on the warm-up's locks.

#include <pthread.h>

namespace pocketca {

class OpenSslWarmup {
 public:
  // Starts the warm-up on a CPU other than the caller's; does nothing when the process may
  // run on one CPU only (there the caller's first use does the same work, no slower).
  OpenSslWarmup();
  // Waits for the warm-up: the process must not exit under a thread inside OpenSSL.
  ~OpenSslWarmup();
  OpenSslWarmup(const OpenSslWarmup&) = delete;
  OpenSslWarmup& operator=(const OpenSslWarmup&) = delete;

  [[nodiscard]] bool started() const { return started_; }

 private:
  pthread_t thread_{};
  bool started_ = false;
};

}  // namespace pocketca
