#include "common/config.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace herald {

Settings::Settings(std::string program, std::vector<std::string> args, EnvLookup env)
    : program_(std::move(program)), env_(std::move(env)) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      help_ = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      errors_.push_back("unexpected argument '" + a + "' (settings are --name=value)");
      continue;
    }
    auto eq = a.find('=');
    if (eq != std::string::npos) {
      flags_[a.substr(2, eq - 2)] = a.substr(eq + 1);
    } else if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
      flags_[a.substr(2)] = args[++i];
    } else {
      flags_[a.substr(2)] = "true";
    }
  }
}

Settings Settings::FromMain(std::string program, int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return Settings(std::move(program), std::move(args), [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  });
}

std::string Settings::EnvName(std::string_view flag) {
  std::string env = "HERALD_";
  for (char c : flag) env.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return env;
}

std::optional<std::string> Settings::Lookup(std::string_view name, std::string_view help, std::string_view fallback) {
  std::string key(name);
  declared_.push_back(key);
  usage_.push_back("  --" + key + " (" + EnvName(name) + ")  " + std::string(help) +
                   (fallback.empty() ? "" : " [default: " + std::string(fallback) + "]"));
  if (auto it = flags_.find(key); it != flags_.end()) return it->second;
  if (env_) {
    if (auto v = env_(EnvName(name))) return v;
  }
  return std::nullopt;
}

std::string Settings::String(std::string_view name, std::string fallback, std::string_view help) {
  auto v = Lookup(name, help, fallback);
  return v ? *v : fallback;
}

std::string Settings::Required(std::string_view name, std::string_view help) {
  auto v = Lookup(name, help, "");
  if (!v || v->empty()) {
    errors_.push_back("--" + std::string(name) + " (" + EnvName(name) + ") is required: " + std::string(help));
    return "";
  }
  return *v;
}

int64_t Settings::Int(std::string_view name, int64_t fallback, int64_t min, int64_t max, std::string_view help) {
  auto v = Lookup(name, help, std::to_string(fallback));
  if (!v) return fallback;
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || ptr != v->data() + v->size() || out < min || out > max) {
    errors_.push_back("--" + std::string(name) + "=" + *v + ": want an integer in [" + std::to_string(min) + ", " +
                      std::to_string(max) + "]");
    return fallback;
  }
  return out;
}

int Settings::Port(std::string_view name, int fallback, std::string_view help) {
  return static_cast<int>(Int(name, fallback, 0, 65535, help));
}

bool Settings::Bool(std::string_view name, bool fallback, std::string_view help) {
  auto v = Lookup(name, help, fallback ? "true" : "false");
  if (!v) return fallback;
  if (*v == "true" || *v == "1" || *v == "yes") return true;
  if (*v == "false" || *v == "0" || *v == "no") return false;
  errors_.push_back("--" + std::string(name) + "=" + *v + ": want true or false");
  return fallback;
}

std::string Settings::Choice(std::string_view name, std::string fallback, const std::vector<std::string>& choices,
                             std::string_view help) {
  auto v = Lookup(name, help, fallback);
  if (!v) return fallback;
  if (std::find(choices.begin(), choices.end(), *v) == choices.end()) {
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
    errors_.push_back("--" + std::string(name) + "=" + *v + ": want one of " + list);
    return fallback;
  }
  return *v;
}

std::vector<std::string> Settings::Errors() const {
  std::vector<std::string> all = errors_;
  for (const auto& [flag, value] : flags_) {
    if (std::find(declared_.begin(), declared_.end(), flag) == declared_.end()) {
      all.push_back("unknown flag --" + flag);
    }
  }
  return all;
}

std::string Settings::Usage() const {
  std::string out = "usage: " + program_ + " [--name=value ...]\n";
  for (const auto& line : usage_) out += line + "\n";
  return out;
}

void Settings::ExitOnError() const {
  if (help_) {
    std::fputs(Usage().c_str(), stdout);
    std::exit(0);
  }
  auto errors = Errors();
  if (errors.empty()) return;
  for (const auto& e : errors) std::fprintf(stderr, "%s: configuration error: %s\n", program_.c_str(), e.c_str());
  std::fprintf(stderr, "run %s --help for every setting\n", program_.c_str());
  std::exit(2);
}

std::optional<HostPort> ParseHostPort(std::string_view value) {
  auto colon = value.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  HostPort hp;
  hp.host = std::string(value.substr(0, colon));
  auto port = value.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), hp.port);
  if (ec != std::errc() || ptr != port.data() + port.size() || hp.port <= 0 || hp.port > 65535) return std::nullopt;
  return hp;
}

}  // namespace herald
