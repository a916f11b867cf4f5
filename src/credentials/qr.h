// A QR code as SVG: libqrencode makes the matrix (byte mode, error correction level L); this
// draws it, dark modules as one path, with the four-module quiet zone the standard asks for.
#pragma once

#include <string>
#include <string_view>

namespace onceonly::credentials {

// std::invalid_argument when the text does not fit in a QR code (over 2,953 bytes at level L).
std::string qrSvg(std::string_view text, std::string_view title);

}  // namespace onceonly::credentials
