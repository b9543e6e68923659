#include "analytics/event_consumer.h"

#include "common/log.h"

namespace herald::analytics {

EventConsumer::EventConsumer(RollupStore& store, ConsumerOptions options, DeadLetters& dead_letters,
                             const Clock& clock, prometheus::Registry& registry)
    : store_(store),
      options_(std::move(options)),
      dead_letters_(dead_letters),
      clock_(clock),
      probe_(registry, options_.topics) {
  options_.on_assign = [this](std::vector<TopicPartition>& parts) {
    for (auto& tp : parts) {
      auto stored = store_.StoredOffset(tp.topic, tp.partition);
      if (stored.ok() && stored->has_value()) tp.offset = **stored;
      if (!stored.ok()) log::Error("cannot read stored offset", {{"topic", tp.topic}, {"error", stored.status().ToString()}});
    }
  };
}

void EventConsumer::Loop(const std::atomic<bool>& stopping) {
  KafkaConsumer consumer(options_);
  while (!stopping) {
    auto messages = consumer.PollBatch(1000, std::chrono::milliseconds(200));
    if (messages.empty()) continue;
    // Group by partition, preserving order.
    std::map<std::pair<std::string, int32_t>, PartitionBatch> by_partition;
    for (const auto& m : messages) {
      auto& b = by_partition[{m.topic, m.partition}];
      if (b.topic.empty()) {
        b.topic = m.topic;
        b.partition = m.partition;
        b.first_offset = m.offset;
      }
      b.next_offset = m.offset + 1;
      if (auto screened = ScreenEvent(m); !screened.ok()) {
        dead_letters_.Send(m, screened.status());
        continue;
      }
      for (auto& inc : IncrementsFor(m.topic, m.value)) {
        inc.offset = m.offset;
        b.increments.push_back(std::move(inc));
      }
    }
    std::vector<PartitionBatch> batches;
    for (auto& [k, b] : by_partition) batches.push_back(std::move(b));
    auto results = store_.Apply(batches);
    while (!results.ok() && !stopping) {
      probe_.ApplyFailed();
      log::Warn("rollup apply failed; retrying", {{"error", results.status().ToString()}});
      clock_.SleepFor(std::chrono::seconds(1));
      results = store_.Apply(batches);
    }
    if (!results.ok()) break;
    std::vector<KafkaMessage> applied_messages;
    for (size_t i = 0; i < batches.size(); ++i) {
      const auto& b = batches[i];
      if ((*results)[i].applied) {
        probe_.Applied(b.topic, b.next_offset - b.first_offset);
        KafkaMessage last;
        last.topic = b.topic;
        last.partition = b.partition;
        last.offset = b.next_offset - 1;
        applied_messages.push_back(last);
      } else {
        probe_.Fenced();
        log::Warn("batch refused; seeking to stored offset",
                  {{"topic", b.topic}, {"partition", b.partition}, {"stored", (*results)[i].stored_offset}});
        (void)consumer.Seek(b.topic, b.partition, (*results)[i].stored_offset);
      }
    }
    // Kafka's committed offsets are informational (lag dashboards); the truth is in Redis.
    (void)consumer.Commit(applied_messages);
  }
}

}  // namespace herald::analytics
