// OpenSslWarmup: a thread only where there is another CPU for it, and OpenSSL as usable
// during and after it as without it.

#include <sched.h>

#include <catch2/catch.hpp>
#include <openssl/err.h>

#include "ca/csr.h"
#include "ca/openssl_warmup.h"
#include "request_factory.h"

using namespace pocketca;
using namespace pocketca::request_testing;

TEST_CASE("a warm-up starts a thread only when the caller may run on another CPU", "[openssl_warmup]") {
  cpu_set_t allowed;
  REQUIRE(sched_getaffinity(0, sizeof allowed, &allowed) == 0);

  SECTION("confined to one CPU: nothing runs beside the caller") {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
    {
      const OpenSslWarmup warmup;
      CHECK_FALSE(warmup.started());
    }
    REQUIRE(sched_setaffinity(0, sizeof allowed, &allowed) == 0);
  }
  SECTION("two CPUs or more: a thread, joined when the warm-up goes out of scope") {
    if (CPU_COUNT(&allowed) < 2) {
      WARN("one CPU only: nothing to check");
      return;
    }
    const OpenSslWarmup warmup;
    CHECK(warmup.started());
  }
}

// CTest runs each case in a process of its own: here OpenSSL's first use races the warm-up.
TEST_CASE("OpenSSL reads and checks a request while a warm-up runs, as without one", "[openssl_warmup]") {
  const OpenSslWarmup warmup;  // the caller goes on at once
  RequestSpec spec;
  spec.subject = {{"CN", "mail.warm.lab"}};
  spec.sans = {"DNS:mail.warm.lab"};
  const Csr csr = make_csr(spec, rsa_key(2048));
  CHECK(csr.signature_verifies());
  CHECK(csr.subject() == "CN=mail.warm.lab");
  CHECK(ERR_peek_error() == 0);
}
