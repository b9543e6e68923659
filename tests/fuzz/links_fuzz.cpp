// What a tracked-link request and link creation take from outside: the
// destination URL, UTM values, the code in the path, the User-Agent and
// Referer headers, the client address. Invariants: a code that passes
// IsLinkCode is 8 alphanumerics; a destination that passes has no spaces;
// nothing crashes or grows without bound.
#include <cstdlib>
#include <string>

#include "campaign/links/link_rules.h"

using namespace herald::campaign;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  if (IsLinkCode(in) && in.size() != kCodeLength) std::abort();
  if (DestinationProblem(in).empty()) {
    if (in.find(' ') != std::string::npos || in.size() > kMaxUrlBytes) std::abort();
    v1::Utm utm;
    utm.set_source(in.substr(0, 200));
    utm.set_campaign(in.substr(in.size() / 2, 200));
    std::string target = WithUtm(in, utm);
    if (target.size() > 4 * in.size() + 2000) std::abort();
    (void)WithClickId(target, "k_0123456789abcdef01234567");
  }
  (void)ClassifyUserAgent(in);
  std::string origin = RefererOrigin(in);
  if (origin.size() > in.size()) std::abort();
  (void)DailyIpHash("secret", in, 1'800'000'000'000);
  (void)QueryEscape(in.substr(0, 4096));
  return 0;
}
