#include "analytics/rollup.h"

#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"

namespace herald::analytics {

using namespace herald::events::v1;

std::string Field(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out.push_back('|');
    out.append(p);
  }
  return out;
}

std::vector<Increment> IncrementsFor(std::string_view topic, const std::string& payload) {
  std::vector<Increment> out;
  if (topic == topics::k_publish_results) {
    PublishResult r;
    if (!r.ParseFromString(payload)) return out;
    const std::string& ws = r.meta().workspace_id();
    // One fact per delivery and final outcome, however often it is announced.
    std::string id = "res|" + r.post_id() + "|" + r.channel_id() + "|" + std::to_string(r.occurrence_ms());
    if (r.outcome() == PUBLISH_OUTCOME_PUBLISHED) {
      out.push_back({id, Field({"published", ws}), 1});
      out.push_back({id, Field({"published", ws, r.channel_id()}), 1});
      if (!r.campaign_id().empty()) out.push_back({id, Field({"campaign_published", ws, r.campaign_id()}), 1});
    } else if (r.outcome() == PUBLISH_OUTCOME_FAILED) {
      out.push_back({id, Field({"failed", ws}), 1});
      out.push_back({id, Field({"failed", ws, r.channel_id()}), 1});
    }
  } else if (topic == topics::k_mentions) {
    MentionReceived m;
    if (!m.ParseFromString(payload)) return out;
    const std::string& ws = m.meta().workspace_id();
    std::string id = "mention|" + m.mention_id();
    out.push_back({id, Field({"mentions", ws}), 1});
    out.push_back({id, Field({"mentions", ws, m.channel_id()}), 1});
  } else if (topic == topics::k_campaign_lifecycle) {
    CampaignEvent e;
    if (!e.ParseFromString(payload)) return out;
    const std::string& ws = e.meta().workspace_id();
    if (e.kind() == CAMPAIGN_EVENT_KIND_CREATED) {
      out.push_back({"cmp|" + e.campaign_id(), Field({"campaigns", ws}), 1});
    } else if (e.kind() == CAMPAIGN_EVENT_KIND_POST_ATTACHED) {
      out.push_back({"cmp|" + e.campaign_id() + "|" + e.post_id(), Field({"campaign_posts", ws, e.campaign_id()}), 1});
    }
  }
  return out;
}

}  // namespace herald::analytics
