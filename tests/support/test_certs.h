#pragma once
// Certificates for tests, made with the openssl CLI: a CA and one
// certificate it signed for 127.0.0.1 and localhost, good for both server
// and client use (gRPC mTLS, Redis TLS).
#include <string>

namespace herald::testing {

struct TestCertificates {
  std::string ca_file;    // ca.pem
  std::string cert_file;  // cert.pem (SAN IP:127.0.0.1, DNS:localhost)
  std::string key_file;   // cert.key
};

// Makes them in `dir` (created); throws when openssl fails.
TestCertificates MakeTestCertificates(const std::string& dir);

}  // namespace herald::testing
