#pragma once
// The read side of a workspace's live feed (lst:{ws}:feed, a Redis stream
// the conversation store appends to in the same step as each change):
// changes after a token, in order, and a bell that rings when new ones are
// written. A watcher keeps its own token and reads from it, so whatever the
// bell does (rings late, twice, for many changes at once) it misses nothing
// and sees nothing twice.
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "common/redis.h"
#include "herald/listener/v1/inbox.pb.h"

namespace herald::listener {

class InboxFeed {
 public:
  // `reads`: the shared pool. The bell blocks on its own connections
  // (`bell_options`, one per watched workspace, at most `max_workspaces`).
  InboxFeed(RedisClient& reads, RedisOptions bell_options, int max_workspaces = 256);
  ~InboxFeed();

  // A token is a stream entry id: "<ms>-<seq>".
  static bool IsToken(const std::string& token);
  // The latest change's token ("0-0" when there is none): where a watch
  // without a token starts.
  absl::StatusOr<std::string> Latest(const std::string& workspace_id);
  // FAILED_PRECONDITION when changes after `token` have been dropped (the
  // feed keeps the latest 100,000): the watcher must list again.
  absl::Status CheckResumable(const std::string& workspace_id, const std::string& token);
  // Up to `limit` changes after `token`, each with its own token.
  absl::StatusOr<std::vector<v1::InboxChange>> After(const std::string& workspace_id, const std::string& token,
                                                     int limit);

  // Rings `ring` (on the bell's thread: keep it short) after new changes.
  // RESOURCE_EXHAUSTED when max_workspaces are watched already.
  using Ring = std::function<void()>;
  absl::StatusOr<int64_t> Subscribe(const std::string& workspace_id, Ring ring);
  // After it returns, `ring` is not running and will not run.
  void Unsubscribe(const std::string& workspace_id, int64_t subscription);

 private:
  struct Bell;
  void RunBell(Bell* bell);
  // Joins retired bells whose threads have ended.
  void ReapLocked();

  RedisClient& reads_;
  RedisOptions bell_options_;
  const int max_workspaces_;
  std::mutex mu_;
  int64_t next_id_ = 1;
  std::map<std::string, std::unique_ptr<Bell>> bells_;
  std::vector<std::unique_ptr<Bell>> retired_;  // stopping; joined by ReapLocked
};

}  // namespace herald::listener
