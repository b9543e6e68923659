#include "listener/network_webhooks.h"

#include <ctime>
#include <map>

#include <nlohmann/json.hpp>

#include "common/time_util.h"

namespace herald::listener {
namespace {

using nlohmann::json;
using herald::common::v1::MentionKind;
using herald::common::v1::Network;

std::string Str(const json& j, const char* k) {
  if (!j.is_object() || !j.contains(k)) return "";
  if (j[k].is_string()) return j[k].get<std::string>();
  if (j[k].is_number_integer()) return std::to_string(j[k].get<int64_t>());
  return "";
}
const json& Obj(const json& j, const char* k) {
  static const json kNone = json::object();
  return j.is_object() && j.contains(k) && j[k].is_object() ? j[k] : kNone;
}
const json& Arr(const json& j, const char* k) {
  static const json kNone = json::array();
  return j.is_object() && j.contains(k) && j[k].is_array() ? j[k] : kNone;
}

// Graph's created_time: unix seconds (webhooks) or RFC 3339.
int64_t GraphTimeMs(const json& v, const char* k) {
  if (v.is_object() && v.contains(k) && v[k].is_number_integer()) return v[k].get<int64_t>() * 1000;
  return ParseRfc3339Ms(Str(v, k));
}

// X v1.1's created_at: "Wed Oct 10 20:19:24 +0000 2018".
int64_t XTimeMs(const std::string& s) {
  std::tm tm{};
  if (!strptime(s.c_str(), "%a %b %d %H:%M:%S +0000 %Y", &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

void SetTime(herald::publisher::v1::InboundItem& item, int64_t ms) {
  if (ms > 0) *item.mutable_create_time() = FromMs(ms);
}

}  // namespace

absl::StatusOr<std::vector<RoutedItem>> ParseMetaWebhook(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::InvalidArgumentError("body: not a JSON object");
  std::string object = Str(j, "object");
  if (object != "page" && object != "instagram") return absl::InvalidArgumentError("object: want page or instagram");
  const Network network = object == "page" ? Network::NETWORK_FACEBOOK : Network::NETWORK_INSTAGRAM;
  std::vector<RoutedItem> out;
  for (const auto& entry : Arr(j, "entry")) {
    std::string account = Str(entry, "id");
    if (account.empty()) return absl::InvalidArgumentError("entry[].id: required");
    for (const auto& change : Arr(entry, "changes")) {
      const std::string field = Str(change, "field");
      const json& v = Obj(change, "value");
      RoutedItem r{network, account, {}};
      auto& item = r.item;
      item.set_kind(MentionKind::MENTION_KIND_COMMENT);
      if (network == Network::NETWORK_FACEBOOK) {
        if (field != "feed" || Str(v, "item") != "comment" || Str(v, "verb") != "add") continue;
        const json& from = Obj(v, "from");
        if (Str(from, "id") == account) continue;  // the Page's own comment
        item.set_remote_id(Str(v, "comment_id"));
        item.set_text(Str(v, "message"));
        item.set_author_id(Str(from, "id"));
        item.set_author_handle(Str(from, "name"));
        item.set_thread_remote_id(Str(v, "post_id"));
        std::string parent = Str(v, "parent_id");
        item.set_parent_remote_id(parent.empty() ? Str(v, "post_id") : parent);
        SetTime(item, GraphTimeMs(v, "created_time"));
      } else {
        if (field != "comments") continue;
        const json& from = Obj(v, "from");
        if (Str(from, "id") == account) continue;
        item.set_remote_id(Str(v, "id"));
        item.set_text(Str(v, "text"));
        item.set_author_id(Str(from, "id"));
        item.set_author_handle(Str(from, "username"));
        std::string media = Str(Obj(v, "media"), "id");
        item.set_thread_remote_id(media);
        std::string parent = Str(v, "parent_id");
        item.set_parent_remote_id(parent.empty() ? media : parent);
        SetTime(item, GraphTimeMs(entry, "time"));
      }
      if (item.remote_id().empty()) return absl::InvalidArgumentError("entry[].changes[].value: the comment's id is required");
      out.push_back(std::move(r));
      if (out.size() > kMaxItemsPerDelivery) return absl::InvalidArgumentError("entry: more than 1,000 comments");
    }
  }
  return out;
}

absl::StatusOr<std::vector<RoutedItem>> ParseXWebhook(const std::string& body) {
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::InvalidArgumentError("body: not a JSON object");
  std::string user = Str(j, "for_user_id");
  if (user.empty()) return absl::InvalidArgumentError("for_user_id: required");
  std::vector<RoutedItem> out;
  for (const auto& t : Arr(j, "tweet_create_events")) {
    const json& author = Obj(t, "user");
    if (Str(author, "id_str") == user) continue;  // the account's own tweet
    RoutedItem r{Network::NETWORK_X, user, {}};
    auto& item = r.item;
    item.set_remote_id(Str(t, "id_str"));
    if (item.remote_id().empty()) return absl::InvalidArgumentError("tweet_create_events[].id_str: required");
    item.set_text(Str(t, "text"));
    item.set_author_id(Str(author, "id_str"));
    item.set_author_handle(Str(author, "screen_name"));
    item.set_parent_remote_id(Str(t, "in_reply_to_status_id_str"));
    item.set_kind(!item.parent_remote_id().empty() && Str(t, "in_reply_to_user_id_str") == user
                      ? MentionKind::MENTION_KIND_REPLY
                      : MentionKind::MENTION_KIND_MENTION);
    item.set_language(Str(t, "lang"));
    item.set_url("https://x.com/" + item.author_handle() + "/status/" + item.remote_id());
    SetTime(item, XTimeMs(Str(t, "created_at")));
    out.push_back(std::move(r));
    if (out.size() > kMaxItemsPerDelivery) return absl::InvalidArgumentError("tweet_create_events: more than 1,000");
  }
  std::map<std::string, std::string> names;  // users: id → screen name
  for (const auto& [id, u] : Obj(j, "users").items()) names[id] = Str(u, "screen_name");
  for (const auto& e : Arr(j, "direct_message_events")) {
    if (Str(e, "type") != "message_create") continue;
    const json& mc = Obj(e, "message_create");
    std::string sender = Str(mc, "sender_id");
    if (sender == user) continue;  // sent by the account
    RoutedItem r{Network::NETWORK_X, user, {}};
    auto& item = r.item;
    item.set_kind(MentionKind::MENTION_KIND_DIRECT_MESSAGE);
    item.set_remote_id(Str(e, "id"));
    if (item.remote_id().empty()) return absl::InvalidArgumentError("direct_message_events[].id: required");
    item.set_author_id(sender);
    item.set_author_handle(names.count(sender) && !names[sender].empty() ? names[sender] : sender);
    item.set_text(Str(Obj(mc, "message_data"), "text"));
    SetTime(item, std::atoll(Str(e, "created_timestamp").c_str()));
    out.push_back(std::move(r));
    if (out.size() > kMaxItemsPerDelivery) return absl::InvalidArgumentError("direct_message_events: more than 1,000");
  }
  return out;
}

}  // namespace herald::listener
