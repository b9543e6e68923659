#pragma once
// RFC 4180 CSV reading, bounded: quoted fields ("a, b", "say ""hi"""),
// CRLF or LF line ends, a UTF-8 byte-order mark skipped. What imports of
// rows (conversions, CRM profiles) are read with, on either side of the wire.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace herald {

struct CsvLimits {
  size_t max_rows = 1'000'000;
  size_t max_fields = 64;
  size_t max_field_bytes = 4096;
};

// Rows of fields (blank lines skipped). INVALID_ARGUMENT names the line (and
// column) of the first problem: an unterminated quote, a quote inside an
// unquoted field, a row or field over the limits.
absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text, const CsvLimits& limits = {});

}  // namespace herald
