#include "listener/mention_parser.h"

#include <nlohmann/json.hpp>

#include "common/ids.h"
#include "common/network_names.h"
#include "common/time_util.h"
#include "listener/sentiment/mention_sentiment.h"

namespace herald::listener {

absl::StatusOr<herald::events::v1::MentionReceived> ParseMastodonMention(const std::string& body,
                                                                        const std::string& workspace_id,
                                                                        const std::string& channel_id,
                                                                        int64_t now_ms) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return absl::InvalidArgumentError("body: not a JSON object");
  auto str = [](const nlohmann::json& j, const char* k) -> std::string {
    return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : "";
  };
  std::string event = str(json, "event");
  if (event != "mention.created" && event != "status.created") {
    return absl::InvalidArgumentError("event: want mention.created or status.created");
  }
  if (!json.contains("object") || !json["object"].is_object()) return absl::InvalidArgumentError("object: required");
  const auto& obj = json["object"];
  std::string id = str(obj, "id");
  if (id.empty() || id.size() > 128) return absl::InvalidArgumentError("object.id: required");
  std::string text = str(obj, "content");
  if (text.size() > 100000) return absl::InvalidArgumentError("object.content: too long");
  if (!obj.contains("account") || !obj["account"].is_object() || str(obj["account"], "acct").empty()) {
    return absl::InvalidArgumentError("object.account.acct: required");
  }
  // Mastodon tags a status with its language (ISO 639, sometimes with a
  // region). A tag that is not one is taken as no tag: the mention itself
  // is still good.
  std::string language = str(obj, "language");
  if (language.size() > 35 ||
      language.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
          std::string::npos) {
    language.clear();
  }
  herald::events::v1::MentionReceived m;
  // Same status → same mention id: a redelivered webhook, or the same status
  // read by a poll, is recognised.
  const auto network = herald::common::v1::NETWORK_MASTODON;
  m.set_mention_id(MentionIdFor(workspace_id, network, id));
  m.set_network(network);
  m.set_channel_id(channel_id);
  m.set_remote_id(id);
  std::string reply_to = str(obj, "in_reply_to_id");
  m.set_parent_remote_id(reply_to);
  m.set_kind(str(obj, "visibility") == "direct" ? herald::common::v1::MENTION_KIND_DIRECT_MESSAGE
             : reply_to.empty()                 ? herald::common::v1::MENTION_KIND_MENTION
                                                : herald::common::v1::MENTION_KIND_REPLY);
  m.set_conversation_id(
      ConversationIdFor(network, m.kind(), reply_to.empty() ? id : reply_to, str(obj["account"], "id")));
  m.set_author_handle(str(obj["account"], "acct"));
  m.set_source("webhook");
  if (int64_t published = ParseRfc3339Ms(str(obj, "created_at")); published > 0) {
    *m.mutable_published_at() = FromMs(published);
  }
  // The inbox shows text, whatever the network sent: Mastodon's HTML is read as text.
  m.set_text(PlainText(text));
  m.set_url(str(obj, "url"));
  m.set_language(language);
  *m.mutable_sentiment() = MentionSentiment(m.text(), language);
  *m.mutable_created_at() = FromMs(now_ms);
  return m;
}

std::string MentionIdFor(const std::string& ws, herald::common::v1::Network network, const std::string& remote_id) {
  return HashedId("m_", NetworkName(network) + "|" + ws + "|" + remote_id);
}

std::string ConversationIdFor(herald::common::v1::Network network, herald::common::v1::MentionKind kind,
                              const std::string& thread_remote_id, const std::string& author_id) {
  // Hashed: a valid id for the inbox API whatever the network's ids look like.
  std::string key = kind == herald::common::v1::MENTION_KIND_DIRECT_MESSAGE
                        ? NetworkName(network) + ":dm:" + author_id
                        : NetworkName(network) + ":" + thread_remote_id;
  return HashedId("c_", key);
}

absl::StatusOr<herald::events::v1::MentionReceived> MentionFromInbound(const herald::publisher::v1::InboundItem& item,
                                                                      const std::string& ws,
                                                                      const std::string& channel_id,
                                                                      herald::common::v1::Network network,
                                                                      int64_t now_ms, const std::string& source) {
  // The gateway bounds what it passes on; these hold whatever it sends.
  if (item.remote_id().empty() || item.remote_id().size() > 256) return absl::InvalidArgumentError("remote_id: required");
  if (item.author_handle().empty() || item.author_handle().size() > 256) {
    return absl::InvalidArgumentError("author_handle: required");
  }
  if (item.text().size() > 100000) return absl::InvalidArgumentError("text: longer than 100,000 bytes");
  std::string language = item.language();
  if (language.size() > 35 ||
      language.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
          std::string::npos) {
    language.clear();
  }
  herald::events::v1::MentionReceived m;
  m.set_mention_id(MentionIdFor(ws, network, item.remote_id()));
  m.set_network(network);
  m.set_channel_id(channel_id);
  m.set_remote_id(item.remote_id());
  m.set_kind(item.kind() == herald::common::v1::MENTION_KIND_UNSPECIFIED ? herald::common::v1::MENTION_KIND_MENTION
                                                                          : item.kind());
  m.set_parent_remote_id(item.parent_remote_id());
  std::string thread = !item.thread_remote_id().empty()   ? item.thread_remote_id()
                       : !item.parent_remote_id().empty() ? item.parent_remote_id()
                                                           : item.remote_id();
  m.set_conversation_id(ConversationIdFor(network, m.kind(), thread, item.author_id()));
  m.set_author_handle(item.author_handle());
  m.set_text(PlainText(item.text()));
  m.set_url(item.url());
  m.set_language(language);
  *m.mutable_sentiment() = MentionSentiment(m.text(), language);
  *m.mutable_created_at() = FromMs(now_ms);
  if (item.has_create_time()) *m.mutable_published_at() = item.create_time();
  m.set_source(source);
  return m;
}

herald::listener::v1::InboxItem ToInboxItem(const herald::events::v1::MentionReceived& m) {
  herald::listener::v1::InboxItem item;
  item.set_id(m.mention_id());
  item.set_network(m.network());
  item.set_channel_id(m.channel_id());
  item.set_conversation_id(m.conversation_id());
  item.set_author_handle(m.author_handle());
  item.set_text(m.text());
  *item.mutable_created_at() = m.created_at();
  item.set_url(m.url());
  item.set_remote_id(m.remote_id());
  item.set_language(m.language());
  *item.mutable_sentiment() = m.sentiment();
  item.mutable_rule_ids()->CopyFrom(m.rule_ids());
  item.mutable_tags()->CopyFrom(m.tags());
  item.set_kind(m.kind());
  item.set_source(m.source());
  return item;
}

}  // namespace herald::listener
