#pragma once
// What Meta's and X's own webhooks deliver, as items for the inbox; no I/O.
// Both name the account the delivery is for (a Page or Instagram account
// id, X's for_user_id), not a Herald channel: the handler finds the channel
// by that account (poll_store.h ChannelOfAccount).
//   Meta (Graph webhooks): {"object": "page" | "instagram", "entry": [{"id",
//     "time", "changes": [{"field", "value"}]}]}. Page feed comments
//     (field "feed", item "comment", verb "add") and Instagram comments
//     (field "comments") are taken; every other change is ignored.
//   X (Account Activity API): {"for_user_id", "tweet_create_events": [v1.1
//     tweets], "direct_message_events": [message_create events]}. The
//     account's own tweets and messages are not mentions and are skipped.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "herald/common/v1/common.pb.h"
#include "herald/publisher/v1/gateway.pb.h"

namespace herald::listener {

struct RoutedItem {
  herald::common::v1::Network network = herald::common::v1::NETWORK_UNSPECIFIED;
  std::string account_id;  // whose it is (the network's id)
  herald::publisher::v1::InboundItem item;
};

// A delivery holds at most this many items (more is refused whole).
inline constexpr size_t kMaxItemsPerDelivery = 1000;

// INVALID_ARGUMENT naming the field for a malformed delivery.
absl::StatusOr<std::vector<RoutedItem>> ParseMetaWebhook(const std::string& body);
absl::StatusOr<std::vector<RoutedItem>> ParseXWebhook(const std::string& body);

}  // namespace herald::listener
