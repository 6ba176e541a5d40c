#pragma once

#include <string>
#include <vector>

namespace pocketca::cli {

// An aligned text table: a header row, then rows; columns padded to the widest cell
// (counted in UTF-8 code points, so non-ASCII names line up).
class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  [[nodiscard]] std::string render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace pocketca::cli
