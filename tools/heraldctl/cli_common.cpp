#include "heraldctl/cli_common.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "common/csv.h"
#include "common/grpc_client.h"
#include "common/time_util.h"

namespace heraldctl {

namespace {

// "key: value" lines of the config file (HERALD_CONFIG or ~/.config/heraldctl/config).
std::map<std::string, std::string> ReadConfig(const Args& args) {
  std::string path = args.Get("config", "HERALD_CONFIG", "");
  if (path.empty()) {
    const char* home = std::getenv("HOME");
    if (!home) return {};
    path = std::string(home) + "/.config/heraldctl/config";
  }
  std::map<std::string, std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.pop_back();
    out[line.substr(0, colon)] = value;
  }
  return out;
}

}  // namespace

std::string Setting(const Args& args, const std::string& flag, const std::string& env, const std::string& fallback) {
  if (auto v = args.Get(flag)) return *v;
  if (const char* e = std::getenv(env.c_str()); e && *e) return e;
  auto config = ReadConfig(args);
  if (auto it = config.find(flag); it != config.end()) return it->second;
  return fallback;
}

std::shared_ptr<grpc::Channel> Dial(const Args& args, const std::string& flag, const std::string& env,
                                    const std::string& fallback) {
  herald::ServiceClientOptions options;
  options.api_key = Setting(args, "api-key", "HERALD_API_KEY", "");
  options.tls.ca_file = Setting(args, "tls-ca-file", "HERALD_TLS_CA_FILE", "");
  return herald::DialService(Setting(args, flag, env, fallback), options);
}

// "+90s", "+5m", "+2h", "+30d" or RFC 3339 → unix ms.
std::optional<int64_t> ParseTime(const std::string& s) {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  if (s == "now") return now;
  if (s.size() > 2 && (s[0] == '+' || s[0] == '-')) {
    char unit = s.back();
    int64_t n = std::atoll(s.substr(1, s.size() - 2).c_str());
    int64_t mult = unit == 's' ? 1000 : unit == 'm' ? 60000 : unit == 'h' ? 3600000 : unit == 'd' ? 86400000 : 0;
    if (mult == 0 || n <= 0) return std::nullopt;
    return s[0] == '+' ? now + n * mult : now - n * mult;
  }
  google::protobuf::Timestamp ts;
  if (!google::protobuf::util::TimeUtil::FromString(s, &ts)) return std::nullopt;
  return herald::ToMs(ts);
}

void Deadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(15));
}

int Fail(const grpc::Status& s) {
  static const char* kNames[] = {"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
                                 "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
                                 "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss",
                                 "Unauthenticated"};
  int code = static_cast<int>(s.error_code());
  std::cerr << "Error from server (" << (code >= 0 && code <= 16 ? kNames[code] : "Unknown")
            << "): " << s.error_message() << "\n";
  return 1;
}

void PrintJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  std::cout << out;
}

std::string When(const google::protobuf::Timestamp& ts) {
  return ts.seconds() == 0 ? "-" : herald::FormatRfc3339(herald::ToMs(ts));
}

std::string Lower(std::string s, const std::string& prefix) {
  if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::optional<std::vector<std::vector<std::string>>> ReadCsvFile(const std::string& path, std::string* error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    *error = "cannot read " + path;
    return std::nullopt;
  }
  std::stringstream text;
  text << file.rdbuf();
  auto rows = herald::ParseCsv(text.str());
  if (!rows.ok()) {
    *error = path + ": " + std::string(rows.status().message());
    return std::nullopt;
  }
  if (rows->empty()) {
    *error = path + ": no header row";
    return std::nullopt;
  }
  return std::move(*rows);
}

int BadUsage(const std::string& problem) {
  std::cerr << "error: " << problem << "\n";
  return 2;
}

}  // namespace heraldctl
