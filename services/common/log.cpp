#include "common/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "common/time_util.h"

namespace herald::log {
namespace {

std::string& ServiceName() {
  static std::string name = "herald";
  return name;
}

std::shared_ptr<spdlog::logger> Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_logger_mt("herald");
    l->set_pattern("%v");
    return l;
  }();
  return logger;
}

void Write(spdlog::level::level_enum level, std::string_view msg, nlohmann::json fields) {
  auto logger = Logger();
  if (!logger->should_log(level)) return;
  nlohmann::json line = nlohmann::json::object();
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  line["ts"] = FormatRfc3339(now);
  line["level"] = spdlog::level::to_string_view(level).data();
  line["service"] = ServiceName();
  line["msg"] = msg;
  if (fields.is_object()) {
    for (auto& [k, v] : fields.items()) line[k] = std::move(v);
  }
  logger->log(level, "{}", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

void Init(std::string_view service, std::string_view level) {
  ServiceName() = std::string(service);
  Logger()->set_level(spdlog::level::from_str(std::string(level)));
  Logger()->flush_on(spdlog::level::debug);
}

void Debug(std::string_view msg, nlohmann::json fields) { Write(spdlog::level::debug, msg, std::move(fields)); }
void Info(std::string_view msg, nlohmann::json fields) { Write(spdlog::level::info, msg, std::move(fields)); }
void Warn(std::string_view msg, nlohmann::json fields) { Write(spdlog::level::warn, msg, std::move(fields)); }
void Error(std::string_view msg, nlohmann::json fields) { Write(spdlog::level::err, msg, std::move(fields)); }

}  // namespace herald::log
