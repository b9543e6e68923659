#include "common/events.h"

#include <random>

#include "common/ids.h"
#include "common/time_util.h"

namespace herald {

herald::common::v1::EventMeta NewEventMeta(const google::protobuf::Message& event, std::string_view workspace_id,
                                           const Clock& clock, std::string event_id) {
  herald::common::v1::EventMeta meta;
  meta.set_event_id(event_id.empty() ? NewId("ev_") : std::move(event_id));
  meta.set_event_type(event.GetDescriptor()->full_name());
  *meta.mutable_occurred_at() = FromMs(clock.NowMs());
  meta.set_workspace_id(std::string(workspace_id));
  meta.set_traceparent(NewTraceparent());
  return meta;
}

std::vector<KafkaHeader> EventHeaders(const herald::common::v1::EventMeta& meta) {
  return {{"event-id", meta.event_id()},
          {"event-type", meta.event_type()},
          {"workspace", meta.workspace_id()},
          {"traceparent", meta.traceparent()}};
}

std::string NewTraceparent() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  auto hex64 = [] {
    uint64_t v = rng();
    return ToHex(std::string_view(reinterpret_cast<const char*>(&v), sizeof v));
  };
  return "00-" + hex64() + hex64() + "-" + hex64() + "-01";
}

}  // namespace herald
