#include "heraldctl/cli_common.h"

#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <iostream>

#include "common/time_util.h"

namespace heraldctl {

std::shared_ptr<grpc::Channel> Dial(const Args& args, const std::string& flag, const std::string& env,
                                    const std::string& fallback) {
  return grpc::CreateChannel(args.Get(flag, env, fallback), grpc::InsecureChannelCredentials());
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

}  // namespace heraldctl
