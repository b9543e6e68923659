#pragma once
// What one event adds to the rollups: a Fact. No I/O, no state — whatever
// depends on what came before (a metrics snapshot's change since the last
// one, a producer's repeat) is decided where the state is (RollupStore).
//
// Counts live in series, each a kind and an id:
//   w              the workspace as a whole
//   c:<channel>    k:<campaign>    v:<campaign>/<variant>    p:<post>
//   r:<rule>       t:<tag>         (listening: what rules and tags matched)
//   q:<campaign>/<channel>         (a campaign's clicks, conversions and spend on a channel)
// Every series but w and p: is also a group a report can list.
// and each count is a figure in a 15-minute UTC bucket (report/local_periods.h
// explains why 15 minutes). Figure codes are short: they are Redis fields.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <google/protobuf/message.h>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"

namespace herald::analytics {

namespace fig {
inline constexpr std::string_view kScheduled = "sch";
inline constexpr std::string_view kPublished = "pub";
inline constexpr std::string_view kFailed = "fail";
inline constexpr std::string_view kImpressions = "imp";
inline constexpr std::string_view kLikes = "lik";
inline constexpr std::string_view kReplies = "rep";
inline constexpr std::string_view kReposts = "rps";
inline constexpr std::string_view kQuotes = "quo";
inline constexpr std::string_view kSaves = "sav";
inline constexpr std::string_view kLinkClicks = "clk";
inline constexpr std::string_view kVideoViews = "vid";
// Derived where the snapshot is applied: the sum of the engagement kinds,
// and the same sum over posts whose network reports impressions (the
// numerator of the engagement rate).
inline constexpr std::string_view kEngagements = "eng";
inline constexpr std::string_view kEngagementsWithImpressions = "engi";
inline constexpr std::string_view kMentions = "men";
inline constexpr std::string_view kPositive = "pos";
inline constexpr std::string_view kNeutral = "neu";
inline constexpr std::string_view kNegative = "neg";
inline constexpr std::string_view kScored = "scd";          // mentions with a sentiment score
inline constexpr std::string_view kSentimentMilli = "sen";  // sum of compound × 1000
inline constexpr std::string_view kSlaWarnings = "slw";
inline constexpr std::string_view kSlaBreaches = "slb";
inline constexpr std::string_view kCampaigns = "cmpn";
inline constexpr std::string_view kAttached = "att";  // posts attached to a campaign
// Followers gained less lost between a channel's readings (from channel
// snapshots, counted like a post's: the change since the last one).
inline constexpr std::string_view kFollowerGrowth = "fol";
// Tracked-link clicks (link.clicks): by people, their first per client, by bots.
inline constexpr std::string_view kClicks = "tck";
inline constexpr std::string_view kUniqueClicks = "tcu";
inline constexpr std::string_view kBotClicks = "tcb";
// Conversions (the conversions topic), in thousandths: a conversion is 1,000
// in the workspace, split by its credits' shares among the series they name
// (so the split sums to the whole exactly); revenue in micros of the
// campaign's currency, only in credited series; unattributed as a count.
inline constexpr std::string_view kLeadsMilli = "cvl";
inline constexpr std::string_view kSalesMilli = "cvs";
inline constexpr std::string_view kRevenueMicros = "rev";
inline constexpr std::string_view kUnattributed = "cvu";
// Ad spend (the spend topic), micros of the campaign's currency.
inline constexpr std::string_view kSpendMicros = "spd";
// Publish lag histogram: "lag<k>", k from LagBucket (report/figures.h).
inline constexpr std::string_view kLagPrefix = "lag";
}  // namespace fig

// The engagement kinds a snapshot carries, in PostMetricsSnapshot's order.
inline constexpr std::string_view kSnapshotFigures[] = {fig::kImpressions, fig::kLikes,  fig::kReplies,
                                                        fig::kReposts,     fig::kQuotes, fig::kSaves,
                                                        fig::kLinkClicks,  fig::kVideoViews};

// "lag<k>": the name of lag histogram bucket k (static storage).
std::string_view LagFigure(int k);

// A count of a fact: `series` indexes Fact::series, or is kEverySeries (the
// figure counts in each of them: a mention's count is one Count, not one per
// series); `figure` is one of the fig:: codes or a LagFigure (static storage,
// so copying a Count is cheap).
inline constexpr uint16_t kEverySeries = 0xFFFF;
struct Count {
  uint16_t series = 0;
  std::string_view figure;
  int64_t delta = 1;
  bool In(size_t series_index) const { return series == kEverySeries || series == series_index; }
};

// A fact's series and counts live inline: a typical event has at most four
// series and a handful of counts, and a poll makes thousands of facts.
using SeriesList = absl::InlinedVector<std::string, 4>;
using CountList = absl::InlinedVector<Count, 6>;

// Fields of the post's record (a hash):
// "rid" (the network's id), "ch", "cmp", "var", "net", "sch" (scheduled
// ms), "pub" (published ms).
struct PostUpdate {
  std::string post_id;
  std::vector<std::pair<std::string, std::string>> fields;
  int64_t published_ms = 0;  // set: the post joins the published index
  // Set (by the consumer, from its read schedule): when the post's metrics
  // are first read through the gateway. Only for posts with a remote id.
  int64_t first_read_ms = 0;
  bool readable = false;  // the network named the post (a remote id)
};

// Cumulative counts as a network reported them; the store counts the change
// since the previous snapshot of the same subject, into `series`. A post's
// counts start at zero, so its first snapshot counts in full; a channel's
// followers do not, so its first snapshot is only the baseline.
struct Snapshot {
  enum class Subject { kPost, kChannel };
  std::string id;  // the post's, or the channel's
  int64_t observed_ms = 0;
  SeriesList series;
  std::vector<std::pair<std::string, int64_t>> values;  // present figures only
  Subject subject = Subject::kPost;
};

// What the service's own Prometheus metrics learn from a fact it applied.
struct Observation {
  std::string network;    // "x", "mastodon", … ("" none)
  std::string outcome;    // "published" | "failed" for results
  std::string sentiment;  // "positive" | "neutral" | "negative" | "unscored" for mentions
  std::optional<double> publish_lag_seconds;
};

struct Fact {
  std::string workspace_id;
  // Facts sharing an id are one fact, applied once however often a producer
  // announces it ("" for snapshots: their state makes repeats harmless).
  std::string dedupe_id;
  int64_t bucket_ms = 0;  // the 15-minute bucket the counts land in
  SeriesList series;  // "w", "c:<channel>", …
  CountList counts;
  std::optional<PostUpdate> post;
  std::optional<Snapshot> snapshot;
  Observation observation;
};

// The fact an event of `topic` states; `event` is of the topic's type (the
// consumer screened it). No fact (nullopt) for events that count nothing;
// INVALID_ARGUMENT for one that cannot be counted (an id unfit for a key, a
// time outside 2000-2100): it goes to the dead letters.
absl::StatusOr<std::optional<Fact>> FactFor(std::string_view topic, const google::protobuf::Message& event);

}  // namespace herald::analytics
