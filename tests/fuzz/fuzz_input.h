#pragma once
// Splits one fuzz input into several fields (separated by 0x00), so a target
// can drive a parser that takes more than one outside value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace herald::fuzz {

inline std::vector<std::string> Fields(const uint8_t* data, size_t size, size_t count) {
  std::vector<std::string> out(count);
  size_t field = 0;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0 && field + 1 < count) {
      ++field;
      continue;
    }
    out[field].push_back(static_cast<char>(data[i]));
  }
  return out;
}

}  // namespace herald::fuzz
