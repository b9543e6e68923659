#pragma once
// When and what the listener polls; no I/O.
//
// Every listened channel's mentions are polled each interval. Each
// listening rule is also searched for, on each network the workspace has a
// channel on (through one of them: the lowest id, so one search per network,
// not one per channel). A poll that found more waiting comes back at once;
// failures back off exponentially with jitter up to a ceiling; a network's
// "slow down" is obeyed to the millisecond.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "herald/common/v1/common.pb.h"
#include "herald/listener/v1/listener.pb.h"
#include "listener/polling/poll_store.h"

namespace herald::listener {

struct PollOptions {
  int64_t interval_ms = 60'000;
  // How long a claimed channel is ours before another replica may poll it.
  int64_t lease_ms = 60'000;
  int64_t max_backoff_ms = 900'000;
  int page_size = 50;
  // Pages one stream reads in one turn (the rest waits for the next turn).
  int max_pages = 10;
};

// How one turn of polling a channel went (the worst of its streams).
enum class PollOutcome {
  kCaughtUp,     // read everything new
  kMoreWaiting,  // stopped at max_pages with more to read
  kThrottled,    // the quota (ours or the network's) said when to come back
  kRetrySoon,    // an item is being taken in by another arrival, or storage failed
  kFailed,       // the gateway or the network could not answer
  kRefused,      // the channel cannot be read now (needs re-authorisation)
};

// When to poll the channel next. `failures`: failed turns in a row, this one
// included; `unit`: uniform in [0, 1) for the jitter.
int64_t NextPollAt(const PollOptions& options, PollOutcome outcome, int failures, int64_t retry_after_ms,
                   int64_t now_ms, double unit);

// The worse of two outcomes (the one that brings the channel back later).
PollOutcome Worse(PollOutcome a, PollOutcome b);

struct PollStream {
  std::string name;                // "mentions", "search:<rule id>"
  std::vector<std::string> terms;  // searches only
};

// Networks whose gateway can search.
bool Searchable(herald::common::v1::Network network);

// What one turn of `target` reads: its mentions, and the rules' searches
// when it is its workspace's search channel for its network.
std::vector<PollStream> StreamsFor(const PollTarget& target,
                                   const std::map<std::string, herald::common::v1::Network>& listened,
                                   const std::vector<herald::listener::v1::ListeningRule>& rules);

}  // namespace herald::listener
