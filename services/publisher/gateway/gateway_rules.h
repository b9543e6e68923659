#pragma once
// What the network gateway accepts, checked before any network is called.
// No I/O.
#include "common/status.h"
#include "herald/publisher/v1/gateway.pb.h"
#include "publisher/connectors/connector.h"

namespace herald::publisher {

inline constexpr int kDefaultInboundPage = 50;
inline constexpr int kMaxInboundPage = 100;
inline constexpr int kMaxSearchTerms = 10;

FieldErrors ValidateReadMentions(const v1::ReadMentionsRequest& request);
FieldErrors ValidateSearchPosts(const v1::SearchPostsRequest& request);
FieldErrors ValidateReadReplies(const v1::ReadRepliesRequest& request);
FieldErrors ValidateGetPostMetrics(const v1::GetPostMetricsRequest& request);
FieldErrors ValidateGetChannelMetrics(const v1::GetChannelMetricsRequest& request);

// The connector's query for a checked request.
InboundQuery QueryOf(const v1::ReadMentionsRequest& request);
InboundQuery QueryOf(const v1::SearchPostsRequest& request);
InboundQuery QueryOf(const v1::ReadRepliesRequest& request);

// An item small enough to pass on (the network's answer is outside input).
bool WithinBounds(const InboundPost& post);
// A connector's page as the API answers it (items out of bounds left out and counted).
void ToProto(const InboundPage& page, v1::InboundPage* out);

}  // namespace herald::publisher
