// SQL for keyset pagination, shared by every repository: a WHERE fragment that continues after
// the last (sort value, id) and the ORDER BY that matches it. Column names come from each
// repository's own allow-list, never from the request.
#pragma once

#include <string>

#include "core/page.h"
#include "store/store.h"

namespace onceonly::store {

// Appends " AND (col > ? OR (col = ? AND id > ?))" (or < for descending) when the query has a
// position, binding its values.
void appendKeyset(std::string& where, Args& args, const std::string& column, const ListQuery& query,
                  const std::string& idColumn = "id");
// " ORDER BY col ASC, id ASC LIMIT n+1": one extra row tells whether another page exists.
std::string orderAndLimit(const std::string& column, const ListQuery& query,
                          const std::string& idColumn = "id");
// A LIKE pattern matching text that contains s, with LIKE's wildcards escaped ('\' is the
// escape character: use "LIKE ? ESCAPE '\'").
std::string containsPattern(const std::string& s);
// ASCII letters lower-cased, other bytes kept: matches LOWER() on both databases for the
// characters SQLite's LOWER() knows, and leaves Chinese text alone.
std::string asciiLower(std::string s);
// A LIKE pattern matching text that starts with s (same escaping).
std::string prefixPattern(const std::string& s);

}  // namespace onceonly::store
