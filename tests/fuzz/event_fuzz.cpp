// Kafka records on every topic Herald consumes, before a consumer applies
// them, as analytics turns them into facts (and a slice's script
// arguments), and as the publisher turns them into outbound webhook events.
#include "analytics/rollup.h"
#include "analytics/store/apply_args.h"
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
    auto event = herald::ScreenEvent(m);
    if (!event.ok()) continue;
    auto fact = herald::analytics::FactFor(m.topic, **event);
    if (!fact.ok() || !fact->has_value()) continue;
    herald::analytics::Slice slice;
    slice.workspace_id = (*fact)->workspace_id;
    slice.segments = {{m.topic, 0, 0, 0, 1}};
    slice.Add(&**fact, 0, 0);
    std::vector<const herald::analytics::Fact*> included;
    std::vector<uint32_t> sent;
    (void)herald::analytics::ApplyArgs(slice, {}, 100, 0, included, sent);
  }
  for (const auto& topic : herald::publisher::WebhookSourceTopics()) (void)herald::publisher::WebhookEventFrom(topic, f[1]);
  return 0;
}
