#include "ledger/log.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <stdexcept>

#include "core/error.h"
#include "core/log.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "ledger/tile_store.h"
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

std::optional<std::string> subjectOf(const nlohmann::json& entry) {
  if (!entry.is_object()) return std::nullopt;
  auto it = entry.find("subject");
  if (it == entry.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

std::string pseudonym(const crypto::KeyRing& keys, const std::string& identifier) {
  return "psn_" + keys.index(identifier, "ledger_pseudonym").substr(0, 32);
}

std::optional<std::string> entrySubject(const std::string& text) {
  return subjectOf(nlohmann::json::parse(text, nullptr, false));
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
  options_.maxBatch = std::max<std::size_t>(1, options_.maxBatch);
  convertStoredNodes();
  openLookups();
  sequencer_ = std::thread([this] { sequence(); });
  syncer_ = std::thread([this] { syncBatches(); });
  // Named for top, perf and gdb.
  pthread_setname_np(sequencer_.native_handle(), "ledger-sequence");
  pthread_setname_np(syncer_.native_handle(), "ledger-sync");
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
    std::lock_guard lock(syncMutex_);
    sequencerStopped_ = true;
  }
  syncWake_.notify_one();
  syncer_.join();
}

// Writers sleep on the batch's `done` word with the futex system call itself: std::atomic's
// wait() in libstdc++ 12 first spins through sched_yield(), which with 64 writers on two cores
// took a sixth of all CPU time. One FUTEX_WAKE wakes every writer of a batch.
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));

void Log::finish(Batch& batch) {
  batch.done.store(1, std::memory_order_release);
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&batch.done), FUTEX_WAKE_PRIVATE, INT_MAX,
          nullptr, nullptr, 0);
  static const Receipt kNone{};
  for (auto& [at, done] : batch.callbacks) {
    try {
      done(batch.error, batch.error ? kNone : batch.receipts[at]);
    } catch (const std::exception& e) {
      log::error("ledger.callback_failed", {{"problem", e.what()}});
    } catch (...) {
      log::error("ledger.callback_failed", {});
    }
  }
  batch.callbacks.clear();  // whatever the callbacks hold goes now, not with the last writer
}

void Log::awaitBatch(Batch& batch) {
  while (batch.done.load(std::memory_order_acquire) == 0)
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&batch.done), FUTEX_WAIT_PRIVATE, 0,
            nullptr, nullptr, 0);  // returns at once unless `done` is still 0
}

void Log::syncBatches() {
  std::unique_lock lock(syncMutex_);
  for (;;) {
    syncWake_.wait(lock, [this] { return sequencerStopped_ || !committed_.empty(); });
    if (committed_.empty()) return;
    auto batches = std::move(committed_);
    committed_.clear();
    lock.unlock();
    syncTaken_.notify_one();
    std::exception_ptr error;
    try {
      db_.syncCommitted();
    } catch (...) {
      // Committed but perhaps not on disk: no writer may take it as acknowledged. Nor any later
      // one: the kernel forgets a failed write once it has reported it, so a later sync that
      // succeeds proves nothing about these pages, and a crash would cut the log here.
      log::error("ledger.sync_failed", {{"batches", batches.size()}});
      error = std::current_exception();
      std::lock_guard broken(mutex_);
      syncFailure_ = error;
    }
    if (!error) {
      std::lock_guard broken(mutex_);
      error = syncFailure_;
    }
    for (auto& batch : batches) {
      batch->error = error;
      finish(*batch);
    }
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
  std::vector<Pending> one;
  one.push_back(prepare(entry));
  return enqueue(std::move(one)).front();
}

std::vector<Receipt> Log::appendAll(const std::vector<nlohmann::json>& entries) {
  std::vector<Pending> pending;
  pending.reserve(entries.size());
  for (const auto& entry : entries) pending.push_back(prepare(entry));
  return enqueue(std::move(pending));
}

Log::Pending Log::prepare(const nlohmann::json& entry) {
  if (!entry.is_object()) throw std::invalid_argument("a ledger entry is a JSON object");
  std::string text;
  try {
    text = canonicalJson(entry);
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("ledger entry: ") + e.what());
  }
  std::optional<std::string> subject = subjectOf(entry);
  Hash leaf = leafHash(text);
  return Pending{std::move(text), std::move(subject), leaf, toHex(leaf)};
}

void Log::appendAsync(const nlohmann::json& entry, AppendDone done) {
  if (!done) throw std::invalid_argument("appendAsync needs a callback");
  std::vector<Pending> one;
  one.push_back(prepare(entry));
  std::vector<AppendDone> callbacks;
  callbacks.push_back(std::move(done));
  enqueueAsync(std::move(one), std::move(callbacks));
}

void Log::appendAllAsync(const std::vector<nlohmann::json>& entries, AppendAllDone done) {
  if (!done) throw std::invalid_argument("appendAllAsync needs a callback");
  if (entries.empty()) {
    done(nullptr, {});
    return;
  }
  std::vector<Pending> pending;
  pending.reserve(entries.size());
  for (const auto& entry : entries) pending.push_back(prepare(entry));
  // Batches may be told from two threads (the sequencer for one that failed, the sync thread for
  // one that is durable), so the entries' answers meet under a mutex.
  struct Gather {
    std::mutex mutex;
    std::vector<Receipt> receipts;
    std::size_t left = 0;
    std::exception_ptr error;
    AppendAllDone done;
  };
  auto gather = std::make_shared<Gather>();
  gather->receipts.resize(entries.size());
  gather->left = entries.size();
  gather->done = std::move(done);
  std::vector<AppendDone> callbacks;
  callbacks.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i)
    callbacks.emplace_back([gather, i](const std::exception_ptr& error, const Receipt& receipt) {
      {
        std::lock_guard lock(gather->mutex);
        if (error && !gather->error) gather->error = error;
        gather->receipts[i] = receipt;
        if (--gather->left > 0) return;
      }
      if (gather->error) gather->receipts.clear();
      gather->done(gather->error, gather->receipts);
    });
  enqueueAsync(std::move(pending), std::move(callbacks));
}

void Log::enqueueAsync(std::vector<Pending>&& entries, std::vector<AppendDone>&& callbacks) {
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < entries.size(); ++i) {
      auto& batch = openBatch();
      batch.callbacks.emplace_back(batch.entries.size(), std::move(callbacks[i]));
      batch.entries.push_back(std::move(entries[i]));
    }
  }
  wake_.notify_one();
}

Log::Batch& Log::openBatch() {
  if (stopping_) throw std::runtime_error("the ledger is shutting down");
  if (syncFailure_) std::rethrow_exception(syncFailure_);
  if (queue_.empty() || queue_.back()->entries.size() >= options_.maxBatch)
    queue_.push_back(std::make_shared<Batch>());
  return *queue_.back();
}

std::vector<Receipt> Log::enqueue(std::vector<Pending>&& entries) {
  struct Part {
    std::shared_ptr<Batch> batch;
    std::size_t first;
    std::size_t count;
  };
  std::vector<Part> parts;
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < entries.size();) {
      auto& batch = openBatch();
      const std::size_t n = std::min(entries.size() - i, options_.maxBatch - batch.entries.size());
      parts.push_back({queue_.back(), batch.entries.size(), n});
      for (std::size_t k = 0; k < n; ++k) batch.entries.push_back(std::move(entries[i + k]));
      i += n;
    }
  }
  wake_.notify_one();
  std::vector<Receipt> out;
  out.reserve(entries.size());
  for (const auto& part : parts) {
    awaitBatch(*part.batch);
    if (part.batch->error) std::rethrow_exception(part.batch->error);
    const auto first = part.batch->receipts.begin() + static_cast<std::ptrdiff_t>(part.first);
    out.insert(out.end(), first, first + static_cast<std::ptrdiff_t>(part.count));
  }
  return out;
}

void Log::sequence() {
  for (;;) {
    std::shared_ptr<Batch> batch;
    {
      // While the last batch waits for a sync, more writers queue up: they go into one batch
      // instead of several, each with its transaction's fixed cost.
      std::unique_lock lock(syncMutex_);
      syncTaken_.wait(lock, [this] { return committed_.empty(); });
    }
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything accepted was written
      batch = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      refuseWhenBroken();  // queued before a sync failed: not written after it
      writeBatch(*batch);
    } catch (...) {
      // Nothing of the batch was committed: every writer hears of it.
      log::error("ledger.batch_failed", {{"entries", batch->entries.size()}});
      batch->error = std::current_exception();
      finish(*batch);
      continue;
    }
    {
      std::lock_guard lock(syncMutex_);
      committed_.push_back(std::move(batch));
    }
    syncWake_.notify_one();
  }
}

void Log::writeBatch(Batch& b) {
  auto& batch = b.entries;
  std::vector<Receipt> receipts(batch.size());
  std::vector<Tile> edge, filled;
  std::uint64_t newSize = 0;
  try {
    db_.transaction(
        [&](store::Connection& c) {
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
            entryRows.push_back({static_cast<std::int64_t>(index), std::move(batch[i].leafHex),
                                 std::move(batch[i].text), now,
                                 batch[i].subject ? store::Value(std::move(*batch[i].subject))
                                                  : store::Value(store::Null{})});
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
          tileRows.reserve(filled.size() + edge.size());
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
        },
        store::Sync::deferred);
  } catch (...) {
    tiles_->forgetEdge();
    throw;
  }
  tiles_->committed(newSize, std::move(edge), std::move(filled));
  b.receipts = std::move(receipts);
  {
    std::lock_guard lock(mutex_);
    unindexed_ += batch.size();
    if (unindexed_ >= kIndexEvery) indexWake_.notify_one();
  }
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
            {std::int64_t{kTileHeight} * level, static_cast<std::int64_t>(from),
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

std::optional<Log::StoredEntry> Log::storedEntry(std::uint64_t index) {
  auto found = entries(index, 1, std::nullopt);
  if (found.empty() || found.front().index != index) return std::nullopt;
  return found.front();
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

void Log::refuseWhenBroken() {
  std::lock_guard lock(mutex_);
  if (syncFailure_) throw Error(503, "ledger.stopped");
}

std::string Log::signCheckpoint() {
  // After a failed sync the log may hold entries that never reached the disk, and a crash would
  // give their indexes to others: no checkpoint may vouch for them.
  refuseWhenBroken();
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

}  // namespace onceonly::ledger
