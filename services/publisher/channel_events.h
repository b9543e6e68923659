#pragma once
// ChannelStatusChanged on channels.lifecycle: a channel needs re-authorisation
// or was disconnected (the scheduler and the UI react to it).
#include <string>

#include "absl/status/status.h"
#include "common/clock.h"
#include "common/kafka.h"
#include "herald/publisher/v1/publisher.pb.h"

namespace herald::publisher {

// Waits for Kafka's confirmation: a status change nobody hears of is a bug.
absl::Status AnnounceChannelStatus(KafkaProducer& producer, const Clock& clock,
                                   const herald::publisher::v1::Channel& channel, const std::string& reason);

}  // namespace herald::publisher
