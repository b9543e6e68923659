// The conversion and spend ingest against a real Redis and the dev broker:
// attribution from stored clicks, idempotency by the sender's event id, a
// customer tied by a lead, unknown and expired clicks kept unattributed, a
// bad call storing nothing, spend revisions and budget alerts raised once,
// and the outbox: events a request could not produce are swept out later.
#include <prometheus/registry.h>

#include "campaign/audiences/profile_rules.h"
#include "campaign/audiences/profile_store.h"
#include "campaign/campaign_store.h"
#include "campaign/conversions/conversion_ingest.h"
#include "campaign/conversions/conversion_rules.h"
#include "campaign/conversions/conversion_store.h"
#include "campaign/conversions/pacing.h"
#include "campaign/links/link_store.h"
#include "campaign/outbox.h"
#include "common/events.h"
#include "common/ids.h"
#include "common/time_util.h"
#include "herald/topics.h"
#include "redis_fixture.h"
#include "support/devbroker.h"

namespace herald::campaign {
namespace {

namespace ev = herald::events::v1;
constexpr int64_t kDay = 86400 * 1000;

class Conversions : public herald::testing::RedisTest {
 protected:
  static void SetUpTestSuite() {
    RedisTest::SetUpTestSuite();
    if (!broker_) broker_ = new herald::testing::DevBroker();
  }

  Conversions()
      : producer_(KafkaOptions{broker_->brokers(), "conversions-test", {}}),
        outbox_(redis(), producer_, clock_, OutboxOptions{.grace = std::chrono::milliseconds(0)}, registry_),
        ingest_(conversions_, campaigns_, links_, segment_labels_, outbox_, clock_) {
    v1::Campaign c;
    c.set_id("c_1");
    c.set_workspace_id("ws");
    c.set_name("winter sale");
    c.set_objective(v1::OBJECTIVE_CONVERSIONS);
    c.set_status(v1::CAMPAIGN_STATUS_ACTIVE);
    c.set_version(1);
    c.set_time_zone("Europe/Berlin");
    c.mutable_budget()->set_currency("EUR");
    c.mutable_budget()->set_micros(1'000'000'000);
    c.mutable_daily_budget()->set_currency("EUR");
    c.mutable_daily_budget()->set_micros(100'000'000);
    c.add_channel_ids("ch_fb");
    c.add_channel_ids("ch_ig");
    EXPECT_TRUE(campaigns_.Create(c).ok());
  }

  // A click kept as the redirect keeps it.
  std::string Click(int64_t at_ms, const std::string& post, const std::string& ws = "ws") {
    ev::LinkClick k;
    k.set_click_id(NewId("k_"));
    k.set_code("Ab3dE5gH");
    k.set_campaign_id("c_1");
    k.set_post_id(post);
    k.set_channel_id("ch_fb");
    *k.mutable_clicked_at() = FromMs(at_ms);
    *k.mutable_meta() = NewEventMeta(k, ws, clock_, k.click_id());
    EXPECT_TRUE(links_.RecordClick(k.code(), NewId("ip"), 1000, k.click_id(), k.SerializeAsString(), 30 * kDay).ok());
    return k.click_id();
  }

  static v1::ConversionInput Sale(const std::string& event_id, const std::string& click, int64_t micros = 50'000'000) {
    v1::ConversionInput in;
    in.set_source("shop");
    in.set_event_id(event_id);
    in.set_stage(ev::CONVERSION_STAGE_SALE);
    in.set_click_id(click);
    in.set_value_micros(micros);
    in.set_currency("EUR");
    return in;
  }

  absl::StatusOr<v1::RecordConversionsResponse> Record(std::vector<v1::ConversionInput> inputs,
                                                       v1::AttributionModel model = v1::ATTRIBUTION_MODEL_UNSPECIFIED) {
    v1::RecordConversionsRequest r;
    r.set_workspace_id("ws");
    r.set_model(model);
    for (auto& in : inputs) *r.add_conversions() = std::move(in);
    return ingest_.RecordConversions("ws", r);
  }

  // Entries still in the outbox once everything handed to Kafka is acknowledged.
  int64_t Pending() {
    EXPECT_TRUE(outbox_.Drain(std::chrono::seconds(10)));
    return redis().Command({"ZCARD", OutboxKey("ws")})->AsInt();
  }

  static inline herald::testing::DevBroker* broker_ = nullptr;
  SystemClock clock_;
  prometheus::Registry registry_;
  CampaignStore campaigns_{redis()};
  LinkStore links_{redis()};
  ConversionStore conversions_{redis()};
  ProfileStore profiles_{redis()};
  SegmentLabels segment_labels_{profiles_};
  KafkaProducer producer_;
  Outbox outbox_;
  ConversionIngest ingest_;
};

TEST_F(Conversions, ASaleNamingAClickIsCreditedToItAndASecondSendingIsTheSameRecord) {
  const std::string click = Click(clock_.NowMs() - 3600 * 1000, "p_1");
  auto first = Record({Sale("order-1", click)});
  ASSERT_TRUE(first.ok()) << first.status();
  const auto& c = first->results(0).conversion();
  EXPECT_FALSE(first->results(0).duplicate());
  ASSERT_EQ(c.credits_size(), 1);
  EXPECT_EQ(c.credits(0).campaign_id(), "c_1");
  EXPECT_EQ(c.credits(0).post_id(), "p_1");
  EXPECT_EQ(c.credits(0).value_micros(), 50'000'000);
  EXPECT_EQ(c.meta().event_id(), c.conversion_id());
  EXPECT_EQ(Pending(), 0);  // produced and acknowledged

  auto again = Record({Sale("order-1", click, 99'000'000)});  // a retry that even says something else
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->results(0).duplicate());
  EXPECT_EQ(again->results(0).conversion().SerializeAsString(), c.SerializeAsString());
  // Within one call too: the second copy answers the first.
  auto twice = Record({Sale("order-2", click), Sale("order-2", click)});
  ASSERT_TRUE(twice.ok());
  EXPECT_FALSE(twice->results(0).duplicate());
  EXPECT_TRUE(twice->results(1).duplicate());
  v1::GetConversionRequest get;
  get.set_workspace_id("ws");
  get.set_source("shop");
  get.set_event_id("order-1");
  auto stored = ingest_.GetConversion(get);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->conversion_id(), c.conversion_id());
}

TEST_F(Conversions, UnknownExpiredAndOtherWorkspacesClicksAreKeptUnattributed) {
  const std::string expired = Click(clock_.NowMs() - 8 * kDay, "p_old");
  const std::string foreign = Click(clock_.NowMs() - 1000, "p_x", "other_ws");
  auto r = Record({Sale("o-unknown", "k_0123456789abcdef01234567"), Sale("o-expired", expired),
                   Sale("o-foreign", foreign)});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->results(0).conversion().unattributed(), "unknown_click");
  EXPECT_EQ(r->results(1).conversion().unattributed(), "expired");
  EXPECT_EQ(r->results(2).conversion().unattributed(), "unknown_click");
  for (const auto& result : r->results()) EXPECT_EQ(result.conversion().credits_size(), 0);
  EXPECT_EQ(Pending(), 0);  // kept and announced all the same
}

TEST_F(Conversions, ALeadTiesItsCustomerSoALaterSaleWithoutAClickIsCredited) {
  const std::string first = Click(clock_.NowMs() - 2 * kDay, "p_1");
  const std::string second = Click(clock_.NowMs() - kDay, "p_2");
  v1::ConversionInput lead;
  lead.set_source("crm");
  lead.set_event_id("signup-1");
  lead.set_stage(ev::CONVERSION_STAGE_LEAD);
  lead.set_click_id(first);
  lead.set_customer_id("alice@example.com");
  v1::ConversionInput lead2 = lead;
  lead2.set_event_id("signup-2");
  lead2.set_click_id(second);
  v1::ConversionInput sale = Sale("order-9", "", 30'000'001);
  sale.set_customer_id("alice@example.com");
  // In one call: the sale sees the ties its own call's leads made.
  auto r = Record({lead, lead2, sale}, v1::ATTRIBUTION_MODEL_LINEAR);
  ASSERT_TRUE(r.ok()) << r.status();
  const auto& s = r->results(2).conversion();
  ASSERT_EQ(s.credits_size(), 2);
  EXPECT_EQ(s.credits(0).post_id(), "p_1");
  EXPECT_EQ(s.credits(1).post_id(), "p_2");
  EXPECT_EQ(s.credits(0).value_micros() + s.credits(1).value_micros(), 30'000'001);
  EXPECT_EQ(s.credits(1).value_micros(), 15'000'001);  // the odd micro to the latest
  EXPECT_EQ(s.model(), "linear");
  EXPECT_EQ(s.customer_hash(), CustomerHash("ws", "alice@example.com"));
  // A later call, last click: the latest tie wins.
  v1::ConversionInput later = sale;
  later.set_event_id("order-10");
  auto l = Record({later});
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->results(0).conversion().credits_size(), 1);
  EXPECT_EQ(l->results(0).conversion().credits(0).post_id(), "p_2");
}

TEST_F(Conversions, ACustomersConversionsBuildTheirCrmProfileOnce) {
  ProfileStore profiles(redis());
  const std::string click = Click(clock_.NowMs() - 3600 * 1000, "p_1");
  v1::ConversionInput lead;
  lead.set_source("crm");
  lead.set_event_id("signup-7");
  lead.set_stage(ev::CONVERSION_STAGE_LEAD);
  lead.set_click_id(click);
  lead.set_customer_id("cust-7");
  v1::ConversionInput sale = Sale("order-7", "", 10'000'000);
  sale.set_customer_id("cust-7");
  ASSERT_TRUE(Record({lead, sale}).ok());
  ASSERT_TRUE(Record({lead, sale}).ok());  // resent: nothing more
  auto got = profiles.Get("ws", CrmProfileId(CustomerHash("ws", "cust-7")));
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status();
  const Profile& p = (*got)->first;
  EXPECT_EQ(p.network, "crm");
  EXPECT_EQ(p.conversions, 2);
  EXPECT_EQ(p.clicks, 1);  // one click tied to the customer
  EXPECT_EQ(p.campaigns, std::vector<std::string>{"c_1"});
  EXPECT_EQ(p.converted, std::vector<std::string>{"c_1"});
  EXPECT_GT(p.last_engaged_ms, 0);
}

// A conversion carries the segments its customer was in before it counted
// (those created first, in that order): analytics reports revenue by them.
TEST_F(Conversions, AConversionCarriesTheSegmentsItsCustomerWasIn) {
  int64_t created = 0;
  auto segment = [&](const std::string& id, const std::string& expression) {
    v1::Segment s;
    s.set_id(id);
    s.set_workspace_id("ws");
    s.set_name(id);
    s.set_expression(expression);
    s.mutable_create_time()->set_seconds(++created);
    ASSERT_TRUE(profiles_.CreateSegment(s, "").ok());
  };
  segment("seg_vip", R"(tagged("vip"))");
  segment("seg_de", R"(country = "DE")");
  segment("seg_buyers", R"(converted_for("c_1"))");
  segment("seg_crm", R"(network = "crm")");
  segment("seg_at", R"(country = "AT")");
  ASSERT_TRUE(
      profiles_.ImportRows("ws", {{CrmProfileId(CustomerHash("ws", "cust-9")), {{"co", "DE"}, {"tags", "vip"}}}}).ok());
  const std::string click = Click(clock_.NowMs() - 3600 * 1000, "p_1");
  auto segments_of = [](const ev::ConversionRecorded& c) {
    return std::vector<std::string>(c.segment_ids().begin(), c.segment_ids().end());
  };
  v1::ConversionInput first = Sale("order-9a", click);
  first.set_customer_id("cust-9");
  auto a = Record({first});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(segments_of(a->results(0).conversion()), (std::vector<std::string>{"seg_vip", "seg_de", "seg_crm"}));
  v1::ConversionInput second = Sale("order-9b", "");
  second.set_customer_id("cust-9");
  v1::ConversionInput stranger = Sale("order-x", click);
  stranger.set_customer_id("cust-new");  // no profile yet: an empty CRM profile
  v1::ConversionInput anonymous = Sale("order-anon", click);
  auto b = Record({second, stranger, anonymous});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(segments_of(b->results(0).conversion()),
            (std::vector<std::string>{"seg_vip", "seg_de", "seg_buyers", "seg_crm"}));  // the first sale counted
  EXPECT_EQ(segments_of(b->results(1).conversion()), std::vector<std::string>{"seg_crm"});
  EXPECT_TRUE(segments_of(b->results(2).conversion()).empty());
  // A resend answers the stored record: its labels do not move.
  auto again = Record({first});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->results(0).duplicate());
  EXPECT_EQ(segments_of(again->results(0).conversion()), segments_of(a->results(0).conversion()));
}

TEST_F(Conversions, ABadConversionRefusesTheWholeCallAndStoresNothing) {
  const std::string click = Click(clock_.NowMs() - 1000, "p_1");
  v1::ConversionInput bad = Sale("order-bad", click);
  bad.set_currency("euro");
  auto r = Record({Sale("order-good", click), bad});
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("conversions[1].currency"), std::string::npos) << r.status();
  auto found = conversions_.Find("ws", {ConversionId("ws", "shop", "order-good")});
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE((*found)[0].has_value());
  EXPECT_EQ(Pending(), 0);
}

TEST_F(Conversions, ASaleInAnotherCurrencyIsCreditedButNotRevenue) {
  v1::ConversionInput usd = Sale("order-usd", Click(clock_.NowMs() - 1000, "p_1"));
  usd.set_currency("USD");
  auto r = Record({usd});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->results(0).conversion().value_not_counted(), "currency");
  EXPECT_EQ(r->results(0).conversion().credits(0).value_micros(), 0);
}

v1::RecordSpendRequest Spend(const std::string& day, const std::string& channel, int64_t micros) {
  v1::RecordSpendRequest r;
  r.set_workspace_id("ws");
  auto* e = r.add_entries();
  e->set_campaign_id("c_1");
  e->set_channel_id(channel);
  e->set_day(day);
  e->set_amount_micros(micros);
  e->set_currency("EUR");
  return r;
}

TEST_F(Conversions, SpendIsSetPerDayRevisedByDeltasAndAlertsOncePerReason) {
  const std::string yesterday = LocalDayOf(clock_.NowMs() - kDay, *LoadZone("Europe/Berlin"));
  auto first = ingest_.RecordSpend("ws", Spend(yesterday, "ch_fb", 60'000'000));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->results(0).revision(), 1);
  EXPECT_EQ(first->results(0).delta_micros(), 60'000'000);
  EXPECT_EQ(first->alerts_size(), 0);  // a finished day, within its budget
  auto same = ingest_.RecordSpend("ws", Spend(yesterday, "ch_fb", 60'000'000));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->results(0).revision(), 1);  // nothing changed
  EXPECT_EQ(same->results(0).delta_micros(), 0);
  auto over = ingest_.RecordSpend("ws", Spend(yesterday, "ch_ig", 45'000'000));
  ASSERT_TRUE(over.ok());
  ASSERT_EQ(over->alerts_size(), 1);
  EXPECT_EQ(over->alerts(0).reason(), "daily_exceeded");
  EXPECT_EQ(over->alerts(0).day_spend_micros(), 105'000'000);
  auto revised = ingest_.RecordSpend("ws", Spend(yesterday, "ch_ig", 46'000'000));
  ASSERT_TRUE(revised.ok());
  EXPECT_EQ(revised->results(0).revision(), 2);
  EXPECT_EQ(revised->results(0).delta_micros(), 1'000'000);
  EXPECT_EQ(revised->alerts_size(), 0);  // raised once for the day
  EXPECT_EQ(Pending(), 0);

  v1::GetPacingRequest p;
  p.set_workspace_id("ws");
  p.set_campaign_id("c_1");
  p.set_day(yesterday);
  auto pacing = ingest_.GetPacing(p);
  ASSERT_TRUE(pacing.ok()) << pacing.status();
  EXPECT_EQ(pacing->day_spend_micros(), 106'000'000);
  EXPECT_EQ(pacing->total_spend_micros(), 106'000'000);
  EXPECT_EQ(pacing->planned_micros(), 100'000'000);
  EXPECT_EQ(pacing->state(), v1::PACING_STATE_DAILY_EXCEEDED);
  ASSERT_EQ(pacing->channels_size(), 2);
  EXPECT_EQ(pacing->time_zone(), "Europe/Berlin");
}

TEST_F(Conversions, SpendThatDoesNotFitItsCampaignIsRefusedWhole) {
  v1::RecordSpendRequest r = Spend(LocalDayOf(clock_.NowMs(), *LoadZone("Europe/Berlin")), "ch_fb", 1);
  auto* other = r.add_entries();
  *other = r.entries(0);
  other->set_channel_id("ch_tiktok");
  auto* unknown = r.add_entries();
  *unknown = r.entries(0);
  unknown->set_campaign_id("c_missing");
  auto s = ingest_.RecordSpend("ws", r);
  ASSERT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("entries[1].channel_id"), std::string::npos) << s.status();
  EXPECT_NE(s.status().message().find("entries[2].campaign_id"), std::string::npos) << s.status();
  auto day = conversions_.ReadDay("ws", "c_1", r.entries(0).day());
  ASSERT_TRUE(day.ok());
  EXPECT_TRUE(day->channels.empty());  // the good entry was not stored either
}

TEST_F(Conversions, TheSweepProducesWhatARequestLeftInTheOutbox) {
  // A request that stored its conversion and died before producing it.
  ev::ConversionRecorded c;
  c.set_conversion_id("cv_left");
  *c.mutable_meta() = NewEventMeta(c, "ws", clock_, "cv_left");
  const std::string member = EncodeOutboxEntry({std::string(topics::k_conversions), "", c.SerializeAsString()});
  ASSERT_TRUE(conversions_.Record("ws", {{c, member, "", 0, {}}}, clock_.NowMs()).ok());
  ASSERT_TRUE(outbox_.NoteWorkspace("ws").ok());
  EXPECT_EQ(Pending(), 1);
  auto swept = outbox_.Sweep();
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(*swept, 1u);
  EXPECT_EQ(Pending(), 0);
  // An entry that does not decode is dropped, not retried for ever.
  ASSERT_TRUE(redis().Command({"ZADD", OutboxKey("ws"), "1", "garbage"}).ok());
  EXPECT_EQ(*outbox_.Sweep(), 0u);
  EXPECT_EQ(Pending(), 0);
}

}  // namespace
}  // namespace herald::campaign
