#pragma once
// Channels from one Herald service to another: TLS when configured, the
// service's own API key on every call, and — while the thread handles a
// request (auth::CurrentCaller) — the end user it acts for, so the callee
// authorises the call against that user's workspace and audits both.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "common/tls.h"

namespace herald {

struct ServiceClientOptions {
  // "hk_…": this service's identity (role service). Empty: calls carry none.
  std::string api_key;
  TlsFiles tls;
};

std::shared_ptr<grpc::Channel> DialService(const std::string& address, const ServiceClientOptions& options);

}  // namespace herald
