// The egress policy: what a webhook or channel URL may reach. Names resolve
// through a stub (no DNS query leaves the machine); literals the way the
// system decodes them. A refused URL is refused before any connection.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/egress.h"
#include "common/http_client.h"
#include "support/silent_listener.h"

namespace herald {
namespace {

absl::StatusOr<std::vector<IpAddress>> StubResolve(const std::string& host) {
  auto ip = [](const char* s) { return *IpAddress::Parse(s); };
  if (host == "metadata.internal") return std::vector<IpAddress>{ip("169.254.169.254")};
  if (host == "public.test") return std::vector<IpAddress>{ip("93.184.216.34")};
  if (host == "rebind.test") return std::vector<IpAddress>{ip("93.184.216.34"), ip("10.1.2.3")};
  if (host == "v6only.test") return std::vector<IpAddress>{ip("fd00::1")};
  // Numeric forms only: the system decodes them without asking DNS.
  if (host.find_first_not_of("0123456789abcdefABCDEFxX.:[]") == std::string::npos) return SystemResolve(host);
  return absl::UnavailableError("cannot resolve host");
}

TEST(Egress, RefusesEveryNonPublicAddressHoweverItIsWritten) {
  EgressPolicy policy({}, StubResolve);
  for (const char* url : {"http://127.0.0.1/", "http://127.1:6379/", "http://2130706433/", "http://0x7f000001/",
                          "http://017700000001/", "http://0x7f.0.0.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
                          "http://[::ffff:7f00:1]/", "http://[64:ff9b::a9fe:a9fe]/", "http://10.0.0.8/",
                          "http://172.16.3.4/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
                          "http://metadata.internal/", "http://[fd00::1]/", "http://v6only.test/",
                          "http://[fe80::1]/", "http://0.0.0.0/", "http://100.64.0.1/", "http://224.0.0.1/",
                          "https://rebind.test/hook"}) {
    auto t = policy.Check(url);
    EXPECT_EQ(t.status().code(), absl::StatusCode::kPermissionDenied) << url << " → " << t.status();
  }
  auto ok = policy.Check("https://public.test:8443/hook?x=1");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->port, 8443);
  EXPECT_EQ(ok->address.ToString(), "93.184.216.34");
}

TEST(Egress, RefusesCredentialsOtherSchemesAndBadPortsAsInvalid) {
  EgressPolicy policy({}, StubResolve);
  for (const char* url : {"http://user:pw@public.test/", "http://public.test@127.0.0.1/", "ftp://public.test/",
                          "file:///etc/passwd", "gopher://public.test/", "http://public.test:0/",
                          "http://public.test:99999/", "http:///path", "public.test/hook", "http://pub lic.test/",
                          "http://ex\xc3\xa4mple.test/", "http://public%2etest/", "http://public.test\\@10.0.0.1/"}) {
    EXPECT_EQ(policy.Check(url).status().code(), absl::StatusCode::kInvalidArgument) << url;
  }
}

TEST(Egress, AnAllowListOpensRangesOnPurpose) {
  auto policy = EgressPolicy::FromFlag("127.0.0.0/8,fd00::/8", StubResolve);
  ASSERT_TRUE(policy.ok());
  EXPECT_TRUE(policy->Check("http://127.0.0.1:8080/").ok());
  EXPECT_TRUE(policy->Check("http://v6only.test/").ok());
  EXPECT_FALSE(policy->Check("http://10.0.0.1/").ok());
  EXPECT_FALSE(EgressPolicy::FromFlag("10.0.0.0/33").ok());
  EXPECT_FALSE(EgressPolicy::FromFlag("not-a-cidr").ok());
}

TEST(Egress, SendHttpRefusesBeforeConnecting) {
  // A listener on loopback that sees whether anything connected.
  herald::testing::SilentListener listener;
  int port = listener.port();

  EgressPolicy::SetDefault(EgressPolicy({}, StubResolve));
  HttpRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  auto res = SendHttp(req);
  req.url = "http://metadata.internal/latest";
  auto metadata = SendHttp(req);
  EgressPolicy::SetDefault(std::nullopt);

  EXPECT_EQ(res.status().code(), absl::StatusCode::kPermissionDenied) << res.status();
  EXPECT_EQ(metadata.status().code(), absl::StatusCode::kPermissionDenied) << metadata.status();
  EXPECT_FALSE(listener.SomeoneConnected()) << "a connection reached the listener";
}

}  // namespace
}  // namespace herald
