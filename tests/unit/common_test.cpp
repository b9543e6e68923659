#include <gtest/gtest.h>

#include <set>

#include "common/clock.h"
#include "common/hmac.h"
#include "common/ids.h"
#include "common/request_bounds.h"
#include "common/status.h"
#include "common/time_util.h"
#include "herald/scheduler/v1/scheduler.pb.h"

namespace herald {
namespace {

TEST(Ids, ValidIdsAreShortAndSeparatorFree) {
  EXPECT_TRUE(IsValidId("ws_1-A"));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("a:b"));
  EXPECT_FALSE(IsValidId("a}b"));
  EXPECT_FALSE(IsValidId(std::string(65, 'a')));
  EXPECT_TRUE(IsValidId(std::string(64, 'a')));
}

TEST(Ids, NewIdsAreUniqueAndValid) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    auto id = NewId("p_");
    EXPECT_TRUE(IsValidId(id));
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(Hmac, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hmac, VerifiesOnlyTheExactBodyAndSecret) {
  std::string header = SignatureHeader("s3cret", "{\"a\":1}");
  EXPECT_TRUE(VerifySignatureHeader("s3cret", "{\"a\":1}", header));
  EXPECT_FALSE(VerifySignatureHeader("s3cret", "{\"a\":2}", header));
  EXPECT_FALSE(VerifySignatureHeader("other", "{\"a\":1}", header));
  EXPECT_FALSE(VerifySignatureHeader("s3cret", "{\"a\":1}", ""));
}

TEST(FieldErrors, MessageNamesEveryField) {
  FieldErrors e;
  e.Add("text", "must not be empty");
  e.Add("channel_ids[1]", "duplicate");
  auto s = e.ToGrpc();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "invalid argument: text: must not be empty; channel_ids[1]: duplicate");
}

TEST(TimeUtil, RoundTripsAndFormats) {
  EXPECT_EQ(ToMs(FromMs(1764327052123)), 1764327052123);
  EXPECT_EQ(ToMs(FromMs(-1500)), -1500);
  EXPECT_EQ(FormatRfc3339(1764327052123), "2025-11-28T10:50:52.123Z");
}

}  // namespace
}  // namespace herald

namespace herald::request_bounds_test {

using herald::scheduler::v1::CreatePostRequest;

std::string Refusal(const CreatePostRequest& r) {
  grpc::Status s = CheckRequestBounds(r);
  return s.ok() ? "OK" : std::to_string(s.error_code()) + " " + s.error_message();
}

TEST(RequestBounds, AWellFormedRequestPasses) {
  CreatePostRequest r;
  r.set_text(std::string(kMaxStringBytes, 'a'));
  r.add_channel_ids("c1");
  (*r.mutable_text_overrides())["c1"] = "hi";
  r.mutable_recycle()->set_every_days(7);
  EXPECT_EQ(Refusal(r), "OK");
}

TEST(RequestBounds, EachKindOfFieldOutOfBoundsIsRefusedByName) {
  CreatePostRequest r;
  r.set_text(std::string(kMaxStringBytes + 1, 'a'));
  EXPECT_EQ(Refusal(r), "3 invalid argument: text: at most 65536 bytes");
  r.Clear();
  r.add_channel_ids("c1");
  r.add_channel_ids(std::string(kMaxStringBytes + 1, 'a'));
  EXPECT_EQ(Refusal(r), "3 invalid argument: channel_ids[1]: at most 65536 bytes");
  r.Clear();
  (*r.mutable_text_overrides())["c1"] = std::string(kMaxStringBytes + 1, 'a');
  EXPECT_EQ(Refusal(r), "3 invalid argument: text_overrides.value: at most 65536 bytes");
  r.Clear();
  r.mutable_recycle()->set_every_days(-1);
  EXPECT_EQ(Refusal(r), "3 invalid argument: recycle.every_days: must not be negative");
  r.Clear();
  r.mutable_publish_at()->set_seconds(253402300800);
  EXPECT_EQ(Refusal(r), "3 invalid argument: publish_at: must be a time between years 0001 and 9999 (nanos 0..999999999)");
  r.Clear();
  for (int i = 0; i <= kMaxRepeated; ++i) r.add_media_urls("u");
  EXPECT_EQ(Refusal(r), "3 invalid argument: media_urls: at most 1000 entries");
}

TEST(RequestBounds, AnEnumNumberItsEnumDoesNotDefineIsRefused) {
  herald::scheduler::v1::ListPostsRequest r;
  r.set_state(static_cast<herald::scheduler::v1::PostState>(4242));
  EXPECT_EQ(CheckRequestBounds(r).error_message(), "invalid argument: state: not a known PostState");
  r.set_state(herald::scheduler::v1::POST_STATE_UNSPECIFIED);
  EXPECT_TRUE(CheckRequestBounds(r).ok());
}

}  // namespace herald::request_bounds_test

namespace herald::clock_test {

TEST(ManualClock, MonotonicTimeMovesWithWaitsButNotWithAWallClockJump) {
  ManualClock clock(1'000'000);
  auto t0 = clock.Monotonic();
  clock.SleepFor(std::chrono::milliseconds(250));
  clock.AdvanceMs(750);
  EXPECT_EQ(clock.Monotonic() - t0, std::chrono::milliseconds(1000));
  EXPECT_EQ(clock.NowMs(), 1'001'000);
  clock.SetMs(5'000);  // the machine's clock set back
  EXPECT_EQ(clock.Monotonic() - t0, std::chrono::milliseconds(1000));
  EXPECT_EQ(clock.NowMs(), 5'000);
}

}  // namespace herald::clock_test

// CSV as imports read it: quotes, doubled quotes, CRLF, a BOM, blank lines;
// every malformed input refused with its line and column.
#include "common/csv.h"

namespace herald {
namespace {

TEST(Csv, ReadsQuotedFieldsLineEndsAndABom) {
  auto rows = ParseCsv("\xEF\xBB\xBFid,text\r\n1,\"a, b\"\r\n\n2,\"say \"\"hi\"\"\nthere\"\n3,\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[0], (std::vector<std::string>{"id", "text"}));
  EXPECT_EQ((*rows)[1][1], "a, b");
  EXPECT_EQ((*rows)[2][1], "say \"hi\"\nthere");
  EXPECT_EQ((*rows)[3], (std::vector<std::string>{"3", ""}));
  auto last = ParseCsv("a,b");  // no final newline
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->size(), 1u);
}

TEST(Csv, MalformedInputIsRefusedWithItsPosition) {
  auto open = ParseCsv("a,b\n1,\"never closed\n");
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.status().message().find("line 2"), std::string_view::npos) << open.status();
  auto stray = ParseCsv("a,b\n1,x\"y\n");
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.status().message().find("line 2, column 4"), std::string_view::npos) << stray.status();
  EXPECT_FALSE(ParseCsv("\"a\"b\n").ok());
  EXPECT_FALSE(ParseCsv("a,b,c\n", {.max_fields = 2}).ok());
  EXPECT_FALSE(ParseCsv("a\nb\nc\n", {.max_rows = 2}).ok());
  EXPECT_FALSE(ParseCsv(std::string(5000, 'x')).ok());
}

}  // namespace
}  // namespace herald
