// Listening reads (Connector::ReadInbound) against the simulator over real
// HTTP: every network's mentions are read once each across pages and polls,
// searches and threads find what was said, and nothing said before listening
// began is taken for new.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "publisher/connectors/connector.h"
#include "publisher/connectors/inbound_sweep.h"
#include "support/simulator.h"

namespace herald::publisher {
namespace {

using herald::common::v1::Network;
using herald::testing::Simulator;
using Stream = InboundQuery::Stream;

constexpr Network kListened[] = {Network::NETWORK_MASTODON, Network::NETWORK_X, Network::NETWORK_BLUESKY,
                                 Network::NETWORK_FACEBOOK, Network::NETWORK_INSTAGRAM};

std::string SimName(Network n) {
  switch (n) {
    case Network::NETWORK_MASTODON: return "mastodon";
    case Network::NETWORK_X: return "x";
    case Network::NETWORK_BLUESKY: return "bluesky";
    case Network::NETWORK_FACEBOOK: return "facebook";
    default: return "instagram";
  }
}

bool IsGraph(Network n) { return n == Network::NETWORK_FACEBOOK || n == Network::NETWORK_INSTAGRAM; }

// The simulator's id is the last part of every network's own id
// (Bluesky's at:// uri ends with it, Facebook's comment id is post_comment).
std::string SimId(const std::string& remote_id) {
  auto cut = remote_id.find_last_of("/_");
  return cut == std::string::npos ? remote_id : remote_id.substr(cut + 1);
}

class ListeningReads : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sim_ = new Simulator("tok-a:alice,tok-b:bob"); }
  static void TearDownTestSuite() {
    delete sim_;
    sim_ = nullptr;
  }

  struct Listened {
    std::unique_ptr<Connector> connector;
    Endpoint ep;
  };
  Listened Connect(Network n, const std::string& token = "tok-a", const std::string& user = "alice") {
    ConnectorOptions o;
    o.timeout = std::chrono::milliseconds(3000);
    Listened l{MakeConnector(n, o), {sim_->url(), token, "", user + ".bsky.social"}};
    auto info = l.connector->VerifyCredentials(l.ep);
    EXPECT_TRUE(info.ok()) << info.status();
    if (info.ok()) l.ep.account_id = info->remote_id;
    return l;
  }
  // A post of the account's to be commented on / replied to.
  std::string Publish(Listened& l, const std::string& text) {
    static int n = 0;
    OutgoingPost post{text, {sim_->MediaUrl("photo.jpg")}, "lk" + std::to_string(++n), "", 1'800'000'000'000};
    auto attempt = l.connector->Publish(l.ep, post);
    EXPECT_EQ(attempt.kind, PublishAttempt::Kind::kPublished) << attempt.error;
    return attempt.remote_id;
  }
  // Reads until the sweep says nothing more waits: every item, and the cursor to go on from.
  std::vector<InboundPost> Drain(Listened& l, std::string& cursor, InboundQuery q, int* pages = nullptr) {
    std::vector<InboundPost> all;
    for (int i = 0; i < 50; ++i) {
      q.cursor = cursor;
      InboundRead read = l.connector->ReadInbound(l.ep, q);
      EXPECT_TRUE(read.status.ok()) << read.status;
      if (!read.status.ok()) break;
      for (auto& p : read.page.items) all.push_back(std::move(p));
      cursor = read.page.next_cursor;
      if (pages) ++*pages;
      if (!read.page.more) break;
    }
    return all;
  }
  static std::multiset<std::string> SimIds(const std::vector<InboundPost>& items) {
    std::multiset<std::string> out;
    for (const auto& p : items) out.insert(SimId(p.remote_id));
    return out;
  }

  static inline Simulator* sim_ = nullptr;
};

TEST_F(ListeningReads, EveryNetworksMentionsAreReadOnceEachAcrossPagesAndPolls) {
  for (Network n : kListened) {
    SCOPED_TRACE(SimName(n));
    Listened l = Connect(n);
    if (IsGraph(n)) Publish(l, "a post to comment on");
    // Said before listening began: not new.
    sim_->Inbound({{"network", SimName(n)}, {"to", "alice"}, {"count", 3}});
    std::string cursor;
    InboundQuery q;
    q.stream = Stream::kMentions;
    q.limit = n == Network::NETWORK_X ? 10 : 5;  // X pages at least 10
    Drain(l, cursor, q);
    ASSERT_FALSE(cursor.empty());
    // Graph keys are times: a later batch made within the same millisecond
    // would share the floor's key, past what a cursor remembers at one key.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));

    // Graph lists comments by time, and the simulator makes them all in one
    // millisecond: a cursor tells apart up to kMaxIdsPerKey items that share
    // a time (more are read again, never skipped: inbound_sweep_test).
    const int count = IsGraph(n) ? static_cast<int>(kMaxIdsPerKey) - 2 : 23;
    auto said = sim_->Inbound({{"network", SimName(n)}, {"to", "alice"}, {"count", count}});
    int pages = 0;
    auto read = Drain(l, cursor, q, &pages);
    EXPECT_EQ(SimIds(read), std::multiset<std::string>(said.begin(), said.end()));
    if (!IsGraph(n)) {
      EXPECT_GE(pages, 3);  // really paged back
    }
    for (const auto& p : read) {
      EXPECT_FALSE(p.author_handle.empty()) << p.remote_id;
      EXPECT_FALSE(p.text.empty()) << p.remote_id;
      EXPECT_GT(p.created_ms, 0) << p.remote_id;
      EXPECT_EQ(p.kind, IsGraph(n) ? herald::common::v1::MENTION_KIND_COMMENT : herald::common::v1::MENTION_KIND_MENTION);
    }
    // Another poll with nothing new finds nothing; then only what is new.
    EXPECT_TRUE(Drain(l, cursor, q).empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    auto more = sim_->Inbound({{"network", SimName(n)}, {"to", "alice"}, {"count", 2}});
    EXPECT_EQ(SimIds(Drain(l, cursor, q)), std::multiset<std::string>(more.begin(), more.end()));
    // Another account's mentions are not alice's (on Graph, comments are
    // under the account's own posts by definition).
    if (!IsGraph(n)) {
      sim_->Inbound({{"network", SimName(n)}, {"to", "bob"}, {"count", 2}});
      EXPECT_TRUE(Drain(l, cursor, q).empty()) << "bob's mentions read as alice's";
    }
  }
}

TEST_F(ListeningReads, AReadCursorPassedAgainRepeatsButNeverSkips) {
  Listened l = Connect(Network::NETWORK_MASTODON, "tok-b", "bob");
  std::string cursor;
  InboundQuery q;
  q.limit = 4;
  Drain(l, cursor, q);
  auto said = sim_->Inbound({{"network", "mastodon"}, {"to", "bob"}, {"count", 10}});
  // A crash after reading the first page, before its cursor was stored: the
  // same cursor again.
  q.cursor = cursor;
  auto first = l.connector->ReadInbound(l.ep, q);
  ASSERT_TRUE(first.status.ok()) << first.status;
  ASSERT_TRUE(first.page.more);
  auto again = Drain(l, cursor, q);
  std::set<std::string> seen;
  for (const auto& p : first.page.items) seen.insert(SimId(p.remote_id));
  for (const auto& p : again) seen.insert(SimId(p.remote_id));
  EXPECT_EQ(seen, std::set<std::string>(said.begin(), said.end()));
}

TEST_F(ListeningReads, SearchesFindWhatIsSaidAboutTheBrandAnywhere) {
  for (Network n : {Network::NETWORK_MASTODON, Network::NETWORK_X, Network::NETWORK_BLUESKY}) {
    SCOPED_TRACE(SimName(n));
    Listened l = Connect(n);
    auto said = sim_->Inbound({{"network", SimName(n)}, {"to", "bob"}, {"text", "the Zebracorn 3000 arrived today"}, {"count", 2}});
    auto phrase = sim_->Inbound({{"network", SimName(n)}, {"to", "bob"}, {"text", "my blue widget is broken"}});
    sim_->Inbound({{"network", SimName(n)}, {"to", "bob"}, {"text", "nothing to see here"}});
    said.insert(said.end(), phrase.begin(), phrase.end());
    std::string cursor;
    InboundQuery q;
    q.stream = Stream::kSearch;
    q.terms = {"zebracorn", "\"blue widget\""};
    q.limit = 10;
    EXPECT_EQ(SimIds(Drain(l, cursor, q)), std::multiset<std::string>(said.begin(), said.end()));
    auto later = sim_->Inbound({{"network", SimName(n)}, {"to", "alice"}, {"text", "ZEBRACORN forever"}});
    EXPECT_EQ(SimIds(Drain(l, cursor, q)), std::multiset<std::string>(later.begin(), later.end()));
  }
}

TEST_F(ListeningReads, APostsRepliesAreReadFromItsThread) {
  for (Network n : kListened) {
    SCOPED_TRACE(SimName(n));
    Listened l = Connect(n);
    std::string post = Publish(l, "thread starter on " + SimName(n));
    std::string kind = IsGraph(n) ? "comment" : "reply";
    auto said = sim_->Inbound({{"network", SimName(n)}, {"to", "alice"}, {"kind", kind}, {"parent_id", post}, {"count", 4}});
    std::string cursor;
    InboundQuery q;
    q.stream = Stream::kReplies;
    q.post_id = post;
    q.limit = 10;
    auto read = Drain(l, cursor, q);
    EXPECT_EQ(SimIds(read), std::multiset<std::string>(said.begin(), said.end()));
    for (const auto& p : read) EXPECT_EQ(SimId(p.parent_id), SimId(post)) << p.remote_id;
  }
}

TEST_F(ListeningReads, WhatCannotBeReadIsRefusedNotGuessed) {
  Listened fb = Connect(Network::NETWORK_FACEBOOK);
  InboundQuery search;
  search.stream = Stream::kSearch;
  search.terms = {"anything"};
  EXPECT_TRUE(absl::IsInvalidArgument(fb.connector->ReadInbound(fb.ep, search).status));
  Listened m = Connect(Network::NETWORK_MASTODON);
  InboundQuery forged;
  forged.cursor = "{\"v\":2}";
  EXPECT_TRUE(absl::IsInvalidArgument(m.connector->ReadInbound(m.ep, forged).status));
  m.ep.token = "not-a-token";
  EXPECT_TRUE(absl::IsPermissionDenied(m.connector->ReadInbound(m.ep, InboundQuery{}).status));
}

}  // namespace
}  // namespace herald::publisher
