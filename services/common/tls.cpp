#include "common/tls.h"

#include <fstream>
#include <sstream>

namespace herald {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(std::string(what) + ": cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(std::string(what) + ": " + path + " holds no PEM block");
  }
  return ss.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(const TlsFiles& tls) {
  if (!tls.server_enabled()) return grpc::InsecureServerCredentials();
  auto cert = ReadPem(tls.cert_file, "tls-cert-file");
  if (!cert.ok()) return cert.status();
  auto key = ReadPem(tls.key_file, "tls-key-file");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options(tls.require_client_cert
                                                ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                                : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (tls.require_client_cert) {
    auto ca = ReadPem(tls.ca_file, "tls-ca-file");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
  }
  options.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(const TlsFiles& tls) {
  if (!tls.client_enabled()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  auto ca = ReadPem(tls.ca_file, "tls-ca-file");
  if (!ca.ok()) return ca.status();
  options.pem_root_certs = *ca;
  if (!tls.cert_file.empty()) {
    auto cert = ReadPem(tls.cert_file, "tls-cert-file");
    if (!cert.ok()) return cert.status();
    auto key = ReadPem(tls.key_file, "tls-key-file");
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *cert;
    options.pem_private_key = *key;
  }
  return grpc::SslCredentials(options);
}

}  // namespace herald
