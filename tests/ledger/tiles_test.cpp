#include "ledger/tiles.h"

#include "core/error.h"

#include <gtest/gtest.h>

#include <map>

namespace onceonly::ledger {
namespace {

MemoryTree treeOf(std::uint64_t size) {
  MemoryTree t;
  for (std::uint64_t i = 0; i < size; ++i) t.append(leafHash(std::to_string(i)));
  return t;
}

TEST(Tiles, HoldEveryPerfectSubtreeOfTheTree) {
  // 256² + 300 leaves: full and partial tiles at levels 0 and 1, a partial tile at level 2.
  const std::uint64_t size = 65536 + 300;
  MemoryTree tree = treeOf(size);
  std::map<std::pair<int, std::uint64_t>, Tile> tiles;
  forEachTile(tree, size, [&](const Tile& t) {
    EXPECT_EQ(t.text().size(), 64 * Tile::nodeCount(t.width()));
    tiles.emplace(std::make_pair(t.level(), t.index()), t);
  });
  EXPECT_EQ(tiles.size(), 258u + 2u + 1u);  // ⌈65836/256⌉, ⌈257/256⌉, 1
  EXPECT_EQ(tiles.at({0, 0}).width(), 256u);
  EXPECT_EQ(tiles.at({0, 257}).width(), 44u);
  EXPECT_EQ(tiles.at({1, 1}).width(), 1u);
  EXPECT_EQ(tiles.at({2, 0}).width(), 1u);
  // Every perfect subtree is in the tile tileFor names, and that tile is wide enough.
  std::uint64_t checked = 0;
  for (int level = 0; (std::uint64_t{1} << level) <= size; ++level)
    for (std::uint64_t j = 0; ((j + 1) << level) <= size; ++j) {
      TileRef ref = tileFor(level, j);
      const Tile& t = tiles.at({ref.level, ref.index});
      ASSERT_GE(t.width(), ref.minWidth);
      auto h = t.node(level % kTileHeight, j);
      ASSERT_TRUE(h) << level << "/" << j;
      ASSERT_EQ(*h, tree.node(level, j)) << level << "/" << j;
      ++checked;
    }
  EXPECT_EQ(checked, 2 * size - static_cast<std::uint64_t>(__builtin_popcountll(size)));
  // A tile answers only for its own nodes.
  EXPECT_FALSE(tiles.at({0, 1}).node(0, 0));
  EXPECT_FALSE(tiles.at({0, 257}).node(0, 257 * 256 + 44));
  EXPECT_FALSE(tiles.at({0, 0}).node(8, 0));  // one tile level up
}

TEST(Tiles, AFullTileHandsItsTopOneLevelUp) {
  MemoryTree tree = treeOf(512);
  Tile t(0, 1);
  std::optional<Hash> top;
  for (std::uint64_t i = 256; i < 512; ++i) {
    EXPECT_FALSE(top);
    top = t.push(tree.node(0, i));
  }
  ASSERT_TRUE(top);
  EXPECT_EQ(*top, tree.node(8, 1));
  EXPECT_TRUE(t.full());
  EXPECT_EQ(Tile::nodeCount(256), 510u);
  EXPECT_THROW(t.push(*top), std::logic_error);
  // A narrower tile is a prefix of a wider one.
  Tile narrow(0, 1);
  for (std::uint64_t i = 256; i < 300; ++i) narrow.push(tree.node(0, i));
  EXPECT_EQ(t.text().substr(0, narrow.text().size()), narrow.text());
}

TEST(Tiles, ATileReadBackGrowsLikeOneBuiltInMemory) {
  MemoryTree tree = treeOf(256);
  Tile whole(0, 0);
  std::vector<std::string> texts{whole.text()};
  for (std::uint64_t i = 0; i < 255; ++i) {
    whole.push(tree.node(0, i));
    texts.push_back(whole.text());
  }
  const auto top = whole.push(tree.node(0, 255));
  ASSERT_TRUE(top);
  EXPECT_EQ(*top, tree.node(8, 0));
  // Decoded at every width and pushed on to the end, it ends as the same tile.
  for (unsigned w = 0; w < 256; ++w) {
    Tile t = Tile::decode(0, 0, w, texts[w]);
    for (std::uint64_t i = w; i < 255; ++i) ASSERT_FALSE(t.push(tree.node(0, i))) << w;
    const auto last = t.push(tree.node(0, 255));
    ASSERT_EQ(t.text(), whole.text()) << "decoded at width " << w;
    ASSERT_TRUE(last);
    ASSERT_EQ(*last, *top);
  }
}

TEST(Tiles, DecodeRefusesWhatIsNotATile) {
  MemoryTree tree = treeOf(5);
  Tile t(0, 0);
  for (std::uint64_t i = 0; i < 5; ++i) t.push(tree.node(0, i));
  EXPECT_EQ(Tile::decode(0, 0, 5, t.text()).node(2, 0), tree.node(2, 0));
  EXPECT_THROW(Tile::decode(0, 0, 4, t.text()), Error);         // wrong width
  EXPECT_THROW(Tile::decode(0, 0, 5, t.text() + "00"), Error);  // wrong length
  EXPECT_THROW(Tile::decode(0, 0, 257, std::string()), Error);  // too wide
  std::string bad = t.text();
  bad[3] = 'x';
  Tile broken = Tile::decode(0, 0, 5, bad);
  EXPECT_THROW(broken.node(0, 0), Error);  // named when read
}

}  // namespace
}  // namespace onceonly::ledger
