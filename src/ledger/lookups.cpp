// The log's lookups by subject and by leaf hash (see ledger_by_leaf and ledger_by_subject in
// docs/architecture.md): the tables a background thread fills behind the sequencer, and the
// reads that combine them with the entries it has not reached yet.
#include <algorithm>

#include "core/log.h"
#include "ledger/log.h"
#include "ledger/tile_store.h"
#include "store/store.h"

namespace onceonly::ledger {

std::vector<Log::StoredEntry> Log::entries(std::uint64_t from, std::size_t limit,
                                           const std::optional<std::string>& subject) {
  auto c = db_.connect();
  std::vector<StoredEntry> out;
  auto add = [&](const std::vector<store::Row>& rows) {
    for (const auto& r : rows)
      out.push_back(
          {static_cast<std::uint64_t>(r.integer("idx")), r.text("entry"), r.optText("subject")});
  };
  if (!subject) {
    add(c.query(
        "SELECT idx, entry, subject FROM ledger_entries WHERE idx >= ? ORDER BY idx LIMIT ?",
        {static_cast<std::int64_t>(from), static_cast<std::int64_t>(limit)}));
    return out;
  }
  // Indexed entries first, then the few the indexer has not reached yet.
  const std::uint64_t upto = indexedUpTo(c);
  if (from < upto)
    add(
        c.query("SELECT e.idx, e.entry, e.subject FROM ledger_by_subject s "
                "JOIN ledger_entries e ON e.idx = s.idx "
                "WHERE s.subject = ? AND s.idx >= ? AND s.idx < ? ORDER BY s.idx LIMIT ?",
                {*subject, static_cast<std::int64_t>(from), static_cast<std::int64_t>(upto),
                 static_cast<std::int64_t>(limit)}));
  if (out.size() < limit)
    add(
        c.query("SELECT idx, entry, subject FROM ledger_entries WHERE idx >= ? AND subject = ? "
                "ORDER BY idx LIMIT ?",
                {static_cast<std::int64_t>(std::max(from, upto)), *subject,
                 static_cast<std::int64_t>(limit - out.size())}));
  return out;
}

std::uint64_t Log::countEntries(const std::optional<std::string>& subject) {
  if (!subject) return size();
  auto c = db_.connect();
  const auto upto = static_cast<std::int64_t>(indexedUpTo(c));
  auto indexed =
      c.queryOne("SELECT COUNT(*) AS n FROM ledger_by_subject WHERE subject = ? AND idx < ?",
                 {*subject, upto});
  auto tail = c.queryOne("SELECT COUNT(*) AS n FROM ledger_entries WHERE idx >= ? AND subject = ?",
                         {upto, *subject});
  return static_cast<std::uint64_t>(indexed->integer("n") + tail->integer("n"));
}

std::optional<std::uint64_t> Log::indexOf(const Hash& leaf) {
  auto c = db_.connect();
  const auto upto = static_cast<std::int64_t>(indexedUpTo(c));
  const std::string hex = toHex(leaf);
  auto row = c.queryOne(
      "SELECT MIN(e.idx) AS idx FROM ledger_by_leaf b JOIN ledger_entries e ON e.idx = b.idx "
      "WHERE b.leaf_key = ? AND b.idx < ? AND e.leaf_hash = ? HAVING COUNT(*) > 0",
      {hex.substr(0, 16), upto, hex});
  if (!row)
    row = c.queryOne(
        "SELECT MIN(idx) AS idx FROM ledger_entries WHERE idx >= ? AND leaf_hash = ? "
        "HAVING COUNT(*) > 0",
        {upto, hex});
  if (!row) return std::nullopt;
  return static_cast<std::uint64_t>(row->integer("idx"));
}

std::uint64_t Log::indexedUpTo(store::Connection& c) {
  auto row = c.queryOne("SELECT indexed_upto FROM ledger_lookups_state WHERE id = 1");
  return row ? static_cast<std::uint64_t>(row->integer("indexed_upto")) : 0;
}

std::uint64_t Log::indexLookups() {
  constexpr std::int64_t kChunk = 16384;
  std::uint64_t total = 0;
  for (;;) {
    std::lock_guard write(writeMutex_);
    std::uint64_t done = db_.transaction(
        [&](store::Connection& c) -> std::uint64_t {
          // One indexer at a time, also across processes (SQLite's write lock, the row lock here).
          auto state =
              c.queryOne(c.dialect() == store::Dialect::Postgres
                             ? "SELECT indexed_upto FROM ledger_lookups_state WHERE id = 1 "
                               "FOR UPDATE"
                             : "SELECT indexed_upto FROM ledger_lookups_state WHERE id = 1");
          const std::int64_t upto = state ? state->integer("indexed_upto") : 0;
          // Entries are committed in order, so every index below the size is there.
          const std::int64_t end =
              std::min(static_cast<std::int64_t>(logSize(c)), upto + std::int64_t{kChunk});
          if (end <= upto) return 0;
          // The database copies the keys itself, sorted so that consecutive inserts land on the
          // same index pages.
          c.exec(
              "INSERT INTO ledger_by_leaf (leaf_key, idx) SELECT substr(leaf_hash, 1, 16), idx "
              "FROM ledger_entries WHERE idx >= ? AND idx < ? ORDER BY 1, 2",
              {upto, end});
          c.exec(
              "INSERT INTO ledger_by_subject (subject, idx) SELECT subject, idx FROM "
              "ledger_entries "
              "WHERE idx >= ? AND idx < ? AND subject IS NOT NULL ORDER BY 1, 2",
              {upto, end});
          if (state)
            c.exec("UPDATE ledger_lookups_state SET indexed_upto = ? WHERE id = 1", {end});
          else
            c.exec("INSERT INTO ledger_lookups_state (id, indexed_upto) VALUES (1, ?)", {end});
          return static_cast<std::uint64_t>(end - upto);
        },
        store::Sync::deferred);  // rebuilt from the entries if a crash loses it
    total += done;
    if (done < static_cast<std::uint64_t>(kChunk)) return total;
  }
}

void Log::indexer() {
  std::unique_lock lock(mutex_);
  unindexed_ = 1;  // whatever a stopped process left behind
  while (!stopping_) {
    indexWake_.wait_for(lock, std::chrono::milliseconds(200),
                        [this] { return stopping_ || unindexed_ >= kIndexEvery; });
    if (stopping_ || unindexed_ == 0) continue;
    unindexed_ = 0;
    lock.unlock();
    try {
      indexLookups();
    } catch (const std::exception& e) {
      log::warn("ledger.index_failed", {{"problem", e.what()}});
    }
    lock.lock();
  }
}

}  // namespace onceonly::ledger
