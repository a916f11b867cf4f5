#include "core/page.h"

#include "core/encoding.h"

#include <cstring>

namespace onceonly {

std::string encodeCursor(const std::string& sort, bool descending, const nlohmann::json& value,
                         const std::string& id) {
  return base64url(nlohmann::json::array({sort, descending, value, id}).dump());
}

bool decodeCursor(const std::string& cursor, ListQuery& query) {
  if (cursor.size() > 2048) return false;
  auto raw = fromBase64url(cursor);
  if (!raw) return false;
  auto j = nlohmann::json::parse(*raw, nullptr, false);
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
