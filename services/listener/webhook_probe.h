#pragma once
// What the listener's webhook intake reports: each delivery's result as an
// enum, every series made up front.
#include <array>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace herald::listener {

enum class WebhookResult { kAccepted, kDuplicate, kBadSignature, kBadRequest, kRetryLater, kError };
inline constexpr int kWebhookResults = 6;

class WebhookProbe {
 public:
  explicit WebhookProbe(prometheus::Registry& registry);
  void Handled(WebhookResult result) { counters_[static_cast<int>(result)]->Increment(); }

 private:
  prometheus::Family<prometheus::Counter>& family_;
  std::array<prometheus::Counter*, kWebhookResults> counters_{};
};

}  // namespace herald::listener
