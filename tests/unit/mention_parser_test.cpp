#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "herald/events/v1/events.pb.h"
#include "herald/topics.h"
#include "listener/mention_parser.h"

namespace herald {
namespace {

std::string MentionBody(const std::string& id, const std::string& reply_to = "") {
  nlohmann::json j = {{"event", "mention.created"},
                      {"object",
                       {{"id", id},
                        {"content", "@brand hi"},
                        {"url", "https://m.example/@fan/" + id},
                        {"in_reply_to_id", reply_to},
                        {"account", {{"acct", "fan"}}}}}};
  return j.dump();
}

TEST(MentionParser, ParsesAMastodonMention) {
  auto m = listener::ParseMastodonMention(MentionBody("42", "7"), "ws", "ch", 1000);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->author_handle(), "fan");
  // In the conversation of the post it answers.
  EXPECT_EQ(m->conversation_id(), listener::ConversationIdFor(herald::common::v1::NETWORK_MASTODON,
                                                              herald::common::v1::MENTION_KIND_REPLY, "7", ""));
  EXPECT_EQ(m->remote_id(), "42");
  EXPECT_EQ(listener::ToInboxItem(*m).remote_id(), "42");  // what a reply from the inbox answers
  // Same status again → same mention id (redelivery is recognisable).
  EXPECT_EQ(m->mention_id(), listener::ParseMastodonMention(MentionBody("42"), "ws", "ch", 5).value().mention_id());
  EXPECT_NE(m->mention_id(), listener::ParseMastodonMention(MentionBody("43"), "ws", "ch", 5).value().mention_id());
}

TEST(MentionParser, NamesTheMissingField) {
  auto bad = [](const std::string& body) { return std::string(listener::ParseMastodonMention(body, "w", "c", 0).status().message()); };
  EXPECT_EQ(bad("not json"), "body: not a JSON object");
  EXPECT_EQ(bad(R"({"event":"follow"})"), "event: want mention.created or status.created");
  EXPECT_EQ(bad(R"({"event":"mention.created"})"), "object: required");
  EXPECT_EQ(bad(R"({"event":"mention.created","object":{"content":"x"}})"), "object.id: required");
  EXPECT_EQ(bad(R"({"event":"mention.created","object":{"id":"1"}})"), "object.account.acct: required");
}

}  // namespace
}  // namespace herald
