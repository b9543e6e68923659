// Listening rules: what a create must carry (each field named), and which
// rules a mention matches with their tags. No I/O.
#include <gtest/gtest.h>

#include "listener/rules/rule_rules.h"

namespace herald::listener {
namespace {

namespace v1 = herald::listener::v1;

TEST(ListeningRules, EachBadFieldIsNamed) {
  v1::CreateRuleRequest r;
  r.set_workspace_id("ws");
  r.set_name("Brand");
  r.set_query("herald OR \"herald app\"");
  r.add_tags("brand");
  EXPECT_TRUE(ValidateCreateRule(r).ok()) << ValidateCreateRule(r).Message();
  r.set_name(" ");
  r.set_query("herald AND");
  r.add_tags("Not A Tag");
  r.set_request_id("bad id!");
  r.set_workspace_id("");
  EXPECT_EQ(ValidateCreateRule(r).Message(),
            "invalid argument: workspace_id: required, 1-64 of [A-Za-z0-9_-]; name: must not be empty; query: at 11: "
            "the query ends where a term or '(' was expected; tags[1]: 1-32 of [a-z0-9_-]; request_id: at most 64 of "
            "[A-Za-z0-9_-]");
  v1::CreateRuleRequest many;
  many.set_workspace_id("ws");
  many.set_name(std::string(101, 'n'));
  many.set_query("x");
  for (int i = 0; i < 11; ++i) many.add_tags("t" + std::to_string(i));
  EXPECT_EQ(ValidateCreateRule(many).Message(), "invalid argument: name: at most 100 characters; tags: at most 10");
}

TEST(ListeningRules, AMentionGetsEveryMatchingRuleAndTheirTagsOnce) {
  std::vector<v1::ListeningRule> rules(4);
  rules[0].set_id("brand");
  rules[0].set_query("herald OR @heraldhq");
  rules[0].add_tags("brand");
  rules[1].set_id("outage");
  rules[1].set_query("herald (down OR outage) NOT \"scheduled maintenance\"");
  rules[1].add_tags("brand");
  rules[1].add_tags("incident");
  rules[2].set_id("rival");
  rules[2].set_query("acme lang:en");
  rules[2].add_tags("competitor");
  rules[3].set_id("broken");
  rules[3].set_query("(stored before a stricter parser");  // skipped, not fatal
  RuleSet set(rules);
  EXPECT_EQ(set.size(), 3u);
  auto m = set.Matching({"@heraldhq is herald down again?", "en", "mastodon"});
  EXPECT_EQ(m.rule_ids, (std::vector<std::string>{"brand", "outage"}));
  EXPECT_EQ(m.tags, (std::vector<std::string>{"brand", "incident"}));
  auto rival = set.Matching({"acme ships faster", "en-US", "x"});
  EXPECT_EQ(rival.rule_ids, (std::vector<std::string>{"rival"}));
  EXPECT_TRUE(set.Matching({"acme ist schneller", "de", "x"}).rule_ids.empty());
}

}  // namespace
}  // namespace herald::listener
