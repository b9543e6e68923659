#pragma once
// herald_publisher_channels_needing_reauth{network}: how many channels wait
// for someone to re-authorise them (their token was refused, so nothing is
// published to them). Every publisher replica reads the same index, so the
// alert takes the max across replicas. Read every interval from Redis, so the
// figure survives restarts and counts channels no replica touched lately.
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <chrono>
#include <map>

#include "common/background_thread.h"
#include "herald/common/v1/common.pb.h"
#include "publisher/channel_store.h"

namespace herald::publisher {

class ReauthGauge {
 public:
  ReauthGauge(ChannelStore& channels, prometheus::Registry& registry,
              std::chrono::milliseconds interval = std::chrono::seconds(30));
  void Start();
  void Stop() { thread_.Stop(); }
  // One reading, now (the thread's body; tests call it directly).
  absl::Status ReadOnce();

 private:
  ChannelStore& channels_;
  std::chrono::milliseconds interval_;
  std::map<int, prometheus::Gauge*> by_network_;  // every network, at zero from the start
  BackgroundThread thread_;
};

}  // namespace herald::publisher
