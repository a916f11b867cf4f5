// `onceonly ledger verify`: the whole log recomputed from its entries and held against its
// stored tiles and signed checkpoints.
#include <deque>
#include <map>

#include "core/error.h"
#include "ledger/log.h"
#include "ledger/tile_store.h"
#include "ledger/tiles.h"
#include "store/store.h"

namespace onceonly::ledger {

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
  // One snapshot throughout: a log being appended to meanwhile would otherwise show tiles and
  // checkpoints past the entries read. Rolled back when `c` goes.
  c.beginSnapshot();
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
    } catch (const Error& e) {
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
        "SELECT idx, leaf_hash, entry, subject FROM ledger_entries WHERE idx >= ? ORDER BY idx "
        "LIMIT ?",
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
      // The subject column decides whose lookups find the entry: it must be the entry's own.
      if (r.optText("subject") != entrySubject(r.text("entry")))
        fail(size, "entry " + std::to_string(size) + " is stored under another subject");
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
          row = readTileRow(c, static_cast<int>(t), edge[t].index());
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
    if (edge[t].width() > 0) compare(edge[t], readTileRow(c, static_cast<int>(t), edge[t].index()));
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
