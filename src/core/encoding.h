// base64url without padding (RFC 4648 §5), through libsodium: cursors, tokens and sealed values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace onceonly {

std::string base64url(std::string_view bytes);
// nullopt unless the whole text is valid unpadded base64url.
std::optional<std::string> fromBase64url(std::string_view text);

}  // namespace onceonly
