#include "heraldctl/table.h"

#include <algorithm>
#include <ostream>

namespace heraldctl {

void Table::Print(std::ostream& out) const {
  std::vector<size_t> width(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& r) {
    for (size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  };
  measure(header_);
  for (const auto& r : rows_) measure(r);
  auto print = [&](const std::vector<std::string>& r) {
    for (size_t i = 0; i < width.size(); ++i) {
      std::string cell = i < r.size() ? r[i] : "";
      out << cell;
      if (i + 1 < width.size()) out << std::string(width[i] - cell.size() + 3, ' ');
    }
    out << "\n";
  };
  print(header_);
  for (const auto& r : rows_) print(r);
}

}  // namespace heraldctl
