// The modules' migrations (src/<module>/migrations/NNNN_name[.sqlite|.pg].sql) and applying them
// in order, each in its own transaction, recorded in schema_migrations.
#include <algorithm>
#include <ctime>
#include <map>
#include <stdexcept>

#include "core/embedded.h"
#include "core/error.h"
#include "store/store.h"

namespace onceonly::store {
namespace {

constexpr long long kMigrationLockKey = 0x6f6e63656f6e6c;  // "onceonl": one migrator at a time

}  // namespace

std::vector<Migration> migrations(const std::vector<EmbeddedFile>& files, Dialect dialect) {
  std::map<int, Migration> byVersion;
  std::map<int, std::string> claimedBy;  // version → name, whatever the dialect
  for (const auto& file : files) {
    std::string name(file.name);
    auto slash = name.rfind('/');
    if (slash != std::string::npos) name = name.substr(slash + 1);
    if (name.size() < 6 || name[4] != '_' ||
        !std::all_of(name.begin(), name.begin() + 4, [](char c) { return c >= '0' && c <= '9'; }))
      throw std::logic_error("migration " + name + " is not named NNNN_name.sql");
    int version = std::stoi(name.substr(0, 4));
    std::string base = name.substr(5, name.find('.') - 5);
    auto [claim, fresh] = claimedBy.emplace(version, base);
    if (!fresh && claim->second != base)
      throw std::logic_error("migrations " + claim->second + " and " + base +
                             " both claim version " + std::to_string(version));
    bool sqliteOnly = name.ends_with(".sqlite.sql");
    bool pgOnly = name.ends_with(".pg.sql");
    if ((sqliteOnly && dialect != Dialect::Sqlite) || (pgOnly && dialect != Dialect::Postgres))
      continue;
    auto& m = byVersion[version];
    m.version = version;
    m.name = base;
    m.sql += std::string(file.content) + "\n";
  }
  std::vector<Migration> out;
  out.reserve(byVersion.size());
  for (auto& [v, m] : byVersion) out.push_back(std::move(m));
  return out;
}

namespace {

std::vector<std::string> splitStatements(const std::string& sql) {
  std::vector<std::string> out;
  std::string current;
  std::size_t pos = 0;
  while (pos < sql.size()) {
    auto end = sql.find('\n', pos);
    std::string line = sql.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? sql.size() : end + 1;
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
    current += line + "\n";
    auto last = line.find_last_not_of(" \t\r");
    if (line[last] == ';') {
      out.push_back(current);
      current.clear();
    }
  }
  if (current.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(current);
  return out;
}

}  // namespace

int Database::schemaVersion() {
  auto c = connect();
  try {
    auto row = c.queryOne("SELECT MAX(version) AS v FROM schema_migrations");
    return row ? static_cast<int>(row->integer("v")) : 0;
  } catch (const SqlError&) {
    return 0;  // no table yet
  }
}

int Database::migrate(const std::vector<EmbeddedFile>& files) {
  const auto pending = migrations(files, dialect());
  auto c = connect();
  bool pg = dialect() == Dialect::Postgres;
  if (pg) c.exec("SELECT pg_advisory_lock(?)", {static_cast<std::int64_t>(kMigrationLockKey)});
  int applied = 0;
  try {
    c.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT "
        "NULL, applied_at TEXT NOT NULL)");
    // A database whose history this build does not share (made by a development build whose
    // migrations were since folded together, or by a newer release) is left untouched.
    for (const auto& r : c.query("SELECT version, name FROM schema_migrations ORDER BY version")) {
      auto known = std::find_if(pending.begin(), pending.end(), [&](const Migration& m) {
        return m.version == r.integer("version");
      });
      if (known == pending.end() || known->name != r.text("name"))
        throw std::runtime_error("the database was migrated by another build: its migration " +
                                 std::to_string(r.integer("version")) + " '" + r.text("name") +
                                 "' is not one this build has; use a database this build made, "
                                 "or an empty one");
    }
    for (const auto& m : pending) {
      c.begin();
      try {
        auto done = c.queryOne("SELECT version FROM schema_migrations WHERE version = ?",
                               {static_cast<std::int64_t>(m.version)});
        if (done) {
          c.rollback();
          continue;
        }
        for (const auto& stmt : splitStatements(m.sql)) c.exec(stmt);
        std::time_t now = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&now, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
        c.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
               {static_cast<std::int64_t>(m.version), m.name, std::string(buf)});
        c.commit();
        ++applied;
      } catch (...) {
        c.rollback();
        throw;
      }
    }
  } catch (...) {
    if (pg) c.exec("SELECT pg_advisory_unlock(?)", {static_cast<std::int64_t>(kMigrationLockKey)});
    forgetPreparedStatements();
    throw;
  }
  if (pg) c.exec("SELECT pg_advisory_unlock(?)", {static_cast<std::int64_t>(kMigrationLockKey)});
  if (applied > 0) forgetPreparedStatements();
  return applied;
}

}  // namespace onceonly::store
