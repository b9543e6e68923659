#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace herald {

// A new random id: prefix + 24 lowercase hex characters (96 random bits).
std::string NewId(std::string_view prefix);

// Ids and workspace names: 1..64 of [A-Za-z0-9_-]. Keeps Redis keys and metric
// labels free of separators.
bool IsValidId(std::string_view id);
// An event id (EventMeta.event_id): 1-256 of [A-Za-z0-9_.:-]; derived ids
// (a result's id names its post, channel and occurrence) outgrow 64.
bool IsValidEventId(std::string_view id);

// 64-bit FNV-1a: a stable hash for sharding (never changes between releases).
uint64_t StableHash(std::string_view data);

// Lowercase hex of arbitrary bytes.
std::string ToHex(std::string_view bytes);

// prefix + 16 hex characters of StableHash(key): the same key, the same id.
std::string HashedId(std::string_view prefix, std::string_view key);
// The id a create request names its resource by: derived from the client's
// request id (a retry names the same resource), or new when it gave none.
std::string CreatedId(std::string_view prefix, std::string_view workspace_id, std::string_view request_id);

}  // namespace herald
