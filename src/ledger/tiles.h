// How the log stores its Merkle tree: in tiles, after the layout of c2sp.org/tlog-tiles.
//
// Tree levels are cut into strips of eight. The tile (level T, index N) holds the perfect
// subtrees of tree levels 8T … 8T+7 above 256 consecutive nodes of tree level 8T (its base):
// base nodes 256N … 256N+255. Unlike a tlog-tiles tile, which keeps only its base, a stored tile
// keeps all its nodes (510 when full), so a proof reads a node from its tile without hashing.
// A tile of width w has its first w base nodes and every node above them that they complete.
//
// The nodes are kept in the order an append completes them (post-order), so a tile grows at the
// end and a narrower tile is a prefix of a wider one. The position of node (k, j) of the tile,
// k = 0…7, j counted from the tile's start, is 2(m-1) - popcount(m-1) + k with m = (j+1)·2^k.
//
// A tree of n leaves has, at each tile level T with n ≥ 256^T, n / 256^(T+1) full tiles and at
// most one partial tile of width (n / 256^T) mod 256. Full tiles never change.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/merkle.h"

namespace onceonly::ledger {

// Throws Error 500 ledger.damaged: what is stored does not add up (a tile, an entry, the log's
// own checkpoint). `ledger verify` names the first entry it concerns.
[[noreturn]] void damaged(const std::string& problem);

constexpr int kTileHeight = 8;
constexpr unsigned kTileWidth = 256;

class Tile {
 public:
  Tile(int level, std::uint64_t index) : level_(level), index_(index) {}
  // A tile read back from storage: throws std::runtime_error when the text is not the nodes of
  // a tile of that width.
  static Tile decode(int level, std::uint64_t index, unsigned width, std::string text);

  int level() const { return level_; }
  std::uint64_t index() const { return index_; }
  unsigned width() const { return width_; }
  bool full() const { return width_ == kTileWidth; }
  // Nodes a tile of this width holds.
  static std::size_t nodeCount(unsigned width);

  // The node at tree level 8·level() + k with index j (counted over the whole tree level), when
  // this tile holds it.
  std::optional<Hash> node(int k, std::uint64_t j) const;
  // Adds the next base node. When it fills the tile, returns the node it completes at tree level
  // 8·(level()+1): the next base node one tile level up.
  std::optional<Hash> push(const Hash& base);
  // The stored form: the nodes' hex, in order.
  const std::string& text() const { return hex_; }

 private:
  Hash at(std::size_t position) const;

  int level_;
  std::uint64_t index_;
  unsigned width_ = 0;
  std::string hex_;  // 64 hex digits per node, post-order
};

// The tile that holds the perfect subtree (treeLevel, j), and the width it needs to hold it.
struct TileRef {
  int level = 0;
  std::uint64_t index = 0;
  unsigned minWidth = 0;
};
TileRef tileFor(int treeLevel, std::uint64_t j);

// Calls fn with every tile, full and partial, of the tree's first `size` leaves, level by level.
void forEachTile(NodeReader& tree, std::uint64_t size, const std::function<void(const Tile&)>& fn);

}  // namespace onceonly::ledger
