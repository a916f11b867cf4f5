#include "ledger/log.h"

#include <pthread.h>

#include <algorithm>
#include <bit>
#include <deque>
#include <filesystem>
#include <map>
#include <shared_mutex>
#include <stdexcept>

#include "core/log.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "ledger/tiles.h"
#include "store/list.h"
#include "store/store.h"

namespace onceonly::ledger {
namespace {

constexpr std::int64_t kSequencerLock = 0x6c6564676572;  // "ledger"

void checkCanonicalable(const nlohmann::json& j) {
  if (j.is_number_float()) throw std::invalid_argument("ledger entries hold no fractional numbers");
  if (j.is_object() || j.is_array())
    for (const auto& v : j) checkCanonicalable(v);
}

// The proof and root algorithms ask for the same positions whatever the hashes are, so a first
// pass with placeholder hashes learns which perfect subtrees a computation needs; the tiles that
// hold them are then read in one query.
class RecordingNodes : public NodeReader {
 public:
  Hash node(int level, std::uint64_t index) override {
    wanted.emplace_back(level, index);
    return Hash{};
  }
  std::vector<std::pair<int, std::uint64_t>> wanted;
};

using TileKey = std::pair<int, std::uint64_t>;
using TileMap = std::map<TileKey, std::shared_ptr<const Tile>>;

// Perfect subtrees served from a set of tiles.
class TileNodes : public NodeReader {
 public:
  explicit TileNodes(const TileMap& tiles) : tiles_(tiles) {}
  Hash node(int level, std::uint64_t index) override {
    TileRef ref = tileFor(level, index);
    if (auto it = tiles_.find({ref.level, ref.index}); it != tiles_.end())
      if (auto h = it->second->node(level % kTileHeight, index)) return *h;
    throw std::runtime_error("ledger node missing at level " + std::to_string(level) + ", index " +
                             std::to_string(index));
  }

 private:
  const TileMap& tiles_;
};

// The batch's own copy of the right edge: tiles[T] is the partial tile at tile level T.
class EdgeNodes : public NodeReader {
 public:
  explicit EdgeNodes(const std::vector<Tile>& tiles) : tiles_(tiles) {}
  Hash node(int level, std::uint64_t index) override {
    TileRef ref = tileFor(level, index);
    auto t = static_cast<std::size_t>(ref.level);
    if (t < tiles_.size() && tiles_[t].index() == ref.index)
      if (auto h = tiles_[t].node(level % kTileHeight, index)) return *h;
    throw std::runtime_error("ledger edge node missing at level " + std::to_string(level));
  }

 private:
  const std::vector<Tile>& tiles_;
};

std::string tileProblem(int level, std::uint64_t index, const std::string& what) {
  return "the ledger tile at level " + std::to_string(level) + ", index " + std::to_string(index) +
         " " + what + "; run `onceonly ledger verify`";
}

constexpr const char* kUpsertTile =
    "INSERT INTO ledger_tiles (level, idx, width, hashes) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (level, idx) DO UPDATE SET width = excluded.width, hashes = excluded.hashes";

store::Args tileRow(const Tile& t) {
  return {static_cast<std::int64_t>(t.level()), static_cast<std::int64_t>(t.index()),
          static_cast<std::int64_t>(t.width()), t.text()};
}

std::uint64_t logSize(store::Connection& c) {
  auto row = c.queryOne("SELECT MAX(idx) AS last FROM ledger_entries");
  return row->isNull("last") ? 0 : static_cast<std::uint64_t>(row->integer("last")) + 1;
}

// The partial tile at level 0 is never stored: it changed with every batch, and rewriting it
// was most of what a commit wrote. Its base is the leaf hashes of the last entries, at most 255
// of them, read and hashed again when a process needs it and does not hold it.
Tile leafTile(store::Connection& c, std::uint64_t index) {
  Tile tile(0, index);
  const auto first = static_cast<std::int64_t>(index << kTileHeight);
  std::int64_t expected = first;
  for (const auto& r :
       c.query("SELECT idx, leaf_hash FROM ledger_entries WHERE idx >= ? AND idx < ? ORDER BY idx",
               {first, first + std::int64_t{kTileWidth}})) {
    auto h = hashFromHex(r.text("leaf_hash"));
    if (r.integer("idx") != expected || !h) break;
    ++expected;
    tile.push(*h);
  }
  return tile;
}

}  // namespace

// Where the log's tiles come from: the right edge this process committed last, a bounded cache
// of full tiles above level 0, and the database. Thread-safe.
class TileStore {
 public:
  // The tiles holding these perfect subtrees, read in one query for those not in memory.
  TileMap read(store::Connection& c, const std::vector<std::pair<int, std::uint64_t>>& nodes) {
    std::map<TileKey, unsigned> need;
    for (const auto& [level, index] : nodes) {
      TileRef ref = tileFor(level, index);
      auto& w = need[{ref.level, ref.index}];
      w = std::max(w, ref.minWidth);
    }
    TileMap found;
    std::vector<TileKey> missing;
    {
      std::shared_lock lock(mutex_);
      for (const auto& [key, width] : need) {
        auto t = static_cast<std::size_t>(key.first);
        if (t < edge_.size() && edge_[t]->index() == key.second && edge_[t]->width() >= width)
          found[key] = edge_[t];
        else if (auto it = cache_.find(key); it != cache_.end())
          found[key] = it->second;
        else
          missing.push_back(key);
      }
    }
    constexpr std::size_t kPerQuery = 32;
    for (std::size_t start = 0; start < missing.size(); start += kPerQuery) {
      std::string sql = "SELECT level, idx, width, hashes FROM ledger_tiles WHERE ";
      store::Args args;
      for (std::size_t i = start; i < std::min(missing.size(), start + kPerQuery); ++i) {
        sql += i == start ? "(level = ? AND idx = ?)" : " OR (level = ? AND idx = ?)";
        args.push_back(static_cast<std::int64_t>(missing[i].first));
        args.push_back(static_cast<std::int64_t>(missing[i].second));
      }
      for (auto& r : c.query(sql, args)) {
        auto tile = std::make_shared<const Tile>(Tile::decode(
            static_cast<int>(r.integer("level")), static_cast<std::uint64_t>(r.integer("idx")),
            static_cast<unsigned>(r.integer("width")), r.takeText("hashes")));
        keep(tile);
        found[{tile->level(), tile->index()}] = tile;
      }
    }
    // Not stored when partial: the last level-0 tile comes from the entries.
    for (const auto& key : missing)
      if (key.first == 0 && !found.count(key) && key.second == logSize(c) >> kTileHeight)
        found[key] = std::make_shared<const Tile>(leafTile(c, key.second));
    return found;
  }

  // The partial tiles of a tree of `size` leaves, for the sequencer to extend: from memory when
  // this process committed the last batch, else from the database.
  std::vector<Tile> edge(store::Connection& c, std::uint64_t size) {
    {
      std::shared_lock lock(mutex_);
      if (known_ && size_ == size) {
        std::vector<Tile> out;
        for (const auto& t : edge_) out.push_back(*t);
        return out;
      }
    }
    std::vector<Tile> out;
    for (int level = 0; (size >> (kTileHeight * level)) > 0; ++level) {
      const std::uint64_t bases = size >> (kTileHeight * level);
      const std::uint64_t index = bases >> kTileHeight;
      const auto width = static_cast<unsigned>(bases % kTileWidth);
      if (width == 0) {
        out.emplace_back(level, index);
        continue;
      }
      if (level == 0) {
        out.push_back(leafTile(c, index));
        if (out.back().width() != width)
          throw std::runtime_error(tileProblem(0, index, "lacks entries the log size says exist"));
        continue;
      }
      auto row = c.queryOne("SELECT width, hashes FROM ledger_tiles WHERE level = ? AND idx = ?",
                            {std::int64_t{level}, static_cast<std::int64_t>(index)});
      if (!row || static_cast<unsigned>(row->integer("width")) != width)
        throw std::runtime_error(
            tileProblem(level, index,
                        "does not hold the " + std::to_string(width) + " nodes the entries give"));
      out.push_back(Tile::decode(level, index, width, row->takeText("hashes")));
    }
    return out;
  }

  // A batch committed: its edge becomes the one in memory; the tiles it filled may be cached.
  void committed(std::uint64_t size, std::vector<Tile>&& edge, std::vector<Tile>&& filled) {
    std::vector<std::shared_ptr<const Tile>> tiles;
    for (auto& t : edge) tiles.push_back(std::make_shared<const Tile>(std::move(t)));
    for (auto& t : filled) keep(std::make_shared<const Tile>(std::move(t)));
    std::unique_lock lock(mutex_);
    edge_ = std::move(tiles);
    size_ = size;
    known_ = true;
  }

  // After a failed batch the database may hold less than memory thought.
  void forgetEdge() {
    std::unique_lock lock(mutex_);
    known_ = false;
  }

 private:
  // Full tiles above level 0 never change: a 256th of the tree, crossed by every proof.
  void keep(const std::shared_ptr<const Tile>& t) {
    if (!t->full() || t->level() == 0) return;
    std::unique_lock lock(mutex_);
    if (cache_.size() < kMaxCached) cache_.emplace(TileKey{t->level(), t->index()}, t);
  }

  static constexpr std::size_t kMaxCached = 2048;  // 64 MB of tiles at most
  std::shared_mutex mutex_;
  std::vector<std::shared_ptr<const Tile>> edge_;         // GUARDED_BY mutex_
  std::uint64_t size_ = 0;                                // GUARDED_BY mutex_
  bool known_ = false;                                    // GUARDED_BY mutex_
  std::map<TileKey, std::shared_ptr<const Tile>> cache_;  // GUARDED_BY mutex_
};

namespace {

template <class Compute>
auto withTiles(store::Connection& c, TileStore& tiles, Compute compute) {
  RecordingNodes recording;
  compute(recording);
  TileMap found = tiles.read(c, recording.wanted);
  TileNodes nodes(found);
  return compute(nodes);
}

}  // namespace

std::string pseudonym(const crypto::KeyRing& keys, const std::string& identifier) {
  return "psn_" + keys.index(identifier, "ledger_pseudonym").substr(0, 32);
}

std::string canonicalJson(const nlohmann::json& entry) {
  checkCanonicalable(entry);
  // nlohmann's objects are ordered maps: dump() sorts keys and, without indent, adds no space.
  return entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

Signer loadOrCreateLogKey(const std::string& keysDir, const std::string& origin) {
  std::filesystem::create_directories(keysDir);
  return loadOrCreateKeyFile((std::filesystem::path(keysDir) / "ledger.skey").string(), origin,
                             KeyType::Note);
}

Log::Log(store::Database& db, Signer signer, LogOptions options)
    : db_(db),
      signer_(std::move(signer)),
      options_(std::move(options)),
      tiles_(std::make_unique<TileStore>()) {
  convertStoredNodes();
  sequencer_ = std::thread([this] { sequence(); });
  completer_ = std::thread([this] { complete(); });
  // Named for top, perf and gdb.
  pthread_setname_np(sequencer_.native_handle(), "ledger-sequence");
  pthread_setname_np(completer_.native_handle(), "ledger-complete");
  if (options_.indexInBackground) {
    indexer_ = std::thread([this] { indexer(); });
    pthread_setname_np(indexer_.native_handle(), "ledger-index");
  }
  if (options_.background) background_ = std::thread([this] { background(); });
}

Log::~Log() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  stopWake_.notify_all();
  indexWake_.notify_all();
  if (background_.joinable()) background_.join();
  if (indexer_.joinable()) indexer_.join();
  sequencer_.join();
  {
    std::lock_guard lock(doneMutex_);
    sequencerStopped_ = true;
  }
  doneWake_.notify_one();
  completer_.join();
}

void Log::complete() {
  std::unique_lock lock(doneMutex_);
  for (;;) {
    doneWake_.wait(lock, [this] { return sequencerStopped_ || !done_.empty(); });
    if (done_.empty()) return;
    auto batches = std::move(done_);
    done_.clear();
    lock.unlock();
    for (auto& [batch, receipts] : batches)
      for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done.set_value(receipts[i]);
    lock.lock();
  }
}

void Log::background() {
  std::unique_lock lock(mutex_);
  const auto period = std::chrono::seconds(std::max(1, options_.checkpointSeconds));
  while (!stopWake_.wait_for(lock, period, [this] { return stopping_; })) {
    lock.unlock();
    try {
      if (options_.witnesses.empty())
        signCheckpoint();
      else
        requestCosignatures();
    } catch (const std::exception& e) {
      log::warn("ledger.checkpoint_failed", {{"problem", e.what()}});
    }
    lock.lock();
  }
}

Receipt Log::append(const nlohmann::json& entry) {
  return appendAll({entry}).front();
}

std::vector<Receipt> Log::appendAll(const std::vector<nlohmann::json>& entries) {
  std::vector<Pending> pending;
  for (const auto& entry : entries) {
    if (!entry.is_object()) throw std::invalid_argument("a ledger entry is a JSON object");
    std::string text;
    try {
      text = canonicalJson(entry);
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument(std::string("ledger entry: ") + e.what());
    }
    std::optional<std::string> subject;
    if (auto it = entry.find("subject"); it != entry.end() && it->is_string())
      subject = it->get<std::string>();
    Hash leaf = leafHash(text);
    pending.push_back(Pending{std::move(text), std::move(subject), leaf, toHex(leaf), {}});
  }
  std::vector<std::future<Receipt>> futures;
  for (auto& p : pending) futures.push_back(p.done.get_future());
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw std::runtime_error("the ledger is shutting down");
    for (auto& p : pending) queue_.push_back(std::move(p));
  }
  wake_.notify_one();
  std::vector<Receipt> out;
  for (auto& f : futures) out.push_back(f.get());
  return out;
}

void Log::sequence() {
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && batch.size() < options_.maxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    try {
      std::lock_guard write(writeMutex_);
      writeBatch(batch);
    } catch (...) {
      // Nothing of the batch was committed: every caller hears of it.
      log::error("ledger.batch_failed", {{"entries", batch.size()}});
      for (auto& p : batch) p.done.set_exception(std::current_exception());
    }
  }
}

void Log::writeBatch(std::vector<Pending>& batch) {
  std::vector<Receipt> receipts(batch.size());
  std::vector<Tile> edge, filled;
  std::uint64_t newSize = 0;
  try {
    db_.transaction([&](store::Connection& c) {
      if (c.dialect() == store::Dialect::Postgres)
        c.exec("SELECT pg_advisory_xact_lock(?)", {kSequencerLock});  // one sequencer at a time
      const std::uint64_t size = logSize(c);
      edge = tiles_->edge(c, size);
      filled.clear();
      std::vector<bool> changed(edge.size());
      const std::string now = nowRfc3339();
      std::vector<store::Args> entryRows;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        const std::uint64_t index = size + i;
        entryRows.push_back(
            {static_cast<std::int64_t>(index), batch[i].leafHex, batch[i].text, now,
             batch[i].subject ? store::Value(*batch[i].subject) : store::Value(store::Null{})});
        // The leaf goes into the level-0 tile; a tile it fills hands its top one level up.
        std::optional<Hash> node = batch[i].leaf;
        for (int level = 0; node; ++level) {
          auto t = static_cast<std::size_t>(level);
          if (t == edge.size()) {
            edge.emplace_back(level, 0);  // the tree just reached 256^level leaves
            changed.push_back(false);
          }
          changed[t] = true;
          node = edge[t].push(*node);
          if (node) {
            const std::uint64_t next = edge[t].index() + 1;
            filled.push_back(std::move(edge[t]));
            edge[t] = Tile(level, next);
          }
        }
        receipts[i].index = index;
        receipts[i].leafHash = batch[i].leaf;
      }
      store::insertMany(c, "ledger_entries",
                        {"idx", "leaf_hash", "entry", "appended_at", "subject"}, entryRows);
      std::vector<store::Args> tileRows;
      for (const auto& t : filled) tileRows.push_back(tileRow(t));
      for (std::size_t t = 1; t < edge.size(); ++t)  // the partial level-0 tile is not stored
        if (changed[t] && edge[t].width() > 0) tileRows.push_back(tileRow(edge[t]));
      c.execEach(kUpsertTile, tileRows);
      newSize = size + batch.size();
      EdgeNodes nodes(edge);
      Hash root = rootHash(nodes, newSize);
      for (auto& r : receipts) {
        r.treeSize = newSize;
        r.root = root;
      }
    });
  } catch (...) {
    tiles_->forgetEdge();
    throw;
  }
  tiles_->committed(newSize, std::move(edge), std::move(filled));
  {
    std::lock_guard lock(mutex_);
    unindexed_ += batch.size();
    if (unindexed_ >= kIndexEvery) indexWake_.notify_one();
  }
  {
    std::lock_guard lock(doneMutex_);
    done_.emplace_back(std::move(batch), std::move(receipts));
  }
  doneWake_.notify_one();
}

// Logs written before tiles kept one row per perfect subtree (ledger_nodes). Their stored leaf
// hashes, and the stored bases of the higher tile levels, are copied into tiles once; the nodes
// between are hashed from them, and `ledger verify` checks the whole tree against the entries
// as before.
void Log::convertStoredNodes() {
  if (!db_.connect().queryOne("SELECT level FROM ledger_nodes LIMIT 1")) return;
  db_.transaction([&](store::Connection& c) {
    if (c.dialect() == store::Dialect::Postgres)
      c.exec("SELECT pg_advisory_xact_lock(?)", {kSequencerLock});
    if (!c.queryOne("SELECT level FROM ledger_nodes LIMIT 1")) return;  // another process did
    const std::uint64_t size = logSize(c);
    std::vector<store::Args> rows;
    for (int level = 0; (size >> (kTileHeight * level)) > 0; ++level) {
      const std::uint64_t bases = size >> (kTileHeight * level);
      Tile tile(level, 0);
      constexpr std::uint64_t kPage = 65536;
      for (std::uint64_t from = 0; from < bases; from += kPage) {
        const std::uint64_t to = std::min(bases, from + kPage);
        auto found = c.query(
            "SELECT idx, hash FROM ledger_nodes WHERE level = ? AND idx >= ? AND idx < ? "
            "ORDER BY idx",
            {std::int64_t{kTileHeight * level}, static_cast<std::int64_t>(from),
             static_cast<std::int64_t>(to)});
        std::uint64_t expected = from;
        for (const auto& r : found) {
          auto h = hashFromHex(r.text("hash"));
          if (static_cast<std::uint64_t>(r.integer("idx")) != expected || !h) break;
          ++expected;
          if (tile.push(*h)) {
            rows.push_back(tileRow(tile));
            tile = Tile(level, tile.index() + 1);
          }
        }
        if (expected != to)
          throw std::runtime_error("ledger_nodes lacks the subtree hash at level " +
                                   std::to_string(kTileHeight * level) + ", index " +
                                   std::to_string(expected) + ": the log cannot be converted");
        if (rows.size() >= 256) {
          c.execEach(kUpsertTile, rows);
          rows.clear();
        }
      }
      if (tile.width() > 0 && level > 0) rows.push_back(tileRow(tile));
    }
    c.execEach(kUpsertTile, rows);
    c.exec("DELETE FROM ledger_nodes");
    log::info("ledger.tiles_converted", {{"entries", size}});
  });
}

std::uint64_t Log::size() {
  auto c = db_.connect();
  return logSize(c);
}

std::optional<std::string> Log::entry(std::uint64_t index) {
  auto row = db_.connect().queryOne("SELECT entry FROM ledger_entries WHERE idx = ?",
                                    {static_cast<std::int64_t>(index)});
  if (!row) return std::nullopt;
  return row->text("entry");
}

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

std::optional<Log::StoredEntry> Log::storedEntry(std::uint64_t index) {
  auto found = entries(index, 1, std::nullopt);
  if (found.empty() || found.front().index != index) return std::nullopt;
  return found.front();
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
    std::uint64_t done = db_.transaction([&](store::Connection& c) -> std::uint64_t {
      // One indexer at a time, also across processes (SQLite's write lock, the row lock here).
      auto state = c.queryOne(c.dialect() == store::Dialect::Postgres
                                  ? "SELECT indexed_upto FROM ledger_lookups_state WHERE id = 1 "
                                    "FOR UPDATE"
                                  : "SELECT indexed_upto FROM ledger_lookups_state WHERE id = 1");
      const std::int64_t upto = state ? state->integer("indexed_upto") : 0;
      // Entries are committed in order, so every index below the size is there.
      const std::int64_t end =
          std::min(static_cast<std::int64_t>(logSize(c)), upto + std::int64_t{kChunk});
      if (end <= upto) return 0;
      // The database copies the keys itself, sorted so that consecutive inserts land on the same
      // index pages.
      c.exec(
          "INSERT INTO ledger_by_leaf (leaf_key, idx) SELECT substr(leaf_hash, 1, 16), idx "
          "FROM ledger_entries WHERE idx >= ? AND idx < ? ORDER BY 1, 2",
          {upto, end});
      c.exec(
          "INSERT INTO ledger_by_subject (subject, idx) SELECT subject, idx FROM ledger_entries "
          "WHERE idx >= ? AND idx < ? AND subject IS NOT NULL ORDER BY 1, 2",
          {upto, end});
      if (state)
        c.exec("UPDATE ledger_lookups_state SET indexed_upto = ? WHERE id = 1", {end});
      else
        c.exec("INSERT INTO ledger_lookups_state (id, indexed_upto) VALUES (1, ?)", {end});
      return static_cast<std::uint64_t>(end - upto);
    });
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

Hash Log::root(std::uint64_t size) {
  auto c = db_.connect();
  return withTiles(c, *tiles_, [&](NodeReader& nodes) { return rootHash(nodes, size); });
}

std::vector<Hash> Log::inclusionProof(std::uint64_t index, std::uint64_t size) {
  auto c = db_.connect();
  return withTiles(c, *tiles_,
                   [&](NodeReader& nodes) { return ledger::inclusionProof(nodes, index, size); });
}

std::vector<Hash> Log::consistencyProof(std::uint64_t first, std::uint64_t second) {
  auto c = db_.connect();
  return withTiles(c, *tiles_, [&](NodeReader& nodes) {
    return ledger::consistencyProof(nodes, first, second);
  });
}

std::string Log::signCheckpoint() {
  return db_.transaction([&](store::Connection& c) {
    if (c.dialect() == store::Dialect::Postgres)
      c.exec("SELECT pg_advisory_xact_lock(?)", {kSequencerLock});
    const std::uint64_t size = logSize(c);
    if (auto existing = c.queryOne("SELECT note FROM ledger_checkpoints WHERE size = ?",
                                   {static_cast<std::int64_t>(size)}))
      return existing->text("note");
    Hash root = withTiles(c, *tiles_, [&](NodeReader& nodes) { return rootHash(nodes, size); });
    Checkpoint cp{options_.origin, size, root, {}};
    std::string text = checkpointText(cp);
    std::string note = formatNote(Note{text, {signer_.sign(text)}});
    c.exec("INSERT INTO ledger_checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?)",
           {static_cast<std::int64_t>(size), toHex(cp.root), note, nowRfc3339()});
    return note;
  });
}

std::string Log::latestCheckpoint() {
  auto latest = db_.connect().queryOne(
      "SELECT size, note, signed_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1");
  if (!latest) return signCheckpoint();
  auto signedAt = parseRfc3339(latest->text("signed_at"));
  bool old =
      !signedAt || Clock::now() - *signedAt > std::chrono::seconds(options_.checkpointSeconds);
  if (old && static_cast<std::uint64_t>(latest->integer("size")) < size()) return signCheckpoint();
  return latest->text("note");
}

// Streams the entries in pages, rebuilding the tree's right edge as the sequencer does: each
// tile the entries fill is compared with the stored one as it completes, and each signed
// checkpoint with the root when the entries reach its size. Memory stays at one page of
// entries, one page of level-0 tiles and the edge, whatever the log's size.
//
// Of the problems that name an entry (a missing or changed entry, a tile node), the one at the
// lowest entry is reported, except that a subtree hash that no longer matches gives way to a
// problem found inside the entries it covers. A checkpoint whose root no longer matches only
// says that something after the last matching checkpoint changed: it is reported when nothing
// more precise lies before its size.
VerifyReport Log::verify() {
  constexpr std::int64_t kPage = 16384;  // entries per query: 64 level-0 tiles
  VerifyReport report;
  auto c = db_.connect();
  struct Problem {
    std::uint64_t index = 0;
    std::string text;
    std::uint64_t span = 1;  // the entries it covers, from index on
    bool covers(std::uint64_t i) const { return i >= index && i - index < span; }
  };
  std::optional<Problem> precise;
  std::optional<std::pair<Problem, std::uint64_t>> coarse;  // and the checkpoint's size
  // A problem with the entries from `index` on, `span` of them.
  auto fail = [&](std::uint64_t index, std::string problem, std::uint64_t span = 1) {
    Problem p{index, std::move(problem), span};
    if (!precise || (precise->covers(index) && span < precise->span) ||
        (index < precise->index && !p.covers(precise->index)))
      precise = std::move(p);
  };
  auto tileName = [](int level, std::uint64_t index) {
    return "the tile at level " + std::to_string(level) + ", index " + std::to_string(index);
  };
  auto firstLeafOf = [](int level, std::uint64_t index) {
    return (index << kTileHeight) << (kTileHeight * level);
  };
  auto readTile = [&](int level, std::uint64_t index) {
    return c.queryOne("SELECT width, hashes FROM ledger_tiles WHERE level = ? AND idx = ?",
                      {std::int64_t{level}, static_cast<std::int64_t>(index)});
  };
  // A tile the entries give against the stored row.
  auto compare = [&](const Tile& want, std::optional<store::Row> row) {
    const int level = want.level();
    const std::uint64_t index = want.index();
    const std::string name = tileName(level, index);
    if (!row) return fail(firstLeafOf(level, index), name + " is missing");
    if (row->integer("width") != std::int64_t{want.width()})
      return fail(firstLeafOf(level, index),
                  name + " holds " + std::to_string(row->integer("width")) +
                      " base nodes where the entries give " + std::to_string(want.width()));
    std::string stored = row->takeText("hashes");
    if (stored == want.text()) return;
    try {
      Tile tile = Tile::decode(level, index, want.width(), std::move(stored));
      for (int k = 0; k < kTileHeight; ++k)
        for (std::uint64_t j = index << (kTileHeight - k);; ++j) {
          auto h = tile.node(k, j);
          if (!h) break;
          if (*h != *want.node(k, j)) {
            const int treeLevel = kTileHeight * level + k;
            fail(j << treeLevel,
                 "the subtree hash at level " + std::to_string(treeLevel) + " over entries from " +
                     std::to_string(j << treeLevel) + " does not match the entries",
                 std::uint64_t{1} << treeLevel);
            break;
          }
        }
    } catch (const std::runtime_error& e) {
      fail(firstLeafOf(level, index), e.what());
    }
  };

  // Signed checkpoints, read in pages in size order beside the entries.
  std::deque<std::pair<std::uint64_t, std::string>> checkpoints;
  std::optional<std::uint64_t> checkpointsAfter;
  bool moreCheckpoints = true;
  auto nextCheckpoint = [&]() -> const std::pair<std::uint64_t, std::string>* {
    if (checkpoints.empty() && moreCheckpoints) {
      auto rows =
          checkpointsAfter
              ? c.query(
                    "SELECT size, note FROM ledger_checkpoints WHERE size > ? ORDER "
                    "BY size LIMIT 256",
                    {static_cast<std::int64_t>(*checkpointsAfter)})
              : c.query("SELECT size, note FROM ledger_checkpoints ORDER BY size LIMIT 256");
      moreCheckpoints = rows.size() == 256;
      for (auto& r : rows)
        checkpoints.emplace_back(static_cast<std::uint64_t>(r.integer("size")), r.takeText("note"));
      if (!rows.empty()) checkpointsAfter = checkpoints.back().first;
    }
    return checkpoints.empty() ? nullptr : &checkpoints.front();
  };
  std::uint64_t matched = 0;  // the last checkpoint that matched
  // Checks the checkpoints of this size; the entries reached it and `root` is their root.
  auto checkCheckpoints = [&](std::uint64_t size, const std::optional<Hash>& root) {
    for (auto* next = nextCheckpoint(); next && next->first == size; next = nextCheckpoint()) {
      auto note = parseNote(next->second);
      auto cp = note ? parseCheckpoint(note->text) : std::nullopt;
      if (!note || !cp || !signer_.verifier().verifies(*note) || cp->size != size ||
          cp->origin != options_.origin)
        fail(size, "the checkpoint at size " + std::to_string(size) + " is not validly signed");
      else if (!root)
        fail(report.size, "the checkpoint at size " + std::to_string(size) +
                              " covers entries that are not there");
      else if (cp->root != *root) {
        if (!coarse)
          coarse = {Problem{matched,
                            "the entries from " + std::to_string(matched) +
                                " on do not match the checkpoint at size " + std::to_string(size),
                            size - matched},
                    size};
      } else
        matched = size;
      ++report.checkpoints;
      checkpoints.pop_front();
    }
  };

  std::vector<Tile> edge;  // the partial tile at each tile level
  std::uint64_t size = 0;
  checkCheckpoints(0, emptyRoot());
  for (bool more = true; more;) {
    auto rows = c.query(
        "SELECT idx, leaf_hash, entry FROM ledger_entries WHERE idx >= ? ORDER BY idx LIMIT ?",
        {static_cast<std::int64_t>(size), kPage});
    more = static_cast<std::int64_t>(rows.size()) == kPage;
    // The stored level-0 tiles these entries may fill, in one query.
    std::map<std::uint64_t, store::Row> stored0;
    for (auto& r :
         c.query("SELECT idx, width, hashes FROM ledger_tiles WHERE level = 0 AND idx >= ? AND "
                 "idx < ?",
                 {static_cast<std::int64_t>(size >> kTileHeight),
                  static_cast<std::int64_t>(((size + kPage) >> kTileHeight) + 1)}))
      stored0.emplace(static_cast<std::uint64_t>(r.integer("idx")), std::move(r));
    for (const auto& r : rows) {
      if (static_cast<std::uint64_t>(r.integer("idx")) != size) {
        fail(size, "entry " + std::to_string(size) + " is missing");
        more = false;
        break;
      }
      Hash leaf = leafHash(r.text("entry"));
      if (toHex(leaf) != r.text("leaf_hash"))
        fail(size, "entry " + std::to_string(size) + " does not match its leaf hash");
      std::optional<Hash> node = leaf;
      for (std::size_t t = 0; node; ++t) {
        if (t == edge.size()) edge.emplace_back(static_cast<int>(t), 0);
        node = edge[t].push(*node);
        if (!node) break;
        // A full tile: compare it, and start the next one at this level.
        std::optional<store::Row> row;
        if (t == 0) {
          if (auto it = stored0.find(edge[t].index()); it != stored0.end())
            row = std::move(it->second);
        } else {
          row = readTile(static_cast<int>(t), edge[t].index());
        }
        compare(edge[t], std::move(row));
        edge[t] = Tile(static_cast<int>(t), edge[t].index() + 1);
      }
      ++size;
      report.size = size;
      if (auto* next = nextCheckpoint(); next && next->first == size) {
        EdgeNodes nodes(edge);
        checkCheckpoints(size, rootHash(nodes, size));
      }
    }
  }
  // Checkpoints past the entries there are.
  for (auto* next = nextCheckpoint(); next; next = nextCheckpoint())
    checkCheckpoints(next->first, std::nullopt);
  // The partial tiles above level 0 are stored; the one at level 0 is not.
  for (std::size_t t = 1; t < edge.size(); ++t)
    if (edge[t].width() > 0) compare(edge[t], readTile(static_cast<int>(t), edge[t].index()));
  // Nothing stored beyond the tiles the entries give.
  for (std::size_t t = 0; t <= edge.size(); ++t) {
    std::uint64_t expected = 0;  // stored tiles at this level
    if (t < edge.size()) expected = edge[t].index() + (t > 0 && edge[t].width() > 0 ? 1 : 0);
    auto extra = t < edge.size()
                     ? c.queryOne(
                           "SELECT level, idx FROM ledger_tiles WHERE level = ? AND idx >= ? "
                           "ORDER BY idx LIMIT 1",
                           {static_cast<std::int64_t>(t), static_cast<std::int64_t>(expected)})
                     : c.queryOne(
                           "SELECT level, idx FROM ledger_tiles WHERE level >= ? ORDER BY level, "
                           "idx LIMIT 1",
                           {static_cast<std::int64_t>(t)});
    if (extra)
      fail(size, tileName(static_cast<int>(extra->integer("level")),
                          static_cast<std::uint64_t>(extra->integer("idx"))) +
                     " covers entries that are not there");
  }
  std::optional<Problem> first = precise;
  if (coarse && (!precise || precise->index >= coarse->second)) first = coarse->first;
  if (first) {
    report.ok = false;
    report.firstBadIndex = first->index;
    report.problem = std::move(first->text);
  }
  return report;
}

}  // namespace onceonly::ledger
