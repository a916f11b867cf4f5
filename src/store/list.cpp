#include "store/list.h"

namespace onceonly::store {

void appendKeyset(std::string& where, Args& args, const std::string& column, const ListQuery& query,
                  const std::string& idColumn) {
  if (!query.afterValue || !query.afterId) return;
  const char* op = query.descending ? "<" : ">";
  Value v;
  if (query.afterValue->is_number_integer())
    v = query.afterValue->get<std::int64_t>();
  else
    v = query.afterValue->get<std::string>();
  where += " AND (" + column + " " + op + " ? OR (" + column + " = ? AND " + idColumn + " " + op +
           " ?))";
  args.push_back(v);
  args.push_back(v);
  args.push_back(*query.afterId);
}

std::string orderAndLimit(const std::string& column, const ListQuery& query,
                          const std::string& idColumn) {
  const char* dir = query.descending ? " DESC" : " ASC";
  return " ORDER BY " + column + dir + ", " + idColumn + dir + " LIMIT " +
         std::to_string(query.limit + 1);
}

std::string asciiLower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string prefixPattern(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

std::string containsPattern(const std::string& s) {
  return "%" + prefixPattern(s);
}

}  // namespace onceonly::store
