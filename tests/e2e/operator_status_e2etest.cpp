// `heraldctl status`, as an SRE runs it against the whole platform: every
// service's health, each consumer group's lag, the latest dead letters of
// both dead-letter topics decoded, and the channels needing attention — and
// exit 1 once a service stops serving.
#include "common/kafka.h"
#include "herald/topics.h"
#include "platform_test.h"

namespace herald::testing {
namespace {

class OperatorStatus : public PlatformTest {
 protected:
  void SetUp() override {
    workspace_ = "ops";
    p_ = std::make_unique<Platform>();
  }
  std::string Status(int* code) {
    return RunHeraldctl(p_->operator_key(),
                        "status --scheduler " + p_->Grpc("scheduler") + " --publisher " + p_->Grpc("publisher") +
                            " --listener " + p_->Grpc("listener") + " --campaign-addr " + p_->Grpc("campaign") +
                            " --analytics " + p_->Grpc("analytics") + " --kafka-brokers " + p_->brokers() +
                            " --workspace " + workspace_,
                        code);
  }
  static int Count(const std::string& text, const std::string& what) {
    int n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
};

TEST_F(OperatorStatus, ShowsHealthLagDeadLettersAndChannelsNeedingAttention) {
  // A channel whose token the network revokes: its post fails (publish.deadletter)
  // and the channel needs re-authorisation.
  auto channel = Connect(Network::NETWORK_X, "other-token");
  HttpJson("POST", p_->simulator_url() + "/_sim/revoke", json{{"token", "other-token"}}.dump());
  auto ids = CreatePosts({"to a revoked account"}, {channel.id()});
  // A record the listener cannot read on channels.lifecycle: events.deadletter.
  KafkaProducer producer(KafkaOptions{p_->brokers(), "status-test", {}});
  ASSERT_TRUE(producer.ProduceSync(topics::k_channels_lifecycle, "ch_garbage", "not a protobuf \xff\xff", {}).ok());

  int code = -1;
  std::string out;
  bool complete = Eventually(
      [&] {
        out = Status(&code);
        return out.find("needs_reauth") != std::string::npos && out.find(ids[0]) != std::string::npos &&
               out.find("herald-listener-channels") != std::string::npos &&
               Count(out, "channels.lifecycle") >= 3;  // two groups read it, one dead letter came from it
      },
      std::chrono::seconds(60));
  ASSERT_TRUE(complete) << out << p_->Logs();
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(Count(out, "SERVING"), 5) << out;
  // Every group's topics, with a number for the lag (not "?").
  for (const char* row : {"herald-publisher ", "herald-scheduler ", "herald-analytics ", "herald-campaign-audiences "}) {
    EXPECT_NE(out.find(row), std::string::npos) << row << "\n" << out;
  }
  EXPECT_EQ(out.find(" ? "), std::string::npos) << "a lag that could not be read\n" << out;
  // The dead letters, decoded: where the refused record came from and why; the failed post and its error.
  EXPECT_NE(out.find("herald-listener-channels"), std::string::npos) << out;
  EXPECT_NE(out.find("auth: "), std::string::npos) << out;
  EXPECT_NE(out.find(channel.id()), std::string::npos) << out;

  // One service down: status says which and exits 1.
  p_->process("campaign").Kill();
  out = Status(&code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("UNREACHABLE"), std::string::npos) << out;
  EXPECT_EQ(Count(out, "SERVING"), 4) << out;
}

}  // namespace
}  // namespace herald::testing
