#include "common/config.h"

#include <gtest/gtest.h>

namespace herald {
namespace {

Settings Make(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  return Settings("svc", std::move(args), [env](const std::string& k) -> std::optional<std::string> {
    auto it = env.find(k);
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
}

TEST(Settings, FlagBeatsEnvironmentBeatsDefault) {
  auto s = Make({"--grpc-port=7000"}, {{"HERALD_GRPC_PORT", "7001"}, {"HERALD_METRICS_PORT", "9001"}});
  EXPECT_EQ(s.Port("grpc-port", 1, ""), 7000);
  EXPECT_EQ(s.Port("metrics-port", 2, ""), 9001);
  EXPECT_EQ(s.Port("other-port", 3, ""), 3);
  EXPECT_TRUE(s.Errors().empty());
}

TEST(Settings, SeparateValueForm) {
  auto s = Make({"--redis-addr", "h:1"});
  EXPECT_EQ(s.String("redis-addr", "x", ""), "h:1");
}

TEST(Settings, MissingRequiredNamesTheSettingAndItsVariable) {
  auto s = Make({});
  s.Required("kafka-brokers", "bootstrap servers");
  ASSERT_EQ(s.Errors().size(), 1u);
  EXPECT_NE(s.Errors()[0].find("--kafka-brokers"), std::string::npos);
  EXPECT_NE(s.Errors()[0].find("HERALD_KAFKA_BROKERS"), std::string::npos);
}

TEST(Settings, OutOfRangeAndMalformedIntegersAreErrors) {
  auto s = Make({"--grpc-port=70000", "--due-shards=abc"});
  EXPECT_EQ(s.Port("grpc-port", 5, ""), 5);
  EXPECT_EQ(s.Int("due-shards", 8, 1, 1024, ""), 8);
  auto errors = s.Errors();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("grpc-port=70000"), std::string::npos);
  EXPECT_NE(errors[1].find("due-shards=abc"), std::string::npos);
}

TEST(Settings, UnknownFlagIsAnError) {
  auto s = Make({"--grpc-prot=1"});
  s.Port("grpc-port", 0, "");
  ASSERT_EQ(s.Errors().size(), 1u);
  EXPECT_EQ(s.Errors()[0], "unknown flag --grpc-prot");
}

TEST(Settings, ChoiceAndBool) {
  auto s = Make({"--log-level=loud", "--flag=maybe"});
  EXPECT_EQ(s.Choice("log-level", "info", {"debug", "info"}, ""), "info");
  EXPECT_TRUE(s.Bool("flag", true, ""));
  EXPECT_EQ(s.Errors().size(), 2u);
}

TEST(ParseHostPort, AcceptsHostPortOnly) {
  ASSERT_TRUE(ParseHostPort("redis:6379"));
  EXPECT_EQ(ParseHostPort("redis:6379")->port, 6379);
  EXPECT_FALSE(ParseHostPort("redis"));
  EXPECT_FALSE(ParseHostPort(":6379"));
  EXPECT_FALSE(ParseHostPort("redis:0"));
  EXPECT_FALSE(ParseHostPort("redis:99999"));
}

}  // namespace
}  // namespace herald
