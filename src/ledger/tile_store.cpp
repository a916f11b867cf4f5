#include "ledger/tile_store.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace onceonly::ledger {

std::string tileProblem(int level, std::uint64_t index, const std::string& what) {
  return "the ledger tile at level " + std::to_string(level) + ", index " + std::to_string(index) +
         " " + what + "; run `onceonly ledger verify`";
}

store::Args tileRow(const Tile& t) {
  return {static_cast<std::int64_t>(t.level()), static_cast<std::int64_t>(t.index()),
          static_cast<std::int64_t>(t.width()), t.text()};
}

std::uint64_t logSize(store::Connection& c, std::string_view entries) {
  std::string sql = "SELECT MAX(idx) AS last FROM ";
  sql += entries;
  auto row = c.queryOne(sql);
  return row->isNull("last") ? 0 : static_cast<std::uint64_t>(row->integer("last")) + 1;
}

std::optional<store::Row> readTileRow(store::Connection& c, int level, std::uint64_t index) {
  return c.queryOne("SELECT width, hashes FROM ledger_tiles WHERE level = ? AND idx = ?",
                    {std::int64_t{level}, static_cast<std::int64_t>(index)});
}

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

TileMap TileStore::read(store::Connection& c,
                        const std::vector<std::pair<int, std::uint64_t>>& nodes) {
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
  std::optional<std::uint64_t> lastLeafTile;
  for (const auto& key : missing) {
    if (key.first != 0 || found.count(key)) continue;
    if (!lastLeafTile) lastLeafTile = logSize(c) >> kTileHeight;
    if (key.second == *lastLeafTile)
      found[key] = std::make_shared<const Tile>(leafTile(c, key.second));
  }
  return found;
}

std::vector<Tile> TileStore::edge(store::Connection& c, std::uint64_t size) {
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
        damaged(tileProblem(0, index, "lacks entries the log size says exist"));
      continue;
    }
    auto row = readTileRow(c, level, index);
    if (!row || static_cast<unsigned>(row->integer("width")) != width)
      damaged(tileProblem(
          level, index, "does not hold the " + std::to_string(width) + " nodes the entries give"));
    out.push_back(Tile::decode(level, index, width, row->takeText("hashes")));
  }
  return out;
}

void TileStore::committed(std::uint64_t size, std::vector<Tile>&& edge,
                          std::vector<Tile>&& filled) {
  std::vector<std::shared_ptr<const Tile>> tiles;
  tiles.reserve(edge.size());
  for (auto& t : edge) tiles.push_back(std::make_shared<const Tile>(std::move(t)));
  for (auto& t : filled) keep(std::make_shared<const Tile>(std::move(t)));
  std::unique_lock lock(mutex_);
  edge_ = std::move(tiles);
  size_ = size;
  known_ = true;
}

void TileStore::forgetEdge() {
  std::unique_lock lock(mutex_);
  known_ = false;
}

void TileStore::keep(const std::shared_ptr<const Tile>& t) {
  if (!t->full() || t->level() == 0) return;
  std::unique_lock lock(mutex_);
  if (cache_.size() < kMaxCached) cache_.emplace(TileKey{t->level(), t->index()}, t);
}

}  // namespace onceonly::ledger
