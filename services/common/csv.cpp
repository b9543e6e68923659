#include "common/csv.h"

namespace herald {
namespace {

absl::Status At(size_t line, size_t column, const std::string& problem) {
  return absl::InvalidArgumentError("line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
                                    problem);
}

}  // namespace

absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text, const CsvLimits& limits) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, was_quoted = false;
  size_t line = 1, column = 0, row_line = 1;
  auto end_field = [&]() -> absl::Status {
    if (row.size() >= limits.max_fields) return At(line, column, "more than " + std::to_string(limits.max_fields) + " fields");
    row.push_back(std::move(field));
    field.clear();
    was_quoted = false;
    return absl::OkStatus();
  };
  auto end_row = [&]() -> absl::Status {
    if (!(row.empty() && field.empty() && !was_quoted)) {  // a blank line is no row
      if (auto s = end_field(); !s.ok()) return s;
      if (rows.size() >= limits.max_rows) return At(line, column, "more than " + std::to_string(limits.max_rows) + " rows");
      rows.push_back(std::move(row));
    }
    row.clear();
    return absl::OkStatus();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    ++column;
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
          ++column;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') {
          ++line;
          column = 0;
        }
        field += c;
      }
    } else if (c == '"') {
      if (!field.empty() || was_quoted) return At(line, column, "a quote inside an unquoted field");
      quoted = was_quoted = true;
    } else if (c == ',') {
      if (auto s = end_field(); !s.ok()) return s;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;  // the \n ends the row
    } else if (c == '\n') {
      if (auto s = end_row(); !s.ok()) return s;
      ++line;
      column = 0;
      row_line = line;
    } else {
      if (was_quoted) return At(line, column, "text after a closing quote");
      field += c;
    }
    if (field.size() > limits.max_field_bytes) {
      return At(line, column, "a field longer than " + std::to_string(limits.max_field_bytes) + " bytes");
    }
  }
  if (quoted) return At(row_line, 0, "a quoted field is never closed");
  if (auto s = end_row(); !s.ok()) return s;
  return rows;
}

}  // namespace herald
