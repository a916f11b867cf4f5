// One way to page, filter and sort every list in the API (see docs/api.md). Lists are ordered
// by a sort column and then by id, and a page continues after the last (value, id) it showed:
// keyset pagination, so pages stay stable while rows are added and cost the same deep in a list.
// The cursor is opaque to clients: base64url of a small JSON array.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace onceonly {

struct ListQuery {
  int limit = 50;    // 1..200
  std::string sort;  // a column the list allows; empty: the list's default
  bool descending = false;
  std::optional<std::string> q;  // free-text search where the list supports it
  // The position after which the page starts: the sort value and id of the last row shown.
  std::optional<nlohmann::json> afterValue;
  std::optional<std::string> afterId;
};

// What a list can be sorted by, as the API names it (?sort=name or -name); the first is the
// default. Each list has one, made by its repository with the SQL beside each name
// (store::SortColumns), so the API and the query cannot disagree.
struct Sorting {
  std::vector<std::string> columns;
  bool defaultDescending = false;
};

template <class T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> nextCursor;
  std::int64_t total = 0;
};

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 200;

std::string encodeCursor(const std::string& sort, bool descending, const nlohmann::json& value,
                         const std::string& id);
// Fills afterValue/afterId; false when the cursor is not one encodeCursor made for this sort.
bool decodeCursor(const std::string& cursor, ListQuery& query);

}  // namespace onceonly
