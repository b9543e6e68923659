#pragma once
// Structured logs: one JSON object per line on stderr, e.g.
// {"ts":"...","level":"info","service":"scheduler","msg":"post dispatched","post_id":"p_..."}
#include <nlohmann/json.hpp>
#include <string_view>

namespace herald::log {

void Init(std::string_view service, std::string_view level);
void Debug(std::string_view msg, nlohmann::json fields = nlohmann::json::object());
void Info(std::string_view msg, nlohmann::json fields = nlohmann::json::object());
void Warn(std::string_view msg, nlohmann::json fields = nlohmann::json::object());
void Error(std::string_view msg, nlohmann::json fields = nlohmann::json::object());

}  // namespace herald::log
