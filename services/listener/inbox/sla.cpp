#include "listener/inbox/sla.h"

#include <algorithm>
#include <cmath>

namespace herald::listener {

namespace {

using Kind = ConversationEvent::Kind;
using State = SlaTarget::State;

// A target whose clock has stopped at `used`.
SlaTarget Finished(int64_t used, int64_t target) {
  SlaTarget t;
  t.used_ms = used;
  t.state = used <= target ? State::kMet : State::kMissed;
  t.breached = used > target;
  return t;
}

// A target whose clock is running since `since`, `already` ms counted before.
SlaTarget Running(const SlaPolicy& policy, const BusinessHours& hours, int64_t already, int64_t since, int64_t target,
                  int64_t now) {
  SlaTarget t;
  t.state = State::kRunning;
  t.used_ms = already + hours.Elapsed(since, now);
  t.due_ms = already >= target ? since : hours.Add(since, target - already);
  const auto warn_after = static_cast<int64_t>(std::ceil(policy.warn_at * static_cast<double>(target)));
  t.warn_ms = already >= warn_after ? since : hours.Add(since, warn_after - already);
  t.breached = t.used_ms >= target;
  t.warning = !t.breached && static_cast<double>(t.used_ms) >= policy.warn_at * static_cast<double>(target);
  return t;
}

}  // namespace

SlaReport EvaluateSla(const SlaPolicy& policy, const BusinessHours& hours, const std::vector<ConversationEvent>& in,
                      int64_t now_ms) {
  std::vector<ConversationEvent> events;
  for (const auto& e : in) {
    if (e.at_ms <= now_ms) events.push_back(e);  // the future has not happened yet
  }
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
  const SlaTargets& targets = policy.targets;
  SlaReport report;

  bool started = false, first_answered = false;
  int64_t first_customer = 0;
  // Next response: a wait opened by a customer message that found the conversation answered.
  bool awaiting_next = false;
  int64_t next_since = 0;
  // Resolution: counted while open and not waiting on the customer.
  enum class Res { kIdle, kCounting, kPaused, kClosed } res = Res::kIdle;
  int64_t res_used = 0, res_since = 0;

  for (const auto& e : events) {
    switch (e.kind) {
      case Kind::kCustomerMessage:
        if (!started) {
          started = true;
          first_customer = e.at_ms;
        } else if (first_answered && !awaiting_next) {
          awaiting_next = true;
          next_since = e.at_ms;
        }
        if (res != Res::kCounting) {  // first message, the customer answered, or a reopen
          res = Res::kCounting;
          res_since = e.at_ms;
        }
        break;
      case Kind::kAgentReply:
        if (!started) break;  // an outbound first message: nothing to answer yet
        if (!first_answered) {
          first_answered = true;
          if (targets.first_response_ms > 0) {
            report.first_response =
                Finished(hours.Elapsed(first_customer, e.at_ms), targets.first_response_ms);
          }
        } else if (awaiting_next) {
          int64_t waited = hours.Elapsed(next_since, e.at_ms);
          report.next_response_times.push_back(waited);
          if (targets.next_response_ms > 0 && waited > targets.next_response_ms) ++report.next_response_misses;
        }
        awaiting_next = false;
        break;
      case Kind::kWaitingOnCustomer:
        if (res == Res::kCounting) {
          res_used += hours.Elapsed(res_since, e.at_ms);
          res = Res::kPaused;
        }
        break;
      case Kind::kClosed:
        if (res == Res::kCounting) res_used += hours.Elapsed(res_since, e.at_ms);
        if (res != Res::kIdle) res = Res::kClosed;
        awaiting_next = false;
        break;
    }
  }

  if (started && !first_answered && targets.first_response_ms > 0) {
    report.first_response = Running(policy, hours, 0, first_customer, targets.first_response_ms, now_ms);
  }
  if (targets.next_response_ms > 0) {
    if (awaiting_next) {
      report.next_response = Running(policy, hours, 0, next_since, targets.next_response_ms, now_ms);
    } else if (!report.next_response_times.empty()) {
      report.next_response = Finished(report.next_response_times.back(), targets.next_response_ms);
    }
  }
  if (targets.resolution_ms > 0) {
    switch (res) {
      case Res::kIdle:
        break;
      case Res::kCounting:
        report.resolution = Running(policy, hours, res_used, res_since, targets.resolution_ms, now_ms);
        break;
      case Res::kPaused:
        report.resolution.state = State::kPaused;
        report.resolution.used_ms = res_used;
        report.resolution.breached = res_used >= targets.resolution_ms;
        break;
      case Res::kClosed:
        report.resolution = Finished(res_used, targets.resolution_ms);
        break;
    }
  }
  return report;
}

}  // namespace herald::listener
