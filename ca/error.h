#pragma once
// The one error type of the engine and the store. The kind says what went
// wrong in a way the CLI and the web side map to exit codes and HTTP statuses;
// the message says it in words a user can act on.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace pocketca {

enum class ErrorKind {
  invalid_input,    // bad argument or unreadable input file
  invalid_request,  // a submission that is not a usable PKCS#10 request
  policy_denied,    // a request that parses but breaks a rule
  template_invalid, // a template file that does not load
  crypto,           // OpenSSL failed where it should not have
  storage,          // the database or the file system failed
  not_found,        // a CA, request or certificate that does not exist
  conflict,         // the thing exists already, or is in the wrong state
  wrong_passphrase, // a key did not decrypt with the passphrase given
  insecure,         // a secret on disk is readable by others
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  [[nodiscard]] ErrorKind kind() const noexcept { return kind_; }

  // The request row a rejected submission left behind, so scripts can find it.
  [[nodiscard]] std::optional<int64_t> request_id() const noexcept { return request_id_; }
  Error& with_request_id(int64_t id) noexcept {
    request_id_ = id;
    return *this;
  }

 private:
  ErrorKind kind_;
  std::optional<int64_t> request_id_;
};

// Drains OpenSSL's whole error queue into one readable string
// ("" when the queue is empty). Leaves the queue empty.
[[nodiscard]] std::string drain_openssl_errors();

// Throws Error{crypto} saying `what failed`, with the drained queue appended.
// Throws even when the queue is empty: a failed call is a failure.
[[noreturn]] void throw_openssl(const std::string& what_failed);

// Checks a call whose success convention is "returns 1" (X509_sign returns a
// length, X509_verify may return -1: those callers check by their own rule).
inline void check_one(int result, const char* what_failed) {
  if (result != 1) throw_openssl(what_failed);
}

template <typename T>
T* check_ptr(T* result, const char* what_failed) {
  if (result == nullptr) throw_openssl(what_failed);
  return result;
}

}  // namespace pocketca
