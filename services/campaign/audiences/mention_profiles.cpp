#include "campaign/audiences/mention_profiles.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "campaign/audiences/profile_rules.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/network_names.h"
#include "common/time_util.h"

namespace herald::campaign {

namespace ev = herald::events::v1;

std::optional<ProfileStore::MentionUpdate> ProfileUpdateFor(const ev::MentionReceived& m) {
  auto id = SocialProfileId(NetworkName(m.network()), m.author_handle());
  if (!id || !IsValidEventId(m.mention_id())) return std::nullopt;
  ProfileStore::MentionUpdate u;
  u.workspace_id = m.meta().workspace_id();
  u.mention_id = m.mention_id();
  u.profile_id = *id;
  u.network = NetworkName(m.network());
  u.author = m.author_handle();
  // "de-AT" → "de": profiles keep the language, not the region.
  const std::string lang = m.language().substr(0, m.language().find('-'));
  if (lang.size() == 2 && std::islower(static_cast<unsigned char>(lang[0])) &&
      std::islower(static_cast<unsigned char>(lang[1]))) {
    u.language = lang;
  }
  u.reply = m.kind() == herald::common::v1::MENTION_KIND_REPLY;
  if (m.sentiment().scored() && std::isfinite(m.sentiment().compound())) {
    u.sentiment_milli = std::llround(std::clamp(m.sentiment().compound(), -1.0, 1.0) * 1000);
  }
  const auto& when = m.has_published_at() && ValidTimestamp(m.published_at()) ? m.published_at() : m.created_at();
  u.at_ms = ValidTimestamp(when) ? ToMs(when) : 0;
  return u;
}

void MentionProfiles::Loop(const std::atomic<bool>& stopping) {
  KafkaConsumer consumer(options_);
  while (!stopping) {
    auto messages = consumer.PollBatch(500, std::chrono::milliseconds(200));
    if (messages.empty()) continue;
    std::vector<ProfileStore::MentionUpdate> updates;
    for (const auto& m : messages) {
      ev::MentionReceived mention;
      if (auto screened = ScreenEvent(m, &mention); !screened.ok()) {
        dead_letters_.Send(m, screened);
        continue;
      }
      if (auto u = ProfileUpdateFor(mention)) updates.push_back(std::move(*u));
    }
    absl::StatusOr<int> applied = store_.ApplyMentions(updates);
    while (!applied.ok() && !stopping) {
      log::Warn("mentions not applied to profiles; retrying", {{"error", applied.status().ToString()}});
      clock_.SleepFor(std::chrono::seconds(1));
      applied = store_.ApplyMentions(updates);
    }
    if (!applied.ok()) break;  // stopping: not committed, applied again (once) by the next owner
    if (auto s = consumer.Commit(messages); !s.ok()) log::Warn("commit failed", {{"error", s.ToString()}});
  }
  consumer.Close();
}

}  // namespace herald::campaign
