#include "core/encoding.h"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

namespace onceonly {

std::string base64url(std::string_view bytes) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::string> fromBase64url(std::string_view text) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

}  // namespace onceonly
