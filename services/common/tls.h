#pragma once
// TLS for gRPC, configured by file paths (Kubernetes Secrets, cert-manager).
// One certificate per service serves both sides: the server presents it, and
// clients present it to peers that require client certificates (mTLS).
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace herald {

struct TlsFiles {
  std::string cert_file;  // PEM certificate chain; empty: plaintext
  std::string key_file;   // PEM private key
  std::string ca_file;    // PEM roots that peers' certificates must chain to
  // Server side: refuse clients without a certificate signed by ca_file.
  bool require_client_cert = false;

  bool server_enabled() const { return !cert_file.empty(); }
  bool client_enabled() const { return !ca_file.empty(); }
};

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(const TlsFiles& tls);
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(const TlsFiles& tls);

}  // namespace herald
