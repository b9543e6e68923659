#include "common/redis_slots.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace herald {
namespace {

// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, as in Redis's crc16.c.
constexpr std::array<uint16_t, 256> MakeCrcTable() {
  std::array<uint16_t, 256> table{};
  for (int i = 0; i < 256; ++i) {
    uint16_t crc = static_cast<uint16_t>(i << 8);
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021) : static_cast<uint16_t>(crc << 1);
    table[i] = crc;
  }
  return table;
}
constexpr auto kCrcTable = MakeCrcTable();

uint16_t Crc16(std::string_view data) {
  uint16_t crc = 0;
  for (unsigned char c : data) crc = static_cast<uint16_t>((crc << 8) ^ kCrcTable[((crc >> 8) ^ c) & 0xff]);
  return crc;
}

// (Debian's Abseil has its own string_view: these stay on std's.)
bool Is(std::string_view name, std::string_view want) {
  return name.size() == want.size() && std::equal(name.begin(), name.end(), want.begin(), [](char a, char b) {
           return std::toupper(static_cast<unsigned char>(a)) == std::toupper(static_cast<unsigned char>(b));
         });
}

template <class Int>
bool ParseInt(std::string_view text, Int* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool IsKeyless(std::string_view name) {
  static constexpr std::string_view kKeyless[] = {
      "PING",   "INFO",     "SCRIPT", "FLUSHALL", "FLUSHDB", "CONFIG",  "CLUSTER", "MULTI",    "EXEC",
      "DISCARD", "ASKING",  "SCAN",   "KEYS",     "DBSIZE",  "TIME",    "CLIENT",  "AUTH",     "SELECT",
      "WAIT",   "READONLY", "READWRITE", "COMMAND", "HELLO", "ECHO",    "SLOWLOG", "LATENCY",  "FUNCTION",
      "ROLE",   "SAVE",     "BGSAVE", "BGREWRITEAOF", "LASTSAVE", "DEBUG", "MONITOR", "SHUTDOWN", "ACL"};
  return std::any_of(std::begin(kKeyless), std::end(kKeyless), [&](std::string_view k) { return Is(name, k); });
}

}  // namespace

uint16_t KeySlot(std::string_view key) {
  // Only the first '{' counts, and only when a '}' follows it with something between.
  if (auto open = key.find('{'); open != std::string_view::npos) {
    if (auto close = key.find('}', open + 1); close != std::string_view::npos && close > open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return Crc16(key) & (kRedisSlots - 1);
}

std::vector<std::string_view> CommandKeys(const std::vector<std::string>& args) {
  std::vector<std::string_view> keys;
  if (args.empty()) return keys;
  std::string_view name = args[0];
  if (Is(name, "EVAL") || Is(name, "EVALSHA") || Is(name, "EVAL_RO") || Is(name, "EVALSHA_RO") || Is(name, "FCALL") ||
      Is(name, "FCALL_RO")) {
    size_t n = 0;
    if (args.size() < 3 || !ParseInt(args[2], &n)) return keys;
    for (size_t i = 3; i < args.size() && i < 3 + n; ++i) keys.push_back(args[i]);
    return keys;
  }
  if (Is(name, "XREAD") || Is(name, "XREADGROUP")) {
    // ... STREAMS key1 key2 id1 id2: the keys are the first half after STREAMS.
    for (size_t i = 1; i < args.size(); ++i) {
      if (!Is(args[i], "STREAMS")) continue;
      size_t rest = args.size() - i - 1;
      for (size_t k = 0; k < rest / 2; ++k) keys.push_back(args[i + 1 + k]);
      break;
    }
    return keys;
  }
  if (Is(name, "XINFO") || Is(name, "OBJECT") || Is(name, "MEMORY")) {
    if (args.size() > 2) keys.push_back(args[2]);
    return keys;
  }
  if (Is(name, "DEL") || Is(name, "UNLINK") || Is(name, "EXISTS") || Is(name, "MGET") || Is(name, "TOUCH") ||
      Is(name, "WATCH") || Is(name, "SUNION") || Is(name, "SINTER") || Is(name, "SDIFF")) {
    for (size_t i = 1; i < args.size(); ++i) keys.push_back(args[i]);
    return keys;
  }
  if (Is(name, "MSET") || Is(name, "MSETNX")) {
    for (size_t i = 1; i < args.size(); i += 2) keys.push_back(args[i]);
    return keys;
  }
  if (IsKeyless(name) || args.size() < 2) return keys;
  keys.push_back(args[1]);
  return keys;
}

absl::StatusOr<std::optional<uint16_t>> CommandSlot(const std::vector<std::string>& args) {
  auto keys = CommandKeys(args);
  if (keys.empty()) return std::optional<uint16_t>();
  uint16_t slot = KeySlot(keys[0]);
  for (size_t i = 1; i < keys.size(); ++i) {
    if (KeySlot(keys[i]) != slot) {
      std::string names;
      for (auto k : keys) names += (names.empty() ? "" : ", ") + std::string(k);
      return absl::InvalidArgumentError("redis " + args[0] + ": keys in different cluster slots (" + names +
                                        "); hash-tag them alike");
    }
  }
  return std::optional<uint16_t>(slot);
}

std::optional<RedisRedirect> ParseRedirect(std::string_view error, std::string_view answering_host) {
  RedisRedirect r;
  if (error.starts_with("MOVED ")) {
    error.remove_prefix(6);
  } else if (error.starts_with("ASK ")) {
    r.ask = true;
    error.remove_prefix(4);
  } else {
    return std::nullopt;
  }
  auto space = error.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  int slot = 0;
  if (!ParseInt(error.substr(0, space), &slot) || slot < 0 || slot >= kRedisSlots) return std::nullopt;
  std::string_view endpoint = error.substr(space + 1);
  auto colon = endpoint.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  int port = 0;
  if (!ParseInt(endpoint.substr(colon + 1), &port) || port <= 0 || port > 65535) return std::nullopt;
  std::string_view host = endpoint.substr(0, colon);
  if (host.empty() || host == "?") host = answering_host;
  r.slot = static_cast<uint16_t>(slot);
  r.to = RedisNodeAddress{std::string(host), port};
  return r;
}

bool IsTransientClusterError(std::string_view error) {
  return error.starts_with("TRYAGAIN") || error.starts_with("CLUSTERDOWN");
}

absl::StatusOr<SlotMap> SlotMap::FromClusterSlots(const RedisReply& reply, std::string_view answering_host) {
  if (reply.type != RedisReply::Type::kArray) return absl::UnavailableError("CLUSTER SLOTS: not an array");
  SlotMap map;
  for (const auto& range : reply.elements) {
    if (range.type != RedisReply::Type::kArray || range.elements.size() < 3) {
      return absl::UnavailableError("CLUSTER SLOTS: malformed slot range");
    }
    long long start = range.elements[0].AsInt(), end = range.elements[1].AsInt();
    const RedisReply& master = range.elements[2];
    if (start < 0 || end >= kRedisSlots || start > end || master.type != RedisReply::Type::kArray ||
        master.elements.size() < 2) {
      return absl::UnavailableError("CLUSTER SLOTS: malformed slot range");
    }
    std::string_view host = master.elements[0].str;
    if (host.empty() || host == "?") host = answering_host;
    long long port = master.elements[1].AsInt();
    if (port <= 0 || port > 65535) return absl::UnavailableError("CLUSTER SLOTS: bad port");
    uint16_t index = static_cast<uint16_t>(map.IndexOf(RedisNodeAddress{std::string(host), static_cast<int>(port)}));
    std::fill(map.owner_.begin() + start, map.owner_.begin() + end + 1, index);
  }
  if (map.masters_.empty()) return absl::UnavailableError("CLUSTER SLOTS: no slot is served");
  return map;
}

std::optional<RedisNodeAddress> SlotMap::MasterFor(uint16_t slot) const {
  if (slot >= kRedisSlots || owner_[slot] == kNone) return std::nullopt;
  return masters_[owner_[slot]];
}

void SlotMap::Move(uint16_t slot, const RedisNodeAddress& to) {
  if (slot < kRedisSlots) owner_[slot] = static_cast<uint16_t>(IndexOf(to));
}

int SlotMap::IndexOf(const RedisNodeAddress& node) {
  for (size_t i = 0; i < masters_.size(); ++i) {
    if (masters_[i] == node) return static_cast<int>(i);
  }
  masters_.push_back(node);
  return static_cast<int>(masters_.size() - 1);
}

}  // namespace herald
