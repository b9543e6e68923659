#pragma once
// Accepts a network's mention webhook: verify signature → parse → claim the
// mention (drops redeliveries) → announce on Kafka (mentions) → store in the
// inbox. Replies 202 only once the mention is durable on Kafka, so a sender
// that sees an error retries and nothing is lost or counted twice.
#include <map>
#include <string>

#include <prometheus/registry.h>

#include "common/clock.h"
#include "common/kafka.h"
#include "listener/alerts/spike_watch.h"
#include "listener/inbox_store.h"
#include "listener/rule_store.h"
#include "listener/webhook_probe.h"

namespace herald::listener {

struct WebhookReply {
  int status = 200;
  std::string body;  // JSON
  std::map<std::string, std::string> headers;
};

class WebhookHandler {
 public:
  // `master_secret` derives each workspace's signing secret (common/hmac.h).
  // `spikes`: where accepted mentions are counted for spike alerts (nullptr: nowhere).
  WebhookHandler(InboxStore& inbox, RuleStore& rules, KafkaProducer& producer, std::string master_secret,
                 const Clock& clock, prometheus::Registry& registry, SpikeWatch* spikes = nullptr);

  WebhookReply HandleMastodon(const std::string& workspace_id, const std::string& channel_id, const std::string& body,
                              const std::string& signature_header);

 private:
  WebhookReply Count(WebhookResult result, WebhookReply reply);

  InboxStore& inbox_;
  RuleStore& rules_;
  SpikeWatch* spikes_;
  KafkaProducer& producer_;
  std::string secret_;
  const Clock& clock_;
  WebhookProbe probe_;
};

}  // namespace herald::listener
