#include "listener/polling/channel_watch.h"

#include "common/log.h"

namespace herald::listener {

bool Listenable(herald::common::v1::Network n) {
  using herald::common::v1::Network;
  return n == Network::NETWORK_MASTODON || n == Network::NETWORK_X || n == Network::NETWORK_BLUESKY ||
         n == Network::NETWORK_FACEBOOK || n == Network::NETWORK_INSTAGRAM;
}

ChannelWatch::ChannelWatch(PollStore& store, ConsumerOptions options, DeadLetters& dead_letters, const Clock& clock)
    : store_(store), options_(std::move(options)), dead_letters_(dead_letters), clock_(clock) {}

absl::Status ChannelWatch::Apply(const herald::events::v1::ChannelStatusChanged& e) {
  if (!Listenable(e.network())) return absl::OkStatus();
  PollTarget target{e.meta().workspace_id(), e.channel_id(), e.network()};
  const std::string& account = e.remote_account_id();
  if (e.status() == "CHANNEL_STATUS_ACTIVE") {
    log::Info("listening to channel", {{"channel_id", e.channel_id()}, {"workspace_id", target.workspace_id}});
    if (!account.empty()) {
      if (auto s = store_.MapAccount(target, account); !s.ok()) return s;
    }
    return store_.Listen(target, clock_.NowMs());
  }
  log::Info("no longer listening to channel", {{"channel_id", e.channel_id()}, {"status", e.status()}});
  if (!account.empty()) {
    if (auto s = store_.UnmapAccount(target, account); !s.ok()) return s;
  }
  return store_.Forget(target);
}

void ChannelWatch::Loop(const std::atomic<bool>& stopping) {
  KafkaConsumer consumer(options_);
  while (!stopping) {
    auto messages = consumer.PollBatch(100, std::chrono::milliseconds(200));
    if (messages.empty()) continue;
    std::vector<KafkaMessage> done;
    for (const auto& m : messages) {
      herald::events::v1::ChannelStatusChanged event;
      if (auto screened = ScreenEvent(m, &event); !screened.ok()) {
        dead_letters_.Send(m, screened);
        done.push_back(m);
        continue;
      }
      absl::Status applied = Apply(event);
      while (!applied.ok() && !stopping) {
        log::Warn("channel change not applied; retrying", {{"channel_id", event.channel_id()}, {"error", applied.ToString()}});
        clock_.SleepFor(std::chrono::seconds(1));
        applied = Apply(event);
      }
      if (!applied.ok()) break;
      done.push_back(m);
    }
    if (auto s = consumer.Commit(done); !s.ok()) log::Warn("commit failed", {{"error", s.ToString()}});
  }
}

}  // namespace herald::listener
