#pragma once
// A consumed Kafka record is outside input. Before a consumer applies one it
// is screened against what its topic carries (the event_type column of
// proto/topics.tsv): bounded in size, decodable as that message, its
// "event-type" header and EventMeta naming that type, and naming a workspace.
// A record that fails is never applied: it goes to events.deadletter with the
// reason and where it came from, is counted
//   herald_events_deadlettered_total{topic, reason}
// and logged with topic, partition and offset — and the consumer moves on, so
// one poison record never stops the records behind it.
#include <google/protobuf/message.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "common/kafka.h"

namespace herald {

inline constexpr size_t kMaxEventBytes = 1 << 20;

// INVALID_ARGUMENT with a reason word first ("undecodable: ...", "wrong_type:
// ...", "too_large: ...", "no_workspace: ...") when the record is not its
// topic's event; `out` (of the topic's type) holds it otherwise.
absl::Status ScreenEvent(const KafkaMessage& record, google::protobuf::Message* out);
// The same for a topic whose type the caller does not name: a new message of
// the topic's type, or the refusal.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> ScreenEvent(const KafkaMessage& record);

// Where refused records go.
class DeadLetters {
 public:
  virtual ~DeadLetters() = default;
  virtual void Send(const KafkaMessage& record, const absl::Status& why) = 0;
};

// To events.deadletter, counted and logged.
class KafkaDeadLetters final : public DeadLetters {
 public:
  // Every (topic, reason) series of `topics` starts at 0, so the first dead
  // letter shows in increase() and alerts.
  KafkaDeadLetters(KafkaProducer& producer, std::string consumer_group, const std::vector<std::string>& topics,
                   prometheus::Registry& registry);
  // Waits (a few seconds at most) for the dead letter to be stored.
  void Send(const KafkaMessage& record, const absl::Status& why) override;

 private:
  KafkaProducer& producer_;
  std::string group_;
  prometheus::Family<prometheus::Counter>& family_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> counters_;
};

}  // namespace herald
