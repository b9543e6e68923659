// Reading newest-first listings without gaps (inbound_sweep.h) and what the
// network gateway accepts (gateway_rules.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "publisher/connectors/inbound_sweep.h"
#include "publisher/gateway/gateway_rules.h"

namespace herald::publisher {
namespace {

// A network listing, newest first, paged by an index token, whose items
// may share a key (times).
struct Listing {
  std::vector<InboundPost> items;  // oldest first, as they arrived
  void Add(const std::string& id, const std::string& key) {
    InboundPost p;
    p.remote_id = id;
    p.order_key = key;
    items.push_back(p);
  }
  // One page at `token` ("" = newest), `size` items, and the next token.
  std::pair<std::vector<InboundPost>, std::string> Page(const std::string& token, size_t size) const {
    std::vector<InboundPost> newest_first(items.rbegin(), items.rend());
    size_t from = token.empty() ? 0 : std::stoul(token);
    std::vector<InboundPost> page;
    for (size_t i = from; i < newest_first.size() && page.size() < size; ++i) page.push_back(newest_first[i]);
    std::string next = from + page.size() < newest_first.size() ? std::to_string(from + page.size()) : "";
    return {page, next};
  }
};

// Reads like a poller: page after page while more, the cursor kept.
std::vector<std::string> Poll(const Listing& l, std::string& cursor, size_t size,
                              const std::function<void(int)>& between_pages = nullptr) {
  std::vector<std::string> got;
  for (int i = 0; i < 1000; ++i) {
    auto c = DecodeCursor(cursor);
    EXPECT_TRUE(c.ok()) << c.status();
    auto [page, next] = l.Page(c->page, size);
    InboundPage out = SweepPage(*c, page, next);
    for (const auto& p : out.items) got.push_back(p.remote_id);
    cursor = out.next_cursor;
    if (between_pages) between_pages(i);
    if (!out.more) break;
  }
  return got;
}

std::string Num(int i) { return std::to_string(1000 + i); }

TEST(InboundSweep, DecimalIdsCompareAsNumbersAndTimesAsText) {
  EXPECT_TRUE(KeyAfter("1000", "999"));
  EXPECT_FALSE(KeyAfter("999", "1000"));
  EXPECT_TRUE(KeyAfter("2026-11-30T10:00:01.000Z", "2026-11-30T10:00:00.999Z"));
  EXPECT_FALSE(KeyAfter("5", "5"));
}

TEST(InboundSweep, TheFirstReadTakesOnlyTheNewestPageThenEverythingNewOnce) {
  Listing l;
  for (int i = 0; i < 30; ++i) l.Add(Num(i), Num(i));
  std::string cursor;
  auto first = Poll(l, cursor, 10);
  EXPECT_EQ(first.size(), 10u);  // listening starts now: no backfill of history
  EXPECT_EQ(first.back(), Num(29));  // oldest first within the page
  for (int i = 30; i < 55; ++i) l.Add(Num(i), Num(i));
  auto next = Poll(l, cursor, 10);
  std::set<std::string> want;
  for (int i = 30; i < 55; ++i) want.insert(Num(i));
  EXPECT_EQ(std::set<std::string>(next.begin(), next.end()), want);
  EXPECT_EQ(next.size(), want.size());
  EXPECT_TRUE(Poll(l, cursor, 10).empty());
}

TEST(InboundSweep, AListingEmptyWhenListeningBeganReadsEverythingAfterward) {
  Listing l;
  std::string cursor;
  EXPECT_TRUE(Poll(l, cursor, 10).empty());
  EXPECT_FALSE(cursor.empty()) << "an empty first read must still mark where listening began";
  for (int i = 0; i < 35; ++i) l.Add(Num(i), Num(i));
  EXPECT_EQ(Poll(l, cursor, 10).size(), 35u);
  Listing times;
  std::string at;
  Poll(times, at, 10);
  times.Add("t", "2026-12-01T00:00:00.000Z");
  EXPECT_EQ(Poll(times, at, 10).size(), 1u);
}

TEST(InboundSweep, ItemsArrivingDuringASweepAreReadByTheNextOne) {
  Listing l;
  for (int i = 0; i < 5; ++i) l.Add(Num(i), Num(i));
  std::string cursor;
  Poll(l, cursor, 10);
  for (int i = 5; i < 40; ++i) l.Add(Num(i), Num(i));
  int added = 40;
  // Three new items land after each page the sweep reads (shifting the
  // network's pages, as a real listing does).
  auto during = Poll(l, cursor, 7, [&](int) {
    for (int k = 0; k < 3; ++k, ++added) l.Add(Num(added), Num(added));
  });
  auto after = Poll(l, cursor, 7);
  std::set<std::string> got(during.begin(), during.end());
  got.insert(after.begin(), after.end());
  for (int i = 5; i < added - 3; ++i) EXPECT_TRUE(got.count(Num(i))) << "skipped " << Num(i);
}

TEST(InboundSweep, ItemsSharingATimeAreToldApartByIdAndBeyondTheCapRepeatedNeverSkipped) {
  Listing l;
  l.Add("a", "t1");
  std::string cursor;
  Poll(l, cursor, 50);
  // Five items at one instant, then a poll, then three more at that instant.
  for (const char* id : {"b", "c", "d", "e", "f"}) l.Add(id, "t2");
  EXPECT_EQ(Poll(l, cursor, 50).size(), 5u);
  for (const char* id : {"g", "h", "i"}) l.Add(id, "t2");
  auto later = Poll(l, cursor, 50);
  EXPECT_EQ(std::set<std::string>(later.begin(), later.end()), (std::set<std::string>{"g", "h", "i"}));
  // More than the cursor can remember at one instant: some come again, none is lost.
  for (size_t i = 0; i < kMaxIdsPerKey + 5; ++i) l.Add("z" + std::to_string(i), "t3");
  auto crowd = Poll(l, cursor, 100);
  auto again = Poll(l, cursor, 100);
  std::set<std::string> got(crowd.begin(), crowd.end());
  EXPECT_EQ(got.size(), kMaxIdsPerKey + 5);
  EXPECT_LE(again.size(), 5u);
}

TEST(InboundSweep, CursorsRoundTripAndForgedOnesAreRefused) {
  SweepCursor c{"1234", {"aa", "bb"}, "1300", {"cc"}, "tok"};
  auto back = DecodeCursor(EncodeCursor(c));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->floor, "1234");
  EXPECT_EQ(back->floor_ids, c.floor_ids);
  EXPECT_EQ(back->page, "tok");
  for (const char* forged : {"{", "[]", "{\"v\":2,\"f\":\"1\"}", "{\"v\":1}", "{\"v\":1,\"f\":3}",
                             "{\"v\":1,\"f\":\"1\",\"fi\":[1]}"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(DecodeCursor(forged).status())) << forged;
  }
  EXPECT_TRUE(absl::IsInvalidArgument(DecodeCursor(std::string(2000, 'x')).status()));
  // A network token too long to carry restarts the sweep rather than fail.
  std::string huge = EncodeCursor({"1", {}, "2", {}, std::string(3000, 'p')});
  EXPECT_LE(huge.size(), kMaxCursorBytes);
  ASSERT_TRUE(DecodeCursor(huge).ok());
  EXPECT_EQ(DecodeCursor(huge)->floor, "1");
}

TEST(GatewayRules, EveryBadFieldIsNamed) {
  v1::SearchPostsRequest s;
  s.set_workspace_id("bad ws");
  s.set_channel_id("");
  s.set_page_size(101);
  s.set_cursor("nope");
  s.add_terms("ok");
  s.add_terms("");
  s.add_terms("line\nbreak");
  std::string m = ValidateSearchPosts(s).Message();
  for (const char* field : {"workspace_id", "channel_id", "page_size", "cursor", "terms[1]", "terms[2]"}) {
    EXPECT_NE(m.find(field), std::string::npos) << field << " in " << m;
  }
  EXPECT_EQ(m.find("terms[0]"), std::string::npos) << m;
  v1::SearchPostsRequest none;
  none.set_workspace_id("ws");
  none.set_channel_id("ch");
  EXPECT_NE(ValidateSearchPosts(none).Message().find("terms"), std::string::npos);
  v1::ReadRepliesRequest r;
  r.set_workspace_id("ws");
  r.set_channel_id("ch");
  EXPECT_NE(ValidateReadReplies(r).Message().find("post_remote_id"), std::string::npos);
  v1::ReadMentionsRequest ok;
  ok.set_workspace_id("ws");
  ok.set_channel_id("ch");
  EXPECT_TRUE(ValidateReadMentions(ok).ok());
  EXPECT_EQ(QueryOf(ok).limit, kDefaultInboundPage);
  v1::GetPostMetricsRequest metrics;
  metrics.set_workspace_id("ws");
  metrics.set_channel_id("bad channel");
  metrics.set_post_remote_id("has space");
  FieldErrors e = ValidateGetPostMetrics(metrics);
  EXPECT_NE(e.Message().find("channel_id"), std::string::npos);
  EXPECT_NE(e.Message().find("post_remote_id"), std::string::npos);
  metrics.set_channel_id("ch");
  metrics.set_post_remote_id("109876543210");
  EXPECT_TRUE(ValidateGetPostMetrics(metrics).ok());
  v1::GetChannelMetricsRequest account;
  account.set_channel_id("ch");
  EXPECT_NE(ValidateGetChannelMetrics(account).Message().find("workspace_id"), std::string::npos);
  account.set_workspace_id("ws");
  account.set_channel_id("");
  EXPECT_NE(ValidateGetChannelMetrics(account).Message().find("channel_id"), std::string::npos);
  account.set_channel_id("ch");
  EXPECT_TRUE(ValidateGetChannelMetrics(account).ok());
}

TEST(GatewayRules, ItemsBeyondBoundsAreLeftOutAndCounted) {
  InboundPage page;
  InboundPost fine;
  fine.remote_id = "1";
  fine.text = "hello";
  InboundPost huge = fine;
  huge.text = std::string(100001, 'x');
  InboundPost no_id = fine;
  no_id.remote_id.clear();
  page.items = {fine, huge, no_id};
  v1::InboundPage out;
  ToProto(page, &out);
  EXPECT_EQ(out.items_size(), 1);
  EXPECT_EQ(out.refused(), 2);
}

}  // namespace
}  // namespace herald::publisher
