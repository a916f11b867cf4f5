#include "ledger/log.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "crypto/crypto.h"
#include "store/store.h"
#include "support/test_support.h"

namespace onceonly::ledger {
namespace {

using onceonly::testing::Backend;

class LogTest : public ::testing::TestWithParam<Backend> {
 protected:
  onceonly::testing::ScratchDatabase scratch{GetParam()};
  std::unique_ptr<store::Database> db = [this] {
    auto d = store::Database::open(scratch.url(), 8);
    d->migrate();
    return d;
  }();

  Signer signer = Signer::generate("test.example/log");
  void exec(const std::string& sql) { db->connect().exec(sql); }
};

nlohmann::json event(int i) {
  return {{"type", "data.access"}, {"seq", i}, {"subject", "psn_test"}, {"by", "org_x"}};
}

TEST_P(LogTest, ConcurrentAppendsFormOneTreeAndProofsVerify) {
  constexpr int kThreads = 8, kEach = 40;
  std::vector<Receipt> receipts(kThreads * kEach);
  {
    Log log(*db, signer);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) receipts[t * kEach + i] = log.append(event(t * kEach + i));
      });
    for (auto& th : threads) th.join();
    ASSERT_EQ(log.size(), static_cast<std::uint64_t>(kThreads * kEach));
  }
  Log log(*db, signer);
  std::set<std::uint64_t> indexes;
  MemoryTree reference;
  for (std::uint64_t i = 0; i < log.size(); ++i) reference.append(leafHash(*log.entry(i)));
  EXPECT_EQ(log.root(log.size()), reference.root());
  for (const auto& r : receipts) {
    indexes.insert(r.index);
    // The receipt's root is the tree as it was when the entry's batch committed.
    EXPECT_EQ(r.root, rootHash(reference, r.treeSize));
    auto proof = log.inclusionProof(r.index, r.treeSize);
    EXPECT_TRUE(verifyInclusion(r.index, r.treeSize, r.leafHash, proof, r.root));
  }
  EXPECT_EQ(indexes.size(), receipts.size());
  auto c = log.consistencyProof(17, log.size());
  EXPECT_TRUE(verifyConsistency(17, log.size(), log.root(17), log.root(log.size()), c));
  EXPECT_TRUE(log.verify().ok);
}

// Two onceonly nodes serving one government share one database: each has its own connection
// pool and its own sequencer, and the database lock (PostgreSQL advisory lock, SQLite's write
// lock) lets only one of them order a batch at a time. The result is still one tree.
TEST_P(LogTest, TwoNodesOnOneDatabaseKeepOneTree) {
  auto other = store::Database::open(scratch.url(), 8);  // the second node's own pool
  constexpr int kThreads = 4, kEach = 30;
  std::vector<Receipt> receipts(2 * kThreads * kEach);
  std::vector<std::string> checkpoints;
  std::mutex checkpointsMutex;
  {
    Log nodeA(*db, signer);
    Log nodeB(*other, signer);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2 * kThreads; ++t)
      threads.emplace_back([&, t] {
        Log& node = t % 2 ? nodeB : nodeA;
        try {
          for (int i = 0; i < kEach; ++i) {
            receipts[t * kEach + i] = node.append(event(t * kEach + i));
            if (i % 10 == 9) {
              auto cp = node.signCheckpoint();
              std::lock_guard lock(checkpointsMutex);
              checkpoints.push_back(cp);
            }
          }
        } catch (const std::exception& e) {
          ADD_FAILURE() << "node " << (t % 2 ? "B" : "A") << ": " << e.what();
        }
      });
    for (auto& th : threads) th.join();
  }
  Log log(*db, signer);
  ASSERT_EQ(log.size(), receipts.size());
  auto report = log.verify();
  EXPECT_TRUE(report.ok) << report.problem;
  MemoryTree reference;
  for (std::uint64_t i = 0; i < log.size(); ++i) reference.append(leafHash(*log.entry(i)));
  std::set<std::uint64_t> indexes;
  for (const auto& r : receipts) {
    indexes.insert(r.index);
    EXPECT_EQ(r.leafHash, reference.node(0, r.index));
    EXPECT_EQ(r.root, rootHash(reference, r.treeSize));  // what each node saw is a prefix
  }
  EXPECT_EQ(indexes.size(), receipts.size());  // no index given out twice
  // Every checkpoint either node signed is a checkpoint of the one tree.
  for (const auto& text : checkpoints) {
    auto cp = parseCheckpoint(parseNote(text)->text);
    ASSERT_TRUE(cp);
    EXPECT_EQ(cp->root, rootHash(reference, cp->size));
  }
}

TEST_P(LogTest, EntriesAreCanonical) {
  Log log(*db, signer);
  auto r = log.append(nlohmann::json::parse(R"({"z": 1, "a": {"y": [1, 2], "b": "中"}})"));
  EXPECT_EQ(*log.entry(r.index), R"({"a":{"b":"中","y":[1,2]},"z":1})");
  EXPECT_THROW(log.append(nlohmann::json::array({1})), std::invalid_argument);
  EXPECT_THROW(log.append({{"x", 1.5}}), std::invalid_argument);
}

TEST_P(LogTest, VerifyNamesTheFirstTamperedEntry) {
  {
    Log log(*db, signer);
    for (int i = 0; i < 20; ++i) log.append(event(i));
    ASSERT_TRUE(log.verify().ok);
  }
  Log log(*db, signer);
  // A changed entry.
  exec("UPDATE ledger_entries SET entry = '{\"type\":\"forged\"}' WHERE idx = 7");
  auto report = log.verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.firstBadIndex, 7u);
}

TEST_P(LogTest, VerifyFindsChangedHashesReorderingAndRemoval) {
  {
    Log log(*db, signer);
    for (int i = 0; i < 20; ++i) log.append(event(i));
  }
  Log log(*db, signer);
  // Swapping two entries together with their leaf hashes still breaks the stored subtrees.
  auto c = db->connect();
  auto e3 = c.queryOne("SELECT entry, leaf_hash FROM ledger_entries WHERE idx = 3");
  auto e12 = c.queryOne("SELECT entry, leaf_hash FROM ledger_entries WHERE idx = 12");
  c.exec("UPDATE ledger_entries SET entry = ?, leaf_hash = ? WHERE idx = 3",
         {e12->text("entry"), e12->text("leaf_hash")});
  c.exec("UPDATE ledger_entries SET entry = ?, leaf_hash = ? WHERE idx = 12",
         {e3->text("entry"), e3->text("leaf_hash")});
  auto report = log.verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.firstBadIndex, 3u);  // its stored leaf node no longer matches
  c.exec("UPDATE ledger_entries SET entry = ?, leaf_hash = ? WHERE idx = 3",
         {e3->text("entry"), e3->text("leaf_hash")});
  c.exec("UPDATE ledger_entries SET entry = ?, leaf_hash = ? WHERE idx = 12",
         {e12->text("entry"), e12->text("leaf_hash")});
  ASSERT_TRUE(log.verify().ok);
  c.exec("DELETE FROM ledger_entries WHERE idx = 15");
  report = log.verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.firstBadIndex, 15u);
}

TEST_P(LogTest, CheckpointsAreSignedNotesOverTheTree) {
  LogOptions options;
  options.origin = "test.example/log";
  options.checkpointSeconds = 0;
  Log log(*db, signer, options);
  for (int i = 0; i < 9; ++i) log.append(event(i));
  auto text = log.latestCheckpoint();
  auto note = parseNote(text);
  ASSERT_TRUE(note);
  EXPECT_TRUE(signer.verifier().verifies(*note));
  auto cp = parseCheckpoint(note->text);
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->origin, "test.example/log");
  EXPECT_EQ(cp->size, 9u);
  EXPECT_EQ(cp->root, log.root(9));
  EXPECT_EQ(log.signCheckpoint(), text);  // one checkpoint per size
  log.append(event(9));
  EXPECT_NE(log.latestCheckpoint(), text);  // grew, and the interval is 0
  EXPECT_TRUE(log.verify().ok);
  EXPECT_EQ(log.verify().checkpoints, 2u);
  // A forged checkpoint row is named.
  exec("UPDATE ledger_checkpoints SET note = replace(note, '\n9\n', '\n8\n') WHERE size = 9");
  auto report = log.verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.firstBadIndex, 9u);
}

TEST(Ledger, PseudonymsAreStableAndKeyed) {
  onceonly::testing::TempDir a, b;
  auto k1 = crypto::KeyRing::loadOrCreate(a.path());
  auto k2 = crypto::KeyRing::loadOrCreate(b.path());
  EXPECT_EQ(pseudonym(k1, "11010519491231002X"), pseudonym(k1, "11010519491231002X"));
  EXPECT_NE(pseudonym(k1, "11010519491231002X"), pseudonym(k2, "11010519491231002X"));
  EXPECT_EQ(pseudonym(k1, "11010519491231002X").find("1101"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, LogTest, ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::ledger
