#pragma once
// Kafka's Java client's default partitioner, for tests: murmur2 of the key's
// bytes (org.apache.kafka.common.utils.Utils.murmur2), made positive, modulo
// the partition count. A record keyed the same lands on the same partition
// whichever client wrote it — what Herald's producers must agree with.
#include <cstdint>
#include <string_view>

namespace herald::testing {

inline int32_t Murmur2(std::string_view data) {
  const uint32_t m = 0x5bd1e995;
  const int r = 24;
  const auto length = static_cast<uint32_t>(data.size());
  uint32_t h = 0x9747b28cu ^ length;
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(data[i])); };
  const size_t blocks = data.size() / 4;
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k = byte(4 * i) | byte(4 * i + 1) << 8 | byte(4 * i + 2) << 16 | byte(4 * i + 3) << 24;
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const size_t tail = data.size() & ~size_t{3};
  switch (data.size() % 4) {
    case 3: h ^= byte(tail + 2) << 16; [[fallthrough]];
    case 2: h ^= byte(tail + 1) << 8; [[fallthrough]];
    case 1:
      h ^= byte(tail);
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

inline int32_t JavaPartition(std::string_view key, int32_t partitions) {
  return (Murmur2(key) & 0x7fffffff) % partitions;
}

}  // namespace herald::testing
