#include "ledger/log.h"

#include <bit>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "core/log.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "store/list.h"
#include "store/store.h"

namespace onceonly::ledger {
namespace {

constexpr std::int64_t kSequencerLock = 0x6c6564676572;  // "ledger"

Hash fromHex(const std::string& hex) {
  Hash h{};
  if (hex.size() != 64) throw std::runtime_error("stored hash is not 64 hex digits");
  for (std::size_t i = 0; i < 32; ++i)
    h[i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return h;
}

void checkCanonicalable(const nlohmann::json& j) {
  if (j.is_number_float()) throw std::invalid_argument("ledger entries hold no fractional numbers");
  if (j.is_object() || j.is_array())
    for (const auto& v : j) checkCanonicalable(v);
}

// Perfect-subtree hashes read from the database through one connection.
class StoredNodes : public NodeReader {
 public:
  explicit StoredNodes(store::Connection& c) : c_(c) {}
  Hash node(int level, std::uint64_t index) override {
    auto row = c_.queryOne("SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?",
                           {static_cast<std::int64_t>(level), static_cast<std::int64_t>(index)});
    if (!row)
      throw std::runtime_error("ledger node missing at level " + std::to_string(level) +
                               ", index " + std::to_string(index));
    return fromHex(row->text("hash"));
  }

 private:
  store::Connection& c_;
};

// The proof and root algorithms ask for the same positions whatever the hashes are, so a first
// pass with placeholder hashes learns which perfect subtrees a computation needs; they are then
// read in one query instead of one query each (O(log n) round trips become one).
class RecordingNodes : public NodeReader {
 public:
  Hash node(int level, std::uint64_t index) override {
    wanted.emplace_back(level, index);
    return Hash{};
  }
  std::vector<std::pair<int, std::uint64_t>> wanted;
};

class PrefetchedNodes : public NodeReader {
 public:
  PrefetchedNodes(store::Connection& c, const std::vector<std::pair<int, std::uint64_t>>& wanted,
                  NodeCache& cache)
      : stored_(c) {
    std::vector<std::pair<int, std::uint64_t>> missing;
    for (const auto& w : wanted) {
      if (auto h = cache.find(w.first, w.second))
        known_[w] = *h;
      else
        missing.push_back(w);
    }
    constexpr std::size_t kPerQuery = 64;
    for (std::size_t start = 0; start < missing.size(); start += kPerQuery) {
      std::string sql = "SELECT level, idx, hash FROM ledger_nodes WHERE ";
      store::Args args;
      for (std::size_t i = start; i < std::min(missing.size(), start + kPerQuery); ++i) {
        sql += i == start ? "(level = ? AND idx = ?)" : " OR (level = ? AND idx = ?)";
        args.push_back(static_cast<std::int64_t>(missing[i].first));
        args.push_back(static_cast<std::int64_t>(missing[i].second));
      }
      for (const auto& r : c.query(sql, args)) {
        std::pair<int, std::uint64_t> at{static_cast<int>(r.integer("level")),
                                         static_cast<std::uint64_t>(r.integer("idx"))};
        known_[at] = fromHex(r.text("hash"));
        cache.keep(at.first, at.second, known_[at]);
      }
    }
  }
  Hash node(int level, std::uint64_t index) override {
    auto it = known_.find({level, index});
    return it != known_.end() ? it->second : stored_.node(level, index);  // names what is missing
  }

 private:
  StoredNodes stored_;
  std::map<std::pair<int, std::uint64_t>, Hash> known_;
};

template <class Compute>
auto withStoredNodes(store::Connection& c, NodeCache& cache, Compute compute) {
  RecordingNodes recording;
  compute(recording);
  PrefetchedNodes nodes(c, recording.wanted, cache);
  return compute(nodes);
}

// Nodes written in the current batch first, then the database.
class BatchNodes : public NodeReader {
 public:
  BatchNodes(store::Connection& c, NodeCache& cache) : stored_(c), cache_(cache) {}
  Hash node(int level, std::uint64_t index) override {
    if (auto it = fresh_.find({level, index}); it != fresh_.end()) return it->second;
    if (auto h = cache_.find(level, index)) return *h;
    Hash h = stored_.node(level, index);
    cache_.keep(level, index, h);  // committed before this batch: it never changes
    return h;
  }
  std::map<std::pair<int, std::uint64_t>, Hash> fresh_;

 private:
  StoredNodes stored_;
  NodeCache& cache_;
};

}  // namespace

std::optional<Hash> NodeCache::find(int level, std::uint64_t index) {
  if (level < kMinLevel) return std::nullopt;
  std::shared_lock lock(mutex_);
  auto it = nodes_.find(key(level, index));
  if (it == nodes_.end()) return std::nullopt;
  return it->second;
}

void NodeCache::keep(int level, std::uint64_t index, const Hash& h) {
  if (level < kMinLevel) return;
  std::unique_lock lock(mutex_);
  if (nodes_.size() < kMaxNodes) nodes_.emplace(key(level, index), h);
}

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
    : db_(db), signer_(std::move(signer)), options_(std::move(options)) {
  sequencer_ = std::thread([this] { sequence(); });
  if (options_.background) background_ = std::thread([this] { background(); });
}

Log::~Log() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  stopWake_.notify_all();
  if (background_.joinable()) background_.join();
  sequencer_.join();
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
    pending.push_back(Pending{std::move(text), std::move(subject), leaf, {}});
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
  db_.transaction([&](store::Connection& c) {
    if (c.dialect() == store::Dialect::Postgres)
      c.exec("SELECT pg_advisory_xact_lock(?)", {kSequencerLock});  // one sequencer at a time
    auto row = c.queryOne("SELECT MAX(idx) AS last FROM ledger_entries");
    std::uint64_t size =
        row->isNull("last") ? 0 : static_cast<std::uint64_t>(row->integer("last")) + 1;
    BatchNodes nodes(c, cache_);
    const std::string now = nowRfc3339();
    std::vector<store::Args> entryRows, nodeRows;
    auto putNode = [&](int level, std::uint64_t index, const Hash& h) {
      nodes.fresh_[{level, index}] = h;
      nodeRows.push_back(
          {static_cast<std::int64_t>(level), static_cast<std::int64_t>(index), toHex(h)});
    };
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const std::uint64_t index = size + i;
      entryRows.push_back(
          {static_cast<std::int64_t>(index), toHex(batch[i].leaf), batch[i].text, now,
           batch[i].subject ? store::Value(*batch[i].subject) : store::Value(store::Null{})});
      putNode(0, index, batch[i].leaf);
      // Each completed pair makes a perfect subtree one level up.
      std::uint64_t j = index;
      for (int level = 0; j & 1; ++level, j >>= 1)
        putNode(level + 1, j >> 1, nodeHash(nodes.node(level, j - 1), nodes.node(level, j)));
      receipts[i].index = index;
      receipts[i].leafHash = batch[i].leaf;
    }
    store::insertMany(c, "ledger_entries", {"idx", "leaf_hash", "entry", "appended_at", "subject"},
                      entryRows);
    store::insertMany(c, "ledger_nodes", {"level", "idx", "hash"}, nodeRows);
    const std::uint64_t newSize = size + batch.size();
    Hash root = rootHash(nodes, newSize);
    for (auto& r : receipts) {
      r.treeSize = newSize;
      r.root = root;
    }
  });
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done.set_value(receipts[i]);
}

std::uint64_t Log::size() {
  auto row = db_.connect().queryOne("SELECT MAX(idx) AS last FROM ledger_entries");
  return row->isNull("last") ? 0 : static_cast<std::uint64_t>(row->integer("last")) + 1;
}

std::optional<std::string> Log::entry(std::uint64_t index) {
  auto row = db_.connect().queryOne("SELECT entry FROM ledger_entries WHERE idx = ?",
                                    {static_cast<std::int64_t>(index)});
  if (!row) return std::nullopt;
  return row->text("entry");
}

std::vector<Log::StoredEntry> Log::entries(std::uint64_t from, std::size_t limit,
                                           const std::optional<std::string>& subject) {
  std::string sql = "SELECT idx, entry, subject FROM ledger_entries WHERE idx >= ?";
  store::Args args{static_cast<std::int64_t>(from)};
  if (subject) {
    sql += " AND subject = ?";
    args.push_back(*subject);
  }
  sql += " ORDER BY idx LIMIT ?";
  args.push_back(static_cast<std::int64_t>(limit));
  std::vector<StoredEntry> out;
  for (const auto& r : db_.connect().query(sql, args))
    out.push_back(
        {static_cast<std::uint64_t>(r.integer("idx")), r.text("entry"), r.optText("subject")});
  return out;
}

std::uint64_t Log::countEntries(const std::optional<std::string>& subject) {
  if (!subject) return size();
  return static_cast<std::uint64_t>(
      db_.connect()
          .queryOne("SELECT COUNT(*) AS n FROM ledger_entries WHERE subject = ?", {*subject})
          ->integer("n"));
}

std::optional<Log::StoredEntry> Log::storedEntry(std::uint64_t index) {
  auto found = entries(index, 1, std::nullopt);
  if (found.empty() || found.front().index != index) return std::nullopt;
  return found.front();
}

std::optional<std::uint64_t> Log::indexOf(const Hash& leaf) {
  auto row = db_.connect().queryOne(
      "SELECT MIN(idx) AS idx FROM ledger_entries WHERE leaf_hash = ? HAVING COUNT(*) > 0",
      {toHex(leaf)});
  if (!row) return std::nullopt;
  return static_cast<std::uint64_t>(row->integer("idx"));
}

Hash Log::root(std::uint64_t size) {
  auto c = db_.connect();
  return withStoredNodes(c, cache_, [&](NodeReader& nodes) { return rootHash(nodes, size); });
}

std::vector<Hash> Log::inclusionProof(std::uint64_t index, std::uint64_t size) {
  auto c = db_.connect();
  return withStoredNodes(
      c, cache_, [&](NodeReader& nodes) { return ledger::inclusionProof(nodes, index, size); });
}

std::vector<Hash> Log::consistencyProof(std::uint64_t first, std::uint64_t second) {
  auto c = db_.connect();
  return withStoredNodes(
      c, cache_, [&](NodeReader& nodes) { return ledger::consistencyProof(nodes, first, second); });
}

std::string Log::signCheckpoint() {
  return db_.transaction([&](store::Connection& c) {
    if (c.dialect() == store::Dialect::Postgres)
      c.exec("SELECT pg_advisory_xact_lock(?)", {kSequencerLock});
    auto row = c.queryOne("SELECT MAX(idx) AS last FROM ledger_entries");
    std::uint64_t size =
        row->isNull("last") ? 0 : static_cast<std::uint64_t>(row->integer("last")) + 1;
    if (auto existing = c.queryOne("SELECT note FROM ledger_checkpoints WHERE size = ?",
                                   {static_cast<std::int64_t>(size)}))
      return existing->text("note");
    StoredNodes nodes(c);
    Checkpoint cp{options_.origin, size, rootHash(nodes, size), {}};
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

VerifyReport Log::verify() {
  VerifyReport report;
  auto c = db_.connect();
  MemoryTree tree;
  auto fail = [&](std::uint64_t index, std::string problem) {
    if (report.ok) {
      report.ok = false;
      report.firstBadIndex = index;
      report.problem = std::move(problem);
    }
  };
  std::uint64_t expected = 0;
  for (const auto& r : c.query("SELECT idx, leaf_hash, entry FROM ledger_entries ORDER BY idx")) {
    auto idx = static_cast<std::uint64_t>(r.integer("idx"));
    if (idx != expected) {
      fail(expected, "entry " + std::to_string(expected) + " is missing");
      break;
    }
    Hash leaf = leafHash(r.text("entry"));
    if (toHex(leaf) != r.text("leaf_hash"))
      fail(idx, "entry " + std::to_string(idx) + " does not match its leaf hash");
    tree.append(leaf);
    ++expected;
  }
  report.size = expected;
  // Every stored subtree hash must be what the entries give.
  std::uint64_t nodes = 0;
  for (const auto& r : c.query("SELECT level, idx, hash FROM ledger_nodes ORDER BY level, idx")) {
    int level = static_cast<int>(r.integer("level"));
    auto idx = static_cast<std::uint64_t>(r.integer("idx"));
    ++nodes;
    std::uint64_t firstLeaf = idx << level;
    if (firstLeaf + (std::uint64_t{1} << level) > tree.size()) {
      fail(firstLeaf, "a subtree hash covers entries that are not there");
      continue;
    }
    if (toHex(tree.node(level, idx)) != r.text("hash"))
      fail(firstLeaf, "the subtree hash at level " + std::to_string(level) + " over entries from " +
                          std::to_string(firstLeaf) + " does not match the entries");
  }
  // A complete tree of n leaves has 2n - popcount(n) perfect subtrees.
  std::uint64_t want = 2 * tree.size() - static_cast<std::uint64_t>(std::popcount(tree.size()));
  if (nodes != want && report.ok) fail(tree.size(), "subtree hashes are missing");
  // Every signed checkpoint must carry the log's valid signature over the root the entries give.
  for (const auto& r : c.query("SELECT size, note FROM ledger_checkpoints ORDER BY size")) {
    auto size = static_cast<std::uint64_t>(r.integer("size"));
    auto note = parseNote(r.text("note"));
    auto cp = note ? parseCheckpoint(note->text) : std::nullopt;
    if (!note || !cp || !signer_.verifier().verifies(*note) || cp->size != size ||
        cp->origin != options_.origin) {
      fail(size, "the checkpoint at size " + std::to_string(size) + " is not validly signed");
    } else if (size > tree.size() || cp->root != rootHash(tree, size)) {
      fail(size, "the checkpoint at size " + std::to_string(size) + " does not match the entries");
    }
    ++report.checkpoints;
  }
  return report;
}

}  // namespace onceonly::ledger
