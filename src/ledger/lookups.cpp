// The log's lookups by subject and by leaf hash (see ledger_leaf_blocks and
// ledger_subject_blocks in docs/architecture.md): the tables a background thread fills behind the
// sequencer, and the reads that combine them with the entries it has not reached yet.
//
// On SQLite the tables are in a database file of their own. SQLite lets one transaction at a time
// write to a file, and the indexer's chunks (16,384 entries) held the sequencer, and every writer
// behind it, for tens of milliseconds at a time. Apart, the two never wait for each other. The
// lookups are derived data: the file may lag behind the log, be lost or be deleted, and is filled
// again from the entries; every answer it gives is checked against the entry itself.
#include <algorithm>
#include <filesystem>

#include "core/log.h"
#include "ledger/log.h"
#include "ledger/tile_store.h"
#include "store/store.h"

namespace onceonly::ledger {
namespace {

// The keys (leaf hash, subject) are random. In one table keyed by them, a chunk of new keys lands
// on nearly every page of it, and each chunk rewrote the whole table (9 KB written per entry
// with a million entries before, against 250 bytes into an empty table). So the keys are kept in
// blocks of 65,536 entries: new keys only ever land in the last block, whose size is bounded, and
// a lookup seeks its key once in every block, in one statement.
constexpr int kBlockBits = 16;  // the statements below divide by 65,536

constexpr const char* kLookupTables[] = {
    "CREATE TABLE IF NOT EXISTS ledger_leaf_blocks (block BIGINT NOT NULL,"
    " leaf_key TEXT NOT NULL, idx BIGINT NOT NULL, PRIMARY KEY (block, leaf_key, idx))"
    " WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS ledger_subject_blocks (block BIGINT NOT NULL,"
    " subject TEXT NOT NULL, idx BIGINT NOT NULL, PRIMARY KEY (block, subject, idx))"
    " WITHOUT ROWID",
    ("CREATE TABLE IF NOT EXISTS ledger_lookups_state ("
     " id INTEGER PRIMARY KEY CHECK (id = 1), indexed_upto BIGINT NOT NULL)"),
};

// The blocks holding entries first … end-1 (first < end), as arguments for `block IN (…)`. The
// list is padded to a power of two with its last block, so that a few statement texts serve
// every range and stay prepared.
store::Args blocks(std::uint64_t first, std::uint64_t end) {
  store::Args out;
  const auto last = static_cast<std::int64_t>((end - 1) >> kBlockBits);
  for (auto b = static_cast<std::int64_t>(first >> kBlockBits); b <= last; ++b) out.emplace_back(b);
  while ((out.size() & (out.size() - 1)) != 0) out.emplace_back(last);
  return out;
}

// "?, ?, …, ?" for n values.
std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

// The indexes a lookup found, as arguments.
store::Args indexArgs(const std::vector<store::Row>& rows) {
  store::Args out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.emplace_back(r.integer("idx"));
  return out;
}

std::string leafKey(const std::string& leafHex) {
  return leafHex.substr(0, 16);
}

}  // namespace

std::optional<std::string> lookupsPath(const std::string& databaseUrl) {
  auto path = store::sqlitePath(databaseUrl);
  if (!path) return std::nullopt;
  std::filesystem::path p(*path);
  auto name = p.stem().string() + ".ledger-lookups" + p.extension().string();
  return (p.parent_path() / name).string();
}

void Log::openLookups() {
  auto path = lookupsPath(db_.url());
  if (!path) return;  // PostgreSQL: the tables are the log database's (its migration)
  lookups_ = store::Database::open("sqlite://" + *path, db_.poolSize(),
                                   {{"log", *store::sqlitePath(db_.url())}});
  // The log is attached read-only: these transactions lock the lookups file alone.
  lookups_->transaction([](store::Connection& c) {
    for (const char* sql : kLookupTables) c.exec(sql);
    c.exec("INSERT OR IGNORE INTO ledger_lookups_state (id, indexed_upto) VALUES (1, 0)");
  });
  // Entries committed but not yet synced may have been indexed; a crash takes them from the log
  // but not necessarily from here, and the indexes they had go to other entries. The state is
  // read before the log's size: whatever was indexed then is still in the log unless lost.
  lookups_->transaction(
      [&](store::Connection& c) {
        const std::int64_t upto =
            c.queryOne("SELECT indexed_upto FROM ledger_lookups_state WHERE id = 1")
                ->integer("indexed_upto");
        const auto size = static_cast<std::int64_t>(logSize(c, "log.ledger_entries"));
        if (upto <= size) return;
        c.exec("DELETE FROM ledger_leaf_blocks WHERE block >= ? AND idx >= ?",
               {size >> kBlockBits, size});
        c.exec("DELETE FROM ledger_subject_blocks WHERE block >= ? AND idx >= ?",
               {size >> kBlockBits, size});
        c.exec("UPDATE ledger_lookups_state SET indexed_upto = ? WHERE id = 1", {size});
        log::warn("ledger.lookups_ahead", {{"indexed_upto", upto}, {"log_size", size}});
      },
      store::Sync::onCommit);
}

std::vector<Log::StoredEntry> Log::entries(std::uint64_t from, std::size_t limit,
                                           const std::optional<std::string>& subject) {
  std::vector<StoredEntry> out;
  // A lookup is checked against the entry itself: the subject column is a copy outside the
  // hash, and a changed copy must not show an entry to someone else.
  auto add = [&](const std::vector<store::Row>& rows) {
    for (const auto& r : rows) {
      StoredEntry e{static_cast<std::uint64_t>(r.integer("idx")), r.text("entry"), std::nullopt};
      e.subject = entrySubject(e.text);
      if (!subject || e.subject == subject) out.push_back(std::move(e));
    }
  };
  if (!subject) {
    add(db_.connect().query(
        "SELECT idx, entry FROM ledger_entries WHERE idx >= ? ORDER BY idx LIMIT ?",
        {static_cast<std::int64_t>(from), static_cast<std::int64_t>(limit)}));
    return out;
  }
  // Indexed entries first, then the few the indexer has not reached yet.
  const std::uint64_t upto = indexedUpTo();
  if (from < upto) {
    auto args = blocks(from, upto);
    const std::string in = placeholders(args.size());
    args.insert(args.end(), {*subject, static_cast<std::int64_t>(from),
                             static_cast<std::int64_t>(upto), static_cast<std::int64_t>(limit)});
    auto found = lookupDatabase().connect().query(
        "SELECT idx FROM ledger_subject_blocks WHERE block IN (" + in +
            ") AND subject = ? AND idx >= ? AND idx < ? ORDER BY block, idx LIMIT ?",
        args);
    if (!found.empty())
      add(db_.connect().query("SELECT idx, entry FROM ledger_entries WHERE idx IN (" +
                                  placeholders(found.size()) + ") ORDER BY idx",
                              indexArgs(found)));
  }
  if (out.size() < limit)
    add(
        db_.connect().query("SELECT idx, entry FROM ledger_entries WHERE idx >= ? AND subject = ? "
                            "ORDER BY idx LIMIT ?",
                            {static_cast<std::int64_t>(std::max(from, upto)), *subject,
                             static_cast<std::int64_t>(limit - out.size())}));
  return out;
}

std::uint64_t Log::countEntries(const std::optional<std::string>& subject) {
  if (!subject) return size();
  const std::uint64_t upto = indexedUpTo();
  std::int64_t indexed = 0;
  if (upto > 0) {
    auto args = blocks(0, upto);
    const std::string in = placeholders(args.size());
    args.insert(args.end(), {*subject, static_cast<std::int64_t>(upto)});
    indexed = lookupDatabase()
                  .connect()
                  .queryOne("SELECT COUNT(*) AS n FROM ledger_subject_blocks WHERE block IN (" +
                                in + ") AND subject = ? AND idx < ?",
                            args)
                  ->integer("n");
  }
  auto tail = db_.connect().queryOne(
      "SELECT COUNT(*) AS n FROM ledger_entries WHERE idx >= ? AND subject = ?",
      {static_cast<std::int64_t>(upto), *subject});
  return static_cast<std::uint64_t>(indexed + tail->integer("n"));
}

std::optional<std::uint64_t> Log::indexOf(const Hash& leaf) {
  const std::uint64_t upto = indexedUpTo();
  const std::string hex = toHex(leaf);
  // Entries whose leaf hashes share the first 64 bits: the same entry appended more than once,
  // hardly ever another.
  std::vector<store::Row> found;
  if (upto > 0) {
    auto args = blocks(0, upto);
    const std::string in = placeholders(args.size());
    args.insert(args.end(), {leafKey(hex), static_cast<std::int64_t>(upto)});
    found = lookupDatabase().connect().query(
        "SELECT idx FROM ledger_leaf_blocks WHERE block IN (" + in +
            ") AND leaf_key = ? AND idx < ? ORDER BY block, idx LIMIT 64",
        args);
  }
  auto c = db_.connect();
  std::optional<store::Row> row;
  if (!found.empty()) {
    auto args = indexArgs(found);
    args.emplace_back(hex);
    row = c.queryOne("SELECT MIN(idx) AS idx FROM ledger_entries WHERE idx IN (" +
                         placeholders(found.size()) + ") AND leaf_hash = ? HAVING COUNT(*) > 0",
                     args);
  }
  if (!row)
    row = c.queryOne(
        "SELECT MIN(idx) AS idx FROM ledger_entries WHERE idx >= ? AND leaf_hash = ? "
        "HAVING COUNT(*) > 0",
        {static_cast<std::int64_t>(upto), hex});
  if (!row) return std::nullopt;
  return static_cast<std::uint64_t>(row->integer("idx"));
}

std::uint64_t Log::indexedUpTo() {
  auto row = lookupDatabase().connect().queryOne(
      "SELECT indexed_upto FROM ledger_lookups_state WHERE id = 1");
  return row ? static_cast<std::uint64_t>(row->integer("indexed_upto")) : 0;
}

std::uint64_t Log::indexLookups() {
  constexpr std::int64_t kChunk = 16384;
  std::lock_guard one(indexMutex_);
  // On SQLite the entries are read through the lookups file's connection, which has the log
  // attached read-only as "log": its transactions lock the lookups file alone.
  const std::string entries = lookups_ ? "log.ledger_entries" : "ledger_entries";
  std::string byLeaf =
      "INSERT INTO ledger_leaf_blocks (block, leaf_key, idx) "
      "SELECT idx / 65536, substr(leaf_hash, 1, 16), idx FROM ";
  byLeaf += entries;
  byLeaf += " WHERE idx >= ? AND idx < ? ORDER BY 1, 2, 3";
  std::string bySubject =
      "INSERT INTO ledger_subject_blocks (block, subject, idx) "
      "SELECT idx / 65536, subject, idx FROM ";
  bySubject += entries;
  bySubject += " WHERE idx >= ? AND idx < ? AND subject IS NOT NULL ORDER BY 1, 2, 3";
  std::uint64_t total = 0;
  for (;;) {
    // The keys and the new state in one transaction, so no key is ever stored past the state.
    // One indexer at a time, also across processes: the lookups file's write lock (SQLite), the
    // state row's lock (PostgreSQL).
    const std::int64_t done = lookupDatabase().transactionApart(
        [&](store::Connection& c) -> std::int64_t {
          auto state =
              c.queryOne(c.dialect() == store::Dialect::Postgres
                             ? "SELECT indexed_upto FROM ledger_lookups_state WHERE id = 1 "
                               "FOR UPDATE"
                             : "SELECT indexed_upto FROM ledger_lookups_state WHERE id = 1");
          const std::int64_t upto = state ? state->integer("indexed_upto") : 0;
          // Entries are committed in order, so every index below the size is there.
          const std::int64_t end =
              std::min(static_cast<std::int64_t>(logSize(c, entries)), upto + kChunk);
          if (end <= upto) return 0;
          // The database copies the keys itself, sorted so that consecutive inserts land on the
          // same index pages.
          c.exec(byLeaf, {upto, end});
          c.exec(bySubject, {upto, end});
          c.exec(
              "INSERT INTO ledger_lookups_state (id, indexed_upto) VALUES (1, ?) "
              "ON CONFLICT (id) DO UPDATE SET indexed_upto = excluded.indexed_upto",
              {end});
          return end - upto;
        },
        store::Sync::deferred);  // filled again from the entries if a crash loses it
    total += static_cast<std::uint64_t>(done);
    if (done < kChunk) return total;
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
