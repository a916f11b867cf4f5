#include "store/list.h"

#include <algorithm>

#include "core/error.h"

namespace onceonly::store {

void Where::add(const std::string& clause, Args values) {
  sql += " AND " + clause;
  for (auto& v : values) args.push_back(std::move(v));
}

void Where::compare(const std::string& column, const char* op,
                    const std::optional<std::string>& v) {
  if (v) add(column + " " + op + " ?", {*v});
}

void Where::within(const std::string& pathColumn, const std::optional<std::string>& path) {
  if (path) add(pathColumn + " LIKE ? ESCAPE '\\'", {prefixPattern(*path)});
}

void Where::search(const std::vector<std::string>& columns,
                   const std::optional<std::string>& text) {
  if (!text || columns.empty()) return;
  // Both sides lower-cased: SQLite's LIKE ignores ASCII case on its own, PostgreSQL's does not.
  std::string clause = "(";
  Args values;
  for (const auto& c : columns) {
    clause += (values.empty() ? "LOWER(" : " OR LOWER(") + c + ") LIKE ? ESCAPE '\\'";
    values.push_back(containsPattern(asciiLower(*text)));
  }
  add(clause + ")", std::move(values));
}

void insertMany(Connection& c, const std::string& table, const std::vector<std::string>& columns,
                const std::vector<Args>& rows, std::size_t rowsPerStatement) {
  std::string head = "INSERT INTO " + table + " (";
  std::string tuple = "(";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    head += (i ? ", " : "") + columns[i];
    tuple += i ? ", ?" : "?";
  }
  head += ") VALUES ";
  tuple += ")";
  // SQLite runs one prepared single-row insert per row fastest; PostgreSQL is a round trip per
  // statement, so it gets many rows per statement.
  if (c.dialect() == Dialect::Sqlite) {
    c.execEach(head + tuple, rows);
    return;
  }
  for (std::size_t start = 0; start < rows.size(); start += rowsPerStatement) {
    std::size_t end = std::min(rows.size(), start + rowsPerStatement);
    std::string sql = head;
    Args args;
    args.reserve((end - start) * columns.size());
    for (std::size_t r = start; r < end; ++r) {
      sql += (r == start ? "" : ", ") + tuple;
      for (const auto& v : rows[r]) args.push_back(v);
    }
    c.exec(sql, args);
  }
}

void appendKeyset(Where& where, const std::string& column, const ListQuery& query,
                  const std::string& idColumn, KeyKind kind) {
  if (!query.afterValue || !query.afterId) return;
  const std::string op = query.descending ? " < " : " > ";
  Value v;
  if (kind == KeyKind::integer && query.afterValue->is_number_integer())
    v = query.afterValue->get<std::int64_t>();
  else if (kind == KeyKind::text && query.afterValue->is_string())
    v = query.afterValue->get<std::string>();
  else
    throw invalidField(FieldLocation::Query, "cursor", "field.cursor");
  where.add("(" + column + op + "? OR (" + column + " = ? AND " + idColumn + op + "?))",
            {v, v, *query.afterId});
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
