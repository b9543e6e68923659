// URLs callers give for webhooks and channels, judged by the egress policy
// (names resolve through a stub: no lookup leaves the process).
#include "common/egress.h"

using namespace herald;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const EgressPolicy policy({}, [](const std::string& host) -> absl::StatusOr<std::vector<IpAddress>> {
    if (auto ip = IpAddress::Parse(host)) return std::vector<IpAddress>{*ip};
    if (host.size() % 2) return std::vector<IpAddress>{*IpAddress::Parse("10.0.0.1")};
    return std::vector<IpAddress>{*IpAddress::Parse("93.184.216.34")};
  });
  std::string url(reinterpret_cast<const char*>(data), size);
  (void)policy.Check(url);
  (void)Cidr::Parse(url);
  (void)EgressPolicy::FromFlag(url);
  return 0;
}
