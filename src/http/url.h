// Percent-decoding of request paths and query strings (RFC 3986), and UTF-8 validation: Beast
// hands us the raw target and no library in our set decodes it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/encoding.h"

namespace onceonly::http {

// nullopt when a '%' is not followed by two hex digits or the result holds NUL or bad UTF-8.
std::optional<std::string> percentDecode(std::string_view s, bool plusIsSpace);
// Splits "a=1&b=two" into decoded pairs; nullopt when any part fails to decode.
std::optional<std::vector<std::pair<std::string, std::string>>> parseQuery(std::string_view q);
std::string percentEncode(std::string_view s);
using onceonly::isValidUtf8;  // core/encoding.h

}  // namespace onceonly::http
