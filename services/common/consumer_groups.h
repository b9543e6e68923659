#pragma once
// Every Kafka consumer group Herald's services read in (by default name) and
// the topics each reads: the services subscribe from this list and
// `heraldctl status` reports each group's lag from it, so the two never
// disagree. (The manifests keep the default names; a group renamed with
// --consumer-group is not found by heraldctl status.)
#include <string>
#include <string_view>
#include <vector>

namespace herald {

struct ConsumerGroup {
  std::string id;       // the default --consumer-group
  std::string service;  // who consumes
  std::vector<std::string> topics;
};

const std::vector<ConsumerGroup>& HeraldConsumerGroups();
// The group with this id; throws std::out_of_range for an id not in the list (a programming error).
const ConsumerGroup& HeraldConsumerGroup(std::string_view id);

}  // namespace herald
