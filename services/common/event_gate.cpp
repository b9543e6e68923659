#include "common/event_gate.h"

#include <google/protobuf/descriptor.h>

#include "common/clock.h"
#include "common/events.h"
#include "common/log.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"

namespace herald {
namespace {

constexpr const char* kReasons[] = {"undecodable", "wrong_type", "too_large", "no_workspace", "unknown_topic", "other"};

std::string_view TypeOf(std::string_view topic) {
  for (const auto& t : topics::kAll) {
    if (t.name == topic) return t.event_type;
  }
  return {};
}

absl::Status Refuse(const char* reason, std::string_view detail) {
  return absl::InvalidArgumentError(std::string(reason) + ": " + std::string(detail));
}

// The reason word a refusal starts with (a bounded label value).
std::string ReasonOf(const absl::Status& s) {
  std::string m(s.message());
  auto colon = m.find(':');
  std::string word(m.substr(0, colon == std::string_view::npos ? m.size() : colon));
  for (const char* known : kReasons) {
    if (word == known) return word;
  }
  return "other";
}

}  // namespace

absl::Status ScreenEvent(const KafkaMessage& record, google::protobuf::Message* out) {
  const std::string full_name = out->GetDescriptor()->full_name();
  std::string_view want = TypeOf(record.topic);
  if (want.empty()) return Refuse("unknown_topic", "no event type is defined for this topic");
  if (want != full_name) return Refuse("wrong_type", "the consumer expected another type");  // a wiring bug
  if (record.value.size() > kMaxEventBytes) return Refuse("too_large", std::to_string(record.value.size()) + " bytes");
  for (const auto& h : record.headers) {
    if (h.key == "event-type" && h.value != full_name) return Refuse("wrong_type", "event-type header is not " + full_name);
  }
  if (!out->ParseFromString(record.value)) return Refuse("undecodable", "not a " + full_name);
  const auto* meta_field = out->GetDescriptor()->FindFieldByName("meta");
  if (!meta_field || meta_field->message_type() != herald::common::v1::EventMeta::descriptor()) {
    return Refuse("wrong_type", full_name + " has no EventMeta");
  }
  const auto& meta = static_cast<const herald::common::v1::EventMeta&>(out->GetReflection()->GetMessage(*out, meta_field));
  if (meta.event_type() != full_name) return Refuse("wrong_type", "meta.event_type is not " + full_name);
  if (meta.workspace_id().empty() || meta.workspace_id().size() > 64) return Refuse("no_workspace", "meta.workspace_id");
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> ScreenEvent(const KafkaMessage& record) {
  std::string_view want = TypeOf(record.topic);
  if (want.empty()) return Refuse("unknown_topic", "no event type is defined for this topic");
  const auto* d = google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(std::string(want));
  if (!d) return Refuse("unknown_topic", "event type not linked");
  std::unique_ptr<google::protobuf::Message> out(google::protobuf::MessageFactory::generated_factory()->GetPrototype(d)->New());
  if (auto st = ScreenEvent(record, out.get()); !st.ok()) return st;
  return out;
}

KafkaDeadLetters::KafkaDeadLetters(KafkaProducer& producer, std::string consumer_group,
                                   const std::vector<std::string>& topics, prometheus::Registry& registry)
    : producer_(producer),
      group_(std::move(consumer_group)),
      family_(prometheus::BuildCounter()
                  .Name("herald_events_deadlettered_total")
                  .Help("Consumed records that were not their topic's event, sent to events.deadletter, by reason.")
                  .Register(registry)) {
  for (const auto& topic : topics) {
    for (const char* reason : kReasons) counters_[{topic, reason}] = &family_.Add({{"topic", topic}, {"reason", reason}});
  }
}

void KafkaDeadLetters::Send(const KafkaMessage& record, const absl::Status& why) {
  const std::string reason = ReasonOf(why);
  {
    std::lock_guard lock(mu_);
    auto& c = counters_[{record.topic, reason}];
    if (!c) c = &family_.Add({{"topic", record.topic}, {"reason", reason}});
    c->Increment();
  }
  log::Error("record dead-lettered", {{"topic", record.topic},
                                      {"partition", record.partition},
                                      {"offset", record.offset},
                                      {"reason", std::string(why.message()).substr(0, 200)}});
  herald::events::v1::DeadLetter dl;
  dl.set_topic(record.topic);
  dl.set_partition(record.partition);
  dl.set_offset(record.offset);
  dl.set_reason(std::string(why.message()).substr(0, 500));
  dl.set_key(record.key.substr(0, 64 << 10));
  dl.set_value(record.value.substr(0, 64 << 10));
  dl.set_consumer_group(group_);
  std::string workspace = "unknown";
  for (const auto& h : record.headers) {
    if (h.key == "workspace" && !h.value.empty() && h.value.size() <= 64) workspace = h.value;
  }
  *dl.mutable_meta() = NewEventMeta(dl, workspace, SystemClock::Instance());
  auto st = producer_.ProduceSync(topics::k_events_deadletter, record.topic, dl.SerializeAsString(),
                                  EventHeaders(dl.meta()), std::chrono::seconds(5));
  if (!st.ok()) {
    log::Error("dead letter not stored", {{"topic", record.topic}, {"offset", record.offset}, {"error", st.ToString()}});
  }
}

}  // namespace herald
