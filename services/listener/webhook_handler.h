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
#include "listener/network_webhooks.h"
#include "listener/polling/poll_store.h"
#include "listener/webhook_probe.h"

namespace herald::listener {

struct WebhookReply {
  int status = 200;
  std::string body;  // JSON
  std::map<std::string, std::string> headers;
};

// The apps' secrets for Meta's and X's own webhooks (empty: that network's
// webhook routes answer 404).
struct NetworkWebhookSecrets {
  std::string meta_app_secret;    // signs X-Hub-Signature-256
  std::string meta_verify_token;  // what Meta's subscription check must present
  std::string x_consumer_secret;  // signs x-twitter-webhooks-signature and the CRC answer
};

class WebhookHandler {
 public:
  // `master_secret` derives each workspace's signing secret (common/hmac.h).
  // `accounts`: which channel a network's webhook means (nullptr: none routed).
  WebhookHandler(MentionIngest& ingest, std::string master_secret, const Clock& clock, prometheus::Registry& registry,
                 PollStore* accounts = nullptr, NetworkWebhookSecrets secrets = {});

  WebhookReply HandleMastodon(const std::string& workspace_id, const std::string& channel_id, const std::string& body,
                              const std::string& signature_header);
  // Meta: GET ?hub.mode&hub.verify_token&hub.challenge, then signed POSTs.
  WebhookReply MetaChallenge(const std::string& mode, const std::string& verify_token, const std::string& challenge);
  WebhookReply HandleMeta(const std::string& body, const std::string& signature_header);
  // X: GET ?crc_token, then signed POSTs.
  WebhookReply XCrc(const std::string& crc_token);
  WebhookReply HandleX(const std::string& body, const std::string& signature_header);

 private:
  WebhookReply Count(WebhookResult result, WebhookReply reply);
  // Each item to its channel's inbox; 503 (the network retries) unless all are in.
  WebhookReply IngestRouted(const std::vector<RoutedItem>& items);

  MentionIngest& ingest_;
  PollStore* accounts_;
  NetworkWebhookSecrets secrets_;
  std::string secret_;
  const Clock& clock_;
  WebhookProbe probe_;
};

}  // namespace herald::listener
