// Structured logging over spdlog. Each line is an event name plus fields; with log_json the line
// is one JSON object (time, level, msg, fields...), otherwise "msg key=value ...". Callers never
// pass secrets or personal identifiers in clear: mask them first (see identity::maskResidentId).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace onceonly::log {

enum class Level { Trace, Debug, Info, Warn, Error };

// Safe to call more than once (tests); thread-safe afterwards.
void init(std::string_view level, bool json);
void write(Level level, std::string_view msg,
           const nlohmann::json& fields = nlohmann::json::object());
bool enabled(Level level);

inline void debug(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  write(Level::Debug, m, f);
}
inline void info(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  write(Level::Info, m, f);
}
inline void warn(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  write(Level::Warn, m, f);
}
inline void error(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  write(Level::Error, m, f);
}

}  // namespace onceonly::log
