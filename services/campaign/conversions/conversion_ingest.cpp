#include "campaign/conversions/conversion_ingest.h"

#include <algorithm>
#include <map>
#include <set>

#include "campaign/conversions/attribution.h"
#include "campaign/conversions/conversion_rules.h"
#include "campaign/conversions/pacing.h"
#include "common/events.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/time_util.h"
#include "herald/topics.h"

namespace herald::campaign {
namespace {

namespace ev = herald::events::v1;

absl::Status Refused(const FieldErrors& errors) { return absl::InvalidArgumentError(errors.Message()); }

// A kept click, if it parses and is this workspace's (another workspace's
// click is as unknown as a made-up one).
std::optional<ev::LinkClick> OwnClick(const std::optional<std::string>& bytes, const std::string& ws) {
  if (!bytes) return std::nullopt;
  ev::LinkClick click;
  if (!click.ParseFromString(*bytes) || click.meta().workspace_id() != ws) return std::nullopt;
  return click;
}

std::string CurrencyOf(const v1::Campaign& c) {
  if (c.has_budget()) return c.budget().currency();
  return c.has_daily_budget() ? c.daily_budget().currency() : "";
}

// Stored with the state already: handing them to Kafka never fails the call.
void Deliver(Outbox& outbox, const std::string& ws, const std::vector<std::string>& members) {
  outbox.Deliver(ws, members);
}

}  // namespace

absl::StatusOr<v1::RecordConversionsResponse> ConversionIngest::RecordConversions(
    const std::string& ws, const v1::RecordConversionsRequest& request) {
  const int64_t now = clock_.NowMs();
  FieldErrors errors = ValidateRecordConversions(request, now);
  if (!errors.ok()) return Refused(errors);
  const AttributionSettings settings = SettingsOf(request);
  const int n = request.conversions_size();

  // What is stored already, and every click the new ones can name: the
  // clicks named, and those tied to their customers.
  std::vector<std::string> ids;
  std::vector<std::string> customers;
  for (const auto& in : request.conversions()) {
    ids.push_back(ConversionId(ws, in.source(), in.event_id()));
    customers.push_back(in.customer_id().empty() ? "" : CustomerHash(ws, in.customer_id()));
  }
  auto existing = conversions_.Find(ws, ids);
  if (!existing.ok()) return existing.status();
  std::vector<std::string> tied_customers;
  for (int i = 0; i < n; ++i) {
    if (!(*existing)[i] && !customers[i].empty()) tied_customers.push_back(customers[i]);
  }
  auto tied = conversions_.CustomerClicks(ws, tied_customers);
  if (!tied.ok()) return tied.status();
  std::map<std::string, std::vector<std::string>> ties;  // customer → click ids
  for (size_t i = 0; i < tied_customers.size(); ++i) ties[tied_customers[i]] = (*tied)[i];
  std::set<std::string> wanted;
  for (int i = 0; i < n; ++i) {
    if ((*existing)[i]) continue;
    if (!request.conversions(i).click_id().empty()) wanted.insert(request.conversions(i).click_id());
    if (!customers[i].empty()) wanted.insert(ties[customers[i]].begin(), ties[customers[i]].end());
  }
  // The segments each new conversion's customer is in, before it counts.
  std::vector<std::string> labelled(tied_customers);
  std::sort(labelled.begin(), labelled.end());
  labelled.erase(std::unique(labelled.begin(), labelled.end()), labelled.end());
  auto labels = segments_.Of(ws, labelled, now);
  if (!labels.ok()) return labels.status();
  std::map<std::string, std::vector<std::string>> segments_of;  // customer → segment ids
  for (size_t i = 0; i < labelled.size(); ++i) segments_of[labelled[i]] = std::move((*labels)[i]);
  std::vector<std::string> click_ids(wanted.begin(), wanted.end());
  auto found = links_.FindClicks(click_ids);
  if (!found.ok()) return found.status();
  std::map<std::string, Touch> touches;
  for (size_t i = 0; i < click_ids.size(); ++i) {
    if (auto click = OwnClick((*found)[i], ws)) touches.emplace(click_ids[i], TouchOf(*click));
  }

  absl::Status noted = outbox_.NoteWorkspace(ws);
  if (!noted.ok()) return noted;
  // Each new conversion is attributed in order (a lead's tie counts for a
  // later sale of the same call), then all are stored in one round trip.
  std::map<std::string, std::string> currencies;  // campaign → budget currency
  std::map<std::string, int> first;               // conversion id → its first index in the call
  std::vector<ConversionStore::Write> writes;
  std::vector<int> written_index;  // writes[k] is conversions[written_index[k]]
  for (int i = 0; i < n; ++i) {
    const auto& in = request.conversions(i);
    if ((*existing)[i] || !first.emplace(ids[i], i).second) continue;
    std::vector<Touch> candidates;
    std::set<std::string> seen;
    auto add = [&](const std::string& click_id) {
      auto t = touches.find(click_id);
      if (t != touches.end() && seen.insert(click_id).second) candidates.push_back(t->second);
    };
    if (!in.click_id().empty()) add(in.click_id());
    if (!customers[i].empty()) {
      for (const auto& c : ties[customers[i]]) add(c);
    }
    const int64_t at = ConvertedAtMs(in, now);
    Attribution attribution = candidates.empty()
                                  ? Unattributed(in.click_id().empty() ? "no_click" : "unknown_click")
                                  : Attribute(at, in.value_micros(), candidates, settings.model, settings.window_ms);
    for (const auto& credit : attribution.credits) {
      const std::string& cid = credit.touch.campaign_id;
      if (cid.empty() || currencies.count(cid)) continue;
      auto campaign = campaigns_.Get(ws, cid);
      if (!campaign.ok() && !absl::IsNotFound(campaign.status())) return campaign.status();
      currencies[cid] = campaign.ok() ? CurrencyOf(*campaign) : "";
    }
    ConversionStore::Write w;
    for (const auto& t : candidates) {
      if (!t.campaign_id.empty()) w.clicked_campaigns.push_back(t.campaign_id);
    }
    w.record = BuildConversion(ws, in, now, settings, attribution, currencies);
    if (!customers[i].empty()) {
      for (const auto& id : segments_of[customers[i]]) w.record.add_segment_ids(id);
    }
    *w.record.mutable_meta() = NewEventMeta(w.record, ws, clock_, w.record.conversion_id());
    w.outbox_member = EncodeOutboxEntry(
        {std::string(topics::k_conversions), ConversionKey(w.record), w.record.SerializeAsString()});
    // The click a conversion names ties its customer for later sales.
    if (auto t = touches.find(in.click_id()); !in.click_id().empty() && t != touches.end()) {
      w.tie_click_id = in.click_id();
      w.tie_click_ms = t->second.at_ms;
      if (!customers[i].empty()) {
        auto& list = ties[customers[i]];
        if (std::find(list.begin(), list.end(), w.tie_click_id) == list.end()) list.push_back(w.tie_click_id);
      }
    }
    writes.push_back(std::move(w));
    written_index.push_back(i);
  }
  auto stored = conversions_.Record(ws, writes, now);
  if (!stored.ok()) return stored.status();
  std::vector<std::string> members;
  std::map<int, ConversionStore::Recorded> recorded;
  for (size_t k = 0; k < writes.size(); ++k) {
    if (!(*stored)[k].duplicate) members.push_back(writes[k].outbox_member);
    recorded[written_index[k]] = std::move((*stored)[k]);
  }
  Deliver(outbox_, ws, members);

  v1::RecordConversionsResponse response;
  for (int i = 0; i < n; ++i) {
    auto* result = response.add_results();
    if ((*existing)[i]) {
      *result->mutable_conversion() = *(*existing)[i];
      result->set_duplicate(true);
    } else if (const int f = first[ids[i]]; f != i) {
      *result->mutable_conversion() = response.results(f).conversion();
      result->set_duplicate(true);  // named twice in this call
    } else {
      *result->mutable_conversion() = recorded[i].record;
      result->set_duplicate(recorded[i].duplicate);  // another call stored it first
    }
  }
  return response;
}

absl::StatusOr<ev::ConversionRecorded> ConversionIngest::GetConversion(const v1::GetConversionRequest& request) {
  FieldErrors errors;
  ValidateSenderEvent(request.source(), request.event_id(), "", errors);
  if (!errors.ok()) return Refused(errors);
  const std::string& ws = request.workspace_id();
  auto found = conversions_.Find(ws, {ConversionId(ws, request.source(), request.event_id())});
  if (!found.ok()) return found.status();
  if (!(*found)[0]) return absl::NotFoundError("no conversion " + request.source() + "/" + request.event_id());
  return *(*found)[0];
}

absl::StatusOr<v1::RecordSpendResponse> ConversionIngest::RecordSpend(const std::string& ws,
                                                                      const v1::RecordSpendRequest& request) {
  const int64_t now = clock_.NowMs();
  FieldErrors errors = ValidateRecordSpend(request);
  if (!errors.ok()) return Refused(errors);
  std::map<std::string, v1::Campaign> campaigns;
  for (int i = 0; i < request.entries_size(); ++i) {
    const auto& e = request.entries(i);
    const std::string at = "entries[" + std::to_string(i) + "]";
    if (!campaigns.count(e.campaign_id())) {
      auto c = campaigns_.Get(ws, e.campaign_id());
      if (!c.ok() && !absl::IsNotFound(c.status())) return c.status();
      if (!c.ok()) {
        errors.Add(at + ".campaign_id", "no such campaign");
        continue;
      }
      campaigns[e.campaign_id()] = *c;
    }
    CheckSpend(e, campaigns[e.campaign_id()], now, at, errors);
  }
  if (!errors.ok()) return Refused(errors);
  absl::Status noted = outbox_.NoteWorkspace(ws);
  if (!noted.ok()) return noted;

  v1::RecordSpendResponse response;
  std::vector<std::string> members;
  auto fail = [&](absl::Status status) {
    Deliver(outbox_, ws, members);
    return status;
  };
  for (const auto& e : request.entries()) {
    const v1::Campaign& campaign = campaigns[e.campaign_id()];
    auto* result = response.add_results();
    result->set_campaign_id(e.campaign_id());
    result->set_channel_id(e.channel_id());
    result->set_day(e.day());
    result->set_amount_micros(e.amount_micros());
    std::optional<ConversionStore::Totals> totals;
    // Optimistic: another report of the same channel and day may land between
    // the read and the write; the write then finds the revision moved.
    for (int attempt = 0; attempt < 16 && !totals; ++attempt) {
      auto current = conversions_.ReadSpend(ws, e.campaign_id(), e.day(), e.channel_id());
      if (!current.ok()) return fail(current.status());
      if (current->revision > 0 && current->amount_micros == e.amount_micros()) {
        result->set_revision(current->revision);  // the same figure again: nothing changes
        break;
      }
      ev::SpendRecorded spend;
      spend.set_campaign_id(e.campaign_id());
      spend.set_channel_id(e.channel_id());
      spend.set_day(e.day());
      spend.set_amount_micros(e.amount_micros());
      spend.set_delta_micros(e.amount_micros() - current->amount_micros);
      spend.set_revision(current->revision + 1);
      spend.set_currency(e.currency());
      *spend.mutable_day_start() = FromMs(LocalDayWindow(*ParseDate(e.day()), CampaignZone(campaign)).start_ms);
      *spend.mutable_meta() = NewEventMeta(spend, ws, clock_,
                                           "spend:" + e.campaign_id() + ":" + e.channel_id() + ":" + e.day() + ":r" +
                                               std::to_string(spend.revision()));
      const std::string member =
          EncodeOutboxEntry({std::string(topics::k_spend), e.campaign_id(), spend.SerializeAsString()});
      auto written = conversions_.WriteSpend(ws, e.campaign_id(), e.day(), e.channel_id(), current->revision,
                                             e.amount_micros(), spend.delta_micros(), member, now);
      if (!written.ok()) return fail(written.status());
      if (!*written) continue;
      totals = *written;
      members.push_back(member);
      result->set_delta_micros(spend.delta_micros());
      result->set_revision(spend.revision());
    }
    if (result->revision() == 0) return fail(absl::AbortedError("spend of " + e.campaign_id() + "/" + e.channel_id() +
                                                                 " on " + e.day() + " kept changing; try again"));
    if (!totals) continue;

    // Judge the day's pace in the campaign's zone; raise each alert once.
    const absl::TimeZone zone = CampaignZone(campaign);
    PaceInput in;
    in.daily_budget_micros = campaign.has_daily_budget() ? campaign.daily_budget().micros() : 0;
    in.total_budget_micros = campaign.has_budget() ? campaign.budget().micros() : 0;
    in.day_spend_micros = totals->day_micros;
    in.total_spend_micros = totals->total_micros;
    in.day = LocalDayWindow(*ParseDate(e.day()), zone);
    in.now_ms = now;
    Pace pace = JudgePace(in);
    for (const auto& reason : pace.alerts) {
      ev::CampaignEvent event;
      event.set_campaign_id(campaign.id());
      event.set_kind(ev::CAMPAIGN_EVENT_KIND_BUDGET_ALERT);
      event.set_name(campaign.name());
      event.set_status(v1::CampaignStatus_Name(campaign.status()));
      event.set_version(campaign.version());
      auto* alert = event.mutable_budget_alert();
      alert->set_day(e.day());
      alert->set_reason(reason);
      alert->set_day_spend_micros(totals->day_micros);
      alert->set_planned_micros(pace.planned_micros);
      alert->set_daily_budget_micros(in.daily_budget_micros);
      alert->set_total_spend_micros(totals->total_micros);
      alert->set_total_budget_micros(in.total_budget_micros);
      alert->set_currency(CurrencyOf(campaign));
      *event.mutable_meta() =
          NewEventMeta(event, ws, clock_, "budget:" + campaign.id() + ":" + e.day() + ":" + reason);
      const std::string member =
          EncodeOutboxEntry({std::string(topics::k_campaign_lifecycle), campaign.id(), event.SerializeAsString()});
      auto raised = conversions_.RaiseAlert(ws, campaign.id(), e.day(), reason, member, now);
      if (!raised.ok()) return fail(raised.status());
      if (!*raised) continue;
      members.push_back(member);
      *response.add_alerts() = *alert;
    }
  }
  Deliver(outbox_, ws, members);
  return response;
}

absl::StatusOr<v1::Pacing> ConversionIngest::GetPacing(const v1::GetPacingRequest& request) {
  FieldErrors errors;
  if (!IsValidId(request.campaign_id())) errors.Add("campaign_id", "want 1-64 of [A-Za-z0-9_-]");
  if (!request.day().empty() && !ParseDate(request.day())) errors.Add("day", "want a date YYYY-MM-DD in 2000-2100");
  if (!errors.ok()) return Refused(errors);
  const std::string& ws = request.workspace_id();
  auto campaign = campaigns_.Get(ws, request.campaign_id());
  if (!campaign.ok()) return campaign.status();
  const int64_t now = clock_.NowMs();
  const absl::TimeZone zone = CampaignZone(*campaign);
  const std::string day = request.day().empty() ? LocalDayOf(now, zone) : request.day();
  auto view = conversions_.ReadDay(ws, campaign->id(), day);
  if (!view.ok()) return view.status();
  PaceInput in;
  in.daily_budget_micros = campaign->has_daily_budget() ? campaign->daily_budget().micros() : 0;
  in.total_budget_micros = campaign->has_budget() ? campaign->budget().micros() : 0;
  in.day_spend_micros = view->totals.day_micros;
  in.total_spend_micros = view->totals.total_micros;
  in.day = LocalDayWindow(*ParseDate(day), zone);
  in.now_ms = now;
  Pace pace = JudgePace(in);
  v1::Pacing p;
  p.set_campaign_id(campaign->id());
  p.set_day(day);
  p.set_time_zone(zone.name());
  p.set_currency(CurrencyOf(*campaign));
  p.set_day_hours(in.day.hours());
  p.set_elapsed_fraction(pace.elapsed);
  p.set_daily_budget_micros(in.daily_budget_micros);
  p.set_day_spend_micros(in.day_spend_micros);
  p.set_planned_micros(pace.planned_micros);
  p.set_total_budget_micros(in.total_budget_micros);
  p.set_total_spend_micros(in.total_spend_micros);
  p.set_state(pace.state);
  // Each channel's spend; with a budget_split, its share of the daily budget
  // paced like the whole.
  std::map<std::string, int32_t> shares;
  for (const auto& share : campaign->budget_split()) shares[share.channel_id()] = share.basis_points();
  std::map<std::string, int64_t> spent(view->channels.begin(), view->channels.end());
  for (const auto& [channel, bp] : shares) spent.emplace(channel, 0);
  for (const auto& [channel, micros] : spent) {
    auto* c = p.add_channels();
    c->set_channel_id(channel);
    c->set_amount_micros(micros);
    auto share = shares.find(channel);
    if (share == shares.end() || in.daily_budget_micros == 0) continue;
    PaceInput own = in;
    own.daily_budget_micros = static_cast<int64_t>(static_cast<__int128>(in.daily_budget_micros) * share->second / 10000);
    own.day_spend_micros = micros;
    own.total_budget_micros = 0;
    Pace channel_pace = JudgePace(own);
    c->set_share_basis_points(share->second);
    c->set_daily_budget_micros(own.daily_budget_micros);
    c->set_planned_micros(channel_pace.planned_micros);
    c->set_state(channel_pace.state);
  }
  return p;
}

}  // namespace herald::campaign
