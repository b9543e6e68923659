#pragma once
// Which windows a call to a network charges (from the network catalog) and
// under which Redis keys; no I/O.
//   rl:{<network>}:app:<window>                 app-wide windows (X's 24 h per app)
//   rl:{<network>}:acct:<channel>:<window>      per-account windows
// A network with any app-wide window keeps all its keys under one hash tag, so
// one script charges account and app windows atomically on Redis Cluster;
// otherwise each account has its own tag.
#include <string>

#include "publisher/network_catalog.h"
#include "publisher/rate_limiter.h"

namespace herald::publisher {

QuotaPlan PlanFor(const NetworkProfile& network, const std::string& channel_id, CallKind kind);

}  // namespace herald::publisher
