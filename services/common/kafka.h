#pragma once
// RAII Kafka producer and consumer. librdkafka stays behind these classes: no
// rdkafka header is included here.
//
// Producer: enable.idempotence=true, acks=all, the Java client's partitioner
// (murmur2); every Produce reports delivery.
// Consumer: no auto-commit; the caller commits (or stores offsets elsewhere)
// after the effects of a message are durable: at-least-once by default.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace herald {

struct KafkaHeader {
  std::string key;
  std::string value;
};

struct KafkaMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<KafkaHeader> headers;
  int64_t timestamp_ms = 0;
};

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  // Start offset on assignment; kStoredOffset keeps the committed one.
  int64_t offset = kStoredOffset;
  static constexpr int64_t kStoredOffset = -1000;  // RD_KAFKA_OFFSET_STORED
};

struct KafkaOptions {
  std::string brokers;
  std::string client_id;
  // Extra librdkafka properties, e.g. {"linger.ms", "5"}.
  std::map<std::string, std::string> properties;
};

class KafkaProducer {
 public:
  // Empty error means delivered (acks=all).
  using DeliveryCallback = std::function<void(const std::string& error)>;

  explicit KafkaProducer(const KafkaOptions& options);
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // Queues a message; `done` runs on the producer's poll thread.
  void Produce(std::string_view topic, std::string_view key, std::string_view value,
               const std::vector<KafkaHeader>& headers, DeliveryCallback done);
  // Produces and waits for the delivery report (or the timeout).
  absl::Status ProduceSync(std::string_view topic, std::string_view key, std::string_view value,
                           const std::vector<KafkaHeader>& headers,
                           std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Waits until everything queued is delivered.
  bool Flush(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ConsumerOptions {
  KafkaOptions kafka;
  std::string group_id;
  // Subscribed in group_id; none: the consumer only inspects or is assigned partitions.
  std::vector<std::string> topics;
  // Called inside a rebalance with the partitions being assigned; it may set
  // each one's start offset (services that keep offsets beside their state).
  std::function<void(std::vector<TopicPartition>&)> on_assign;
  std::function<void(const std::vector<TopicPartition>&)> on_revoke;
};

class KafkaConsumer {
 public:
  explicit KafkaConsumer(const ConsumerOptions& options);
  ~KafkaConsumer();
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  // Up to max_messages, waiting at most `timeout` for the first one.
  std::vector<KafkaMessage> PollBatch(size_t max_messages, std::chrono::milliseconds timeout);
  // Commits offset+1 of each message's partition (the highest per partition), synchronously.
  absl::Status Commit(const std::vector<KafkaMessage>& processed);
  // Restarts consumption of a partition at `offset` (after a fenced write).
  absl::Status Seek(const std::string& topic, int32_t partition, int64_t offset);
  // A partition's first offset and its log end (the next offset to be
  // written), asked of the broker.
  struct Watermarks {
    int64_t low = 0;
    int64_t high = 0;
  };
  absl::StatusOr<Watermarks> QueryWatermarks(const std::string& topic, int32_t partition,
                                             std::chrono::milliseconds timeout);
  // How many partitions the topic has (a metadata request).
  absl::StatusOr<int> PartitionCount(const std::string& topic, std::chrono::milliseconds timeout);
  // What this consumer's group committed on partitions 0..partitions-1 of the
  // topic (-1: nothing yet), asked of the group coordinator. A consumer made
  // with no topics never joins its group, so this disturbs no member.
  absl::StatusOr<std::vector<int64_t>> Committed(const std::string& topic, int partitions,
                                                 std::chrono::milliseconds timeout);
  // Reads exactly these partitions from their offsets (no group membership;
  // for a consumer made with no topics).
  absl::Status Assign(const std::vector<TopicPartition>& partitions);
  // The log end as last fetched (no broker call); nullopt before one is known.
  std::optional<int64_t> CachedHighWatermark(const std::string& topic, int32_t partition);
  // Leaves the group cleanly (revokes partitions). Safe to call twice.
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace herald
