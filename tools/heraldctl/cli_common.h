#pragma once
// What every heraldctl command shares: the invocation, dialing a service,
// deadlines, kubectl-style errors and JSON output.
#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include "heraldctl/cli_args.h"

namespace heraldctl {

struct Ctx {
  const Args& args;
  std::string workspace;
  bool json = false;
};

// A flag, else its environment variable, else the config file's "flag: value"
// (--config, HERALD_CONFIG or ~/.config/heraldctl/config), else the fallback.
std::string Setting(const Args& args, const std::string& flag, const std::string& env, const std::string& fallback);
// A channel to a service carrying the caller's API key or JWT (--api-key,
// HERALD_API_KEY or the config file's api-key) and TLS roots (--tls-ca-file).
std::shared_ptr<grpc::Channel> Dial(const Args& args, const std::string& flag, const std::string& env,
                                    const std::string& fallback);
// "+90s", "+5m", "+2h", "+30d" (from now), "-7d" (ago), "now" or RFC 3339 → unix ms.
std::optional<int64_t> ParseTime(const std::string& s);
// Every call gets 15 s.
void Deadline(grpc::ClientContext& ctx);
// "Error from server (NotFound): ..." on stderr; returns the exit code 1.
int Fail(const grpc::Status& s);
void PrintJson(const google::protobuf::Message& m);
// RFC 3339, or "-" when unset.
std::string When(const google::protobuf::Timestamp& ts);
// "a,b" → {"a", "b"} (empty parts dropped).
std::vector<std::string> SplitCommas(const std::string& s);
// A CSV file's rows (header first, at least one row); nullopt with `error`
// set ("FILE: line 3, column 2: ...") when it cannot be read or parsed.
std::optional<std::vector<std::vector<std::string>>> ReadCsvFile(const std::string& path, std::string* error);
// "error: PROBLEM" on stderr; returns the usage exit code 2.
int BadUsage(const std::string& problem);
// "CHANNEL_STATUS_ACTIVE" → "active".
std::string Lower(std::string s, const std::string& prefix);

}  // namespace heraldctl
