// Kafka records on every topic Herald consumes, before a consumer applies
// them, and as the publisher turns them into outbound webhook events.
#include "common/event_gate.h"
#include "publisher/webhooks/webhook_event.h"
#include "fuzz_input.h"
#include "herald/topics.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto f = herald::fuzz::Fields(data, size, 2);  // event-type header, value
  for (const auto& t : herald::topics::kAll) {
    herald::KafkaMessage m;
    m.topic = std::string(t.name);
    m.value = f[1];
    if (!f[0].empty()) m.headers.push_back({"event-type", f[0]});
    (void)herald::ScreenEvent(m);
  }
  for (const auto& topic : herald::publisher::WebhookSourceTopics()) (void)herald::publisher::WebhookEventFrom(topic, f[1]);
  return 0;
}
