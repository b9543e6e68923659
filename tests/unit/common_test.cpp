#include <gtest/gtest.h>

#include <set>

#include "common/hmac.h"
#include "common/ids.h"
#include "common/status.h"
#include "common/time_util.h"

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
