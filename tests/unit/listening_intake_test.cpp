// How mentions come in (issue 12): the networks' own webhook payloads,
// gateway items made mentions, the same item's id however it arrives, and
// when the poller comes back.
#include <gtest/gtest.h>

#include "common/ids.h"
#include "listener/mention_parser.h"
#include "listener/network_webhooks.h"
#include "listener/polling/poll_plan.h"

namespace herald::listener {
namespace {

using herald::common::v1::MentionKind;
using herald::common::v1::Network;

TEST(NetworkWebhooks, MetaPageCommentsAndInstagramCommentsAreTakenTheRestIgnored) {
  auto fb = ParseMetaWebhook(R"({"object":"page","entry":[{"id":"101","time":1796000000,"changes":[
      {"field":"feed","value":{"item":"comment","verb":"add","comment_id":"55_66","post_id":"101_55",
        "message":"Love it","from":{"id":"9","name":"Ana"},"created_time":1796000000}},
      {"field":"feed","value":{"item":"reaction","verb":"add","post_id":"101_55"}},
      {"field":"feed","value":{"item":"comment","verb":"add","comment_id":"55_67","post_id":"101_55",
        "message":"our own answer","from":{"id":"101","name":"Brand"}}}]}]})");
  ASSERT_TRUE(fb.ok()) << fb.status();
  ASSERT_EQ(fb->size(), 1u);
  EXPECT_EQ((*fb)[0].network, Network::NETWORK_FACEBOOK);
  EXPECT_EQ((*fb)[0].account_id, "101");
  EXPECT_EQ((*fb)[0].item.remote_id(), "55_66");
  EXPECT_EQ((*fb)[0].item.author_handle(), "Ana");
  EXPECT_EQ((*fb)[0].item.kind(), MentionKind::MENTION_KIND_COMMENT);
  EXPECT_EQ((*fb)[0].item.create_time().seconds(), 1796000000);

  auto ig = ParseMetaWebhook(R"({"object":"instagram","entry":[{"id":"17841","time":1796000000,"changes":[
      {"field":"comments","value":{"id":"1790","text":"where to buy?","from":{"id":"8","username":"bo"},"media":{"id":"1788"}}},
      {"field":"mentions","value":{"media_id":"1"}}]}]})");
  ASSERT_TRUE(ig.ok()) << ig.status();
  ASSERT_EQ(ig->size(), 1u);
  EXPECT_EQ((*ig)[0].item.thread_remote_id(), "1788");
  EXPECT_EQ((*ig)[0].item.author_handle(), "bo");
}

TEST(NetworkWebhooks, XTweetsAndDirectMessagesButNotTheAccountsOwn) {
  auto x = ParseXWebhook(R"({"for_user_id":"2244","users":{"77":{"id":"77","screen_name":"cat"}},
      "tweet_create_events":[
        {"id_str":"5001","text":"@brand hi","user":{"id_str":"77","screen_name":"cat"},"lang":"en",
         "created_at":"Wed Oct 10 20:19:24 +0000 2018"},
        {"id_str":"5002","text":"our tweet","user":{"id_str":"2244","screen_name":"brand"}},
        {"id_str":"5003","text":"reply","user":{"id_str":"77","screen_name":"cat"},
         "in_reply_to_status_id_str":"4000","in_reply_to_user_id_str":"2244"}],
      "direct_message_events":[{"type":"message_create","id":"9001","created_timestamp":"1796000000123",
         "message_create":{"sender_id":"77","message_data":{"text":"help please"}}},
        {"type":"message_create","id":"9002","message_create":{"sender_id":"2244","message_data":{"text":"ours"}}}]})");
  ASSERT_TRUE(x.ok()) << x.status();
  ASSERT_EQ(x->size(), 3u);
  EXPECT_EQ((*x)[0].item.create_time().seconds(), 1539202764);
  EXPECT_EQ((*x)[1].item.kind(), MentionKind::MENTION_KIND_REPLY);
  EXPECT_EQ((*x)[2].item.kind(), MentionKind::MENTION_KIND_DIRECT_MESSAGE);
  EXPECT_EQ((*x)[2].item.author_handle(), "cat");
}

TEST(NetworkWebhooks, MalformedDeliveriesNameWhatIsWrong) {
  EXPECT_NE(ParseMetaWebhook("[").status().message().find("body"), std::string::npos);
  EXPECT_NE(ParseMetaWebhook(R"({"object":"user"})").status().message().find("object"), std::string::npos);
  EXPECT_NE(ParseMetaWebhook(R"({"object":"page","entry":[{"changes":[]}]})").status().message().find("entry[].id"),
            std::string::npos);
  EXPECT_NE(ParseXWebhook(R"({"tweet_create_events":[]})").status().message().find("for_user_id"), std::string::npos);
  EXPECT_NE(ParseXWebhook(R"({"for_user_id":"1","tweet_create_events":[{"text":"no id"}]})").status().message().find("id_str"),
            std::string::npos);
  std::string many = R"({"for_user_id":"1","tweet_create_events":[)";
  for (int i = 0; i < 1001; ++i) many += std::string(i ? "," : "") + R"({"id_str":")" + std::to_string(i) + R"(","user":{"id_str":"2"}})";
  EXPECT_TRUE(absl::IsInvalidArgument(ParseXWebhook(many + "]}").status()));
}

TEST(MentionIds, AWebhookAndAPollOfOneStatusAreOneMention) {
  auto webhook = ParseMastodonMention(
      R"({"event":"mention.created","object":{"id":"1234","content":"<p>hi @brand</p>","account":{"acct":"ana","id":"9"}}})",
      "ws", "ch_a", 1000);
  ASSERT_TRUE(webhook.ok());
  herald::publisher::v1::InboundItem item;
  item.set_remote_id("1234");
  item.set_author_handle("ana");
  item.set_text("<p>hi @brand</p>");
  auto polled = MentionFromInbound(item, "ws", "ch_b", Network::NETWORK_MASTODON, 2000);
  ASSERT_TRUE(polled.ok());
  EXPECT_EQ(webhook->mention_id(), polled->mention_id());  // even through another channel
  EXPECT_EQ(polled->text(), "hi @brand");
  EXPECT_EQ(polled->source(), "poll");
  EXPECT_EQ(webhook->source(), "webhook");
  EXPECT_NE(MentionIdFor("ws", Network::NETWORK_X, "1234"), webhook->mention_id());
  EXPECT_NE(MentionIdFor("other", Network::NETWORK_MASTODON, "1234"), webhook->mention_id());
  item.clear_author_handle();
  EXPECT_TRUE(absl::IsInvalidArgument(MentionFromInbound(item, "ws", "c", Network::NETWORK_MASTODON, 0).status()));
}

TEST(MentionIds, AThreadIsAConversationAndEachAuthorsMessagesAreOne) {
  herald::publisher::v1::InboundItem reply;
  reply.set_remote_id("3");
  reply.set_author_handle("a");
  reply.set_parent_remote_id("2");
  reply.set_thread_remote_id("1");
  // The reply is in the conversation of its thread's first post.
  herald::publisher::v1::InboundItem root;
  root.set_remote_id("1");
  root.set_author_handle("b");
  const std::string thread = MentionFromInbound(root, "ws", "c", Network::NETWORK_X, 0)->conversation_id();
  EXPECT_EQ(MentionFromInbound(reply, "ws", "c", Network::NETWORK_X, 0)->conversation_id(), thread);
  EXPECT_TRUE(IsValidId(thread)) << thread << ": usable in the inbox API";
  // The same thread id on another network is another conversation.
  EXPECT_NE(MentionFromInbound(reply, "ws", "c", Network::NETWORK_BLUESKY, 0)->conversation_id(), thread);
  // Each author's DMs are one conversation, whatever thread they name.
  herald::publisher::v1::InboundItem dm = reply;
  dm.set_kind(MentionKind::MENTION_KIND_DIRECT_MESSAGE);
  dm.set_author_id("77");
  herald::publisher::v1::InboundItem dm2 = dm;
  dm2.set_remote_id("9");
  dm2.set_thread_remote_id("8");
  const std::string dms = MentionFromInbound(dm, "ws", "c", Network::NETWORK_X, 0)->conversation_id();
  EXPECT_NE(dms, thread);
  EXPECT_EQ(MentionFromInbound(dm2, "ws", "c", Network::NETWORK_X, 0)->conversation_id(), dms);
  dm2.set_author_id("78");
  EXPECT_NE(MentionFromInbound(dm2, "ws", "c", Network::NETWORK_X, 0)->conversation_id(), dms);
}

TEST(PollPlan, ComesBackByOutcome) {
  PollOptions o;
  o.interval_ms = 60'000;
  o.max_backoff_ms = 900'000;
  EXPECT_EQ(NextPollAt(o, PollOutcome::kCaughtUp, 0, 0, 1000, 0.5), 61'000);
  EXPECT_EQ(NextPollAt(o, PollOutcome::kMoreWaiting, 0, 0, 1000, 0.5), 1000);
  EXPECT_EQ(NextPollAt(o, PollOutcome::kThrottled, 0, 12'345, 1000, 0.5), 13'345);
  // Failures double from one interval, jittered over the upper half, up to the ceiling.
  EXPECT_EQ(NextPollAt(o, PollOutcome::kFailed, 1, 0, 0, 0.0), 30'000);
  EXPECT_EQ(NextPollAt(o, PollOutcome::kFailed, 3, 0, 0, 0.0), 120'000);
  EXPECT_EQ(NextPollAt(o, PollOutcome::kFailed, 30, 0, 0, 0.999999), 899'999);
  EXPECT_EQ(Worse(PollOutcome::kCaughtUp, PollOutcome::kThrottled), PollOutcome::kThrottled);
  EXPECT_EQ(Worse(PollOutcome::kMoreWaiting, PollOutcome::kCaughtUp), PollOutcome::kCaughtUp);
}

TEST(PollPlan, EachRuleIsSearchedOncePerNetworkThroughItsFirstChannel) {
  herald::listener::v1::ListeningRule brand;
  brand.set_id("r1");
  brand.set_query(R"((herald OR "blue widget") NOT spam)");
  herald::listener::v1::ListeningRule only_not;
  only_not.set_id("r2");
  only_not.set_query("NOT spam");
  std::map<std::string, Network> listened{{"ch_a", Network::NETWORK_X}, {"ch_b", Network::NETWORK_X},
                                          {"ch_c", Network::NETWORK_FACEBOOK}};
  auto first = StreamsFor({"ws", "ch_a", Network::NETWORK_X}, listened, {brand, only_not});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].name, "mentions");
  EXPECT_EQ(first[1].name, "search:r1");
  EXPECT_EQ(first[1].terms, (std::vector<std::string>{"herald", "\"blue widget\""}));
  EXPECT_EQ(StreamsFor({"ws", "ch_b", Network::NETWORK_X}, listened, {brand}).size(), 1u);
  EXPECT_EQ(StreamsFor({"ws", "ch_c", Network::NETWORK_FACEBOOK}, listened, {brand}).size(), 1u);  // Graph has no search
}

}  // namespace
}  // namespace herald::listener
