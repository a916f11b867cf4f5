// How the log keeps its tree in the database, for the log's own files (not part of the module's
// interface): the tiles (tiles.h) stored in ledger_tiles, the right edge this process committed
// last, a bounded cache of full tiles, and the node readers that roots and proofs run on.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/merkle.h"
#include "ledger/tiles.h"
#include "store/store.h"

namespace onceonly::ledger {

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

// A right edge of the tree (a batch's own copy, or the one verify rebuilds): tiles[T] is the
// partial tile at tile level T.
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

// "the ledger tile at level L, index N <what>; run `onceonly ledger verify`"
std::string tileProblem(int level, std::uint64_t index, const std::string& what);
inline constexpr const char* kUpsertTile =
    "INSERT INTO ledger_tiles (level, idx, width, hashes) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (level, idx) DO UPDATE SET width = excluded.width, hashes = excluded.hashes";
store::Args tileRow(const Tile& t);
// The number of entries: the largest index plus one. `entries` names their table where it is
// not the connection's own (the lookups file reads the log attached as "log").
std::uint64_t logSize(store::Connection& c, std::string_view entries = "ledger_entries");
// The stored row (width, hashes) of one tile, if there is one.
std::optional<store::Row> readTileRow(store::Connection& c, int level, std::uint64_t index);
// The partial tile at level 0 is never stored: it changed with every batch, and rewriting it
// was most of what a commit wrote. Its base is the leaf hashes of the last entries, at most 255
// of them, read and hashed again when a process needs it and does not hold it.
Tile leafTile(store::Connection& c, std::uint64_t index);

// Where the log's tiles come from: the right edge this process committed last, a bounded cache
// of full tiles above level 0, and the database. Thread-safe.
class TileStore {
 public:
  // The tiles holding these perfect subtrees, read in one query for those not in memory.
  TileMap read(store::Connection& c, const std::vector<std::pair<int, std::uint64_t>>& nodes);

  // The partial tiles of a tree of `size` leaves, for the sequencer to extend: from memory when
  // this process committed the last batch, else from the database.
  std::vector<Tile> edge(store::Connection& c, std::uint64_t size);

  // A batch committed: its edge becomes the one in memory; the tiles it filled may be cached.
  void committed(std::uint64_t size, std::vector<Tile>&& edge, std::vector<Tile>&& filled);

  // After a failed batch the database may hold less than memory thought.
  void forgetEdge();

 private:
  // Full tiles above level 0 never change: a 256th of the tree, crossed by every proof.
  void keep(const std::shared_ptr<const Tile>& t);

  static constexpr std::size_t kMaxCached = 2048;  // 64 MB of tiles at most
  std::shared_mutex mutex_;
  std::vector<std::shared_ptr<const Tile>> edge_;         // GUARDED_BY mutex_
  std::uint64_t size_ = 0;                                // GUARDED_BY mutex_
  bool known_ = false;                                    // GUARDED_BY mutex_
  std::map<TileKey, std::shared_ptr<const Tile>> cache_;  // GUARDED_BY mutex_
};

// Runs a root or proof computation twice: first to learn the subtrees it needs, then on the
// tiles that hold them.
template <class Compute>
auto withTiles(store::Connection& c, TileStore& tiles, Compute compute) {
  RecordingNodes recording;
  compute(recording);
  TileMap found = tiles.read(c, recording.wanted);
  TileNodes nodes(found);
  return compute(nodes);
}

}  // namespace onceonly::ledger
