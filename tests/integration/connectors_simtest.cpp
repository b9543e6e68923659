// Every connector against the simulator over real HTTP: the paths, payloads
// and headers line up, faults map onto the right outcome, rate limits are read.
#include <httplib.h>
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "common/clock.h"
#include "common/egress.h"
#include "common/hmac.h"
#include "publisher/connectors/connector.h"
#include "publisher/connectors/http_outcome.h"
#include "support/simulator.h"

namespace herald::publisher {
namespace {

using herald::common::v1::Network;
using herald::testing::Simulator;
using Kind = PublishAttempt::Kind;

constexpr Network kNetworks[] = {Network::NETWORK_MASTODON, Network::NETWORK_X,        Network::NETWORK_BLUESKY,
                                 Network::NETWORK_LINKEDIN, Network::NETWORK_FACEBOOK, Network::NETWORK_INSTAGRAM};

class ConnectorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sim_ = new Simulator("tok-a:alice,tok-b:bob"); }
  static void TearDownTestSuite() {
    delete sim_;
    sim_ = nullptr;
  }
  void TearDown() override {
    sim_->SetFaults({{"error_rate", 0}, {"reset_rate", 0}, {"timeout_rate", 0}, {"close_rate", 0}});
  }

  std::unique_ptr<Connector> Make(Network n, int timeout_ms = 3000) {
    ConnectorOptions o;
    o.timeout = std::chrono::milliseconds(timeout_ms);
    return MakeConnector(n, o);
  }
  // The account as a connected channel would hold it.
  Endpoint Connect(Connector& c, const std::string& token = "tok-a", const std::string& user = "alice") {
    Endpoint ep{sim_->url(), token, "", user + ".bsky.social"};  // a Bluesky handle; the others ignore it
    auto info = c.VerifyCredentials(ep);
    EXPECT_TRUE(info.ok()) << info.status();
    if (info.ok()) ep.account_id = info->remote_id;
    return ep;
  }
  OutgoingPost Post(const std::string& text, const std::string& key = "") {
    static int n = 0;
    // An image on every network (Instagram needs one), served by the simulator.
    return {text, {sim_->MediaUrl("photo.jpg")}, key.empty() ? "k" + std::to_string(++n) : key, "", 1'800'000'000'000};
  }
  // A lost answer is an unknown outcome — except on Bluesky, where our record
  // key names the record and the connector settles it at once by reading it.
  static void ExpectUnknownOrSettled(Network n, const PublishAttempt& attempt) {
    if (n == Network::NETWORK_BLUESKY) {
      EXPECT_EQ(attempt.kind, Kind::kPublished) << attempt.error;
      EXPECT_EQ(attempt.remote_id.rfind("at://did:plc:", 0), 0u) << attempt.remote_id;
    } else {
      EXPECT_EQ(attempt.kind, Kind::kUnknownOutcome) << attempt.error;
    }
  }
  size_t LedgerCount(const std::string& text) {
    size_t n = 0;
    for (const auto& p : sim_->Ledger()) n += p["text"] == text;
    return n;
  }

  static inline Simulator* sim_ = nullptr;
};

TEST_F(ConnectorsTest, EveryNetworkPublishesReadsBackAndRejectsABadToken) {
  for (Network n : kNetworks) {
    SCOPED_TRACE(herald::common::v1::Network_Name(n));
    auto c = Make(n);
    Endpoint ep = Connect(*c);
    std::string text = "hello from " + herald::common::v1::Network_Name(n);
    auto attempt = c->Publish(ep, Post(text));
    ASSERT_EQ(attempt.kind, Kind::kPublished) << attempt.error;
    EXPECT_FALSE(attempt.remote_id.empty());
    EXPECT_EQ(LedgerCount(text), 1u);
    auto recent = c->RecentPosts(ep, 10, 0);
    ASSERT_TRUE(recent.ok()) << recent.status();
    ASSERT_FALSE(recent->empty());
    EXPECT_EQ(NormalizedText(recent->front().text), text);
    EXPECT_EQ(recent->front().id, attempt.remote_id);

    Endpoint bad = ep;
    bad.token = "wrong";
    EXPECT_TRUE(absl::IsPermissionDenied(c->VerifyCredentials(bad).status()));
    EXPECT_EQ(c->Publish(bad, Post("never")).kind, Kind::kAuthRejected);
  }
}

TEST_F(ConnectorsTest, PostMetricsComeWithTheFieldsEachNetworkHasAndNoOthers) {
  // What each network really counts for a post; the rest must stay absent
  // (a network without impressions never reports 0 impressions).
  struct Has {
    Network network;
    bool impressions, likes, replies, reposts, quotes, saves;
  };
  const Has kHas[] = {
      {Network::NETWORK_X, true, true, true, true, true, true},
      {Network::NETWORK_MASTODON, false, true, true, true, false, false},
      {Network::NETWORK_BLUESKY, false, true, true, true, true, true},
      {Network::NETWORK_LINKEDIN, false, true, true, false, false, false},
      {Network::NETWORK_FACEBOOK, false, true, true, true, false, false},
      {Network::NETWORK_INSTAGRAM, true, true, true, true, false, true},
  };
  for (const Has& has : kHas) {
    const Network n = has.network;
    SCOPED_TRACE(herald::common::v1::Network_Name(n));
    auto c = Make(n);
    ASSERT_TRUE(c->ReadsMetrics());
    Endpoint ep = Connect(*c);
    auto attempt = c->Publish(ep, Post("metrics on " + herald::common::v1::Network_Name(n)));
    ASSERT_EQ(attempt.kind, Kind::kPublished) << attempt.error;
    MetricsRead read = c->ReadMetrics(ep, attempt.remote_id);
    ASSERT_TRUE(read.status.ok()) << read.status;
    EXPECT_EQ(read.calls, 1);
    EXPECT_EQ(read.counts.impressions.has_value(), has.impressions);
    EXPECT_EQ(read.counts.likes.has_value(), has.likes);
    EXPECT_EQ(read.counts.replies.has_value(), has.replies);
    EXPECT_EQ(read.counts.reposts.has_value(), has.reposts);
    EXPECT_EQ(read.counts.quotes.has_value(), has.quotes);
    EXPECT_EQ(read.counts.saves.has_value(), has.saves);
    EXPECT_FALSE(read.counts.link_clicks.has_value());  // owner-only metrics are not asked for
    EXPECT_FALSE(read.counts.video_views.has_value());

    // A post the network does not have (deleted) is NOT_FOUND, not a count of zero.
    std::string gone = n == Network::NETWORK_BLUESKY    ? "at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3zzzzzzzzzzzz"
                       : n == Network::NETWORK_LINKEDIN ? "urn:li:share:999999999999"
                       : n == Network::NETWORK_FACEBOOK ? ep.account_id + "_999999999999"
                                                        : "999999999999";
    MetricsRead missing = c->ReadMetrics(ep, gone);
    EXPECT_TRUE(absl::IsNotFound(missing.status)) << missing.status;
    EXPECT_FALSE(missing.counts.likes.has_value());
  }
}

TEST_F(ConnectorsTest, FollowersComeFromEveryNetworkThatCountsThem) {
  for (Network n : kNetworks) {
    SCOPED_TRACE(herald::common::v1::Network_Name(n));
    auto c = Make(n);
    Endpoint ep = Connect(*c);
    AccountRead read = c->ReadAccount(ep);
    if (n == Network::NETWORK_LINKEDIN) {
      // A member's followers are not in LinkedIn's API: said so, never a 0.
      EXPECT_FALSE(c->ReadsFollowers());
      EXPECT_TRUE(absl::IsInvalidArgument(read.status)) << read.status;
      EXPECT_FALSE(read.followers.has_value());
      continue;
    }
    EXPECT_TRUE(c->ReadsFollowers());
    ASSERT_TRUE(read.status.ok()) << read.status;
    ASSERT_TRUE(read.followers.has_value());
    EXPECT_GE(*read.followers, 1000);  // the simulator's audience starts at 1000
    EXPECT_EQ(read.calls, 1);
    Endpoint bad = ep;
    bad.token = "wrong";
    EXPECT_FALSE(c->ReadAccount(bad).status.ok());
  }
}

TEST_F(ConnectorsTest, FaultsBecomeTheRightKindAndTimeoutsLand) {
  auto x = Make(Network::NETWORK_X, 500);
  Endpoint ep = Connect(*x);
  // A 5xx does not say whether the post was made: both are unknown outcomes,
  // settled by read-back (here one was made and one was not).
  sim_->SetFaults({{"error_rate", 1.0}});
  EXPECT_EQ(x->Publish(ep, Post("on a 503")).kind, Kind::kUnknownOutcome);
  EXPECT_EQ(LedgerCount("on a 503"), 0u);
  sim_->SetFaults({{"error_rate", 0}, {"after_error_rate", 1.0}});
  EXPECT_EQ(x->Publish(ep, Post("on a 503 after posting")).kind, Kind::kUnknownOutcome);
  EXPECT_EQ(LedgerCount("on a 503 after posting"), 1u);
  sim_->SetFaults({{"after_error_rate", 0}});
  sim_->SetFaults({{"error_rate", 0}, {"reset_rate", 1.0}});
  EXPECT_EQ(x->Publish(ep, Post("on a reset")).kind, Kind::kUnknownOutcome);
  EXPECT_EQ(LedgerCount("on a reset"), 0u);  // broke before posting
  sim_->SetFaults({{"reset_rate", 0}, {"timeout_rate", 1.0}, {"timeout_hold_ms", 1500}});
  EXPECT_EQ(x->Publish(ep, Post("on a timeout")).kind, Kind::kUnknownOutcome);
  EXPECT_EQ(LedgerCount("on a timeout"), 1u);  // ...but this one landed: only read-back can tell
  sim_->SetFaults({{"timeout_rate", 0}});
  auto recent = x->RecentPosts(ep, 5, 0);
  ASSERT_TRUE(recent.ok());
  EXPECT_EQ(recent->front().text, "on a timeout");
}

// The network accepts the post, then the connection closes before a byte of
// the answer. On every network the connector reports that attempt as an
// unknown outcome and sends exactly one request — never a silent second one
// on a fresh connection (libcurl resends when a kept-alive connection dies
// like this; a clean post first makes sure one is kept alive).
TEST_F(ConnectorsTest, AConnectionClosedBeforeTheAnswerIsReportedNeverResent) {
  for (Network n : kNetworks) {
    SCOPED_TRACE(herald::common::v1::Network_Name(n));
    auto c = Make(n);
    Endpoint ep = Connect(*c);
    ASSERT_EQ(c->Publish(ep, Post("warm " + herald::common::v1::Network_Name(n))).kind, Kind::kPublished);
    int64_t closes_before = sim_->FaultsFired().at("close").get<int64_t>();
    sim_->SetFaults({{"close_rate", 1.0}});
    std::string text = "closed on " + herald::common::v1::Network_Name(n);
    auto attempt = c->Publish(ep, Post(text));
    sim_->SetFaults({{"close_rate", 0}});
    ExpectUnknownOrSettled(n, attempt);
    EXPECT_EQ(sim_->FaultsFired().at("close").get<int64_t>() - closes_before, 1) << "requests sent for one attempt";
    int posted = 0;  // and the request log agrees: one request met the fault, none after it
    auto requests = sim_->Requests();
    for (auto it = requests.rbegin(); it != requests.rend() && (*it)["fault"] != "close"; ++it) ++posted;
    EXPECT_EQ(posted, 0) << "a request was sent after the closed one";
    EXPECT_EQ(LedgerCount(text), 1u);  // it landed: only read-back can tell
  }
}

// "Succeeds but times out" really loses the answer: even a client that waits
// longer than the hold gets no answer (the simulator used to send the whole
// 200 after the hold on most networks, so tests never reached read-back).
TEST_F(ConnectorsTest, ATimedOutAnswerNeverArrivesHoweverLongTheClientWaits) {
  for (Network n : kNetworks) {
    SCOPED_TRACE(herald::common::v1::Network_Name(n));
    auto c = Make(n, 3000);
    Endpoint ep = Connect(*c);
    sim_->SetFaults({{"timeout_rate", 1.0}, {"timeout_hold_ms", 200}});
    std::string text = "held then dropped on " + herald::common::v1::Network_Name(n);
    auto attempt = c->Publish(ep, Post(text));
    sim_->SetFaults({{"timeout_rate", 0}});
    ExpectUnknownOrSettled(n, attempt);
    EXPECT_EQ(LedgerCount(text), 1u);
  }
}

TEST_F(ConnectorsTest, NetworkIdempotencyKeysHoldAcrossRepeats) {
  auto mastodon = Make(Network::NETWORK_MASTODON);
  Endpoint ep = Connect(*mastodon);
  auto first = mastodon->Publish(ep, Post("said once", "key-same"));
  auto again = mastodon->Publish(ep, Post("said once", "key-same"));
  EXPECT_EQ(first.remote_id, again.remote_id);
  EXPECT_EQ(LedgerCount("said once"), 1u);
  // Both requests reached the network; the key absorbed the second.
  int sent = 0;
  for (const auto& r : sim_->Requests()) sent += r["path"] == "/api/v1/statuses" && r["key"] == "key-same";
  EXPECT_EQ(sent, 2);

  auto bluesky = Make(Network::NETWORK_BLUESKY);
  Endpoint bep = Connect(*bluesky);
  // A repeated record key: the PDS answers 500; the connector reads the
  // record and reports the first post, published, not a failure.
  auto skeet = bluesky->Publish(bep, Post("skeet once", "rk-same"));
  ASSERT_EQ(skeet.kind, Kind::kPublished) << skeet.error;
  auto repeat = bluesky->Publish(bep, Post("skeet once", "rk-same"));
  EXPECT_EQ(repeat.kind, Kind::kPublished) << repeat.error;
  EXPECT_EQ(repeat.remote_id, skeet.remote_id);
  EXPECT_EQ(LedgerCount("skeet once"), 1u);
}

// A reply on every network: a post in the thread where replies are posts
// (Mastodon, X, Bluesky — which names the parent by uri and cid), a comment
// where they are comments (Facebook, Instagram, LinkedIn), and to a reply in
// turn. Each lands once under its parent and is found where a read-back
// looks for it.
TEST_F(ConnectorsTest, EveryNetworkRepliesAndFindsTheReplyWhereItShows) {
  for (Network n : kNetworks) {
    SCOPED_TRACE(herald::common::v1::Network_Name(n));
    auto c = Make(n);
    ASSERT_TRUE(c->SupportsReplies());
    Endpoint ep = Connect(*c);
    auto parent = c->Publish(ep, Post("parent on " + herald::common::v1::Network_Name(n)));
    ASSERT_EQ(parent.kind, Kind::kPublished) << parent.error;
    OutgoingPost reply = Post("reply on " + herald::common::v1::Network_Name(n));
    reply.media_urls.clear();  // a comment needs no image, even on Instagram
    reply.in_reply_to_id = parent.remote_id;
    auto attempt = c->Publish(ep, reply);
    ASSERT_EQ(attempt.kind, Kind::kPublished) << attempt.error;
    EXPECT_FALSE(attempt.remote_id.empty());
    EXPECT_NE(attempt.remote_id, parent.remote_id);
    EXPECT_EQ(LedgerCount(reply.text), 1u);
    auto found = c->RecentReplies(ep, parent.remote_id, 10, 0);
    ASSERT_TRUE(found.ok()) << found.status();
    bool seen = false;
    for (const auto& p : *found) seen |= NormalizedText(p.text) == reply.text && p.id == attempt.remote_id;
    EXPECT_TRUE(seen) << "the reply is not where a read-back looks";
    // An answer to that reply (Instagram takes it at /{comment}/replies, not /comments).
    OutgoingPost second = Post("second reply on " + herald::common::v1::Network_Name(n));
    second.media_urls.clear();
    second.in_reply_to_id = attempt.remote_id;
    auto nested = c->Publish(ep, second);
    ASSERT_EQ(nested.kind, Kind::kPublished) << nested.error;
    EXPECT_EQ(LedgerCount(second.text), 1u);
    found = c->RecentReplies(ep, attempt.remote_id, 10, 0);
    ASSERT_TRUE(found.ok()) << found.status();
    seen = false;
    for (const auto& p : *found) seen |= NormalizedText(p.text) == second.text && p.id == nested.remote_id;
    EXPECT_TRUE(seen) << "the nested reply is not where a read-back looks";
    // A reply to something that does not exist is refused, and nothing is posted.
    OutgoingPost orphan = Post("orphan on " + herald::common::v1::Network_Name(n));
    orphan.media_urls.clear();
    orphan.in_reply_to_id = n == Network::NETWORK_BLUESKY    ? "at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3aaaaaaaaaaaa"
                            : n == Network::NETWORK_LINKEDIN ? "urn:li:share:1"
                                                             : "1";
    EXPECT_EQ(c->Publish(ep, orphan).kind, Kind::kContentRejected);
    EXPECT_EQ(LedgerCount(orphan.text), 0u);
  }
}

// A refused credential says why, on every network that tells: an expired
// token (a refresh cures it), access revoked by the account's owner, or an
// account the network suspended — each network in its own words (X does not
// tell expired from revoked: both are a bare 401).
TEST(ConnectorAuth, EveryNetworkTellsExpiredRevokedAndSuspendedApart) {
  using P = PublishAttempt::AuthProblem;
  struct Case {
    const char* why;
    P want;
  };
  for (Case c : {Case{"expired", P::kExpired}, Case{"revoked", P::kRevoked}, Case{"suspended", P::kSuspended}}) {
    Simulator sim("tok-a:alice");
    ConnectorOptions o;
    std::map<Network, Endpoint> endpoints;
    for (Network n : kNetworks) {
      auto connector = MakeConnector(n, o);
      Endpoint ep{sim.url(), "tok-a", "", "alice.bsky.social"};
      ep.account_id = connector->VerifyCredentials(ep)->remote_id;
      endpoints[n] = ep;
    }
    HttpRequest revoke;
    revoke.method = "POST";
    revoke.url = sim.url() + "/_sim/revoke";
    revoke.body = nlohmann::json{{"token", "tok-a"}, {"why", c.why}}.dump();
    ASSERT_EQ(SendHttp(revoke)->status, 200);
    for (Network n : kNetworks) {
      SCOPED_TRACE(herald::common::v1::Network_Name(n) + " / " + c.why);
      auto connector = MakeConnector(n, o);
      auto attempt = connector->Publish(endpoints[n], {"after " + std::string(c.why), {sim.MediaUrl("i.jpg")}, "k", "", 1});
      EXPECT_EQ(attempt.kind, Kind::kAuthRejected) << attempt.error;
      P want = c.want;
      if (n == Network::NETWORK_X && c.want != P::kSuspended) want = P::kInvalid;  // X says only "Unauthorized"
      if (n == Network::NETWORK_BLUESKY && c.want == P::kExpired) want = P::kRevoked;  // app passwords do not expire
      EXPECT_EQ(attempt.auth_problem, want) << attempt.error;
    }
  }
}

// An expired Bluesky access token is renewed with the session's refresh
// token, as clients do, not by logging in again (createSession allows 30
// calls in 5 minutes per account).
TEST_F(ConnectorsTest, AnExpiredBlueskySessionIsRefreshedNotRecreated) {
  auto bluesky = Make(Network::NETWORK_BLUESKY);
  Endpoint ep = Connect(*bluesky);
  ASSERT_EQ(bluesky->Publish(ep, Post("before the token expired")).kind, Kind::kPublished);
  auto sessions = [&] {
    HttpRequest req;
    req.url = sim_->url() + "/_sim/bluesky/sessions";
    return nlohmann::json::parse(SendHttp(req)->body);
  };
  auto before = sessions();
  HttpRequest expire;
  expire.method = "POST";
  expire.url = sim_->url() + "/_sim/bluesky/expire-access-tokens";
  ASSERT_EQ(SendHttp(expire)->status, 200);
  auto attempt = bluesky->Publish(ep, Post("after the token expired"));
  EXPECT_EQ(attempt.kind, Kind::kPublished) << attempt.error;
  auto after = sessions();
  EXPECT_EQ(after["refreshed"].get<int>() - before["refreshed"].get<int>(), 1);
  EXPECT_EQ(after["created"], before["created"]);
  EXPECT_EQ(LedgerCount("after the token expired"), 1u);
}

// X answers a post identical to a recent one with 403 "duplicate content":
// the post fails as content, and the channel is not sent to re-authorise.
TEST_F(ConnectorsTest, XDuplicateContentIsAContentErrorNotAnAuthError) {
  auto x = Make(Network::NETWORK_X);
  Endpoint ep = Connect(*x);
  ASSERT_EQ(x->Publish(ep, Post("the same words twice")).kind, Kind::kPublished);
  auto again = x->Publish(ep, Post("the same words twice"));
  EXPECT_EQ(again.kind, Kind::kContentRejected) << again.error;
  EXPECT_NE(again.error.find("duplicate"), std::string::npos) << again.error;
  EXPECT_EQ(LedgerCount("the same words twice"), 1u);
}

// A 503 after the PDS wrote the record: Bluesky's record key lets the
// connector read the record instead of retrying into a repeated key.
TEST_F(ConnectorsTest, BlueskyFiveHundredAfterTheWriteIsSettledByReadingTheRecord) {
  auto bluesky = Make(Network::NETWORK_BLUESKY);
  Endpoint ep = Connect(*bluesky);
  sim_->SetFaults({{"after_error_rate", 1.0}});
  auto attempt = bluesky->Publish(ep, Post("written, then a 503"));
  sim_->SetFaults({{"after_error_rate", 0}});
  EXPECT_EQ(attempt.kind, Kind::kPublished) << attempt.error;
  EXPECT_EQ(LedgerCount("written, then a 503"), 1u);
  // And a 503 before the write is safe to send again.
  sim_->SetFaults({{"error_rate", 1.0}});
  auto refused = bluesky->Publish(ep, Post("refused by a 503"));
  sim_->SetFaults({{"error_rate", 0}});
  EXPECT_EQ(refused.kind, Kind::kTransient) << refused.error;
  EXPECT_EQ(LedgerCount("refused by a 503"), 0u);
}

// LinkedIn retires API versions: calling a retired one is answered 426, and
// the attempt says which setting to change (and is retried, not failed).
TEST_F(ConnectorsTest, ARetiredLinkedInVersionSaysWhatToChange) {
  ConnectorOptions o;
  o.api_version = "202401";
  auto old = MakeConnector(Network::NETWORK_LINKEDIN, o);
  Endpoint ep = Connect(*old);
  auto attempt = old->Publish(ep, Post("on an old version"));
  EXPECT_EQ(attempt.kind, Kind::kTransient) << attempt.error;
  EXPECT_NE(attempt.error.find("networks.linkedin.api.version"), std::string::npos) << attempt.error;
  EXPECT_EQ(LedgerCount("on an old version"), 0u);
}

// X keeps a per-user 24-hour posting window beside the endpoint's: when it
// is the one used up, the attempt says so (remaining 0, reset at the end of
// the day window), which the publisher's limiter then honours.
TEST(ConnectorLimits, XsDailyUserWindowIsReadBesideTheEndpointWindow) {
  Simulator sim("tok-a:alice", /*rate_limit=*/1000, /*window_s=*/900, {"--x-user-daily-limit=3"});
  auto x = MakeConnector(Network::NETWORK_X, ConnectorOptions{});
  Endpoint ep{sim.url(), "tok-a", "", ""};
  ep.account_id = x->VerifyCredentials(ep)->remote_id;
  PublishAttempt last;
  // The simulator aligns windows to the clock, so the day window ends at the
  // next UTC midnight: whichever midnight follows the publishing (near
  // 23:45 UTC it is also where the 15-minute window ends, so the remaining
  // count, not the reset, is what tells the two windows apart).
  constexpr int64_t kDayMs = 86'400'000;
  const int64_t midnight_before = SystemClock::Instance().NowMs() / kDayMs * kDayMs + kDayMs;
  for (int i = 0; i < 3; ++i) {
    last = x->Publish(ep, {"daily " + std::to_string(i), {}, "d" + std::to_string(i), "", 1});
    ASSERT_EQ(last.kind, Kind::kPublished) << last.error;
  }
  const int64_t midnight_after = SystemClock::Instance().NowMs() / kDayMs * kDayMs + kDayMs;
  EXPECT_EQ(last.limit_remaining, 0);  // the endpoint window has 997 left; the day has none
  EXPECT_TRUE(last.limit_reset_ms == midnight_before || last.limit_reset_ms == midnight_after)
      << last.limit_reset_ms << " is not the end of the day window (" << midnight_before << ")";
  auto refused = x->Publish(ep, {"daily 3", {}, "d3", "", 1});
  EXPECT_EQ(refused.kind, Kind::kRateLimited) << refused.error;
}

// Instagram processes a media container before it can be published (and
// refuses media_publish until then): the connector polls the container's
// status_code; one still processing after a call's timeout is a transient
// failure, and nothing is published.
TEST(ConnectorInstagram, AContainerIsPublishedOnlyOnceInstagramFinishedIt) {
  // One image post against a simulator whose containers take `ready_ms`.
  auto publish = [](const std::string& ready_ms, const std::string& text, std::unique_ptr<Simulator>& sim) {
    sim = std::make_unique<Simulator>("tok-a:alice", 1000, 3600,
                                      std::vector<std::string>{"--ig-container-ready-ms=" + ready_ms});
    ConnectorOptions o;
    o.timeout = std::chrono::milliseconds(1500);
    auto ig = MakeConnector(Network::NETWORK_INSTAGRAM, o);
    Endpoint ep{sim->url(), "tok-a", "", ""};
    ep.account_id = ig->VerifyCredentials(ep)->remote_id;
    return ig->Publish(ep, {text, {sim->MediaUrl("i.jpg")}, "k-" + text, "", 1});
  };
  std::unique_ptr<Simulator> sim;
  auto attempt = publish("600", "after processing", sim);
  EXPECT_EQ(attempt.kind, Kind::kPublished) << attempt.error;
  int published = 0;
  for (const auto& p : sim->Ledger()) published += p["text"] == "after processing";
  EXPECT_EQ(published, 1);
  attempt = publish("600000", "never processed", sim);
  EXPECT_EQ(attempt.kind, Kind::kTransient) << attempt.error;
  EXPECT_NE(attempt.error.find("still being processed"), std::string::npos) << attempt.error;
  EXPECT_TRUE(sim->Ledger().empty());
}

TEST(ConnectorLimits, EachNetworksOverLimitAnswerIsRateLimited) {
  Simulator sim("tok-a:alice", /*rate_limit=*/6, /*window_s=*/3600);  // Bluesky: 6 points = 2 posts
  ConnectorOptions o;
  for (Network n : kNetworks) {
    SCOPED_TRACE(herald::common::v1::Network_Name(n));
    auto c = MakeConnector(n, o);
    Endpoint ep{sim.url(), "tok-a", "", "alice.bsky.social"};
    ep.account_id = c->VerifyCredentials(ep)->remote_id;
    int published = 0;
    PublishAttempt last;
    for (int i = 0; i < 8 && last.kind != Kind::kRateLimited; ++i) {
      last = c->Publish(ep, {"limit " + std::to_string(i), {sim.MediaUrl("i.jpg")}, "lk" + std::to_string(i), "", 1});
      published += last.kind == Kind::kPublished;
    }
    EXPECT_EQ(last.kind, Kind::kRateLimited) << last.error;
    EXPECT_EQ(published, n == Network::NETWORK_BLUESKY ? 2 : 6);
    if (n == Network::NETWORK_X || n == Network::NETWORK_MASTODON || n == Network::NETWORK_BLUESKY) {
      EXPECT_EQ(last.limit_remaining, 0);
      EXPECT_GT(last.limit_reset_ms, SystemClock::Instance().NowMs());
    }
    if (n == Network::NETWORK_FACEBOOK || n == Network::NETWORK_INSTAGRAM) {
      EXPECT_GT(last.retry_after_ms, 0);
    }
  }
}

// The ledger's entry for a post by its text ({} when absent).
nlohmann::json LedgerEntry(const Simulator& sim, const std::string& text) {
  for (const auto& p : sim.Ledger()) {
    if (p["text"] == text) return p;
  }
  return {};
}

// Images on every network, each the way that network takes them: Mastodon
// and X upload and wait out processing, Bluesky embeds blobs, LinkedIn PUTs
// to its upload URL, Facebook attaches unpublished photos, Instagram makes a
// carousel of item containers. The post lands once, carrying every file.
TEST(ConnectorMedia, EveryNetworkPublishesImagesTheWayItTakesThem) {
  Simulator sim("tok-a:alice", 1000, 3600, {"--media-processing-ms=600", "--ig-container-ready-ms=300"});
  ConnectorOptions o;
  o.timeout = std::chrono::milliseconds(5000);
  struct Case {
    Network network;
    std::vector<std::pair<std::string, size_t>> files;  // name.ext, bytes
    std::vector<std::string> types;                     // as the network stored them
  };
  const Case cases[] = {
      {Network::NETWORK_MASTODON, {{"a.png", 3000}, {"b.jpg", 5000}}, {"image/png", "image/jpeg"}},
      {Network::NETWORK_X, {{"a.png", 1500000}, {"b.gif", 800}}, {"image/png", "image/gif"}},  // 2 append segments
      {Network::NETWORK_BLUESKY, {{"a.png", 900000}, {"b.webp", 2000}}, {"image/png", "image/webp"}},
      {Network::NETWORK_LINKEDIN, {{"a.jpg", 4000}, {"b.png", 4000}, {"c.gif", 4000}}, {"image/jpeg", "image/png", "image/gif"}},
      {Network::NETWORK_LINKEDIN, {{"solo.jpg", 4000}}, {"image/jpeg"}},
      {Network::NETWORK_FACEBOOK, {{"a.jpg", 4000}, {"b.png", 4000}}, {"image/jpeg", "image/png"}},
      {Network::NETWORK_FACEBOOK, {{"solo.jpg", 4000}}, {"image/jpeg"}},
      {Network::NETWORK_INSTAGRAM, {{"a.jpg", 4000}, {"b.jpg", 5000}, {"c.jpg", 6000}}, {"image/jpeg", "image/jpeg", "image/jpeg"}},
      {Network::NETWORK_INSTAGRAM, {{"solo.jpg", 4000}}, {"image/jpeg"}},
  };
  int n = 0;
  for (const auto& c : cases) {
    const std::string name = herald::common::v1::Network_Name(c.network);
    SCOPED_TRACE(name + " with " + std::to_string(c.files.size()) + " images");
    auto connector = MakeConnector(c.network, o);
    Endpoint ep{sim.url(), "tok-a", "", "alice.bsky.social"};
    ep.account_id = connector->VerifyCredentials(ep)->remote_id;
    OutgoingPost post{"images on " + name + " " + std::to_string(++n), {}, "media-" + std::to_string(n), "", 1'800'000'000'000};
    for (const auto& [file, bytes] : c.files) post.media_urls.push_back(sim.MediaUrl(file.substr(0, file.find('.')) + std::to_string(n) + file.substr(file.find('.')), bytes));
    auto attempt = connector->Publish(ep, post);
    ASSERT_EQ(attempt.kind, Kind::kPublished) << attempt.error;
    auto entry = LedgerEntry(sim, post.text);
    ASSERT_TRUE(entry.is_object()) << "not on the network";
    ASSERT_EQ(entry["media"].size(), c.files.size()) << entry.dump();
    for (size_t i = 0; i < c.files.size(); ++i) {
      EXPECT_EQ(entry["media"][i]["type"], c.types[i]) << entry.dump();
      EXPECT_EQ(entry["media"][i]["bytes"], c.files[i].second) << entry.dump();
    }
    // A read-back sees how many images the post carries, where the network's read says.
    auto recent = connector->RecentPosts(ep, 10, 0);
    ASSERT_TRUE(recent.ok()) << recent.status();
    int count = -2;
    for (const auto& p : *recent) {
      if (NormalizedText(p.text) == post.text) count = p.media_count;
    }
    bool says = c.network != Network::NETWORK_FACEBOOK && c.network != Network::NETWORK_INSTAGRAM;
    EXPECT_EQ(count, says ? static_cast<int>(c.files.size()) : -1);
  }
  // Every post landed once; nothing else was posted on the way.
  EXPECT_EQ(sim.Ledger().size(), std::size(cases));
  auto stats = sim.MediaStats();
  EXPECT_EQ(stats["mastodon"]["attached"], 2) << stats.dump();
  EXPECT_EQ(stats["x"]["uploads"], 2) << stats.dump();
  EXPECT_EQ(stats["instagram"]["uploads"], 4) << stats.dump();
}

// A file the network would refuse is refused before anything is uploaded or
// posted, as a content error naming the attachment; a media host that is
// down is transient (the same file may be there on the next attempt).
TEST(ConnectorMedia, AFileTheNetworkWouldRefuseIsRefusedBeforeAnyUpload) {
  Simulator sim("tok-a:alice");
  ConnectorOptions o;
  o.timeout = std::chrono::milliseconds(3000);
  int closed_port = 0;
  {
    httplib::Server probe;
    closed_port = probe.bind_to_any_port("127.0.0.1");
  }  // nothing listens there now
  struct Case {
    Network network;
    std::string url;
    Kind kind;
    std::string says;
  };
  const Case cases[] = {
      {Network::NETWORK_MASTODON, sim.MediaUrl("notes.txt"), Kind::kContentRejected, "media_urls[0]: not an image"},
      {Network::NETWORK_X, sim.MediaUrl("clip.mp4"), Kind::kContentRejected, "video/mp4; x takes image/jpeg"},
      {Network::NETWORK_BLUESKY, sim.MediaUrl("big.png", 1'000'001), Kind::kContentRejected, "larger than 1000000 bytes"},
      {Network::NETWORK_LINKEDIN, sim.url() + "/_sim/media/missing.svg", Kind::kContentRejected, "answered 404"},
      {Network::NETWORK_MASTODON, "http://127.0.0.1:" + std::to_string(closed_port) + "/a.png", Kind::kTransient,
       "media_urls[0]"},
      {Network::NETWORK_INSTAGRAM, sim.MediaUrl("not-a-jpeg.png"), Kind::kContentRejected, "JPEG"},
      {Network::NETWORK_FACEBOOK, sim.url() + "/_sim/media/missing.svg", Kind::kContentRejected, "invalid image"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(herald::common::v1::Network_Name(c.network) + " " + c.url);
    auto connector = MakeConnector(c.network, o);
    Endpoint ep{sim.url(), "tok-a", "", "alice.bsky.social"};
    ep.account_id = connector->VerifyCredentials(ep)->remote_id;
    auto attempt = connector->Publish(ep, {"refused " + c.url, {c.url}, "k", "", 1});
    EXPECT_EQ(attempt.kind, c.kind) << attempt.error;
    EXPECT_NE(attempt.error.find(c.says), std::string::npos) << attempt.error;
  }
  EXPECT_TRUE(sim.Ledger().empty()) << sim.Ledger().dump();
  auto stats = sim.MediaStats();
  for (const char* uploader : {"mastodon", "x", "bluesky", "linkedin"}) EXPECT_FALSE(stats.contains(uploader)) << stats.dump();
}

// A media URL pointing inside the network (a private range, the cloud
// metadata address) is refused by the egress policy before any connection.
TEST(ConnectorMedia, AMediaUrlIntoAPrivateRangeIsRefusedBeforeAnyConnection) {
  Simulator sim("tok-a:alice");
  auto loopback = Cidr::Parse("127.0.0.0/8");
  ASSERT_TRUE(loopback.has_value());
  int resolved = 0;
  // The resolver is a stub: a name never reaches DNS, and every name "resolves" to a private address.
  EgressPolicy::SetDefault(EgressPolicy({*loopback}, [&](const std::string& host) -> absl::StatusOr<std::vector<IpAddress>> {
    if (auto literal = IpAddress::Parse(host)) return std::vector<IpAddress>{*literal};
    ++resolved;
    return std::vector<IpAddress>{*IpAddress::Parse("10.0.0.7")};
  }));
  ConnectorOptions o;
  auto mastodon = MakeConnector(Network::NETWORK_MASTODON, o);
  Endpoint ep{sim.url(), "tok-a", "", ""};
  ep.account_id = mastodon->VerifyCredentials(ep)->remote_id;
  for (const std::string url : {"http://10.1.2.3/a.png", "http://169.254.169.254/latest/meta-data", "http://cdn.internal/a.png"}) {
    SCOPED_TRACE(url);
    auto attempt = mastodon->Publish(ep, {"through egress", {url}, "k", "", 1});
    EXPECT_EQ(attempt.kind, Kind::kContentRejected) << attempt.error;
    EXPECT_NE(attempt.error.find("media_urls[0]"), std::string::npos) << attempt.error;
  }
  EgressPolicy::SetDefault(std::nullopt);
  EXPECT_EQ(resolved, 1);  // only the name was looked up, and only through the stub
  EXPECT_TRUE(sim.Ledger().empty());
}

TEST(WebhookConnector, SignsWithTimestampAndSendsTheIdempotencyKey) {
  httplib::Server receiver;
  std::string body, signature, key;
  receiver.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    body = req.body;
    signature = req.get_header_value("X-Herald-Signature");
    key = req.get_header_value("Idempotency-Key");
    res.set_content(R"({"id":"r-1"})", "application/json");
  });
  receiver.set_keep_alive_max_count(1);  // close after the one request: stop() returns at once
  int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread serve([&] { receiver.listen_after_bind(); });
  auto c = MakeConnector(Network::NETWORK_WEBHOOK, ConnectorOptions{});
  Endpoint ep{"http://127.0.0.1:" + std::to_string(port) + "/hook", "a-secret-of-16-chars", "", ""};
  EXPECT_TRUE(c->VerifyCredentials(ep).ok());
  auto attempt = c->Publish(ep, {"to a webhook", {}, "idem-1", "", 5});
  receiver.stop();
  serve.join();
  ASSERT_EQ(attempt.kind, Kind::kPublished) << attempt.error;
  EXPECT_EQ(attempt.remote_id, "r-1");
  EXPECT_EQ(key, "idem-1");
  int64_t now_s = SystemClock::Instance().NowMs() / 1000;
  EXPECT_TRUE(VerifyTimestampedSignature("a-secret-of-16-chars", body, signature, now_s));
  EXPECT_FALSE(VerifyTimestampedSignature("another-secret-16", body, signature, now_s));
  EXPECT_FALSE(VerifyTimestampedSignature("a-secret-of-16-chars", body, signature, now_s + 3600));  // replay
  ep.token = "short";
  EXPECT_FALSE(c->VerifyCredentials(ep).ok());
}

}  // namespace
}  // namespace herald::publisher
