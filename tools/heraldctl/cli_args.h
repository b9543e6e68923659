#pragma once
// kubectl-style arguments: positionals plus --flag value / --flag=value /
// -o json; flags may repeat (--channel a --channel b). Only known flags are
// taken: a mistyped one (--aproval) or a flag missing its value is an error,
// never silently ignored.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace heraldctl {

class Args {
 public:
  Args(int argc, char** argv);

  // The first problem with the command line ("" when none).
  const std::string& error() const { return error_; }
  const std::vector<std::string>& positionals() const { return positionals_; }
  std::string Positional(size_t i) const { return i < positionals_.size() ? positionals_[i] : ""; }
  // Last value of a flag, then the environment variable, then the fallback.
  std::string Get(const std::string& flag, const std::string& env, const std::string& fallback) const;
  std::optional<std::string> Get(const std::string& flag) const;
  std::vector<std::string> All(const std::string& flag) const;
  bool Has(const std::string& flag) const { return flags_.count(flag) > 0; }

 private:
  std::string error_;
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>> flags_;
};

}  // namespace heraldctl
