#include "common/kafka.h"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include "common/log.h"

namespace herald {
namespace {

rd_kafka_conf_t* MakeConf(const KafkaOptions& options, const std::map<std::string, std::string>& defaults) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw std::invalid_argument("kafka setting " + k + "=" + v + ": " + err);
    }
  };
  set("bootstrap.servers", options.brokers);
  if (!options.client_id.empty()) set("client.id", options.client_id);
  for (const auto& [k, v] : defaults) set(k, v);
  for (const auto& [k, v] : options.properties) set(k, v);
  return conf;
}

void LogCallback(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  if (level <= 3) {
    log::Error("kafka", {{"facility", fac}, {"detail", buf}});
  } else if (level <= 5) {
    log::Warn("kafka", {{"facility", fac}, {"detail", buf}});
  }
}

std::vector<TopicPartition> ToVector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  for (int i = 0; i < list->cnt; ++i) {
    out.push_back({list->elems[i].topic, list->elems[i].partition, list->elems[i].offset});
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------- producer

struct KafkaProducer::Impl {
  rd_kafka_t* rk = nullptr;
  std::atomic<bool> stop{false};
  std::thread poller;

  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void*) {
    auto* done = static_cast<DeliveryCallback*>(msg->_private);
    if (!done) return;
    (*done)(msg->err ? rd_kafka_err2str(msg->err) : "");
    delete done;
  }
};

KafkaProducer::KafkaProducer(const KafkaOptions& options) : impl_(std::make_unique<Impl>()) {
  // murmur2_random is the Java client's partitioner: a record keyed by a
  // channel lands on the partition any other Kafka client would pick.
  rd_kafka_conf_t* conf = MakeConf(options, {{"enable.idempotence", "true"},
                                             {"partitioner", "murmur2_random"},
                                             {"acks", "all"},
                                             {"linger.ms", "2"},
                                             {"message.timeout.ms", "60000"}});
  rd_kafka_conf_set_dr_msg_cb(conf, &Impl::OnDelivery);
  rd_kafka_conf_set_log_cb(conf, &LogCallback);
  char err[512];
  impl_->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!impl_->rk) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("kafka producer: ") + err);
  }
  impl_->poller = std::thread([impl = impl_.get()] {
    while (!impl->stop) rd_kafka_poll(impl->rk, 50);
  });
}

KafkaProducer::~KafkaProducer() {
  Flush(std::chrono::seconds(10));
  impl_->stop = true;
  impl_->poller.join();
  rd_kafka_poll(impl_->rk, 0);
  rd_kafka_destroy(impl_->rk);
}

void KafkaProducer::Produce(std::string_view topic, std::string_view key, std::string_view value,
                            const std::vector<KafkaHeader>& headers, DeliveryCallback done) {
  auto* cb = new DeliveryCallback(std::move(done));
  rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
  for (const auto& h : headers) rd_kafka_header_add(hdrs, h.key.data(), h.key.size(), h.value.data(), h.value.size());
  std::string topic_name(topic);
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        impl_->rk, RD_KAFKA_V_TOPIC(topic_name.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(cb), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;  // headers now owned by the message
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the poll thread drains it
      continue;
    }
    rd_kafka_headers_destroy(hdrs);
    (*cb)(rd_kafka_err2str(err));
    delete cb;
    return;
  }
}

absl::Status KafkaProducer::ProduceSync(std::string_view topic, std::string_view key, std::string_view value,
                                        const std::vector<KafkaHeader>& headers, std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<std::string>>();
  auto future = promise->get_future();
  Produce(topic, key, value, headers, [promise](const std::string& error) { promise->set_value(error); });
  if (future.wait_for(timeout) != std::future_status::ready) {
    return absl::DeadlineExceededError("kafka delivery to " + std::string(topic) + " timed out");
  }
  std::string error = future.get();
  if (!error.empty()) return absl::UnavailableError("kafka delivery to " + std::string(topic) + ": " + error);
  return absl::OkStatus();
}

bool KafkaProducer::Flush(std::chrono::milliseconds timeout) {
  return rd_kafka_flush(impl_->rk, static_cast<int>(timeout.count())) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

// ---------------------------------------------------------------- consumer

struct KafkaConsumer::Impl {
  rd_kafka_t* rk = nullptr;
  ConsumerOptions options;
  bool closed = false;

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                          void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      auto assigned = ToVector(parts);
      if (self->options.on_assign) self->options.on_assign(assigned);
      for (int i = 0; i < parts->cnt && i < static_cast<int>(assigned.size()); ++i) {
        parts->elems[i].offset = assigned[i].offset;
      }
      log::Info("kafka partitions assigned", {{"count", parts->cnt}, {"group", self->options.group_id}});
      rd_kafka_assign(rk, parts);
    } else {
      if (self->options.on_revoke) self->options.on_revoke(ToVector(parts));
      log::Info("kafka partitions revoked", {{"count", parts->cnt}, {"group", self->options.group_id}});
      rd_kafka_assign(rk, nullptr);
    }
  }
};

KafkaConsumer::KafkaConsumer(const ConsumerOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  rd_kafka_conf_t* conf = MakeConf(options.kafka, {{"group.id", options.group_id},
                                             {"enable.auto.commit", "false"},
                                             {"enable.auto.offset.store", "false"},
                                             {"auto.offset.reset", "earliest"},
                                             {"enable.partition.eof", "false"}});
  rd_kafka_conf_set_rebalance_cb(conf, &Impl::OnRebalance);
  rd_kafka_conf_set_log_cb(conf, &LogCallback);
  rd_kafka_conf_set_opaque(conf, impl_.get());
  char err[512];
  impl_->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!impl_->rk) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("kafka consumer: ") + err);
  }
  rd_kafka_poll_set_consumer(impl_->rk);
  if (options.topics.empty()) return;
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(options.topics.size());
  for (const auto& t : options.topics) rd_kafka_topic_partition_list_add(topics, t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(impl_->rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (e) throw std::runtime_error(std::string("kafka subscribe: ") + rd_kafka_err2str(e));
}

KafkaConsumer::~KafkaConsumer() {
  Close();
  rd_kafka_destroy(impl_->rk);
}

void KafkaConsumer::Close() {
  if (impl_->closed) return;
  impl_->closed = true;
  rd_kafka_consumer_close(impl_->rk);
}

std::vector<KafkaMessage> KafkaConsumer::PollBatch(size_t max_messages, std::chrono::milliseconds timeout) {
  std::vector<KafkaMessage> out;
  int wait_ms = static_cast<int>(timeout.count());
  while (out.size() < max_messages) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(impl_->rk, out.empty() ? wait_ms : 0);
    if (!m) break;
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        log::Warn("kafka consume error", {{"error", rd_kafka_message_errstr(m)}});
      }
      rd_kafka_message_destroy(m);
      if (out.empty()) break;
      continue;
    }
    KafkaMessage msg;
    msg.topic = rd_kafka_topic_name(m->rkt);
    msg.partition = m->partition;
    msg.offset = m->offset;
    if (m->key) msg.key.assign(static_cast<const char*>(m->key), m->key_len);
    if (m->payload) msg.value.assign(static_cast<const char*>(m->payload), m->len);
    msg.timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name;
      const void* val;
      size_t size;
      for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
        msg.headers.push_back({name, val ? std::string(static_cast<const char*>(val), size) : ""});
      }
    }
    rd_kafka_message_destroy(m);
    out.push_back(std::move(msg));
  }
  return out;
}

absl::Status KafkaConsumer::Commit(const std::vector<KafkaMessage>& processed) {
  if (processed.empty()) return absl::OkStatus();
  std::map<std::pair<std::string, int32_t>, int64_t> next;
  for (const auto& m : processed) {
    auto& n = next[{m.topic, m.partition}];
    n = std::max(n, m.offset + 1);
  }
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(next.size());
  for (const auto& [tp, off] : next) rd_kafka_topic_partition_list_add(list, tp.first.c_str(), tp.second)->offset = off;
  rd_kafka_resp_err_t err = rd_kafka_commit(impl_->rk, list, 0);
  rd_kafka_topic_partition_list_destroy(list);
  if (err) return absl::UnavailableError(std::string("kafka commit: ") + rd_kafka_err2str(err));
  return absl::OkStatus();
}

absl::StatusOr<KafkaConsumer::Watermarks> KafkaConsumer::QueryWatermarks(const std::string& topic,
                                                                          int32_t partition,
                                                                          std::chrono::milliseconds timeout) {
  Watermarks w;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(impl_->rk, topic.c_str(), partition, &w.low, &w.high,
                                                             static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError("watermarks of " + topic + "/" + std::to_string(partition) + ": " +
                                  rd_kafka_err2str(err));
  }
  return w;
}

absl::StatusOr<int> KafkaConsumer::PartitionCount(const std::string& topic, std::chrono::milliseconds timeout) {
  rd_kafka_topic_t* handle = rd_kafka_topic_new(impl_->rk, topic.c_str(), nullptr);
  if (!handle) return absl::InternalError("kafka topic handle for " + topic);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(impl_->rk, 0, handle, &md, static_cast<int>(timeout.count()));
  rd_kafka_topic_destroy(handle);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return absl::UnavailableError("metadata of " + topic + ": " + rd_kafka_err2str(err));
  int count = -1;
  std::string why;
  if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    count = md->topics[0].partition_cnt;
  } else if (md->topic_cnt == 1) {
    why = rd_kafka_err2str(md->topics[0].err);
  }
  rd_kafka_metadata_destroy(md);
  if (count < 0) return absl::NotFoundError("topic " + topic + ": " + (why.empty() ? "not in metadata" : why));
  return count;
}

absl::StatusOr<std::vector<int64_t>> KafkaConsumer::Committed(const std::string& topic, int partitions,
                                                              std::chrono::milliseconds timeout) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  rd_kafka_resp_err_t err = rd_kafka_committed(impl_->rk, list, static_cast<int>(timeout.count()));
  std::vector<int64_t> out(partitions, -1);
  for (int i = 0; i < list->cnt; ++i) {
    const auto& e = list->elems[i];
    if (e.partition >= 0 && e.partition < partitions && e.offset >= 0) out[e.partition] = e.offset;
  }
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError("committed offsets of " + topic + ": " + rd_kafka_err2str(err));
  }
  return out;
}

absl::Status KafkaConsumer::Assign(const std::vector<TopicPartition>& partitions) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(list, tp.topic.c_str(), tp.partition)->offset = tp.offset;
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(impl_->rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return absl::InternalError(std::string("kafka assign: ") + rd_kafka_err2str(err));
  return absl::OkStatus();
}

std::optional<int64_t> KafkaConsumer::CachedHighWatermark(const std::string& topic, int32_t partition) {
  int64_t low = -1, high = -1;
  if (rd_kafka_get_watermark_offsets(impl_->rk, topic.c_str(), partition, &low, &high) !=
          RD_KAFKA_RESP_ERR_NO_ERROR ||
      high < 0) {
    return std::nullopt;
  }
  return high;
}

absl::Status KafkaConsumer::Seek(const std::string& topic, int32_t partition, int64_t offset) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = offset;
  rd_kafka_error_t* error = rd_kafka_seek_partitions(impl_->rk, list, 5000);
  rd_kafka_topic_partition_list_destroy(list);
  if (error) {
    std::string msg = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    return absl::UnavailableError("kafka seek: " + msg);
  }
  return absl::OkStatus();
}

}  // namespace herald
