#include <gtest/gtest.h>

#include <type_traits>

#include "publisher/credentials_box.h"
#include "publisher/delivery_ledger.h"
#include "publisher/delivery_rules.h"
#include "publisher/publisher_service.h"

namespace herald::publisher {
namespace {

using herald::events::v1::ErrorClass;
using herald::events::v1::PublishOutcome;
using Kind = PublishAttempt::Kind;

TEST(Backoff, FullJitterWithinTheCappedExponential) {
  RetryPolicy p{5, 1000, 10000};
  EXPECT_EQ(BackoffMs(p, 1, 0.999999), 999);
  EXPECT_EQ(BackoffMs(p, 3, 0.5), 2000);
  EXPECT_EQ(BackoffMs(p, 10, 1.0), 10000);  // capped
  EXPECT_EQ(BackoffMs(p, 4, 0.0), 0);
}

OutcomeDecision Decide(Kind kind, int attempt = 1, int64_t retry_after = 0) {
  PublishAttempt a;
  a.kind = kind;
  a.retry_after_ms = retry_after;
  return DecideOutcome(a, attempt, RetryPolicy{3, 1000, 60000}, 1000, 0.5);
}

TEST(DecideOutcome, EachKindOfAnswer) {
  EXPECT_EQ(Decide(Kind::kPublished).outcome, PublishOutcome::PUBLISH_OUTCOME_PUBLISHED);

  auto quota = Decide(Kind::kRateLimited, 99, 30000);
  EXPECT_EQ(quota.outcome, PublishOutcome::PUBLISH_OUTCOME_DEFERRED);  // never failed for quota
  EXPECT_EQ(quota.not_before_ms, 31000);
  EXPECT_FALSE(quota.dead_letter);

  auto transient = Decide(Kind::kTransient, 2);
  EXPECT_EQ(transient.outcome, PublishOutcome::PUBLISH_OUTCOME_RETRY);
  EXPECT_EQ(transient.not_before_ms, 1000 + 1000);  // 0.5 × 2000

  auto exhausted = Decide(Kind::kTransient, 3);
  EXPECT_EQ(exhausted.outcome, PublishOutcome::PUBLISH_OUTCOME_FAILED);
  EXPECT_EQ(exhausted.error_class, ErrorClass::ERROR_CLASS_NETWORK);
  EXPECT_TRUE(exhausted.dead_letter);

  // The post may exist: retried (and reconciled first) well past max_attempts.
  EXPECT_EQ(Decide(Kind::kUnknownOutcome, 3).outcome, PublishOutcome::PUBLISH_OUTCOME_RETRY);
  auto unknown = Decide(Kind::kUnknownOutcome, 6);
  EXPECT_EQ(unknown.outcome, PublishOutcome::PUBLISH_OUTCOME_FAILED);
  EXPECT_EQ(unknown.error_class, ErrorClass::ERROR_CLASS_UNKNOWN);

  auto auth = Decide(Kind::kAuthRejected);
  EXPECT_EQ(auth.outcome, PublishOutcome::PUBLISH_OUTCOME_FAILED);
  EXPECT_TRUE(auth.mark_channel_needs_reauth);

  auto content = Decide(Kind::kContentRejected);
  EXPECT_EQ(content.error_class, ErrorClass::ERROR_CLASS_CONTENT);
  EXPECT_TRUE(content.dead_letter);
}

TEST(CheckDeliverable, EachReasonAChannelCannotTakeAPost) {
  ChannelFacts ok{.found = true, .active = true, .network_supported = true, .network_name = "x"};
  EXPECT_FALSE(CheckDeliverable(ok).has_value());
  auto with = [&](auto change) {
    ChannelFacts c = ok;
    change(c);
    return CheckDeliverable(c);
  };
  auto missing = with([](ChannelFacts& c) { c.found = false; });
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->error_class, ErrorClass::ERROR_CLASS_AUTH);
  EXPECT_EQ(missing->why, "channel not connected");
  EXPECT_EQ(with([](ChannelFacts& c) { c.active = false, c.disconnected = true; })->why, "channel disconnected");
  EXPECT_EQ(with([](ChannelFacts& c) { c.active = false; })->why, "channel needs re-authorisation");
  auto unsupported = with([](ChannelFacts& c) { c.network_supported = false; });
  EXPECT_EQ(unsupported->error_class, ErrorClass::ERROR_CLASS_NETWORK);
  auto reply = with([](ChannelFacts& c) { c.is_reply = true; });
  EXPECT_EQ(reply->error_class, ErrorClass::ERROR_CLASS_CONTENT);
  EXPECT_EQ(reply->why, "replies are not supported on x yet");
  EXPECT_FALSE(with([](ChannelFacts& c) { c.is_reply = c.replies_supported = true; }).has_value());
}

TEST(JudgeReadBack, FoundNotFoundAndCannotReachBack) {
  const int64_t started = 1'000'000;
  const int64_t skew = 10'000;
  std::vector<RemotePost> page{{"r2", "u2", "something else", started + 5000}, {"r1", "u1", "Hello  world", started}};
  // Found, whitespace normalised the way networks rewrite it.
  auto found = JudgeReadBack(page, "Hello world", 0, 100, started, skew);
  ASSERT_TRUE(found.found);
  EXPECT_EQ(found.found->id, "r1");
  // Not found on a page shorter than asked for: the whole history since.
  auto absent = JudgeReadBack(page, "never posted", 0, 100, started, skew);
  EXPECT_FALSE(absent.found);
  EXPECT_TRUE(absent.safe_to_send);
  // A full page that ends after the attempt began (less the skew) may hide it.
  EXPECT_FALSE(JudgeReadBack(page, "never posted", 0, 2, started, skew).safe_to_send);
  // A full page reaching past the attempt (with the skew) settles it.
  page.push_back({"r0", "u0", "old", started - skew - 1});
  EXPECT_TRUE(JudgeReadBack(page, "never posted", 0, 3, started, skew).safe_to_send);
  // Posts without a creation time cannot prove anything.
  std::vector<RemotePost> undated{{"a", "", "x", 0}, {"b", "", "y", 0}};
  EXPECT_FALSE(JudgeReadBack(undated, "never posted", 0, 2, started, skew).safe_to_send);
}

// Image-only posts all have the same (empty) text: where the read says how
// many images a post carries, that count must match too; where it does not
// say (-1), the text alone decides.
TEST(JudgeReadBack, ImageOnlyPostsAreToldApartByTheirImageCount) {
  const int64_t started = 1'000'000;
  std::vector<RemotePost> page{{"r2", "", "", started + 10, 1}, {"r1", "", "", started + 5, 3}};
  auto three = JudgeReadBack(page, "", 3, 100, started, 0);
  ASSERT_TRUE(three.found);
  EXPECT_EQ(three.found->id, "r1");
  auto two = JudgeReadBack(page, "", 2, 100, started, 0);
  EXPECT_FALSE(two.found);
  EXPECT_TRUE(two.safe_to_send);
  std::vector<RemotePost> unsaid{{"r3", "", "", started + 10}};
  EXPECT_TRUE(JudgeReadBack(unsaid, "", 2, 100, started, 0).found);
}

TEST(CredentialsBox, RoundTripAndWrongKey) {
  auto box = CredentialsBox::FromHex(std::string(64, 'a'));
  auto other = CredentialsBox::FromHex(std::string(64, 'b'));
  ASSERT_TRUE(box && other);
  std::string sealed = box->Seal("token-123");
  EXPECT_EQ(sealed.find("token-123"), std::string::npos);
  EXPECT_NE(box->Seal("token-123"), sealed);  // fresh nonce each time
  auto opened = box->Open(sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "token-123");
  EXPECT_FALSE(other->Open(sealed).ok());
  EXPECT_FALSE(box->Open("short").ok());
}

TEST(CredentialsBox, RejectsMalformedKeys) {
  EXPECT_FALSE(CredentialsBox::FromHex("abc"));
  EXPECT_FALSE(CredentialsBox::FromHex(std::string(64, 'z')));
}

// Swapped arguments do not compile: ids of different things and instants
// A thread's parts are delivered, and remembered, one by one: each part has
// its own ledger entry and idempotency key; a post that is not a thread keeps
// the keys it always had.
TEST(DeliveryKey, AThreadPartHasItsOwnLedgerEntryAndIdempotencyKey) {
  DeliveryKey post{PostId("p1"), ChannelId("c1"), AtMs(1000)};
  DeliveryKey second = post;
  second.part = 1;
  EXPECT_EQ(post.RedisKey(), "pub:{c1}:dlv:p1:1000");
  EXPECT_EQ(second.RedisKey(), "pub:{c1}:dlv:p1:1000:p1");
  EXPECT_NE(post.IdempotencyKey(), second.IdempotencyKey());
  DeliveryKey third = post;
  third.part = 2;
  EXPECT_NE(second.IdempotencyKey(), third.IdempotencyKey());
  EXPECT_EQ(second.IdempotencyKey(), DeliveryKey(second).IdempotencyKey());  // stable
}
// versus durations are different types (common/strong_types.h).
TEST(StrongTypes, SwappedIdsAndTimesDoNotCompile) {
  static_assert(!std::is_convertible_v<PostId, ChannelId>);
  static_assert(!std::is_convertible_v<std::string, PostId>);  // only explicitly
  static_assert(!std::is_convertible_v<int64_t, TimePoint>);
  static_assert(std::is_invocable_v<decltype(&DeliveryLedger::Begin), DeliveryLedger&, DeliveryKey, TimePoint, Millis>);
  static_assert(!std::is_invocable_v<decltype(&DeliveryLedger::Begin), DeliveryLedger&, DeliveryKey, Millis, TimePoint>);
  static_assert(!std::is_invocable_v<decltype(&DeliveryLedger::MarkFailed), DeliveryLedger&, DeliveryKey, int64_t>);
  static_assert(!std::is_constructible_v<DeliveryKey, ChannelId, PostId, TimePoint>);
  EXPECT_EQ(Ms(AtMs(1234)), 1234);
  EXPECT_EQ(PostId("p").str(), "p");
}

TEST(DeliveryKey, StableIdempotencyKeyPerDelivery) {
  DeliveryKey a{PostId("p_1"), ChannelId("ch_1"), AtMs(1000)}, b{PostId("p_1"), ChannelId("ch_1"), AtMs(2000)};
  EXPECT_EQ(a.IdempotencyKey(), (DeliveryKey{PostId("p_1"), ChannelId("ch_1"), AtMs(1000)}.IdempotencyKey()));
  EXPECT_NE(a.IdempotencyKey(), b.IdempotencyKey());
  EXPECT_EQ(a.RedisKey(), "pub:{ch_1}:dlv:p_1:1000");
}

TEST(ValidateConnect, NamesEachBadField) {
  v1::ConnectChannelRequest r;
  auto msg = ValidateConnect(r).Message();
  for (const char* f : {"workspace_id", "network", "base_url", "access_token"}) {
    EXPECT_NE(msg.find(f), std::string::npos) << f;
  }
  r.set_workspace_id("ws");
  r.set_network(herald::common::v1::NETWORK_BLUESKY);
  r.set_base_url("ftp://x");
  r.set_access_token("t");
  msg = ValidateConnect(r).Message();
  EXPECT_NE(msg.find("identifier: required for Bluesky"), std::string::npos);
  EXPECT_NE(msg.find("base_url: must be an http(s) URL"), std::string::npos);
  r.set_network(herald::common::v1::NETWORK_WEBHOOK);
  r.set_base_url("https://hooks.example.com/herald");
  EXPECT_NE(ValidateConnect(r).Message().find("access_token: a webhook's signing secret"), std::string::npos);
  r.set_network(static_cast<herald::common::v1::Network>(99));
  EXPECT_NE(ValidateConnect(r).Message().find("network: unknown"), std::string::npos);
  r.set_network(herald::common::v1::NETWORK_MASTODON);
  r.set_base_url("https://mastodon.social");
  EXPECT_TRUE(ValidateConnect(r).ok());
}

TEST(ValidateUpdate, NamesEachBadFieldAndWantsSomethingToChange) {
  v1::UpdateChannelRequest r;
  r.set_workspace_id("ws");
  r.set_channel_id("ch_1");
  EXPECT_NE(ValidateUpdate(r).Message().find("nothing to update"), std::string::npos);
  r.set_time_zone("Not/AZone");
  EXPECT_NE(ValidateUpdate(r).Message().find("time_zone: not an IANA zone name"), std::string::npos);
  r.set_time_zone("America/New_York");
  EXPECT_TRUE(ValidateUpdate(r).ok());
  r.set_refresh_token("");  // set but empty: to erase credentials, disconnect
  EXPECT_NE(ValidateUpdate(r).Message().find("refresh_token: required"), std::string::npos);
  r.clear_refresh_token();
  *r.mutable_token_expire_time() = google::protobuf::Timestamp();
  EXPECT_NE(ValidateUpdate(r).Message().find("token_expire_time: only with a new access_token"), std::string::npos);
  r.set_access_token(std::string(5000, 'a'));
  EXPECT_NE(ValidateUpdate(r).Message().find("access_token: longer than 4096"), std::string::npos);
  r.set_access_token("fine");
  EXPECT_TRUE(ValidateUpdate(r).ok());
}

}  // namespace
}  // namespace herald::publisher
