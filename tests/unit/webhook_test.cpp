#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/time_util.h"
#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"
#include "publisher/webhooks/webhook_dispatcher.h"
#include "publisher/webhooks/webhook_event.h"
#include "publisher/webhooks/webhook_service.h"

namespace herald::publisher {
namespace {

namespace ev = herald::events::v1;
namespace v1 = herald::publisher::v1;

std::string Result(ev::PublishOutcome outcome) {
  ev::PublishResult r;
  r.mutable_meta()->set_event_id("res_1");
  r.mutable_meta()->set_workspace_id("ws");
  r.set_post_id("p_1");
  r.set_channel_id("ch_1");
  r.set_network(herald::common::v1::NETWORK_MASTODON);
  r.set_outcome(outcome);
  r.set_error_class(ev::ERROR_CLASS_CONTENT);
  r.set_error_message("too long");
  return r.SerializeAsString();
}

TEST(WebhookEvent, PublishResultsBecomePublishedOrFailedAndNothingElse) {
  auto published = WebhookEventFrom(topics::k_publish_results, Result(ev::PUBLISH_OUTCOME_PUBLISHED));
  ASSERT_TRUE(published);
  EXPECT_EQ(published->type, "post.published");
  EXPECT_EQ(published->id, "res_1");
  EXPECT_EQ(published->workspace_id, "ws");
  auto body = nlohmann::json::parse(published->body);
  EXPECT_EQ(body["data"]["post_id"], "p_1");
  EXPECT_EQ(body["data"]["network"], "mastodon");

  auto failed = WebhookEventFrom(topics::k_publish_results, Result(ev::PUBLISH_OUTCOME_FAILED));
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->type, "post.failed");
  body = nlohmann::json::parse(failed->body);
  EXPECT_EQ(body["data"]["error_class"], "content");
  EXPECT_EQ(body["data"]["error_message"], "too long");

  EXPECT_FALSE(WebhookEventFrom(topics::k_publish_results, Result(ev::PUBLISH_OUTCOME_RETRY)));
  EXPECT_FALSE(WebhookEventFrom(topics::k_publish_results, Result(ev::PUBLISH_OUTCOME_DEFERRED)));
  EXPECT_FALSE(WebhookEventFrom(topics::k_publish_results, "not a protobuf \xff\xff"));
  EXPECT_FALSE(WebhookEventFrom(topics::k_posts_due, Result(ev::PUBLISH_OUTCOME_PUBLISHED)));
}

TEST(WebhookEvent, MentionsAndChannelStatusChanges) {
  ev::MentionReceived m;
  m.mutable_meta()->set_event_id("men_1");
  m.mutable_meta()->set_workspace_id("ws");
  m.set_author_handle("@fan");
  m.set_text("love it");
  auto mention = WebhookEventFrom(topics::k_mentions, m.SerializeAsString());
  ASSERT_TRUE(mention);
  EXPECT_EQ(mention->type, "mention.received");
  EXPECT_EQ(nlohmann::json::parse(mention->body)["data"]["author_handle"], "@fan");

  ev::ChannelStatusChanged c;
  c.mutable_meta()->set_event_id("chs_1");
  c.mutable_meta()->set_workspace_id("ws");
  c.set_status("CHANNEL_STATUS_NEEDS_REAUTH");
  auto status = WebhookEventFrom(topics::k_channels_lifecycle, c.SerializeAsString());
  ASSERT_TRUE(status);
  EXPECT_EQ(nlohmann::json::parse(status->body)["data"]["status"], "needs_reauth");

  m.mutable_meta()->clear_workspace_id();  // whose is it? nobody's webhook
  EXPECT_FALSE(WebhookEventFrom(topics::k_mentions, m.SerializeAsString()));

  ev::ListeningSpike spike;
  spike.mutable_meta()->set_event_id("ev_spike_1");
  spike.mutable_meta()->set_workspace_id("ws");
  spike.set_series_kind("rule");
  spike.set_series_id("rule_1");
  spike.set_count(120);
  spike.set_baseline(8.5);
  auto alert = WebhookEventFrom(topics::k_listening_alerts, spike.SerializeAsString());
  ASSERT_TRUE(alert);
  EXPECT_EQ(alert->type, "listening.spike");
  EXPECT_EQ(alert->id, "ev_spike_1");
  auto data = nlohmann::json::parse(alert->body)["data"];
  EXPECT_EQ(data["series_id"], "rule_1");
  EXPECT_EQ(data["count"], 120);
  EXPECT_TRUE(IsWebhookEventType("listening.spike"));

  ev::InboxSlaAlert sla;
  sla.mutable_meta()->set_event_id("ev_sla_1");
  sla.mutable_meta()->set_workspace_id("ws");
  sla.set_conversation_id("c_1");
  sla.set_target("first_response");
  sla.set_kind("breached");
  sla.set_assignee_id("ana");
  auto breach = WebhookEventFrom(topics::k_inbox_sla, sla.SerializeAsString());
  ASSERT_TRUE(breach);
  EXPECT_EQ(breach->type, "inbox.sla_breached");
  auto sla_data = nlohmann::json::parse(breach->body)["data"];
  EXPECT_EQ(sla_data["conversation_id"], "c_1");
  EXPECT_EQ(sla_data["target"], "first_response");
  EXPECT_EQ(sla_data["assignee_id"], "ana");
  sla.set_kind("warning");
  EXPECT_EQ(WebhookEventFrom(topics::k_inbox_sla, sla.SerializeAsString())->type, "inbox.sla_warning");
  sla.set_kind("something else");
  EXPECT_FALSE(WebhookEventFrom(topics::k_inbox_sla, sla.SerializeAsString())) << "an unknown kind is not passed on";
  EXPECT_TRUE(IsWebhookEventType("inbox.sla_warning"));
  EXPECT_TRUE(IsWebhookEventType("inbox.sla_breached"));
}

TEST(WebhookEvent, BudgetAlertsAndExperimentVerdictsComeFromCampaignLifecycle) {
  ev::CampaignEvent e;
  e.mutable_meta()->set_event_id("budget:c_1:2026-12-01:ahead_of_pace");
  e.mutable_meta()->set_workspace_id("ws");
  e.set_campaign_id("c_1");
  e.set_kind(ev::CAMPAIGN_EVENT_KIND_BUDGET_ALERT);
  e.mutable_budget_alert()->set_reason("ahead_of_pace");
  e.mutable_budget_alert()->set_day_spend_micros(140'000'000);
  auto alert = WebhookEventFrom(topics::k_campaign_lifecycle, e.SerializeAsString());
  ASSERT_TRUE(alert);
  EXPECT_EQ(alert->type, "budget.alert");
  EXPECT_EQ(alert->id, "budget:c_1:2026-12-01:ahead_of_pace");
  auto data = nlohmann::json::parse(alert->body)["data"];
  EXPECT_EQ(data["reason"], "ahead_of_pace");
  EXPECT_EQ(data["day_spend_micros"], 140'000'000);

  e.set_kind(ev::CAMPAIGN_EVENT_KIND_EXPERIMENT_CONCLUDED);
  e.clear_budget_alert();
  e.mutable_experiment()->set_outcome("winner");
  e.mutable_experiment()->set_winner("B");
  auto verdict = WebhookEventFrom(topics::k_campaign_lifecycle, e.SerializeAsString());
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->type, "experiment.concluded");
  EXPECT_EQ(nlohmann::json::parse(verdict->body)["data"]["winner"], "B");

  e.set_kind(ev::CAMPAIGN_EVENT_KIND_UPDATED);  // not something anyone subscribes to
  EXPECT_FALSE(WebhookEventFrom(topics::k_campaign_lifecycle, e.SerializeAsString()));
}

TEST(JudgeWebhookAnswer, TwoHundredsDeliverOthersRetryWithJitteredBackoffThenGiveUp) {
  RetryPolicy retry{.max_attempts = 3, .base_backoff_ms = 4000, .max_backoff_ms = 60000};
  HttpResponse ok;
  ok.status = 204;
  EXPECT_EQ(JudgeWebhookAnswer(ok, 1, retry, 1000, 0.5).outcome(), v1::WEBHOOK_ATTEMPT_OUTCOME_DELIVERED);
  HttpResponse bad;
  bad.status = 500;
  auto a = JudgeWebhookAnswer(bad, 2, retry, 1000, 0.5);
  EXPECT_EQ(a.outcome(), v1::WEBHOOK_ATTEMPT_OUTCOME_RETRYING);
  EXPECT_EQ(a.http_status(), 500);
  EXPECT_EQ(a.error(), "HTTP 500");
  EXPECT_EQ(ToMs(a.next_attempt_time()), 1000 + 4000);  // half of base·2
  EXPECT_EQ(ToMs(JudgeWebhookAnswer(bad, 1, retry, 1000, 0.0).next_attempt_time()), 1000 + 1000);  // at least 1 s
  EXPECT_EQ(JudgeWebhookAnswer(bad, 3, retry, 1000, 0.5).outcome(), v1::WEBHOOK_ATTEMPT_OUTCOME_GAVE_UP);
  auto none = JudgeWebhookAnswer(absl::DeadlineExceededError("timed out"), 1, retry, 1000, 0.5);
  EXPECT_EQ(none.http_status(), 0);
  EXPECT_EQ(none.error(), "timed out");
  EXPECT_EQ(none.outcome(), v1::WEBHOOK_ATTEMPT_OUTCOME_RETRYING);
}

TEST(ValidateCreateWebhook, NamesEachBadField) {
  v1::CreateWebhookRequest r;
  auto msg = ValidateCreateWebhook(r).Message();
  for (const char* f : {"workspace_id", "url", "event_types"}) EXPECT_NE(msg.find(f), std::string::npos) << f;
  r.set_workspace_id("ws");
  r.set_url("ftp://example.com");
  r.add_event_types("post.published");
  r.add_event_types("post.exploded");
  r.add_event_types("post.published");
  msg = ValidateCreateWebhook(r).Message();
  EXPECT_NE(msg.find("url: must be an http(s) URL"), std::string::npos);
  EXPECT_NE(msg.find("event_types[1]: unknown event type \"post.exploded\""), std::string::npos);
  EXPECT_NE(msg.find("event_types[2]: listed twice"), std::string::npos);
  r.set_url("https://hooks.example.com/herald");
  r.mutable_event_types()->RemoveLast();
  r.set_event_types(1, "budget.alert");
  EXPECT_TRUE(ValidateCreateWebhook(r).ok()) << ValidateCreateWebhook(r).Message();
}

}  // namespace
}  // namespace herald::publisher
