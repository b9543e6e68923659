#pragma once
// Reading a newest-first listing (notifications, mentions, search results)
// without gaps, whatever the network's paging looks like. No I/O.
//
// A cursor remembers a floor: the newest item a completed sweep delivered.
// A sweep starts at the newest page and pages back (with the network's own
// page token) until it reaches the floor or the listing ends; then the
// newest item it saw becomes the floor. Items that arrive during a sweep sit
// above the new floor and are read by the next one, so nothing is skipped;
// a cursor passed again after a crash repeats items (the listener drops
// them by id), never skips any. The very first read (no floor) takes only
// the newest page: listening starts now, it does not backfill history.
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "publisher/connectors/connector.h"

namespace herald::publisher {

struct SweepCursor {
  std::string floor;  // newest order key a completed sweep delivered ("" : none yet)
  // Items delivered with exactly the floor's key (hashes of their ids):
  // where keys are times, two items can share one, and only these are not new.
  std::vector<std::string> floor_ids;
  std::string top;  // newest order key of the sweep in progress
  std::vector<std::string> top_ids;
  std::string page;  // the network's token for the sweep's next page ("" : the first)
};
// The floor of a listing that was empty when listening began.
inline constexpr char kEmptyListingFloor = '0';
// At most this many ids are kept per key; items beyond them that share the
// key are read again (a repeat, never a skip).
inline constexpr size_t kMaxIdsPerKey = 20;

// Opaque to callers, at most kMaxCursorBytes.
std::string EncodeCursor(const SweepCursor& cursor);
// INVALID_ARGUMENT "cursor: ..." for anything EncodeCursor did not make.
absl::StatusOr<SweepCursor> DecodeCursor(std::string_view text);
inline constexpr size_t kMaxCursorBytes = 1024;

// A read's start: the query's cursor, or false with INVALID_ARGUMENT in
// `read` (a cursor this gateway did not give out).
bool BeginRead(const InboundQuery& query, SweepCursor* cursor, InboundRead* read);

// Order keys: decimal ids (Mastodon, X) compare as numbers, anything else
// (RFC 3339 times) as strings.
bool KeyAfter(const std::string& a, const std::string& b);

// One page of a sweep read at `cursor`, newest first as the network listed
// it, and the token of the page after it ("" when the listing ends). Keeps
// the items above the floor (and those at it not yet delivered), oldest
// first, and says where the sweep goes on.
InboundPage SweepPage(const SweepCursor& cursor, std::vector<InboundPost> newest_first,
                      const std::string& next_page_token);

}  // namespace herald::publisher
