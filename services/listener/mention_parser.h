#pragma once
// Turns a network's webhook payload into a MentionReceived event; no I/O.
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "herald/events/v1/events.pb.h"
#include "herald/listener/v1/listener.pb.h"
#include "herald/publisher/v1/gateway.pb.h"

namespace herald::listener {

// Mastodon-style payload: {"event":"mention.created","object":{"id","content",
// "created_at","url","in_reply_to_id","language","account":{"acct"}}}. The
// content (HTML) becomes plain text, scored for sentiment when English.
// INVALID_ARGUMENT naming the field when something required is missing.
absl::StatusOr<herald::events::v1::MentionReceived> ParseMastodonMention(const std::string& body,
                                                                        const std::string& workspace_id,
                                                                        const std::string& channel_id, int64_t now_ms);

// The same item however it arrives (webhook or poll, through any of the
// workspace's channels) has the same id: (network, remote id) in the workspace.
std::string MentionIdFor(const std::string& workspace_id, herald::common::v1::Network network,
                         const std::string& remote_id);
// Mentions of one thread share a conversation; each author's direct
// messages are one conversation.
std::string ConversationIdFor(herald::common::v1::Network network, herald::common::v1::MentionKind kind,
                              const std::string& thread_remote_id, const std::string& author_id);

// An item the publisher's gateway read (herald.publisher.v1.InboundItem):
// text made plain and scored, ids derived as above. INVALID_ARGUMENT naming
// the field when it lacks what a mention needs.
absl::StatusOr<herald::events::v1::MentionReceived> MentionFromInbound(const herald::publisher::v1::InboundItem& item,
                                                                      const std::string& workspace_id,
                                                                      const std::string& channel_id,
                                                                      herald::common::v1::Network network,
                                                                      int64_t now_ms, const std::string& source = "poll");

// The inbox view of a mention.
herald::listener::v1::InboxItem ToInboxItem(const herald::events::v1::MentionReceived& mention);

}  // namespace herald::listener
