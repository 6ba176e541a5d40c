#pragma once
// Shared by the request tests: the fixtures of tests/data/requests/ (made by
// tests/data/make-requests.py) and a stopwatch for the hostile-input cases.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "ca/bytes.h"
#include "ca/csr.h"
#include "ca/request_intake.h"

namespace pocketca::request_testing {

inline std::filesystem::path fixture_path(const std::string& name) {
  return std::filesystem::path(POCKETCA_SOURCE_DIR) / "tests" / "data" / "requests" / name;
}

// The file's bytes, unchanged.
inline std::string fixture(const std::string& name) {
  std::ifstream in(fixture_path(name), std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + fixture_path(name).string() + "; run tests/data/make-requests.py");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A fixture through intake and into a Csr, as `submit` does it.
inline Csr fixture_csr(const std::string& name) { return Csr::from_der(request_der_from_input(fixture(name))); }

// Seconds `f` takes to run.
template <typename F>
double seconds_for(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace pocketca::request_testing
