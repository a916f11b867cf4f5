// base64url without padding (RFC 4648 §5), through libsodium: cursors, tokens and sealed values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onceonly {

std::string base64url(std::string_view bytes);
// nullopt unless the whole text is valid unpadded base64url.
std::optional<std::string> fromBase64url(std::string_view text);
// Well-formed UTF-8: no overlong forms, surrogates or code points past U+10FFFF.
bool isValidUtf8(std::string_view s);
// Characters (Unicode code points) in UTF-8 text: what a length limit counts, so that a Chinese
// name of 100 characters fits where 100 Latin letters do.
std::size_t utf8Length(std::string_view s);
// Whether the text has between min and max characters.
bool lengthWithin(std::string_view s, std::size_t min, std::size_t max);
// Standard base64 with padding (RFC 4648 §4), as signed notes and checkpoints use.
std::string base64(std::string_view bytes);
std::optional<std::string> fromBase64(std::string_view text);

// "a, b, c": the allowed values an error message lists.
std::string commaList(const std::vector<std::string>& items);

}  // namespace onceonly
