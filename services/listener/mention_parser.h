#pragma once
// Turns a network's webhook payload into a MentionReceived event; no I/O.
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "herald/events/v1/events.pb.h"
#include "herald/listener/v1/listener.pb.h"

namespace herald::listener {

// Mastodon-style payload: {"event":"mention.created","object":{"id","content",
// "created_at","url","in_reply_to_id","language","account":{"acct"}}}. The
// content (HTML) becomes plain text, scored for sentiment when English.
// INVALID_ARGUMENT naming the field when something required is missing.
absl::StatusOr<herald::events::v1::MentionReceived> ParseMastodonMention(const std::string& body,
                                                                        const std::string& workspace_id,
                                                                        const std::string& channel_id, int64_t now_ms);

// The inbox view of a mention.
herald::listener::v1::InboxItem ToInboxItem(const herald::events::v1::MentionReceived& mention);

}  // namespace herald::listener
