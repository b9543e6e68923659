#pragma once
// Accepts a network's mention webhook: verify signature → parse → ingest
// (mention_ingest.h: drops redeliveries and what a poll already took in).
// Replies 202 only once the mention is durable on Kafka, so a sender that
// sees an error retries and nothing is lost or counted twice.
#include <map>
#include <string>

#include <prometheus/registry.h>

#include "common/clock.h"
#include "listener/ingest/mention_ingest.h"
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
  WebhookHandler(MentionIngest& ingest, std::string master_secret, const Clock& clock, prometheus::Registry& registry);

  WebhookReply HandleMastodon(const std::string& workspace_id, const std::string& channel_id, const std::string& body,
                              const std::string& signature_header);

 private:
  WebhookReply Count(WebhookResult result, WebhookReply reply);

  MentionIngest& ingest_;
  std::string secret_;
  const Clock& clock_;
  WebhookProbe probe_;
};

}  // namespace herald::listener
