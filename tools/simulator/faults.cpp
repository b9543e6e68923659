#include "simulator/faults.h"

#include <utility>

namespace herald::sim {

const char* Faults::Name(Action action) {
  switch (action) {
    case Action::kNone: return "";
    case Action::kError: return "error";
    case Action::kReset: return "reset";
    case Action::kTimeout: return "timeout";
    case Action::kClose: return "close";
    case Action::kAfterPostError: return "after_error";
  }
  return "";
}

void Faults::Set(const FaultPlan& plan) {
  std::lock_guard lock(mu_);
  plan_ = plan;
}

FaultPlan Faults::plan() const {
  std::lock_guard lock(mu_);
  return plan_;
}

Faults::Action Faults::Roll() {
  std::lock_guard lock(mu_);
  double r = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  Action action = Action::kNone;
  for (auto [rate, a] : {std::pair{plan_.error_rate, Action::kError}, std::pair{plan_.reset_rate, Action::kReset},
                         std::pair{plan_.timeout_rate, Action::kTimeout}, std::pair{plan_.close_rate, Action::kClose},
                         std::pair{plan_.after_error_rate, Action::kAfterPostError}}) {
    if (r < rate) {
      action = a;
      break;
    }
    r -= rate;
  }
  ++fired_[static_cast<int>(action)];
  return action;
}

std::string Faults::Update(const nlohmann::json& body) {
  if (!body.is_object()) return "want a JSON object";
  FaultPlan next = plan();
  for (const char* rate : {"error_rate", "reset_rate", "timeout_rate", "close_rate", "after_error_rate"}) {
    if (!body.contains(rate)) continue;
    if (!body[rate].is_number() || body[rate].get<double>() < 0 || body[rate].get<double>() > 1) {
      return std::string(rate) + ": want a number in [0, 1]";
    }
  }
  for (const char* ms : {"latency_ms", "timeout_hold_ms"}) {
    if (body.contains(ms) && (!body[ms].is_number_integer() || body[ms].get<int>() < 0 || body[ms].get<int>() > 600000)) {
      return std::string(ms) + ": want an integer in [0, 600000]";
    }
  }
  next.error_rate = body.value("error_rate", next.error_rate);
  next.reset_rate = body.value("reset_rate", next.reset_rate);
  next.timeout_rate = body.value("timeout_rate", next.timeout_rate);
  next.close_rate = body.value("close_rate", next.close_rate);
  next.after_error_rate = body.value("after_error_rate", next.after_error_rate);
  next.latency_ms = body.value("latency_ms", next.latency_ms);
  next.timeout_hold_ms = body.value("timeout_hold_ms", next.timeout_hold_ms);
  if (next.error_rate + next.reset_rate + next.timeout_rate + next.close_rate + next.after_error_rate > 1) {
    return "the rates add up to more than 1";
  }
  Set(next);
  return "";
}

nlohmann::json Faults::ToJson() const {
  std::lock_guard lock(mu_);
  const FaultPlan& p = plan_;
  return {{"latency_ms", p.latency_ms},
          {"error_rate", p.error_rate},
          {"reset_rate", p.reset_rate},
          {"timeout_rate", p.timeout_rate},
          {"close_rate", p.close_rate},
          {"after_error_rate", p.after_error_rate},
          {"timeout_hold_ms", p.timeout_hold_ms},
          {"fired",
           {{"error", fired_[static_cast<int>(Action::kError)]},
            {"reset", fired_[static_cast<int>(Action::kReset)]},
            {"timeout", fired_[static_cast<int>(Action::kTimeout)]},
            {"close", fired_[static_cast<int>(Action::kClose)]},
            {"after_error", fired_[static_cast<int>(Action::kAfterPostError)]}}}};
}

}  // namespace herald::sim
