#include "common/ids.h"

#include <random>

namespace herald {

std::string NewId(std::string_view prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(prefix);
  uint64_t a = rng(), b = rng();
  for (int i = 0; i < 16; ++i) id.push_back(kHex[(a >> (i * 4)) & 0xf]);
  for (int i = 0; i < 8; ++i) id.push_back(kHex[(b >> (i * 4)) & 0xf]);
  return id;
}

bool IsValidEventId(std::string_view id) {
  if (id.empty() || id.size() > 256) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

uint64_t StableHash(std::string_view data) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

std::string HashedId(std::string_view prefix, std::string_view key) {
  uint64_t h = StableHash(key);
  return std::string(prefix) + ToHex(std::string_view(reinterpret_cast<const char*>(&h), sizeof h));
}

std::string CreatedId(std::string_view prefix, std::string_view workspace_id, std::string_view request_id) {
  if (request_id.empty()) return NewId(prefix);
  return HashedId(prefix, std::string(workspace_id) + "|" + std::string(request_id));
}

}  // namespace herald
