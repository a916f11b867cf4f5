#include "ledger/tiles.h"

#include <bit>
#include <stdexcept>

#include "core/error.h"

namespace onceonly::ledger {

void damaged(const std::string& problem) {
  throw Error(500, "ledger.damaged", {{"problem", problem}});
}

namespace {

// Where node (k, j) of a tile sits, j counted from the tile's start (see tiles.h).
std::size_t position(int k, std::uint64_t j) {
  const std::uint64_t m = (j + 1) << k;
  return static_cast<std::size_t>(2 * (m - 1) - static_cast<std::uint64_t>(std::popcount(m - 1)) +
                                  static_cast<std::uint64_t>(k));
}

}  // namespace

std::size_t Tile::nodeCount(unsigned width) {
  // Every perfect subtree of up to 128 base nodes within the first `width`.
  std::size_t n = 2 * std::size_t{width} - static_cast<std::size_t>(std::popcount(width));
  return width == kTileWidth ? n - 1 : n;  // the full tile's own top is one tile level up
}

Tile Tile::decode(int level, std::uint64_t index, unsigned width, std::string text) {
  if (level < 0 || width > kTileWidth || text.size() != 64 * nodeCount(width))
    damaged("ledger tile at level " + std::to_string(level) + ", index " + std::to_string(index) +
            " is not a tile of width " + std::to_string(width));
  Tile t(level, index);
  t.width_ = width;
  t.hex_ = std::move(text);
  return t;
}

Hash Tile::at(std::size_t position) const {
  auto h = hashFromHex(std::string_view(hex_).substr(64 * position, 64));
  if (!h)
    damaged("ledger tile at level " + std::to_string(level_) + ", index " + std::to_string(index_) +
            " holds a node that is not hex");
  return *h;
}

std::optional<Hash> Tile::node(int k, std::uint64_t j) const {
  if (k < 0 || k >= kTileHeight) return std::nullopt;
  const std::uint64_t first = index_ << (kTileHeight - k);  // the tile's first node at level k
  if (j < first) return std::nullopt;
  const std::uint64_t rel = j - first;
  if (((rel + 1) << k) > width_) return std::nullopt;
  return at(position(k, rel));
}

std::optional<Hash> Tile::push(const Hash& base) {
  if (full()) throw std::logic_error("push onto a full ledger tile");
  appendHex(hex_, base);
  const std::uint64_t b = width_++;
  // The new base node completes the subtrees whose last base node it is, lowest first.
  Hash right = base;
  for (int k = 1; ((b + 1) & ((std::uint64_t{1} << k) - 1)) == 0; ++k) {
    const std::uint64_t j = ((b + 1) >> k) - 1;
    Hash parent = nodeHash(at(position(k - 1, 2 * j)), right);
    if (k == kTileHeight) return parent;
    appendHex(hex_, parent);
    right = parent;
  }
  return std::nullopt;
}

TileRef tileFor(int treeLevel, std::uint64_t j) {
  const int k = treeLevel % kTileHeight;
  const std::uint64_t index = j >> (kTileHeight - k);
  const std::uint64_t firstBase = index << kTileHeight;
  return {treeLevel / kTileHeight, index, static_cast<unsigned>(((j + 1) << k) - firstBase)};
}

void forEachTile(NodeReader& tree, std::uint64_t size, const std::function<void(const Tile&)>& fn) {
  for (int level = 0; (size >> (kTileHeight * level)) > 0; ++level) {
    const std::uint64_t bases = size >> (kTileHeight * level);  // nodes at tree level 8·level
    for (std::uint64_t index = 0; index << kTileHeight < bases; ++index) {
      Tile t(level, index);
      for (std::uint64_t b = index << kTileHeight; b < bases && !t.full(); ++b)
        t.push(tree.node(kTileHeight * level, b));
      fn(t);
    }
  }
}

}  // namespace onceonly::ledger
