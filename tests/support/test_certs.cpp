#include "support/test_certs.h"

#include <cstdlib>
#include <stdexcept>

namespace herald::testing {

TestCertificates MakeTestCertificates(const std::string& dir) {
  std::string cmd = "mkdir -p '" + dir + "' && cd '" + dir +
                    "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
                    "-subj /CN=herald-test-ca -keyout ca.key -out ca.pem 2>/dev/null"
                    " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=herald "
                    "-keyout cert.key -out cert.csr 2>/dev/null"
                    " && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth,clientAuth\\n' > ext"
                    " && openssl x509 -req -in cert.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
                    "-extfile ext -out cert.pem 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl could not make the test certificates");
  return TestCertificates{dir + "/ca.pem", dir + "/cert.pem", dir + "/cert.key"};
}

}  // namespace herald::testing
