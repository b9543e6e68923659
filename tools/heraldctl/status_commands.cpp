#include "heraldctl/status_commands.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>

#include "common/consumer_groups.h"
#include "common/kafka.h"
#include "common/time_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "herald/events/v1/events.pb.h"
#include "herald/publisher/v1/publisher.grpc.pb.h"
#include "herald/topics.h"
#include "heraldctl/table.h"

namespace heraldctl {
namespace {

namespace pub = herald::publisher::v1;
using Clock = std::chrono::steady_clock;
constexpr auto kKafkaTimeout = std::chrono::seconds(5);

struct ServiceAddress {
  const char* name;
  const char* flag;
  const char* env;
  const char* fallback;
};
constexpr ServiceAddress kServices[] = {
    {"scheduler", "scheduler", "HERALD_SCHEDULER_ADDR", "localhost:7101"},
    {"publisher", "publisher", "HERALD_PUBLISHER_ADDR", "localhost:7102"},
    {"listener", "listener", "HERALD_LISTENER_ADDR", "localhost:7103"},
    {"campaign", "campaign-addr", "HERALD_CAMPAIGN_ADDR", "localhost:7104"},
    {"analytics", "analytics", "HERALD_ANALYTICS_ADDR", "localhost:7105"},
};

// SERVICE ADDRESS HEALTH LATENCY; false when one does not serve.
bool PrintHealth(const Ctx& c) {
  bool all = true;
  Table t({"SERVICE", "ADDRESS", "HEALTH", "LATENCY"});
  for (const auto& s : kServices) {
    auto stub = grpc::health::v1::Health::NewStub(Dial(c.args, s.flag, s.env, s.fallback));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse res;
    auto start = Clock::now();
    grpc::Status st = stub->Check(&ctx, req, &res);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    std::string health;
    if (!st.ok()) {
      health = st.error_code() == grpc::StatusCode::UNAVAILABLE || st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED
                   ? "UNREACHABLE"
                   : "ERROR (" + st.error_message() + ")";
    } else {
      health = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(res.status());
    }
    all = all && health == "SERVING";
    t.Row({s.name, Setting(c.args, s.flag, s.env, s.fallback), health, st.ok() ? std::to_string(ms) + "ms" : "-"});
  }
  t.Print(std::cout);
  return all;
}

// The services' Kafka settings (same flags and HERALD_* variables), so inside
// a pod heraldctl reaches Kafka exactly as the service there does.
herald::KafkaOptions Kafka(const Ctx& c) {
  herald::KafkaOptions o;
  o.brokers = Setting(c.args, "kafka-brokers", "HERALD_KAFKA_BROKERS", "");
  o.client_id = "heraldctl";
  auto set = [&](const char* flag, const char* env, const char* property) {
    if (auto v = Setting(c.args, flag, env, ""); !v.empty()) o.properties[property] = v;
  };
  set("kafka-security-protocol", "HERALD_KAFKA_SECURITY_PROTOCOL", "security.protocol");
  set("kafka-sasl-mechanism", "HERALD_KAFKA_SASL_MECHANISM", "sasl.mechanisms");
  set("kafka-sasl-username", "HERALD_KAFKA_SASL_USERNAME", "sasl.username");
  set("kafka-ssl-ca-file", "HERALD_KAFKA_SSL_CA_FILE", "ssl.ca.location");
  if (auto file = Setting(c.args, "kafka-sasl-password-file", "HERALD_KAFKA_SASL_PASSWORD_FILE", ""); !file.empty()) {
    std::ifstream in(file);
    std::string password;
    std::getline(in, password);
    o.properties["sasl.password"] = password;
  }
  return o;
}

// GROUP TOPIC LAG BEHIND: what each group committed against each topic's end.
void PrintLag(const herald::KafkaOptions& kafka) {
  Table t({"CONSUMER GROUP", "SERVICE", "TOPIC", "LAG", "PARTITIONS BEHIND"});
  for (const auto& group : herald::HeraldConsumerGroups()) {
    herald::ConsumerOptions o;
    o.kafka = kafka;
    o.group_id = group.id;  // no topics: asks, never joins
    herald::KafkaConsumer consumer(o);
    for (const auto& topic : group.topics) {
      auto partitions = consumer.PartitionCount(topic, kKafkaTimeout);
      if (!partitions.ok()) {
        t.Row({group.id, group.service, topic, "?", std::string(partitions.status().message())});
        continue;
      }
      auto committed = consumer.Committed(topic, *partitions, kKafkaTimeout);
      int64_t lag = 0;
      int behind = 0;
      std::string problem;
      for (int p = 0; p < *partitions && problem.empty(); ++p) {
        auto w = consumer.QueryWatermarks(topic, p, kKafkaTimeout);
        if (!w.ok() || !committed.ok()) {
          problem = std::string((!committed.ok() ? committed.status() : w.status()).message());
          break;
        }
        // Nothing committed yet: the group starts at the log's start.
        int64_t position = (*committed)[p] < 0 ? w->low : std::max((*committed)[p], w->low);
        int64_t partition_lag = std::max<int64_t>(0, w->high - position);
        lag += partition_lag;
        behind += partition_lag > 0;
      }
      if (!problem.empty()) {
        t.Row({group.id, group.service, topic, "?", problem});
      } else {
        t.Row({group.id, group.service, topic, std::to_string(lag),
               std::to_string(behind) + "/" + std::to_string(*partitions)});
      }
    }
  }
  t.Print(std::cout);
}

// The last `n` records of a topic, oldest first (read from its partitions' tails).
std::vector<herald::KafkaMessage> Tail(const herald::KafkaOptions& kafka, const std::string& topic, int n) {
  herald::ConsumerOptions o;
  o.kafka = kafka;
  o.group_id = "heraldctl-status";  // never commits
  herald::KafkaConsumer consumer(o);
  auto partitions = consumer.PartitionCount(topic, kKafkaTimeout);
  if (!partitions.ok()) return {};
  std::vector<herald::TopicPartition> assign;
  int64_t wanted = 0;
  for (int p = 0; p < *partitions; ++p) {
    auto w = consumer.QueryWatermarks(topic, p, kKafkaTimeout);
    if (!w.ok() || w->high <= w->low) continue;
    int64_t from = std::max(w->low, w->high - n);
    assign.push_back({topic, p, from});
    wanted += w->high - from;
  }
  std::vector<herald::KafkaMessage> out;
  if (assign.empty() || !consumer.Assign(assign).ok()) return out;
  auto deadline = Clock::now() + kKafkaTimeout;
  while (static_cast<int64_t>(out.size()) < wanted && Clock::now() < deadline) {
    auto batch = consumer.PollBatch(static_cast<size_t>(wanted - out.size()), std::chrono::milliseconds(200));
    out.insert(out.end(), batch.begin(), batch.end());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.timestamp_ms < b.timestamp_ms; });
  if (static_cast<int>(out.size()) > n) out.erase(out.begin(), out.end() - n);
  return out;
}

std::string At(int64_t ms) {
  google::protobuf::Timestamp ts = herald::FromMs(ms);
  return When(ts);
}

std::string Clip(std::string s, size_t n) {
  if (s.size() > n) s = s.substr(0, n - 1) + "~";
  for (char& ch : s) {
    if (ch == '\n' || ch == '\t') ch = ' ';
  }
  return s;
}

// The latest dead letters of both dead-letter topics, decoded.
void PrintDeadLetters(const herald::KafkaOptions& kafka, int n) {
  Table consumed({"TIME", "FROM", "PARTITION/OFFSET", "GROUP", "REASON"});
  int rows = 0;
  for (const auto& m : Tail(kafka, std::string(herald::topics::k_events_deadletter), n)) {
    herald::events::v1::DeadLetter d;
    if (!d.ParseFromString(m.value)) {
      consumed.Row({At(m.timestamp_ms), "?", "?", "?", "record does not decode as DeadLetter"});
    } else {
      consumed.Row({At(m.timestamp_ms), d.topic(), std::to_string(d.partition()) + "/" + std::to_string(d.offset()),
                    d.consumer_group(), Clip(d.reason(), 80)});
    }
    ++rows;
  }
  std::cout << "\nDEAD LETTERS: " << herald::topics::k_events_deadletter << " (last " << n << ")\n";
  if (rows) consumed.Print(std::cout);
  else std::cout << "none\n";

  Table failed({"TIME", "POST", "CHANNEL", "NETWORK", "ERROR"});
  rows = 0;
  for (const auto& m : Tail(kafka, std::string(herald::topics::k_publish_deadletter), n)) {
    herald::events::v1::PublishResult r;
    if (!r.ParseFromString(m.value)) {
      failed.Row({At(m.timestamp_ms), "?", m.key, "?", "record does not decode as PublishResult"});
    } else {
      failed.Row({At(m.timestamp_ms), r.post_id(), r.channel_id(),
                  Lower(herald::common::v1::Network_Name(r.network()), "NETWORK_"),
                  Clip(Lower(herald::events::v1::ErrorClass_Name(r.error_class()), "ERROR_CLASS_") + ": " +
                           r.error_message(),
                       80)});
    }
    ++rows;
  }
  std::cout << "\nDEAD LETTERS: " << herald::topics::k_publish_deadletter << " (last " << n << ")\n";
  if (rows) failed.Print(std::cout);
  else std::cout << "none\n";
}

// Channels of the workspace that publish nothing or soon will not.
void PrintChannels(const Ctx& c) {
  auto stub = pub::PublisherService::NewStub(Dial(c.args, "publisher", "HERALD_PUBLISHER_ADDR", "localhost:7102"));
  pub::ListChannelsRequest req;
  req.set_workspace_id(c.workspace);
  pub::ListChannelsResponse list;
  grpc::ClientContext ctx;
  Deadline(ctx);
  std::cout << "\nCHANNELS NEEDING ATTENTION" << (c.workspace.empty() ? "" : " (" + c.workspace + ")") << "\n";
  if (auto s = stub->ListChannels(&ctx, req, &list); !s.ok()) {
    std::cout << "not read: " << s.error_message() << "\n";
    return;
  }
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  constexpr int64_t kWeekMs = 7LL * 24 * 3600 * 1000;
  Table t({"CHANNEL", "NETWORK", "HANDLE", "STATUS", "WHY"});
  int rows = 0;
  for (const auto& ch : list.channels()) {
    std::string why;
    if (ch.status() == pub::CHANNEL_STATUS_NEEDS_REAUTH) {
      why = "the network refused its token: reconnect it (heraldctl connect channel)";
    } else if (ch.status() == pub::CHANNEL_STATUS_ACTIVE && ch.has_token_expire_time() && !ch.refreshable() &&
               herald::ToMs(ch.token_expire_time()) - now < kWeekMs) {
      why = "token expires " + When(ch.token_expire_time()) + " and cannot be refreshed";
    }
    if (why.empty()) continue;
    t.Row({ch.id(), Lower(herald::common::v1::Network_Name(ch.network()), "NETWORK_"), "@" + ch.handle(),
           Lower(pub::ChannelStatus_Name(ch.status()), "CHANNEL_STATUS_"), why});
    ++rows;
  }
  if (rows) t.Print(std::cout);
  else std::cout << "none\n";
}

}  // namespace

int Status(const Ctx& c) {
  bool healthy = PrintHealth(c);
  herald::KafkaOptions kafka = Kafka(c);
  std::cout << "\n";
  if (kafka.brokers.empty()) {
    std::cout << "CONSUMER LAG and DEAD LETTERS: no Kafka given (--kafka-brokers or HERALD_KAFKA_BROKERS; "
                 "in a cluster: kubectl exec deploy/publisher -- heraldctl status)\n";
  } else {
    PrintLag(kafka);
    int n = 10;
    if (auto limit = c.args.Get("limit")) n = std::clamp(std::atoi(limit->c_str()), 1, 100);
    PrintDeadLetters(kafka, n);
  }
  PrintChannels(c);
  return healthy ? 0 : 1;
}

}  // namespace heraldctl
