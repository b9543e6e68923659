#include "campaign/recommendations/recommendation_rules.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "campaign/experiments/experiment_rules.h"
#include "common/hmac.h"
#include "common/time_util.h"

namespace herald::campaign {
namespace {

std::string Format(const char* fmt, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, a);
  return buf;
}

std::string Money(int64_t micros, const std::string& currency) {
  std::string out = Format("%.2f", static_cast<double>(micros) / 1e6);
  return currency.empty() ? out : out + " " + currency;
}

std::string Percent(double share) { return Format("%.2f %%", share * 100); }

std::string Currency(const v1::Campaign& c) {
  if (c.has_daily_budget()) return c.daily_budget().currency();
  return c.has_budget() ? c.budget().currency() : "";
}

double Roas(const ChannelResult& r) {
  return r.spend_micros > 0 ? static_cast<double>(r.revenue_micros) / static_cast<double>(r.spend_micros) : 0;
}

constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

int HourOfWeek(const QueueHour& h) { return (h.day_of_week - 1) * 24 + h.hour; }

std::string HourName(int day_of_week, int hour, int minute) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d", kDays[(day_of_week + 6) % 7], hour, minute);
  return buf;
}

const char* MetricName(v1::ExperimentMetric m) {
  switch (m) {
    case v1::EXPERIMENT_METRIC_ENGAGEMENT_RATE: return "engagement_rate";
    case v1::EXPERIMENT_METRIC_CTR: return "ctr";
    case v1::EXPERIMENT_METRIC_CONVERSION_RATE: return "conversion_rate";
    default: return "metric";
  }
}

}  // namespace

std::string RecommendationId(const std::string& basis) { return "rec_" + Sha256Hex(basis).substr(0, 24); }

std::vector<std::pair<std::string, int32_t>> CurrentSplit(const v1::Campaign& campaign,
                                                          const std::vector<ChannelResult>& channels) {
  std::vector<std::pair<std::string, int32_t>> out;
  if (!campaign.budget_split().empty()) {
    for (const auto& s : campaign.budget_split()) out.emplace_back(s.channel_id(), s.basis_points());
    return out;
  }
  int64_t total = 0;
  for (const auto& c : channels) total += std::max<int64_t>(0, c.spend_micros);
  if (total <= 0) return out;
  int32_t given = 0;
  size_t largest = 0;
  for (const auto& c : channels) {
    if (c.spend_micros <= 0) continue;
    const auto bp = static_cast<int32_t>(static_cast<double>(c.spend_micros) * 10000.0 / static_cast<double>(total));
    if (out.empty() || c.spend_micros > channels[largest].spend_micros) largest = &c - channels.data();
    out.emplace_back(c.channel_id, bp);
    given += bp;
  }
  for (auto& [id, bp] : out) {
    if (id == channels[largest].channel_id) bp += 10000 - given;  // rounding to the largest
  }
  return out;
}

std::optional<v1::Recommendation> ShiftBudget(const v1::Campaign& campaign, const std::vector<ChannelResult>& channels,
                                              int lookback_days) {
  const auto split = CurrentSplit(campaign, channels);
  std::map<std::string, int32_t> share(split.begin(), split.end());
  int64_t total_spend = 0, total_revenue = 0;
  for (const auto& c : channels) {
    total_spend += std::max<int64_t>(0, c.spend_micros);
    total_revenue += std::max<int64_t>(0, c.revenue_micros);
  }
  if (total_spend <= 0) return std::nullopt;
  std::vector<const ChannelResult*> judged;
  for (const auto& c : channels) {
    if (static_cast<double>(c.spend_micros) >= kMinSpendShare * static_cast<double>(total_spend)) judged.push_back(&c);
  }
  std::sort(judged.begin(), judged.end(), [](auto* a, auto* b) { return a->channel_id < b->channel_id; });
  const ChannelResult *best = nullptr, *worst = nullptr;
  for (const auto* c : judged) {
    if (c->sales >= kMinSalesToFollow && (!best || Roas(*c) > Roas(*best))) best = c;
  }
  for (const auto* c : judged) {
    if (c == best || share[c->channel_id] <= 0) continue;
    if (!worst || Roas(*c) < Roas(*worst)) worst = c;
  }
  if (!best || !worst) return std::nullopt;
  const double rb = Roas(*best), rw = Roas(*worst);
  if (rb <= rw || rb < kMinRoasRatio * rw) return std::nullopt;
  const int32_t from_bp = share[worst->channel_id], to_bp = share[best->channel_id];
  const int32_t moved = std::min(from_bp, std::max<int32_t>(100, static_cast<int32_t>(std::lround(from_bp * kShareMoved))));
  const std::string currency = Currency(campaign);
  const int64_t daily = campaign.has_daily_budget()
                            ? static_cast<int64_t>(static_cast<double>(campaign.daily_budget().micros()) * moved / 10000.0)
                            : 0;
  const double campaign_roas = static_cast<double>(total_revenue) / static_cast<double>(total_spend);

  v1::Recommendation r;
  r.set_campaign_id(campaign.id());
  r.set_kind(v1::RECOMMENDATION_KIND_SHIFT_BUDGET);
  auto* s = r.mutable_budget_shift();
  s->set_from_channel_id(worst->channel_id);
  s->set_to_channel_id(best->channel_id);
  s->set_basis_points(moved);
  s->set_from_basis_points_before(from_bp);
  s->set_to_basis_points_before(to_bp);
  s->set_from_roas(rw);
  s->set_to_roas(rb);
  s->set_daily_micros(daily);
  s->set_currency(currency);
  r.set_title("Move " + Percent(moved / 10000.0) + " of the daily budget from " + worst->channel_id + " to " +
              best->channel_id);
  auto line = [&](const ChannelResult& c) {
    return c.channel_id + ": revenue " + Money(c.revenue_micros, currency) + " on spend " +
           Money(c.spend_micros, currency) + " over " + std::to_string(lookback_days) + " days (ROAS " +
           Format("%.2f", Roas(c)) + ", " + Format("%.1f", c.sales) + " sales)";
  };
  r.add_reasons(line(*best));
  r.add_reasons(line(*worst));
  std::string now = "split now: ";
  for (size_t i = 0; i < split.size(); ++i) {
    now += (i ? ", " : "") + split[i].first + " " + Percent(split[i].second / 10000.0);
  }
  r.add_reasons(now + (campaign.budget_split().empty() ? " (the spend's shares: the campaign sets no budget_split)" : ""));
  r.add_reasons("assumes the next unit spent on each channel returns what the average did; judge again after a week");
  r.set_effect_metric("revenue");
  r.set_expected_change(campaign_roas > 0 ? (moved / 10000.0) * (rb - rw) / campaign_roas : 0);
  const std::string change = "+" + Percent(r.expected_change());
  r.set_expected_effect(daily > 0 ? "about +" + Money(static_cast<int64_t>(static_cast<double>(daily) * (rb - rw)), currency) +
                                        " revenue a day at the same spend (" + change + ")"
                                  : "about " + change + " revenue at the same spend");
  std::string basis = "budget|" + campaign.id() + "|v" + std::to_string(campaign.version()) + "|" + worst->channel_id +
                      "|" + best->channel_id + "|" + std::to_string(moved);
  for (const auto& [id, bp] : split) basis += "|" + id + "=" + std::to_string(bp);
  r.set_id(RecommendationId(basis));
  return r;
}

std::vector<v1::ChannelShare> SplitAfter(const v1::Campaign& campaign, const std::vector<ChannelResult>& channels,
                                         const v1::BudgetShift& shift) {
  std::vector<v1::ChannelShare> out;
  bool has_to = false;
  for (const auto& [id, bp] : CurrentSplit(campaign, channels)) {
    v1::ChannelShare s;
    s.set_channel_id(id);
    s.set_basis_points(bp);
    if (id == shift.from_channel_id()) s.set_basis_points(bp - shift.basis_points());
    if (id == shift.to_channel_id()) {
      s.set_basis_points(bp + shift.basis_points());
      has_to = true;
    }
    out.push_back(std::move(s));
  }
  if (!has_to) {
    v1::ChannelShare s;
    s.set_channel_id(shift.to_channel_id());
    s.set_basis_points(shift.basis_points());
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<v1::Recommendation> MoveQueueSlot(const v1::Campaign& campaign, const QueueView& q) {
  if (q.slots.empty() || q.channel_posts < kMinPostsForSlots) return std::nullopt;
  std::set<int> taken;
  for (const auto& s : q.slots) taken.insert(HourOfWeek(s));
  const QueueHour* worst = nullptr;
  for (const auto& s : q.slots) {
    if (!worst || q.scores[HourOfWeek(s)] < q.scores[HourOfWeek(*worst)]) worst = &s;
  }
  int best = -1;
  for (int h = 0; h < 168; ++h) {
    if (!taken.count(h) && (best < 0 || q.scores[h] > q.scores[best])) best = h;
  }
  if (!worst || best < 0) return std::nullopt;
  const double sw = q.scores[HourOfWeek(*worst)], sb = q.scores[best];
  if (sw <= 0 || sb < kMinScoreRatio * sw) return std::nullopt;

  v1::Recommendation r;
  r.set_campaign_id(campaign.id());
  r.set_kind(v1::RECOMMENDATION_KIND_MOVE_QUEUE_SLOT);
  auto* m = r.mutable_slot_move();
  m->set_channel_id(q.channel_id);
  m->set_time_zone(q.time_zone);
  m->set_from_day_of_week(worst->day_of_week);
  m->set_from_hour(worst->hour);
  m->set_to_day_of_week(best / 24 + 1);
  m->set_to_hour(best % 24);
  m->set_minute(worst->minute);
  m->set_from_score(sw);
  m->set_to_score(sb);
  const std::string from = HourName(worst->day_of_week, worst->hour, worst->minute);
  const std::string to = HourName(best / 24 + 1, best % 24, worst->minute);
  r.set_title("Move " + q.channel_id + "'s queue slot " + from + " to " + to);
  r.add_reasons(from + " scores " + Format("%.2f", sw) + ": posts in that hour do " + Percent(sw) +
                " of the channel's average engagement");
  r.add_reasons(to + " scores " + Format("%.2f", sb) + " and has no slot");
  r.add_reasons("from " + std::to_string(q.channel_posts) + " of the channel's posts (analytics' best times, " +
                (q.time_zone.empty() ? std::string("UTC") : q.time_zone) + ")");
  r.set_effect_metric("engagements");
  r.set_expected_change(sb / sw - 1);
  r.set_expected_effect("about +" + Percent(r.expected_change()) + " engagement for the posts of that slot");
  std::vector<int> hours(taken.begin(), taken.end());
  std::string basis = "slot|" + campaign.id() + "|" + q.channel_id + "|" + from + "|" + to + "|" + q.time_zone;
  for (const auto& s : q.slots) basis += "|" + std::to_string(HourOfWeek(s)) + ":" + std::to_string(s.minute);
  r.set_id(RecommendationId(basis));
  return r;
}

std::optional<std::vector<QueueHour>> SlotsAfter(const std::vector<QueueHour>& slots, const v1::SlotMove& move) {
  std::vector<QueueHour> out = slots;
  bool moved = false;
  for (auto& s : out) {
    if (s.day_of_week == move.to_day_of_week() && s.hour == move.to_hour()) return std::nullopt;  // taken since
  }
  for (auto& s : out) {
    if (!moved && s.day_of_week == move.from_day_of_week() && s.hour == move.from_hour() && s.minute == move.minute()) {
      s.day_of_week = move.to_day_of_week();
      s.hour = move.to_hour();
      moved = true;
    }
  }
  if (!moved) return std::nullopt;
  return out;
}

std::optional<v1::Recommendation> PauseLosingVariants(const v1::Campaign& campaign, const v1::Experiment& e,
                                                      int64_t now_ms) {
  if (e.status() != "running" || e.result().verdict() != "winner") return std::nullopt;
  const std::string& winner = e.result().winner();
  std::vector<std::string> losers;
  for (const auto& v : e.variants()) {
    if (v.name() != winner) losers.push_back(v.name());
  }
  const herald::events::v1::VariantOutcome* won = nullptr;
  const herald::events::v1::VariantOutcome* best_loser = nullptr;
  for (const auto& o : e.result().variants()) {
    if (o.variant() == winner) {
      won = &o;
    } else if (!best_loser || o.rate() > best_loser->rate()) {
      best_loser = &o;
    }
  }
  if (!won || !best_loser || losers.empty()) return std::nullopt;
  int pending = 0;
  for (const auto& cell : e.cells()) {
    const bool loser = std::find(losers.begin(), losers.end(), cell.arm()) != losers.end();
    if (loser && !cell.post_id().empty() && ToMs(cell.slot()) > now_ms) ++pending;
  }
  v1::Recommendation r;
  r.set_campaign_id(campaign.id());
  r.set_kind(v1::RECOMMENDATION_KIND_PAUSE_LOSING_VARIANTS);
  auto* p = r.mutable_variant_pause();
  p->set_experiment_id(e.id());
  p->set_winner(winner);
  for (const auto& l : losers) p->add_losers(l);
  p->set_pending_posts(pending);
  p->set_cancels_posts(campaign.allow_cancel_losers());
  p->set_winner_rate(won->rate());
  p->set_best_loser_rate(best_loser->rate());
  std::string loser_names;
  for (size_t i = 0; i < losers.size(); ++i) loser_names += (i ? ", " : "") + losers[i];
  r.set_title("Conclude " + e.name() + " for " + winner + " and stop " + loser_names);
  const char* metric = MetricName(e.metric());
  for (const auto& o : e.result().variants()) {
    std::string line = o.variant() + ": " + std::to_string(o.successes()) + " of " + std::to_string(o.exposures()) +
                       " (" + metric + " " + Percent(o.rate()) + ")";
    if (o.p_value() > 0) {
      line += ", against the control " + Format("%+.2f", o.lift() * 100) + " pts (95 % CI " +
              Format("%+.2f", o.ci_low() * 100) + " to " + Format("%+.2f", o.ci_high() * 100) + "), p = " +
              Format("%.4f", o.p_value());
    }
    r.add_reasons(line);
  }
  r.add_reasons(e.sequential() ? "sequential plan: this look's alpha " + Format("%.4f", e.result().look_alpha())
                               : "the minimum sample of " + std::to_string(e.result().needed_per_arm()) +
                                     " per variant is reached");
  r.add_reasons("the split is as planned (sample-ratio p = " + Format("%.2f", e.result().sample_ratio_p_value()) + ")");
  r.add_reasons(campaign.allow_cancel_losers()
                    ? "concluding cancels the " + std::to_string(pending) + " losing posts still to go out"
                    : "the campaign does not allow cancelling: concluding names the winner, the " +
                          std::to_string(pending) + " losing posts still to go out stay");
  r.set_effect_metric(metric);
  r.set_expected_change(best_loser->rate() > 0 ? won->rate() / best_loser->rate() - 1 : 0);
  r.set_expected_effect("about +" + Percent(r.expected_change()) + " " + metric + " for the posts still to come");
  r.set_id(RecommendationId("variants|" + campaign.id() + "|" + e.id() + "|" + winner));
  return r;
}

}  // namespace herald::campaign
