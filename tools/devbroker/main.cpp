// devbroker: a Kafka-protocol broker for one machine (dev, tests, CI).
//
// Hosts librdkafka's mock cluster in this process: real TCP listeners that any
// Kafka client speaks to (the services, kcat). Every topic from
// proto/topics.tsv is created with its partition count before the bootstrap
// list is written, so no client ever auto-creates a topic with the wrong
// partitioning. Production runs a real Kafka; nothing depends on this.
//
//   devbroker --brokers=3 --bootstrap-file=state/kafka.bootstrap
//
// SIGUSR1 takes every broker down (a full Kafka outage) and SIGUSR2 brings them
// back, for failure tests.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>

#include "common/config.h"
#include "herald/topics.h"

int main(int argc, char** argv) {
  auto settings = herald::Settings::FromMain("devbroker", argc, argv);
  int brokers = static_cast<int>(settings.Int("brokers", 3, 1, 9, "number of mock brokers"));
  std::string bootstrap_file = settings.Required("bootstrap-file", "where to write the bootstrap server list");
  settings.ExitOnError();

  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    std::fprintf(stderr, "devbroker: %s\n", err);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!cluster) {
    std::fprintf(stderr, "devbroker: cannot create mock cluster\n");
    return 1;
  }
  int replication = brokers >= 3 ? 3 : brokers;
  for (const auto& topic : herald::topics::kAll) {
    std::string name(topic.name);
    if (rd_kafka_mock_topic_create(cluster, name.c_str(), topic.partitions, replication)) {
      std::fprintf(stderr, "devbroker: cannot create topic %s\n", name.c_str());
      return 1;
    }
  }
  std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
  {
    // Write then rename: readers never see a half-written file.
    std::string tmp = bootstrap_file + ".tmp";
    std::ofstream(tmp) << bootstrap << "\n";
    std::rename(tmp.c_str(), bootstrap_file.c_str());
  }
  std::fprintf(stderr, "{\"level\":\"info\",\"service\":\"devbroker\",\"msg\":\"ready\",\"bootstrap\":\"%s\"}\n",
               bootstrap.c_str());

  for (;;) {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig == SIGUSR1 || sig == SIGUSR2) {
      for (int id = 1; id <= brokers; ++id) {
        if (sig == SIGUSR1) rd_kafka_mock_broker_set_down(cluster, id);
        else rd_kafka_mock_broker_set_up(cluster, id);
      }
      std::fprintf(stderr, "{\"level\":\"warn\",\"service\":\"devbroker\",\"msg\":\"brokers %s\"}\n",
                   sig == SIGUSR1 ? "down" : "up");
    } else {
      break;
    }
  }
  std::remove(bootstrap_file.c_str());
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
