// Time as the API shows it: RFC 3339 in UTC with millisecond precision
// ("2026-11-22T08:00:00.000Z"). Stored the same way, so text order is time order on every database.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace onceonly {

using Clock = std::chrono::system_clock;

std::string toRfc3339(Clock::time_point t);
std::string nowRfc3339();
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff]Z" and numeric offsets; nullopt when malformed.
std::optional<Clock::time_point> parseRfc3339(std::string_view s);

}  // namespace onceonly
