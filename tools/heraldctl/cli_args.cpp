#include "heraldctl/cli_args.h"

#include <cstdlib>
#include <set>

namespace heraldctl {
namespace {

// Flags that take no value.
const std::set<std::string> kSwitches = {"now", "help", "h", "queue", "approval", "draft", "away", "answer-negative",
                                           "activate", "skip-missed", "sequential"};
// Flags that take one.
const std::set<std::string> kValued = {
    "o", "workspace", "scheduler", "publisher", "listener", "campaign-addr", "analytics", "api-key", "tls-ca-file",
    "config", "approver", "at", "base-url", "campaign", "channel", "currency", "days", "event",
    "events", "every", "identifier", "limit", "mode", "name", "network", "objective", "reason", "refresh-token",
    "request-id", "slots", "start", "state", "text", "time-zone", "token", "url", "zone", "role", "expires", "query",
    "tags",
    // the team inbox
    "add", "remove", "to", "until", "resume", "max", "assignee", "capacity", "page-token", "saved-reply", "template",
    "first-response", "next-response", "resolution", "hours", "holidays", "warn-at",
    // analytics reports
    "from", "by", "group", "ids", "figures", "figure", "lookback-days",
    // campaigns
    "budget", "daily-budget", "end", "channels", "owner", "description", "status", "target-cpa", "target-roas",
    "target-ctr", "target-conversion-rate", "utm-source", "utm-medium", "utm-campaign", "utm-term", "utm-content", "post", "variant",
    // conversions, spend and audiences
    "file", "source", "model", "window-days", "day", "amount", "expr", "sample", "segments",
    // experiments
    "link", "metric", "baseline", "mde", "holdout", "alpha", "power",
    // budget split and recommendations
    "budget-split",
    // status: Kafka as the services reach it
    "kafka-brokers", "kafka-security-protocol", "kafka-sasl-mechanism", "kafka-sasl-username",
    "kafka-sasl-password-file", "kafka-ssl-ca-file"};

}  // namespace

Args::Args(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() > 1 && a[0] == '-') {
      std::string name = a.substr(a.rfind("--", 0) == 0 ? 2 : 1);
      std::string value;
      auto eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (!kSwitches.count(name) && !kValued.count(name)) {
        if (error_.empty()) error_ = "unknown flag: " + a.substr(0, a.find('='));
        continue;
      }
      if (kSwitches.count(name)) {
        if (eq != std::string::npos && error_.empty()) error_ = "flag --" + name + " takes no value";
        value = "true";
      } else if (eq == std::string::npos) {
        // A value that starts with "--" is taken as the next flag: write --flag=--value for one.
        if (i + 1 >= argc || std::string(argv[i + 1]).rfind("--", 0) == 0) {
          if (error_.empty()) error_ = "flag --" + name + " needs a value";
          continue;
        }
        value = argv[++i];
      }
      flags_[name].push_back(value);
    } else {
      positionals_.push_back(a);
    }
  }
}

std::optional<std::string> Args::Get(const std::string& flag) const {
  auto it = flags_.find(flag);
  if (it == flags_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string Args::Get(const std::string& flag, const std::string& env, const std::string& fallback) const {
  if (auto v = Get(flag)) return *v;
  if (!env.empty()) {
    if (const char* e = std::getenv(env.c_str()); e && *e) return e;
  }
  return fallback;
}

std::vector<std::string> Args::All(const std::string& flag) const {
  auto it = flags_.find(flag);
  return it == flags_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace heraldctl
