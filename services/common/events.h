#pragma once
// Every Kafka event carries an EventMeta (id, type, time, workspace, trace) in
// its payload, mirrored in Kafka headers.
#include <google/protobuf/message.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/kafka.h"
#include "herald/common/v1/common.pb.h"

namespace herald {

herald::common::v1::EventMeta NewEventMeta(const google::protobuf::Message& event, std::string_view workspace_id,
                                           const Clock& clock, std::string event_id = "");

std::vector<KafkaHeader> EventHeaders(const herald::common::v1::EventMeta& meta);

// A W3C traceparent with fresh random ids ("00-<32 hex>-<16 hex>-01").
std::string NewTraceparent();

}  // namespace herald
