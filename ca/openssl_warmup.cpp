#include "openssl_warmup.h"

#include <sched.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "public_key_decoder.h"

namespace pocketca {
namespace {

void* warm_up(void*) {
  OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
  // A fetch builds the library context's name map and every method of its kind (all key
  // managers, all signatures); the context requests are parsed in needs its own name map.
  EVP_KEYMGMT_free(EVP_KEYMGMT_fetch(nullptr, "RSA", nullptr));
  try {
    EVP_KEYMGMT_free(EVP_KEYMGMT_fetch(context_without_algorithms(), "RSA", nullptr));
  } catch (...) {  // OpenSSL without the null provider: parsing a request will say so
  }
  EVP_MD_free(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  EVP_SIGNATURE_free(EVP_SIGNATURE_fetch(nullptr, "RSA", nullptr));
  ERR_clear_error();
  return nullptr;
}

}  // namespace

OpenSslWarmup::OpenSslWarmup() {
  // A new thread starts on its creator's CPU and (Linux's EEVDF scheduler) may run there
  // first, the creator waiting a millisecond while the other core idles: so it is placed
  // on the other CPUs from the start.
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
  const int here = sched_getcpu();
  if (here >= 0 && here < CPU_SETSIZE) CPU_CLR(here, &allowed);
  if (CPU_COUNT(&allowed) == 0) return;
  pthread_attr_t attributes;
  if (pthread_attr_init(&attributes) != 0) return;
  if (pthread_attr_setaffinity_np(&attributes, sizeof allowed, &allowed) == 0) {
    started_ = pthread_create(&thread_, &attributes, &warm_up, nullptr) == 0;
  }
  pthread_attr_destroy(&attributes);
}

OpenSslWarmup::~OpenSslWarmup() {
  if (started_) pthread_join(thread_, nullptr);
}

}  // namespace pocketca
