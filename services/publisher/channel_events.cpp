#include "publisher/channel_events.h"

#include "common/events.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"

namespace herald::publisher {

absl::Status AnnounceChannelStatus(KafkaProducer& producer, const Clock& clock,
                                   const herald::publisher::v1::Channel& channel, const std::string& reason) {
  herald::events::v1::ChannelStatusChanged event;
  event.set_channel_id(channel.id());
  event.set_network(channel.network());
  event.set_status(herald::publisher::v1::ChannelStatus_Name(channel.status()));
  event.set_reason(reason);
  event.set_remote_account_id(channel.remote_account_id());
  *event.mutable_meta() = NewEventMeta(event, channel.workspace_id(), clock);
  return producer.ProduceSync(topics::k_channels_lifecycle, channel.id(), event.SerializeAsString(),
                              EventHeaders(event.meta()));
}

}  // namespace herald::publisher
