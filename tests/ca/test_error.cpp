// The one error type, and turning OpenSSL's error queue into it.

#include <string>

#include <catch2/catch.hpp>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "ca/error.h"
#include "ca_test_support.h"

using namespace pocketca;
using namespace pocketca::ca_testing;

TEST_CASE("Error carries a kind and a message", "[error]") {
  const Error e(ErrorKind::policy_denied, "CN is longer than 64 characters");
  CHECK(e.kind() == ErrorKind::policy_denied);
  CHECK(std::string(e.what()) == "CN is longer than 64 characters");
  const std::runtime_error& base = e;  // callers that only know std::exception still get the message
  CHECK(std::string(base.what()) == "CN is longer than 64 characters");
}

TEST_CASE("throw_openssl throws Error{crypto} even when the queue is empty", "[error]") {
  ERR_clear_error();
  const Error e = error_from([] { throw_openssl("signing a certificate"); });
  CHECK(e.kind() == ErrorKind::crypto);
  CHECK(std::string(e.what()) == "signing a certificate");
  CHECK(drain_openssl_errors().empty());
}

TEST_CASE("throw_openssl drains the whole queue into its message", "[error]") {
  ERR_clear_error();

  SECTION("one queued error: its reason is in the message") {
    ERR_raise(ERR_LIB_X509, X509_R_CERT_ALREADY_IN_HASH_TABLE);
    const Error e = error_from([] { throw_openssl("adding a certificate"); });
    CHECK(e.kind() == ErrorKind::crypto);
    CHECK(std::string(e.what()).rfind("adding a certificate: ", 0) == 0);
    CHECK(contains(e.what(), "cert already in hash table"));
    CHECK(ERR_peek_error() == 0);
  }
  SECTION("several errors and their data, all of them") {
    ERR_raise_data(ERR_LIB_X509, X509_R_CERT_ALREADY_IN_HASH_TABLE, "serial %s", "4a000b");
    ERR_raise(ERR_LIB_X509, X509_R_KEY_VALUES_MISMATCH);
    const Error e = error_from([] { throw_openssl("loading"); });
    CHECK(contains(e.what(), "cert already in hash table"));
    CHECK(contains(e.what(), "(serial 4a000b)"));
    CHECK(contains(e.what(), "key values mismatch"));
    CHECK(contains(e.what(), "; "));
    CHECK(ERR_peek_error() == 0);
  }
  SECTION("a real failure") {
    const unsigned char garbage[] = {0x30, 0x03, 0x02, 0x01};
    const unsigned char* p = garbage;
    REQUIRE(d2i_X509(nullptr, &p, sizeof garbage) == nullptr);
    REQUIRE(ERR_peek_error() != 0);
    const Error e = error_from([] { throw_openssl("decoding a certificate"); });
    CHECK(e.kind() == ErrorKind::crypto);
    CHECK(std::string(e.what()).size() > std::string("decoding a certificate: ").size());
    CHECK(ERR_peek_error() == 0);
  }
}

TEST_CASE("drain_openssl_errors empties the queue", "[error]") {
  ERR_clear_error();
  CHECK(drain_openssl_errors().empty());
  ERR_raise(ERR_LIB_X509, X509_R_KEY_VALUES_MISMATCH);
  CHECK(contains(drain_openssl_errors(), "key values mismatch"));
  CHECK(ERR_peek_error() == 0);
  CHECK(drain_openssl_errors().empty());
}

TEST_CASE("check_one and check_ptr throw by their own convention", "[error]") {
  ERR_clear_error();
  CHECK_NOTHROW(check_one(1, "ok"));
  for (int bad : {0, -1, 2}) {
    INFO(bad);
    const Error e = error_from([&] { check_one(bad, "X509_REQ_verify"); });
    CHECK(e.kind() == ErrorKind::crypto);
    CHECK(contains(e.what(), "X509_REQ_verify"));
  }
  int value = 7;
  CHECK(check_ptr(&value, "ok") == &value);
  int* null = nullptr;
  CHECK(error_from([&] { (void)check_ptr(null, "allocating"); }).kind() == ErrorKind::crypto);
}
