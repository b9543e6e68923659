#pragma once
// Per-network content rules, checked at compose time; no I/O.
#include <string>
#include <vector>

#include "herald/common/v1/common.pb.h"
#include "herald/publisher/v1/publisher.pb.h"

namespace herald::publisher {

struct NetworkRules {
  int max_length = 500;
  // Every URL counts as this many characters (Mastodon and X: 23).
  int url_length = 23;
  int max_media = 4;
  bool media_required = false;
};

// Rules of a network (Mastodon's defaults for networks not yet described).
NetworkRules RulesFor(herald::common::v1::Network network);

// Characters as the network counts them: Unicode code points, URLs as url_length.
int CountedLength(const std::string& text, const NetworkRules& rules);

herald::publisher::v1::ValidateContentResponse CheckContent(const herald::publisher::v1::ValidateContentRequest& request,
                                                            const NetworkRules& rules);

}  // namespace herald::publisher
