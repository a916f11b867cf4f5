// SQL for keyset pagination, shared by every repository: a WHERE fragment that continues after
// the last (sort value, id) and the ORDER BY that matches it. Column names come from each
// repository's own allow-list, never from the request.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/page.h"
#include "store/store.h"

namespace onceonly::store {

// The WHERE clause of a list, built from optional filters; every value is bound.
struct Where {
  std::string sql = " WHERE 1 = 1";
  Args args;

  // " AND <clause>" with its values, in order.
  void add(const std::string& clause, Args values);
  // " AND column <op> ?" when the value is set.
  void compare(const std::string& column, const char* op, const std::optional<std::string>& v);
  void eq(const std::string& column, const std::optional<std::string>& v) {
    compare(column, "=", v);
  }
  // Rows whose materialised path starts with the given one (a subtree).
  void within(const std::string& pathColumn, const std::optional<std::string>& path);
  // Any of the columns contains the text, ASCII case ignored.
  void search(const std::vector<std::string>& columns, const std::optional<std::string>& text);
};

// Inserts many rows: on SQLite one prepared statement run for each row, on PostgreSQL multi-row
// VALUES statements (rowsPerStatement at a time); each several times faster than a statement
// prepared per row.
void insertMany(Connection& c, const std::string& table, const std::vector<std::string>& columns,
                const std::vector<Args>& rows, std::size_t rowsPerStatement = 200);

// Appends " AND (col > ? OR (col = ? AND id > ?))" (or < for descending) when the query has a
// position, binding its values. Cursors come from clients: a position whose value is not of the
// column's kind is a 400 field.cursor, never a comparison the database refuses.
enum class KeyKind { text, integer };
void appendKeyset(Where& where, const std::string& column, const ListQuery& query,
                  const std::string& idColumn = "id", KeyKind kind = KeyKind::text);
// " ORDER BY col ASC, id ASC LIMIT n+1": one extra row tells whether another page exists.
std::string orderAndLimit(const std::string& column, const ListQuery& query,
                          const std::string& idColumn = "id");
// One column a list sorts by: its API name, the SQL it orders by, and the item's value there
// (for the cursor of the next page).
template <class T>
struct SortColumn {
  std::string name;
  std::string sql;
  std::function<nlohmann::json(const T&)> value;
  KeyKind kind = KeyKind::text;
};

// A list's sort columns, the first its default.
template <class T>
class SortColumns {
 public:
  explicit SortColumns(std::vector<SortColumn<T>> columns, bool defaultDescending = false)
      : columns_(std::move(columns)) {
    sorting_.defaultDescending = defaultDescending;
    for (const auto& c : columns_) sorting_.columns.push_back(c.name);
  }
  const Sorting& sorting() const { return sorting_; }
  // The column the query sorts by, setting the default when it names none. The API checked the
  // name against sorting(); another is a bug.
  const SortColumn<T>& of(ListQuery& query) const {
    if (query.sort.empty()) {
      query.sort = columns_.front().name;
      query.descending = sorting_.defaultDescending;
    }
    for (const auto& c : columns_)
      if (c.name == query.sort) return c;
    throw std::logic_error("unchecked sort column " + query.sort);
  }

 private:
  std::vector<SortColumn<T>> columns_;
  Sorting sorting_;
};

// One page of a list: counts the rows `where` selects, then reads one row more than the limit
// after the query's position (keyset on the sort column and the id) and, when that row exists,
// drops it and hands out the cursor after the last row shown. T has an `id`.
template <class T, class FromRow>
Page<T> fetchPage(Connection& c, const std::string& columns, const std::string& from, Where where,
                  ListQuery query, const SortColumns<T>& sortable, const std::string& idColumn,
                  FromRow fromRow) {
  const auto& col = sortable.of(query);
  Page<T> page;
  page.total = c.queryOne("SELECT COUNT(*) AS n" + from + where.sql, where.args)->integer("n");
  appendKeyset(where, col.sql, query, idColumn, col.kind);
  std::string sql = "SELECT ";
  sql.append(columns).append(from).append(where.sql).append(
      orderAndLimit(col.sql, query, idColumn));
  for (const auto& r : c.query(sql, where.args)) page.items.push_back(fromRow(r));
  if (static_cast<int>(page.items.size()) > query.limit) {
    page.items.pop_back();
    const T& last = page.items.back();
    page.nextCursor = encodeCursor(query.sort, query.descending, col.value(last), last.id);
  }
  return page;
}

// The row "SELECT <columns><rest>" selects (rest: FROM and WHERE), made into a value by fromRow;
// nullopt when there is none.
template <class FromRow>
auto findOne(Database& db, const std::string& columns, const std::string& rest, const Args& args,
             FromRow fromRow) -> std::optional<decltype(fromRow(std::declval<const Row&>()))> {
  auto row = db.connect().queryOne("SELECT " + columns + rest, args);
  if (!row) return std::nullopt;
  return fromRow(*row);
}

// A LIKE pattern matching text that contains s, with LIKE's wildcards escaped ('\' is the
// escape character: use "LIKE ? ESCAPE '\'").
std::string containsPattern(const std::string& s);
// ASCII letters lower-cased, other bytes kept: matches LOWER() on both databases for the
// characters SQLite's LOWER() knows, and leaves Chinese text alone.
std::string asciiLower(std::string s);
// A LIKE pattern matching text that starts with s (same escaping).
std::string prefixPattern(const std::string& s);

}  // namespace onceonly::store
