#pragma once
// Settings come from --flags or HERALD_* environment variables (a flag wins).
// Every setting is declared with its default and help text; problems are
// collected, and ExitOnError() stops the process naming each bad setting.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald {

class Settings {
 public:
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

  Settings(std::string program, std::vector<std::string> args, EnvLookup env);
  static Settings FromMain(std::string program, int argc, char** argv);

  std::string String(std::string_view name, std::string fallback, std::string_view help);
  // A setting with no default: missing is an error.
  std::string Required(std::string_view name, std::string_view help);
  int64_t Int(std::string_view name, int64_t fallback, int64_t min, int64_t max, std::string_view help);
  int Port(std::string_view name, int fallback, std::string_view help);
  bool Bool(std::string_view name, bool fallback, std::string_view help);
  // One of `choices`.
  std::string Choice(std::string_view name, std::string fallback, const std::vector<std::string>& choices,
                     std::string_view help);
  // For checks that span settings, or parse a value further.
  void AddError(std::string error) { errors_.push_back(std::move(error)); }

  // Errors so far, plus flags nobody declared.
  std::vector<std::string> Errors() const;
  bool help_requested() const { return help_; }
  std::string Usage() const;
  // Prints usage on --help (exit 0) or every error (exit 2).
  void ExitOnError() const;

  static std::string EnvName(std::string_view flag);

 private:
  std::optional<std::string> Lookup(std::string_view name, std::string_view help, std::string_view fallback);

  std::string program_;
  std::map<std::string, std::string> flags_;
  EnvLookup env_;
  bool help_ = false;
  std::vector<std::string> errors_;
  std::vector<std::string> declared_;
  std::vector<std::string> usage_;
};

// "host:port" split; errors name the setting.
struct HostPort {
  std::string host;
  int port = 0;
};
std::optional<HostPort> ParseHostPort(std::string_view value);

}  // namespace herald
