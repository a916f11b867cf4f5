#include "core/page.h"

#include <sodium.h>

#include <cstring>

namespace onceonly {

std::string encodeCursor(const std::string& sort, bool descending, const nlohmann::json& value,
                         const std::string& id) {
  std::string raw = nlohmann::json::array({sort, descending, value, id}).dump();
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool decodeCursor(const std::string& cursor, ListQuery& query) {
  if (cursor.size() > 2048) return false;
  std::string raw(cursor.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), cursor.data(),
                        cursor.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != cursor.data() + cursor.size())
    return false;
  raw.resize(len);
  auto j = nlohmann::json::parse(raw, nullptr, false);
  if (!j.is_array() || j.size() != 4 || !j[0].is_string() || !j[1].is_boolean() ||
      !j[3].is_string())
    return false;
  if (j[0].get<std::string>() != query.sort || j[1].get<bool>() != query.descending) return false;
  if (!j[2].is_string() && !j[2].is_number_integer()) return false;
  query.afterValue = j[2];
  query.afterId = j[3].get<std::string>();
  return true;
}

}  // namespace onceonly
