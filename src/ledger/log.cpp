#include "ledger/log.h"

#include <pthread.h>

#include <algorithm>
#include <filesystem>

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
// How often the sequencer looks for entries another process queued in the outbox.
constexpr auto kOutboxPoll = std::chrono::milliseconds(250);

[[noreturn]] void badEntry(const std::string& problem) {
  throw Error(400, "ledger.entry", {{"problem", problem}});
}

void checkCanonicalable(const nlohmann::json& j) {
  if (j.is_number_float()) badEntry("ledger entries hold no fractional numbers");
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
}

Log::~Log() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  indexWake_.notify_all();
  if (indexer_.joinable()) indexer_.join();
  sequencer_.join();
  {
    std::lock_guard lock(syncMutex_);
    sequencerStopped_ = true;
  }
  syncWake_.notify_one();
  syncer_.join();
}

void Log::finish(Batch& batch) {
  static const Receipt kNone{};
  for (std::size_t i = 0; i < batch.callbacks.size(); ++i) {
    try {
      batch.callbacks[i](batch.error, batch.error ? kNone : batch.receipts[i]);
    } catch (const std::exception& e) {
      log::error("ledger.callback_failed", {{"problem", e.what()}});
    } catch (...) {
      log::error("ledger.callback_failed", {});
    }
  }
  batch.callbacks.clear();  // whatever the callbacks hold goes now
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

void Log::checkpointAndCosign() {
  if (options_.witnesses.empty())
    signCheckpoint();
  else
    requestCosignatures();  // signs first
}

Log::Pending Log::prepare(const nlohmann::json& entry) {
  if (!entry.is_object()) badEntry("a ledger entry is a JSON object");
  try {
    return prepareText(canonicalJson(entry));
  } catch (const nlohmann::json::exception& e) {
    badEntry(e.what());
  }
}

Log::Pending Log::prepareText(std::string text) {
  std::optional<std::string> subject = entrySubject(text);
  Hash leaf = leafHash(text);
  return Pending{std::move(text), std::move(subject), leaf, toHex(leaf)};
}

void Log::append(const std::vector<nlohmann::json>& entries, AppendDone done) {
  if (!done) throw std::logic_error("Log::append needs a callback");
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
    AppendDone done;
  };
  auto gather = std::make_shared<Gather>();
  gather->receipts.resize(entries.size());
  gather->left = entries.size();
  gather->done = std::move(done);
  {
    std::lock_guard lock(mutex_);
    openBatch();  // refuses before anything is queued
    for (std::size_t i = 0; i < pending.size(); ++i) {
      auto& batch = openBatch();
      batch.entries.push_back(std::move(pending[i]));
      batch.callbacks.emplace_back(
          [gather, i](const std::exception_ptr& error, const Receipt& receipt) {
            {
              std::lock_guard lock(gather->mutex);
              if (error && !gather->error) gather->error = error;
              gather->receipts[i] = receipt;
              if (--gather->left > 0) return;
            }
            if (gather->error) gather->receipts.clear();
            gather->done(gather->error, gather->receipts);
          });
    }
  }
  wake_.notify_one();
}

void Log::queue(store::Connection& c, const nlohmann::json& entry) {
  auto pending = prepare(entry);
  c.exec("INSERT INTO ledger_outbox (entry, queued_at) VALUES (?, ?)",
         {std::move(pending.text), nowRfc3339()});
  c.afterCommit([this] {
    {
      std::lock_guard lock(mutex_);
      outboxQueued_ = true;
    }
    wake_.notify_one();
  });
}

Log::Batch& Log::openBatch() {
  if (stopping_) throw Error(503, "ledger.stopped");
  if (syncFailure_) std::rethrow_exception(syncFailure_);
  if (queue_.empty() || queue_.back()->entries.size() >= options_.maxBatch)
    queue_.push_back(std::make_shared<Batch>());
  return *queue_.back();
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
      // Entries another process queued are found by looking now and then; this process's own
      // wake the sequencer when their transaction commits.
      wake_.wait_for(lock, kOutboxPoll,
                     [this] { return stopping_ || !queue_.empty() || outboxQueued_; });
      if (queue_.empty() && stopping_) return;  // everything accepted was written
      outboxQueued_ = false;
      if (queue_.empty()) {
        batch = std::make_shared<Batch>();
      } else {
        batch = std::move(queue_.front());
        queue_.pop_front();
      }
    }
    try {
      refuseWhenBroken();  // queued before a sync failed: not written after it
      writeBatch(*batch);
      if (batch->entries.empty()) continue;  // nothing appended, nothing waiting in the outbox
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
  // An idle look at the outbox takes no write lock.
  if (batch.empty() && !db_.connect().queryOne("SELECT id FROM ledger_outbox LIMIT 1")) return;
  std::vector<Receipt> receipts;
  std::vector<Tile> edge, filled;
  std::uint64_t newSize = 0;
  bool outboxLeft = false;
  try {
    db_.transaction(
        [&](store::Connection& c) {
          if (c.dialect() == store::Dialect::Postgres)
            c.exec("SELECT pg_advisory_xact_lock(?)", {kSequencerLock});  // one sequencer at a time
          // Queued entries join the batch, deleted from the outbox in the transaction that
          // appends them: each is appended exactly once, whatever fails.
          if (batch.size() < options_.maxBatch) {
            const auto room = static_cast<std::int64_t>(options_.maxBatch - batch.size());
            auto queued =
                c.query("SELECT id, entry FROM ledger_outbox ORDER BY id LIMIT ?", {room});
            std::vector<store::Args> ids;
            for (auto& r : queued) {
              ids.push_back({r.integer("id")});
              batch.push_back(prepareText(r.takeText("entry")));
            }
            if (!ids.empty()) c.execEach("DELETE FROM ledger_outbox WHERE id = ?", ids);
            b.fromOutbox = ids.size();
            outboxLeft = static_cast<std::int64_t>(ids.size()) == room;
          }
          receipts.assign(batch.size(), Receipt{});
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
    if (outboxLeft) outboxQueued_ = true;
    unindexed_ += batch.size();
    if (unindexed_ >= kIndexEvery) indexWake_.notify_one();
  }
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
  // Bookkeeping of the log's own, not part of whatever write the caller is in.
  return db_.transactionApart([&](store::Connection& c) {
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
