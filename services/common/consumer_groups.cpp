#include "common/consumer_groups.h"

#include <stdexcept>

#include "herald/topics.h"

namespace herald {

const std::vector<ConsumerGroup>& HeraldConsumerGroups() {
  static const std::vector<ConsumerGroup> groups = [] {
    auto t = [](std::string_view topic) { return std::string(topic); };
    return std::vector<ConsumerGroup>{
        {"herald-scheduler", "scheduler", {t(topics::k_publish_results)}},
        {"herald-publisher", "publisher", {t(topics::k_posts_due)}},
        // Event webhooks: the events subscribers can ask for.
        {"herald-publisher-webhooks",
         "publisher",
         {t(topics::k_publish_results), t(topics::k_mentions), t(topics::k_channels_lifecycle),
          t(topics::k_listening_alerts), t(topics::k_inbox_sla), t(topics::k_campaign_lifecycle)}},
        {"herald-listener-channels", "listener", {t(topics::k_channels_lifecycle)}},
        {"herald-campaign-audiences", "campaign", {t(topics::k_mentions)}},
        {"herald-analytics",
         "analytics",
         {t(topics::k_publish_results), t(topics::k_post_metrics), t(topics::k_channel_metrics), t(topics::k_mentions),
          t(topics::k_posts_lifecycle), t(topics::k_inbox_sla), t(topics::k_campaign_lifecycle),
          t(topics::k_link_clicks), t(topics::k_conversions), t(topics::k_spend)}},
    };
  }();
  return groups;
}

const ConsumerGroup& HeraldConsumerGroup(std::string_view id) {
  for (const auto& g : HeraldConsumerGroups()) {
    if (g.id == id) return g;
  }
  throw std::out_of_range("no consumer group " + std::string(id));
}

}  // namespace herald
