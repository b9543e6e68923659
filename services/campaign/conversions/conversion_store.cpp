#include "campaign/conversions/conversion_store.h"

#include <set>

#include "absl/strings/str_join.h"
#include "campaign/audiences/profile_rules.h"
#include "campaign/audiences/profile_store.h"
#include "campaign/outbox.h"
#include "common/time_util.h"

namespace herald::campaign {
namespace {

namespace ev = herald::events::v1;

constexpr int64_t kRecordTtlMs = 400LL * 86400 * 1000;
constexpr int64_t kTieTtlMs = 90LL * 86400 * 1000;

std::string RecordKey(const std::string& ws, const std::string& id) { return "cv:{" + ws + "}:c:" + id; }
std::string TieKey(const std::string& ws, const std::string& customer) { return "cv:{" + ws + "}:u:" + customer; }
std::string DayKey(const std::string& ws, const std::string& campaign, const std::string& day) {
  return "sp:{" + ws + "}:" + campaign + ":d:" + day;
}
std::string CampaignKey(const std::string& ws, const std::string& campaign) { return "sp:{" + ws + "}:" + campaign; }

// KEYS: record, outbox, tie, profile, profile ids. ARGV: record, outbox
// member, now ms, tie click id ("" for none), its click ms, record TTL, tie
// TTL, profile id ("" for none), campaigns credited, campaigns clicked
// (comma-joined), converted ms, the most campaigns a profile keeps.
// {1} stored, {0, record} exists. The customer's CRM profile counts the
// conversion, a newly tied click, and the campaigns, in the same step.
const RedisScript kRecord(R"lua(
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
local new_tie = 0
if ARGV[4] ~= '' then
  new_tie = redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4])
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -51)
  redis.call('PEXPIRE', KEYS[3], ARGV[7])
end
if ARGV[8] ~= '' then
  redis.call('SADD', KEYS[5], ARGV[8])
  redis.call('HSETNX', KEYS[4], 'net', 'crm')
  redis.call('HINCRBY', KEYS[4], 'cvn', 1)
  if new_tie == 1 then redis.call('HINCRBY', KEYS[4], 'clk', 1) end
  local most = tonumber(ARGV[12])
  local function merge(field, list)
    if list == '' then return end
    local cur = redis.call('HGET', KEYS[4], field) or ''
    local n = 0
    for _ in string.gmatch(cur, '[^,]+') do n = n + 1 end
    for item in string.gmatch(list, '[^,]+') do
      if n < most and not string.find(',' .. cur .. ',', ',' .. item .. ',', 1, true) then
        if cur == '' then cur = item else cur = cur .. ',' .. item end
        n = n + 1
      end
    end
    redis.call('HSET', KEYS[4], field, cur)
  end
  merge('cvc', ARGV[9])
  merge('cmp', ARGV[10])
  local last = tonumber(redis.call('HGET', KEYS[4], 'last') or '0')
  if tonumber(ARGV[11]) > last then redis.call('HSET', KEYS[4], 'last', ARGV[11]) end
end
return {1}
)lua");

// KEYS: day, campaign, outbox. ARGV: channel, expected revision, amount,
// delta, outbox member, now ms. {1, day total, total} or {0} (revision moved).
const RedisScript kWriteSpend(R"lua(
local rev = tonumber(redis.call('HGET', KEYS[1], ARGV[1] .. '|r') or '0')
if rev ~= tonumber(ARGV[2]) then return {0} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3], ARGV[1] .. '|r', rev + 1)
local day = redis.call('HINCRBY', KEYS[1], '=', ARGV[4])
local total = redis.call('HINCRBY', KEYS[2], 't', ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5])
return {1, day, total}
)lua");

// KEYS: campaign, outbox. ARGV: alert field, outbox member, now ms.
const RedisScript kRaiseAlert(R"lua(
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 1
)lua");

absl::StatusOr<ev::ConversionRecorded> Parse(const std::string& bytes) {
  ev::ConversionRecorded c;
  if (!c.ParseFromString(bytes)) return absl::DataLossError("stored conversion does not parse");
  return c;
}

absl::Status ScriptError(const RedisReply& r, const char* what) {
  return absl::InternalError(std::string(what) + ": " + r.str);
}

}  // namespace

absl::StatusOr<std::vector<std::optional<ev::ConversionRecorded>>> ConversionStore::Find(
    const std::string& ws, const std::vector<std::string>& ids) {
  std::vector<std::optional<ev::ConversionRecorded>> out(ids.size());
  if (ids.empty()) return out;
  std::vector<RedisClient::Args> gets;
  for (const auto& id : ids) gets.push_back({"GET", RecordKey(ws, id)});
  auto r = redis_.Pipeline(gets);
  if (!r.ok()) return r.status();
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto& reply = (*r)[i];
    if (reply.is_error()) return ScriptError(reply, "read conversion");
    if (reply.is_nil()) continue;
    auto c = Parse(reply.str);
    if (!c.ok()) return c.status();
    out[i] = std::move(*c);
  }
  return out;
}

absl::StatusOr<std::vector<std::vector<std::string>>> ConversionStore::CustomerClicks(
    const std::string& ws, const std::vector<std::string>& customers) {
  std::vector<std::vector<std::string>> out(customers.size());
  if (customers.empty()) return out;
  std::vector<RedisClient::Args> reads;
  for (const auto& c : customers) reads.push_back({"ZRANGE", TieKey(ws, c), "0", "-1"});
  auto r = redis_.Pipeline(reads);
  if (!r.ok()) return r.status();
  for (size_t i = 0; i < customers.size(); ++i) {
    if ((*r)[i].is_error()) return ScriptError((*r)[i], "read customer clicks");
    for (const auto& e : (*r)[i].elements) out[i].push_back(e.str);
  }
  return out;
}

absl::StatusOr<std::vector<ConversionStore::Recorded>> ConversionStore::Record(const std::string& ws,
                                                                               const std::vector<Write>& writes,
                                                                               int64_t now_ms) {
  std::vector<Recorded> out;
  if (writes.empty()) return out;
  std::vector<std::pair<RedisClient::Args, RedisClient::Args>> calls;
  for (const auto& w : writes) {
    const bool tie = !w.tie_click_id.empty() && !w.record.customer_hash().empty();
    const std::string profile = w.record.customer_hash().empty() ? "" : CrmProfileId(w.record.customer_hash());
    std::set<std::string> credited, clicked(w.clicked_campaigns.begin(), w.clicked_campaigns.end());
    for (const auto& c : w.record.credits()) credited.insert(c.campaign_id());
    calls.push_back({{RecordKey(ws, w.record.conversion_id()), OutboxKey(ws), TieKey(ws, w.record.customer_hash()),
                      ProfileKey(ws, profile), ProfileIdsKey(ws)},
                     {w.record.SerializeAsString(), w.outbox_member, std::to_string(now_ms), tie ? w.tie_click_id : "",
                      std::to_string(w.tie_click_ms), std::to_string(kRecordTtlMs), std::to_string(kTieTtlMs), profile,
                      absl::StrJoin(credited, ","), absl::StrJoin(clicked, ","),
                      std::to_string(ToMs(w.record.converted_at())), std::to_string(kMaxProfileCampaigns)}});
  }
  auto replies = redis_.EvalPipeline(kRecord, calls);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < writes.size(); ++i) {
    const auto& r = (*replies)[i];
    if (r.is_error() || r.elements.empty()) return ScriptError(r, "record conversion");
    if (r.elements[0].AsInt() == 1) {
      out.push_back({writes[i].record, false});
      continue;
    }
    auto existing = Parse(r.elements.size() > 1 ? r.elements[1].str : "");
    if (!existing.ok()) return existing.status();
    out.push_back({std::move(*existing), true});
  }
  return out;
}

absl::StatusOr<ConversionStore::ChannelDay> ConversionStore::ReadSpend(const std::string& ws,
                                                                       const std::string& campaign,
                                                                       const std::string& day,
                                                                       const std::string& channel) {
  auto r = redis_.Command({"HMGET", DayKey(ws, campaign, day), channel, channel + "|r"});
  if (!r.ok()) return r.status();
  if (r->is_error() || r->elements.size() != 2) return ScriptError(*r, "read spend");
  ChannelDay d;
  if (!r->elements[0].is_nil()) d.amount_micros = r->elements[0].AsInt();
  if (!r->elements[1].is_nil()) d.revision = r->elements[1].AsInt();
  return d;
}

absl::StatusOr<std::optional<ConversionStore::Totals>> ConversionStore::WriteSpend(
    const std::string& ws, const std::string& campaign, const std::string& day, const std::string& channel,
    int64_t expected_revision, int64_t amount, int64_t delta, const std::string& outbox_member, int64_t now_ms) {
  auto r = redis_.Eval(kWriteSpend, {DayKey(ws, campaign, day), CampaignKey(ws, campaign), OutboxKey(ws)},
                       {channel, std::to_string(expected_revision), std::to_string(amount), std::to_string(delta),
                        outbox_member, std::to_string(now_ms)});
  if (!r.ok()) return r.status();
  if (r->is_error() || r->elements.empty()) return ScriptError(*r, "write spend");
  if (r->elements[0].AsInt() == 0 || r->elements.size() < 3) return std::optional<Totals>();
  return std::optional<Totals>(Totals{r->elements[1].AsInt(), r->elements[2].AsInt()});
}

absl::StatusOr<bool> ConversionStore::RaiseAlert(const std::string& ws, const std::string& campaign,
                                                 const std::string& day, const std::string& reason,
                                                 const std::string& outbox_member, int64_t now_ms) {
  auto r = redis_.Eval(kRaiseAlert, {CampaignKey(ws, campaign), OutboxKey(ws)},
                       {"a|" + day + "|" + reason, outbox_member, std::to_string(now_ms)});
  if (!r.ok()) return r.status();
  if (r->is_error()) return ScriptError(*r, "raise budget alert");
  return r->AsInt() == 1;
}

absl::StatusOr<ConversionStore::DayView> ConversionStore::ReadDay(const std::string& ws, const std::string& campaign,
                                                                  const std::string& day) {
  auto r = redis_.Pipeline({{"HGETALL", DayKey(ws, campaign, day)}, {"HGET", CampaignKey(ws, campaign), "t"}});
  if (!r.ok()) return r.status();
  if ((*r)[0].is_error() || (*r)[1].is_error()) return ScriptError((*r)[0], "read spend day");
  DayView v;
  const auto& fields = (*r)[0].elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& f = fields[i].str;
    if (f == "=") {
      v.totals.day_micros = fields[i + 1].AsInt();
    } else if (f.size() < 2 || f.compare(f.size() - 2, 2, "|r") != 0) {
      v.channels[f] = fields[i + 1].AsInt();
    }
  }
  if (!(*r)[1].is_nil()) v.totals.total_micros = (*r)[1].AsInt();
  return v;
}

}  // namespace herald::campaign
