#include "analytics/rollup.h"

#include <algorithm>

#include "analytics/report/figures.h"
#include "analytics/report/local_periods.h"
#include "common/ids.h"
#include "common/network_names.h"
#include "common/time_util.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"

namespace herald::analytics {
namespace {

using namespace herald::events::v1;

// 2000-01-01 and 2100-01-01: a time outside is not a time anyone means.
constexpr int64_t kEarliestMs = 946684800000;
constexpr int64_t kLatestMs = 4102444800000;

// `figure` counted `delta` in every series of the fact.
void CountEverywhere(Fact& f, std::string_view figure, int64_t delta) {
  f.counts.push_back({kEverySeries, figure, delta});
}

bool Sane(int64_t ms) { return ms >= kEarliestMs && ms < kLatestMs; }
// A timestamp's ms when it is a sane time, else 0 (ToMs of an unchecked
// Timestamp could overflow).
int64_t SaneMs(const google::protobuf::Timestamp& t) {
  if (!ValidTimestamp(t)) return 0;
  int64_t ms = ToMs(t);
  return Sane(ms) ? ms : 0;
}

// Adds a series once: a repeated rule, tag or channel in one event is one.
void AddSeries(Fact& f, std::string series) {
  if (std::find(f.series.begin(), f.series.end(), series) == f.series.end()) f.series.push_back(std::move(series));
}

// The first sane time of the candidates (a field the producer may leave unset
// first, the event's own occurred_at last).
absl::StatusOr<int64_t> BucketFor(std::initializer_list<const google::protobuf::Timestamp*> times) {
  for (const auto* t : times) {
    if ((t->seconds() == 0 && t->nanos() == 0) || !ValidTimestamp(*t)) continue;
    int64_t ms = ToMs(*t);
    if (Sane(ms)) return BucketOf(ms);
  }
  return absl::InvalidArgumentError("no time in 2000-2100");
}

absl::Status CheckIds(std::initializer_list<std::pair<std::string_view, std::string_view>> ids) {
  for (const auto& [name, id] : ids) {
    if (!id.empty() && !IsValidId(id)) return absl::InvalidArgumentError(std::string(name) + " is not an id");
  }
  return absl::OkStatus();
}

// Every series a published post's counts land in.
SeriesList PostSeries(const std::string& post_id, const std::string& channel_id,
                                    const std::string& campaign_id, const std::string& variant) {
  // Order matters: ResultFact counts lag in series 0 and 2.
  SeriesList s{"w", "p:" + post_id};
  if (!channel_id.empty()) s.push_back("c:" + channel_id);
  if (!campaign_id.empty()) {
    s.push_back("k:" + campaign_id);
    if (!variant.empty()) s.push_back("v:" + campaign_id + "/" + variant);
  }
  return s;
}

absl::StatusOr<std::optional<Fact>> ResultFact(const PublishResult& r) {
  if (r.outcome() != PUBLISH_OUTCOME_PUBLISHED && r.outcome() != PUBLISH_OUTCOME_FAILED) return std::nullopt;
  if (auto s = CheckIds({{"post_id", r.post_id()}, {"channel_id", r.channel_id()},
                         {"campaign_id", r.campaign_id()}, {"variant", r.variant()}});
      !s.ok()) {
    return s;
  }
  if (r.post_id().empty()) return absl::InvalidArgumentError("post_id is required");
  Fact f;
  f.workspace_id = r.meta().workspace_id();
  // One fact per delivery and final outcome, however often it is announced.
  f.dedupe_id = "res|" + r.post_id() + "|" + r.channel_id() + "|" + std::to_string(r.occurrence_ms());
  bool published = r.outcome() == PUBLISH_OUTCOME_PUBLISHED;
  auto bucket = published ? BucketFor({&r.published_at(), &r.meta().occurred_at()})
                          : BucketFor({&r.meta().occurred_at()});
  if (!bucket.ok()) return bucket.status();
  f.bucket_ms = *bucket;
  f.series = PostSeries(r.post_id(), r.channel_id(), r.campaign_id(), r.variant());
  CountEverywhere(f, published ? fig::kPublished : fig::kFailed, 1);
  f.observation.network = NetworkName(r.network());
  f.observation.outcome = published ? "published" : "failed";
  if (published) {
    int64_t published_ms = SaneMs(r.published_at()) > 0 ? SaneMs(r.published_at()) : SaneMs(r.meta().occurred_at());
    PostUpdate post{r.post_id(),
                    {{"ch", r.channel_id()}, {"net", f.observation.network}, {"pub", std::to_string(published_ms)}},
                    published_ms};
    // The network's id lets analytics read the post's metrics later; one
    // unfit for a URL is kept out (the counts still count).
    const std::string& rid = r.remote_id();
    if (!rid.empty() && rid.size() <= 256 &&
        std::all_of(rid.begin(), rid.end(), [](unsigned char c) { return c > 0x20 && c != 0x7f; })) {
      post.fields.emplace_back("rid", rid);
      post.readable = true;
    }
    if (!r.campaign_id().empty()) post.fields.emplace_back("cmp", r.campaign_id());
    if (!r.variant().empty()) post.fields.emplace_back("var", r.variant());
    if (Sane(r.occurrence_ms())) {
      post.fields.emplace_back("sch", std::to_string(r.occurrence_ms()));
      double lag = static_cast<double>(published_ms - r.occurrence_ms()) / 1000.0;
      f.observation.publish_lag_seconds = lag;
      // Lag by workspace and channel (series 0 and 2, PostSeries' order).
      std::string_view lag_figure = LagFigure(LagBucket(lag));
      f.counts.push_back({0, lag_figure, 1});
      if (!r.channel_id().empty()) f.counts.push_back({2, lag_figure, 1});
    }
    f.post = std::move(post);
  }
  return f;
}

absl::StatusOr<std::optional<Fact>> SnapshotFact(const PostMetricsSnapshot& m) {
  if (auto s = CheckIds({{"post_id", m.post_id()}, {"channel_id", m.channel_id()},
                         {"campaign_id", m.campaign_id()}, {"variant", m.variant()}});
      !s.ok()) {
    return s;
  }
  if (m.post_id().empty()) return absl::InvalidArgumentError("post_id is required");
  auto bucket = BucketFor({&m.observed_at()});
  if (!bucket.ok()) return absl::InvalidArgumentError("observed_at: " + std::string(bucket.status().message()));
  Fact f;
  f.workspace_id = m.meta().workspace_id();
  f.bucket_ms = *bucket;
  Snapshot snap{m.post_id(), ToMs(m.observed_at()), PostSeries(m.post_id(), m.channel_id(), m.campaign_id(), m.variant()),
                {}};
  const std::pair<bool, int64_t> values[] = {
      {m.has_impressions(), m.impressions()}, {m.has_likes(), m.likes()},   {m.has_replies(), m.replies()},
      {m.has_reposts(), m.reposts()},         {m.has_quotes(), m.quotes()}, {m.has_saves(), m.saves()},
      {m.has_link_clicks(), m.link_clicks()}, {m.has_video_views(), m.video_views()}};
  for (size_t i = 0; i < std::size(values); ++i) {
    if (!values[i].first) continue;
    // A count is never negative, and no post has a quadrillion likes.
    if (values[i].second < 0 || values[i].second > (int64_t{1} << 50)) {
      return absl::InvalidArgumentError(std::string(kSnapshotFigures[i]) + " out of range");
    }
    snap.values.emplace_back(std::string(kSnapshotFigures[i]), values[i].second);
  }
  if (snap.values.empty()) return std::nullopt;
  f.snapshot = std::move(snap);
  f.observation.network = NetworkName(m.network());
  return f;
}

absl::StatusOr<std::optional<Fact>> ChannelSnapshotFact(const ChannelMetricsSnapshot& m) {
  if (auto s = CheckIds({{"channel_id", m.channel_id()}}); !s.ok()) return s;
  if (m.channel_id().empty()) return absl::InvalidArgumentError("channel_id is required");
  auto bucket = BucketFor({&m.observed_at()});
  if (!bucket.ok()) return absl::InvalidArgumentError("observed_at: " + std::string(bucket.status().message()));
  if (!m.has_followers()) return std::nullopt;
  if (m.followers() < 0 || m.followers() > (int64_t{1} << 40)) return absl::InvalidArgumentError("followers out of range");
  Fact f;
  f.workspace_id = m.meta().workspace_id();
  f.bucket_ms = *bucket;
  f.snapshot = Snapshot{m.channel_id(), ToMs(m.observed_at()), {"w", "c:" + m.channel_id()},
                        {{std::string(fig::kFollowerGrowth), m.followers()}}, Snapshot::Subject::kChannel};
  f.observation.network = NetworkName(m.network());
  return f;
}

absl::StatusOr<std::optional<Fact>> MentionFact(const MentionReceived& m) {
  if (auto s = CheckIds({{"mention_id", m.mention_id()}, {"channel_id", m.channel_id()}}); !s.ok()) return s;
  if (m.rule_ids_size() > 100 || m.tags_size() > 100) return absl::InvalidArgumentError("over 100 rules or tags");
  for (const auto& id : m.rule_ids()) {
    if (!IsValidId(id)) return absl::InvalidArgumentError("rule_ids holds a non-id");
  }
  for (const auto& t : m.tags()) {
    if (!IsValidId(t)) return absl::InvalidArgumentError("tags holds a non-id");
  }
  auto bucket = BucketFor({&m.published_at(), &m.created_at(), &m.meta().occurred_at()});
  if (!bucket.ok()) return bucket.status();
  Fact f;
  f.workspace_id = m.meta().workspace_id();
  f.dedupe_id = "men|" + m.mention_id();
  f.bucket_ms = *bucket;
  f.series.reserve(2 + static_cast<size_t>(m.rule_ids_size() + m.tags_size()));
  f.series.push_back("w");
  if (!m.channel_id().empty()) {
    f.series.push_back("c:" + m.channel_id());
  }
  for (const auto& id : m.rule_ids()) {
    AddSeries(f, "r:" + id);
  }
  for (const auto& t : m.tags()) {
    AddSeries(f, "t:" + t);
  }
  std::string_view kind = fig::kNeutral;
  f.observation.sentiment = "unscored";
  if (m.sentiment().scored()) {
    double c = m.sentiment().compound();
    if (!(c >= -1.0 && c <= 1.0)) return absl::InvalidArgumentError("sentiment.compound outside [-1, 1]");
    kind = c >= 0.05 ? fig::kPositive : c <= -0.05 ? fig::kNegative : fig::kNeutral;
    f.observation.sentiment = kind == fig::kPositive ? "positive" : kind == fig::kNegative ? "negative" : "neutral";
  }
  CountEverywhere(f, fig::kMentions, 1);
  if (m.sentiment().scored()) {
    CountEverywhere(f, kind, 1);
    CountEverywhere(f, fig::kScored, 1);
    CountEverywhere(f, fig::kSentimentMilli, std::llround(m.sentiment().compound() * 1000));
  }
  f.observation.network = NetworkName(m.network());
  return f;
}

// A post joined a campaign (counted once per campaign and post), or one of
// its deliveries that went out before it joined counts as published for the
// campaign (once per delivery, the same whichever announcement carries it).
absl::StatusOr<std::optional<Fact>> MembershipFact(const PostLifecycle& e) {
  const auto& m = e.membership();
  if (auto s = CheckIds({{"post_id", e.post_id()}, {"membership.campaign_id", m.campaign_id()},
                         {"membership.variant", m.variant()}, {"membership.channel_id", m.channel_id()}});
      !s.ok()) {
    return s;
  }
  if (e.post_id().empty() || m.campaign_id().empty()) {
    return absl::InvalidArgumentError("post_id and membership.campaign_id are required");
  }
  Fact f;
  f.workspace_id = e.meta().workspace_id();
  if (!m.delivery()) {
    auto bucket = BucketFor({&e.meta().occurred_at()});
    if (!bucket.ok()) return bucket.status();
    f.bucket_ms = *bucket;
    f.dedupe_id = "cmp|" + m.campaign_id() + "|" + e.post_id();
    f.series = {"k:" + m.campaign_id()};
    CountEverywhere(f, fig::kAttached, 1);
    return f;
  }
  if (m.channel_id().empty()) return absl::InvalidArgumentError("membership.channel_id is required for a delivery");
  google::protobuf::Timestamp occurrence = Sane(m.occurrence_ms()) ? FromMs(m.occurrence_ms()) : google::protobuf::Timestamp();
  auto bucket = BucketFor({&m.published_at(), &occurrence, &e.meta().occurred_at()});
  if (!bucket.ok()) return bucket.status();
  f.bucket_ms = *bucket;
  f.dedupe_id = "kres|" + m.campaign_id() + "|" + e.post_id() + "|" + m.channel_id() + "|" +
                std::to_string(m.occurrence_ms());
  f.series = {"k:" + m.campaign_id()};
  if (!m.variant().empty()) f.series.push_back("v:" + m.campaign_id() + "/" + m.variant());
  CountEverywhere(f, fig::kPublished, 1);
  return f;
}

absl::StatusOr<std::optional<Fact>> LifecycleFact(const PostLifecycle& e) {
  if (e.has_membership()) return MembershipFact(e);
  if (e.state() != "POST_STATE_SCHEDULED") return std::nullopt;
  if (auto s = CheckIds({{"post_id", e.post_id()}, {"campaign_id", e.campaign_id()}}); !s.ok()) return s;
  if (e.channel_ids_size() > 100) return absl::InvalidArgumentError("over 100 channel_ids");
  for (const auto& c : e.channel_ids()) {
    if (!IsValidId(c)) return absl::InvalidArgumentError("channel_ids holds a non-id");
  }
  auto bucket = BucketFor({&e.meta().occurred_at()});
  if (!bucket.ok()) return bucket.status();
  Fact f;
  f.workspace_id = e.meta().workspace_id();
  // Scheduling the same post for the same instant again is the same fact.
  f.dedupe_id = "sch|" + e.post_id() + "|" + std::to_string(SaneMs(e.publish_at()));
  f.bucket_ms = *bucket;
  f.series.push_back("w");
  for (const auto& c : e.channel_ids()) AddSeries(f, "c:" + c);
  if (!e.campaign_id().empty()) f.series.push_back("k:" + e.campaign_id());
  CountEverywhere(f, fig::kScheduled, 1);
  return f;
}

absl::StatusOr<std::optional<Fact>> SlaFact(const InboxSlaAlert& a) {
  if (auto s = CheckIds({{"conversation_id", a.conversation_id()}, {"channel_id", a.channel_id()}}); !s.ok()) return s;
  if (a.kind() != "warning" && a.kind() != "breached") return std::nullopt;
  if (a.target().size() > 32) return absl::InvalidArgumentError("target too long");
  auto bucket = BucketFor({&a.meta().occurred_at()});
  if (!bucket.ok()) return bucket.status();
  Fact f;
  f.workspace_id = a.meta().workspace_id();
  f.dedupe_id = "sla|" + a.conversation_id() + "|" + a.target() + "|" + a.kind() + "|" +
                std::to_string(SaneMs(a.due_at()));
  f.bucket_ms = *bucket;
  f.series.push_back("w");
  if (!a.channel_id().empty()) f.series.push_back("c:" + a.channel_id());
  CountEverywhere(f, a.kind() == "warning" ? fig::kSlaWarnings : fig::kSlaBreaches, 1);
  return f;
}

absl::StatusOr<std::optional<Fact>> CampaignFact(const CampaignEvent& e) {
  if (auto s = CheckIds({{"campaign_id", e.campaign_id()}, {"post_id", e.post_id()}}); !s.ok()) return s;
  auto bucket = BucketFor({&e.meta().occurred_at()});
  if (!bucket.ok()) return bucket.status();
  Fact f;
  f.workspace_id = e.meta().workspace_id();
  f.bucket_ms = *bucket;
  if (e.kind() == CAMPAIGN_EVENT_KIND_CREATED) {
    f.dedupe_id = "cmp|" + e.campaign_id();
    f.series = {"w", "k:" + e.campaign_id()};
    CountEverywhere(f, fig::kCampaigns, 1);
  } else {
    // Posts joining a campaign are counted from posts.lifecycle, where the
    // scheduler (which keeps a post's campaign) announces every way in.
    return std::nullopt;
  }
  return f;
}

// A click of a tracked link, once per click id, in the series of what the
// link was for: its campaign (and variant), post and channel.
absl::StatusOr<std::optional<Fact>> ClickFact(const LinkClick& c) {
  if (auto s = CheckIds({{"click_id", c.click_id()}, {"campaign_id", c.campaign_id()}, {"post_id", c.post_id()},
                         {"channel_id", c.channel_id()}, {"variant", c.variant()}});
      !s.ok()) {
    return s;
  }
  if (c.click_id().empty() || c.campaign_id().empty()) {
    return absl::InvalidArgumentError("click_id and campaign_id are required");
  }
  auto bucket = BucketFor({&c.clicked_at(), &c.meta().occurred_at()});
  if (!bucket.ok()) return bucket.status();
  Fact f;
  f.workspace_id = c.meta().workspace_id();
  f.dedupe_id = "clk|" + c.click_id();
  f.bucket_ms = *bucket;
  f.series = {"w", "k:" + c.campaign_id()};
  if (!c.variant().empty()) f.series.push_back("v:" + c.campaign_id() + "/" + c.variant());
  if (!c.channel_id().empty()) {
    f.series.push_back("c:" + c.channel_id());
    f.series.push_back("q:" + c.campaign_id() + "/" + c.channel_id());
  }
  if (!c.post_id().empty()) f.series.push_back("p:" + c.post_id());
  if (c.bot()) {
    CountEverywhere(f, fig::kBotClicks, 1);
  } else {
    CountEverywhere(f, fig::kClicks, 1);
    if (!c.repeated()) CountEverywhere(f, fig::kUniqueClicks, 1);
  }
  return f;
}

// The series of a conversion's credit, added once; their indexes. A credit
// counts in its campaign's series for each segment the customer was in.
std::vector<uint16_t> CreditSeries(Fact& f, const ConversionCredit& c, const ConversionRecorded& conversion) {
  std::vector<std::string> names{"k:" + c.campaign_id()};
  if (!c.variant().empty()) names.push_back("v:" + c.campaign_id() + "/" + c.variant());
  if (!c.channel_id().empty()) {
    names.push_back("c:" + c.channel_id());
    names.push_back("q:" + c.campaign_id() + "/" + c.channel_id());
  }
  if (!c.post_id().empty()) names.push_back("p:" + c.post_id());
  for (const auto& segment : conversion.segment_ids()) names.push_back("s:" + c.campaign_id() + "/" + segment);
  std::vector<uint16_t> out;
  for (auto& name : names) {
    auto it = std::find(f.series.begin(), f.series.end(), name);
    if (it == f.series.end()) it = f.series.insert(f.series.end(), std::move(name));
    out.push_back(static_cast<uint16_t>(it - f.series.begin()));
  }
  return out;
}

// A conversion, once per conversion id: the workspace counts it whole; each
// credit's series its share (thousandths, the remainder to the latest credits
// so the shares sum to 1,000) and its revenue.
absl::StatusOr<std::optional<Fact>> ConversionFact(const ConversionRecorded& c) {
  if (c.conversion_id().empty() || c.conversion_id().size() > 64) return absl::InvalidArgumentError("conversion_id");
  if (c.stage() != CONVERSION_STAGE_LEAD && c.stage() != CONVERSION_STAGE_SALE) {
    return absl::InvalidArgumentError("stage is neither lead nor sale");
  }
  // Bounded before work: a credit is at most five series and one per segment.
  if (c.credits_size() > 50) return absl::InvalidArgumentError("more than 50 credits");
  if (c.segment_ids_size() > 20) return absl::InvalidArgumentError("more than 20 segment_ids");
  for (const auto& segment : c.segment_ids()) {
    if (!IsValidId(segment)) return absl::InvalidArgumentError("segment_ids: an id unfit for a key");
  }
  for (const auto& credit : c.credits()) {
    if (auto s = CheckIds({{"campaign_id", credit.campaign_id()}, {"post_id", credit.post_id()},
                           {"channel_id", credit.channel_id()}, {"variant", credit.variant()}});
        !s.ok()) {
      return s;
    }
    if (credit.campaign_id().empty()) return absl::InvalidArgumentError("a credit without a campaign_id");
    if (credit.value_micros() < 0) return absl::InvalidArgumentError("a credit's value is negative");
  }
  auto bucket = BucketFor({&c.converted_at(), &c.meta().occurred_at()});
  if (!bucket.ok()) return bucket.status();
  Fact f;
  f.workspace_id = c.meta().workspace_id();
  f.dedupe_id = "cnv|" + c.conversion_id();
  f.bucket_ms = *bucket;
  f.series = {"w"};
  const std::string_view figure = c.stage() == CONVERSION_STAGE_LEAD ? fig::kLeadsMilli : fig::kSalesMilli;
  f.counts.push_back({0, figure, 1000});
  if (c.credits().empty()) {
    f.counts.push_back({0, fig::kUnattributed, 1});
    return f;
  }
  const auto n = static_cast<int64_t>(c.credits_size());
  for (int64_t i = 0; i < n; ++i) {
    const auto& credit = c.credits(static_cast<int>(i));
    const int64_t milli = 1000 / n + (i >= n - 1000 % n ? 1 : 0);
    for (uint16_t series : CreditSeries(f, credit, c)) {
      f.counts.push_back({series, figure, milli});
      if (credit.value_micros() > 0) f.counts.push_back({series, fig::kRevenueMicros, credit.value_micros()});
    }
  }
  return f;
}

// A change of a campaign's spend on a channel for a day, once per revision,
// in the day's bucket.
absl::StatusOr<std::optional<Fact>> SpendFact(const SpendRecorded& s) {
  if (auto st = CheckIds({{"campaign_id", s.campaign_id()}, {"channel_id", s.channel_id()}}); !st.ok()) return st;
  if (s.campaign_id().empty() || s.channel_id().empty() || s.day().size() != 10 || s.revision() <= 0) {
    return absl::InvalidArgumentError("campaign_id, channel_id, day and revision are required");
  }
  auto bucket = BucketFor({&s.day_start()});
  if (!bucket.ok()) return bucket.status();
  Fact f;
  f.workspace_id = s.meta().workspace_id();
  f.dedupe_id = "spd|" + s.campaign_id() + "|" + s.channel_id() + "|" + s.day() + "|" + std::to_string(s.revision());
  f.bucket_ms = *bucket;
  f.series = {"k:" + s.campaign_id(), "c:" + s.channel_id(), "q:" + s.campaign_id() + "/" + s.channel_id()};
  if (s.delta_micros() == 0) return std::nullopt;
  CountEverywhere(f, fig::kSpendMicros, s.delta_micros());
  return f;
}

template <typename T>
absl::StatusOr<std::optional<Fact>> Of(const google::protobuf::Message& event,
                                       absl::StatusOr<std::optional<Fact>> (*fact_of)(const T&)) {
  // A descriptor comparison, not dynamic_cast (which compares type names).
  if (event.GetDescriptor() != T::descriptor()) {
    return absl::InvalidArgumentError("not a " + T::descriptor()->full_name());
  }
  return fact_of(static_cast<const T&>(event));
}

}  // namespace

std::string_view LagFigure(int k) {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (int i = 0; i < kLagBuckets; ++i) names.push_back(std::string(fig::kLagPrefix) + std::to_string(i));
    return names;
  }();
  return kNames[static_cast<size_t>(std::clamp(k, 0, kLagBuckets - 1))];
}

absl::StatusOr<std::optional<Fact>> FactFor(std::string_view topic, const google::protobuf::Message& event) {
  absl::StatusOr<std::optional<Fact>> fact = std::nullopt;
  if (topic == topics::k_publish_results) {
    fact = Of<PublishResult>(event, ResultFact);
  } else if (topic == topics::k_post_metrics) {
    fact = Of<PostMetricsSnapshot>(event, SnapshotFact);
  } else if (topic == topics::k_channel_metrics) {
    fact = Of<ChannelMetricsSnapshot>(event, ChannelSnapshotFact);
  } else if (topic == topics::k_mentions) {
    fact = Of<MentionReceived>(event, MentionFact);
  } else if (topic == topics::k_posts_lifecycle) {
    fact = Of<PostLifecycle>(event, LifecycleFact);
  } else if (topic == topics::k_inbox_sla) {
    fact = Of<InboxSlaAlert>(event, SlaFact);
  } else if (topic == topics::k_campaign_lifecycle) {
    fact = Of<CampaignEvent>(event, CampaignFact);
  } else if (topic == topics::k_link_clicks) {
    fact = Of<LinkClick>(event, ClickFact);
  } else if (topic == topics::k_conversions) {
    fact = Of<ConversionRecorded>(event, ConversionFact);
  } else if (topic == topics::k_spend) {
    fact = Of<SpendRecorded>(event, SpendFact);
  }
  if (fact.ok() && fact->has_value() && !IsValidId((*fact)->workspace_id)) {
    return absl::InvalidArgumentError("workspace_id is not an id");
  }
  return fact;
}

}  // namespace herald::analytics
