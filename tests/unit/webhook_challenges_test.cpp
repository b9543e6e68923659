// Meta's and X's webhook checks and signatures, against known answers
// (computed independently with Python's hmac and base64). No I/O.
#include <gtest/gtest.h>

#include "common/hmac.h"
#include "listener/webhook_challenges.h"

namespace herald::listener {
namespace {

TEST(WebhookChallenges, MetaEchoesTheChallengeOnlyForItsOwnToken) {
  EXPECT_EQ(AnswerMetaChallenge("subscribe", "tok-123", "1158201444", "tok-123"), "1158201444");
  EXPECT_EQ(AnswerMetaChallenge("subscribe", "tok-124", "1158201444", "tok-123"), std::nullopt);
  EXPECT_EQ(AnswerMetaChallenge("unsubscribe", "tok-123", "1158201444", "tok-123"), std::nullopt);
  EXPECT_EQ(AnswerMetaChallenge("subscribe", "", "1", ""), std::nullopt);  // no token configured: never
  EXPECT_EQ(AnswerMetaChallenge("subscribe", "tok-123", "<script>x</script> y", "tok-123"), std::nullopt);
  EXPECT_EQ(AnswerMetaChallenge("subscribe", "tok-123", std::string(300, 'a'), "tok-123"), std::nullopt);
}

TEST(WebhookChallenges, MetaDeliveriesCarryAHexSha256Signature) {
  const std::string body = R"({"object":"instagram"})";
  const std::string header = "sha256=f9f60d2fd6f1498ad1636cf26d6916018f8c80c0a4ac67169c9499d510ee1762";
  EXPECT_TRUE(VerifySignatureHeader("app-secret", body, header));
  EXPECT_FALSE(VerifySignatureHeader("other-secret", body, header));
  EXPECT_FALSE(VerifySignatureHeader("app-secret", body + " ", header));
}

TEST(WebhookChallenges, XCrcAndDeliveriesUseABase64Sha256) {
  EXPECT_EQ(AnswerXCrc("consumer-secret", "crc-token-123"),
            R"({"response_token":"sha256=pqNVCku98klY+uShlb3Xa/LIgd2B2xq7EveP37yRYOI="})");
  EXPECT_EQ(AnswerXCrc("consumer-secret", ""), std::nullopt);
  EXPECT_EQ(AnswerXCrc("", "crc-token-123"), std::nullopt);
  EXPECT_EQ(AnswerXCrc("consumer-secret", std::string(257, 'a')), std::nullopt);
  const std::string sig = "sha256=pqNVCku98klY+uShlb3Xa/LIgd2B2xq7EveP37yRYOI=";
  EXPECT_TRUE(VerifyBase64SignatureHeader("consumer-secret", "crc-token-123", sig));
  EXPECT_FALSE(VerifyBase64SignatureHeader("consumer-secret", "crc-token-124", sig));
  EXPECT_FALSE(VerifyBase64SignatureHeader("consumer-secret", "crc-token-123", sig.substr(0, sig.size() - 1)));
}

}  // namespace
}  // namespace herald::listener
