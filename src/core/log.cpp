#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "core/time.h"

namespace onceonly::log {
namespace {

std::atomic<bool> gJson{false};

spdlog::level::level_enum toSpd(Level l) {
  switch (l) {
    case Level::Trace:
      return spdlog::level::trace;
    case Level::Debug:
      return spdlog::level::debug;
    case Level::Info:
      return spdlog::level::info;
    case Level::Warn:
      return spdlog::level::warn;
    case Level::Error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> logger() {
  static std::shared_ptr<spdlog::logger> kLogger = [] {
    auto l = std::make_shared<spdlog::logger>("onceonly",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::info);
    l->flush_on(spdlog::level::info);
    return l;
  }();
  return kLogger;
}

}  // namespace

void init(std::string_view level, bool json) {
  gJson = json;
  logger()->set_level(spdlog::level::from_str(std::string(level)));
}

bool enabled(Level level) {
  return logger()->should_log(toSpd(level));
}

void write(Level level, std::string_view msg, const nlohmann::json& fields) {
  auto l = logger();
  if (!l->should_log(toSpd(level))) return;
  static constexpr const char* kNames[] = {"trace", "debug", "info", "warn", "error"};
  const char* name = kNames[static_cast<int>(level)];
  std::string line;
  if (gJson) {
    nlohmann::json j = {{"time", nowRfc3339()}, {"level", name}, {"msg", msg}};
    if (fields.is_object())
      for (const auto& [k, v] : fields.items()) j[k] = v;
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = nowRfc3339() + " " + name + " " + std::string(msg);
    if (fields.is_object()) {
      for (const auto& [k, v] : fields.items()) {
        line += " " + k + "=" +
                (v.is_string() ? v.get<std::string>()
                               : v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      }
    }
  }
  l->log(toSpd(level), line);
}

}  // namespace onceonly::log
