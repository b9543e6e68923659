#include "heraldctl/cli_args.h"

#include <cstdlib>
#include <set>

namespace heraldctl {
namespace {

// Flags that take no value.
const std::set<std::string> kSwitches = {"now", "help", "h", "queue", "approval", "draft"};

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
      } else if (kSwitches.count(name)) {
        value = "true";
      } else if (i + 1 < argc) {
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
