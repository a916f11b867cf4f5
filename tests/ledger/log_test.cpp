#include "ledger/log.h"
#include "api/module.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "support/ledger_support.h"
#include "support/test_support.h"

using onceonly::testing::appendAllNow;
using onceonly::testing::appendNow;

namespace onceonly::ledger {
namespace {

using onceonly::testing::Backend;

class LogTest : public ::testing::TestWithParam<Backend> {
 protected:
  onceonly::testing::ScratchDatabase scratch{GetParam()};
  std::unique_ptr<store::Database> db = [this] {
    auto d = store::Database::open(scratch.url(), 8);
    d->migrate(onceonly::api::migrationFiles());
    return d;
  }();

  Signer signer = Signer::generate("test.example/log");
  void exec(const std::string& sql) { db->connect().exec(sql); }
  // A stored row in the way of index `at` makes the batch that reaches it fail; unblock() after.
  void block(std::uint64_t at) {
    db->connect().exec(
        "INSERT INTO ledger_entries (idx, leaf_hash, entry, appended_at) VALUES (?, 'x', '{}', "
        "'2026-01-01T00:00:00Z')",
        {static_cast<std::int64_t>(at)});
  }
  void unblock(std::uint64_t at) {
    db->connect().exec("DELETE FROM ledger_entries WHERE idx = ?", {static_cast<std::int64_t>(at)});
  }
};

nlohmann::json event(int i) {
  return {{"type", "data.access"}, {"seq", i}, {"subject", "psn_test"}, {"by", "org_x"}};
}

std::vector<nlohmann::json> events(int n) {
  std::vector<nlohmann::json> out;
  for (int i = 0; i < n; ++i) out.push_back(event(i));
  return out;
}

TEST_P(LogTest, ConcurrentAppendsFormOneTreeAndProofsVerify) {
  constexpr int kThreads = 8, kEach = 40;
  std::vector<Receipt> receipts(kThreads * kEach);
  {
    Log log(*db, signer);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i)
          receipts[t * kEach + i] = appendNow(log, event(t * kEach + i));
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

// Several entries handed over at once are split into batches of at most maxBatch, written in
// order; a batch that fails reaches every writer in it, and only them.
TEST_P(LogTest, LargeHandOversSpanBatchesAndFailuresReachTheirWriters) {
  LogOptions options;
  options.maxBatch = 3;
  Log log(*db, signer, options);
  auto entries = events(10);
  auto receipts = appendAllNow(log, entries);
  ASSERT_EQ(receipts.size(), 10u);
  for (std::uint64_t i = 0; i < 10; ++i) {
    EXPECT_EQ(receipts[i].index, i);
    EXPECT_EQ(*log.entry(i), canonicalJson(entries[i]));
    EXPECT_TRUE(verifyInclusion(i, receipts[i].treeSize, receipts[i].leafHash,
                                log.inclusionProof(i, receipts[i].treeSize), receipts[i].root));
  }
  // Batches are at most three entries: a receipt's tree is at most two entries past it.
  EXPECT_LE(receipts[0].treeSize, 3u);
  // A stored row in the way of the next index makes that batch fail, and nothing of it stays.
  block(10);
  EXPECT_THROW(appendNow(log, event(10)), std::exception);
  unblock(10);
  EXPECT_EQ(log.size(), 10u);
  EXPECT_EQ(appendNow(log, event(11)).index, 10u);
  EXPECT_TRUE(log.verify().ok);
}

// Appends: each callback is told once, with a receipt whose entry is stored and proven, mixed
// with writers waiting on another thread in one tree; a failed batch reaches its callbacks as an
// error; an entry that is not an object is refused at once and its callback never runs.
TEST_P(LogTest, AsynchronousAppendsAreToldOnceWhenDurable) {
  constexpr int kAsync = 300;
  std::mutex m;
  std::condition_variable cv;
  std::vector<Receipt> receipts(kAsync);
  std::vector<int> calls(kAsync, 0);
  int answered = 0, failed = 0;
  Log log(*db, signer);
  auto finished = [&](int i) {
    return [&, i](std::exception_ptr error, const std::vector<Receipt>& r) {
      std::lock_guard lock(m);
      ++calls[i];
      if (error) ++failed;
      if (!r.empty()) receipts[i] = r.front();
      ++answered;
      cv.notify_all();
    };
  };
  std::thread blocking([&] {
    for (int i = 0; i < 50; ++i) appendNow(log, event(1000 + i));
  });
  for (int i = 0; i < kAsync; ++i) log.append({event(i)}, finished(i));
  blocking.join();
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return answered == kAsync; }));
  }
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(log.size(), static_cast<std::uint64_t>(kAsync + 50));
  std::set<std::uint64_t> indexes;
  for (int i = 0; i < kAsync; ++i) {
    EXPECT_EQ(calls[i], 1);
    const auto& r = receipts[i];
    indexes.insert(r.index);
    EXPECT_EQ(*log.entry(r.index), canonicalJson(event(i)));
    EXPECT_TRUE(verifyInclusion(r.index, r.treeSize, r.leafHash,
                                log.inclusionProof(r.index, r.treeSize), r.root));
  }
  EXPECT_EQ(indexes.size(), static_cast<std::size_t>(kAsync));

  EXPECT_THROW(log.append({nlohmann::json::array({1})}, finished(0)), Error);
  const auto size = log.size();
  block(size);
  log.append({event(1)}, finished(1));
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(
        cv.wait_for(lock, std::chrono::seconds(60), [&] { return answered == kAsync + 1; }));
  }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(calls[0], 1);  // the refused entry's callback never ran
  EXPECT_EQ(calls[1], 2);
  unblock(size);
  EXPECT_EQ(log.size(), size);
  EXPECT_TRUE(log.verify().ok);
}

// The log's size once it reaches `size`, or what it is after a generous wait (the sequencer
// drains the outbox behind the writer's commit).
std::uint64_t sizeOnceAt(Log& log, std::uint64_t size) {
  for (int i = 0; i < 400 && log.size() < size; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return log.size();
}

// Entries queued in a write's transaction reach the log in the order queued once it commits,
// and never when it rolls back; the outbox is emptied by the batch that appends them. An entry
// queued by another process (a row it committed) is found without being told.
TEST_P(LogTest, QueuedEntriesReachTheLogOnlyWithTheirTransaction) {
  Log log(*db, signer);
  {
    auto c = db->connect();
    EXPECT_THROW(log.queue(c, nlohmann::json::array({1})), Error);
  }
  EXPECT_THROW(db->transaction([&](store::Connection& c) {
    log.queue(c, event(100));
    throw std::runtime_error("the write failed");
  }),
               std::runtime_error);
  db->transaction([&](store::Connection& c) {
    log.queue(c, event(1));
    log.queue(c, event(2));
  });
  ASSERT_EQ(sizeOnceAt(log, 2), 2u);
  EXPECT_EQ(*log.entry(0), canonicalJson(event(1)));
  EXPECT_EQ(*log.entry(1), canonicalJson(event(2)));
  db->connect().exec("INSERT INTO ledger_outbox (entry, queued_at) VALUES (?, ?)",
                     {canonicalJson(event(3)), std::string("2026-01-01T00:00:00Z")});
  ASSERT_EQ(sizeOnceAt(log, 3), 3u);
  EXPECT_EQ(*log.entry(2), canonicalJson(event(3)));
  EXPECT_EQ(db->connect().queryOne("SELECT COUNT(*) AS n FROM ledger_outbox")->integer("n"), 0);
  // Appended and queued entries share one tree.
  EXPECT_EQ(appendNow(log, event(4)).index, 3u);
  EXPECT_TRUE(log.verify().ok) << log.verify().problem;
}

// Several entries at once, asynchronously: one answer when all are durable, receipts in order
// even across batches; an empty list is answered at once; one bad entry queues none of them.
TEST_P(LogTest, AsynchronousHandOversAreAnsweredOnceForAll) {
  LogOptions options;
  options.maxBatch = 3;
  Log log(*db, signer, options);
  auto entries = events(10);
  std::promise<std::vector<Receipt>> got;
  int calls = 0;
  log.append(entries, [&](std::exception_ptr error, const std::vector<Receipt>& r) {
    ++calls;
    if (error)
      got.set_exception(error);
    else
      got.set_value(r);
  });
  auto receipts = got.get_future().get();
  ASSERT_EQ(receipts.size(), 10u);
  for (std::uint64_t i = 0; i < 10; ++i) {
    EXPECT_EQ(receipts[i].index, i);
    EXPECT_EQ(*log.entry(i), canonicalJson(entries[i]));
  }
  EXPECT_EQ(calls, 1);
  bool empty = false;
  log.append({}, [&](std::exception_ptr error, const std::vector<Receipt>& r) {
    empty = !error && r.empty();
  });
  EXPECT_TRUE(empty);
  entries[5] = nlohmann::json::array({1});
  EXPECT_THROW(log.append(entries, [](std::exception_ptr, const std::vector<Receipt>&) {}), Error);
  EXPECT_EQ(log.size(), 10u);
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
            receipts[t * kEach + i] = appendNow(node, event(t * kEach + i));
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
  auto r = appendNow(log, nlohmann::json::parse(R"({"z": 1, "a": {"y": [1, 2], "b": "中"}})"));
  EXPECT_EQ(*log.entry(r.index), R"({"a":{"b":"中","y":[1,2]},"z":1})");
  EXPECT_THROW(appendNow(log, nlohmann::json::array({1})), Error);
  EXPECT_THROW(appendNow(log, {{"x", 1.5}}), Error);
}

TEST_P(LogTest, VerifyNamesTheFirstTamperedEntry) {
  {
    Log log(*db, signer);
    for (int i = 0; i < 20; ++i) appendNow(log, event(i));
    ASSERT_TRUE(log.verify().ok);
  }
  Log log(*db, signer);
  // A changed entry.
  exec("UPDATE ledger_entries SET entry = '{\"type\":\"forged\"}' WHERE idx = 7");
  auto report = log.verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.firstBadIndex, 7u);
}

// The subject column is a copy beside the entry, outside its hash. A copy changed to another
// person's pseudonym shows that person nothing, and verify names the entry.
TEST_P(LogTest, AnEntryIsShownByItsOwnSubjectNotByTheStoredCopy) {
  Log log(*db, signer);
  for (int i = 0; i < 5; ++i) appendNow(log, event(i));
  appendNow(log, {{"type", "data.access"}, {"subject", "psn_other"}});
  log.indexLookups();
  exec("UPDATE ledger_entries SET subject = 'psn_other' WHERE idx = 2");
  EXPECT_EQ(log.entries(0, 10, std::string("psn_other")).size(), 1u);  // not entry 2
  EXPECT_EQ(log.storedEntry(2)->subject, "psn_test");
  auto report = log.verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.firstBadIndex, 2u);
  EXPECT_NE(report.problem.find("another subject"), std::string::npos) << report.problem;
}

// verify reads the log as it was when it began, whatever is appended meanwhile: tiles filled
// and checkpoints signed past the entries it read are not problems.
TEST_P(LogTest, VerifyHoldsWhileTheLogGrows) {
  Log log(*db, signer);
  appendAllNow(log, events(3000));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      appendAllNow(log, events(64));
      if (i % 4 == 0) log.signCheckpoint();
    }
  });
  for (int i = 0; i < 5; ++i) {
    auto report = log.verify();
    EXPECT_TRUE(report.ok) << report.problem;
  }
  stop = true;
  writer.join();
  EXPECT_TRUE(log.verify().ok);
}

// After a failed sync the log may hold entries the disk never got: no checkpoint vouches for
// them, and the batches still queued are not written.
TEST(LedgerSqlite, NothingIsSignedOrWrittenAfterASyncFails) {
  onceonly::testing::ScratchDatabase scratch(Backend::Sqlite);
  auto db = store::Database::open(scratch.url(), 4);
  db->migrate(onceonly::api::migrationFiles());
  Log log(*db, Signer::generate("test.example/log"));
  appendNow(log, event(0));
  const std::string before = log.signCheckpoint();
  const auto path = *store::sqlitePath(scratch.url());
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path);
  EXPECT_ANY_THROW(appendNow(log, event(1)));  // its sync fails
  const auto size = log.size();
  EXPECT_ANY_THROW(appendNow(log, event(2)));  // refused at once
  EXPECT_ANY_THROW(log.signCheckpoint());
  EXPECT_EQ(log.size(), size);
  EXPECT_EQ(log.latestCheckpoint(), before);  // the one signed before, still served
}

// A receipt for an entry no checkpoint covers yet signs one: with a pool of one connection,
// that must not wait for a second.
TEST(LedgerSqlite, AReceiptNeedsOneConnectionAtATime) {
  onceonly::testing::ScratchDatabase scratch(Backend::Sqlite);
  auto db = store::Database::open(scratch.url(), 1);
  db->migrate(onceonly::api::migrationFiles());
  Log log(*db, Signer::generate("test.example/log"));
  appendNow(log, event(0));
  auto receipt = log.receipt(0, std::nullopt, Log::SignNow::yes);
  ASSERT_TRUE(receipt);
  EXPECT_EQ(receipt->treeSize, 1u);
}

TEST_P(LogTest, VerifyFindsChangedHashesReorderingAndRemoval) {
  {
    Log log(*db, signer);
    for (int i = 0; i < 256; ++i) appendNow(log, event(i));
    log.signCheckpoint();
    for (int i = 256; i < 300; ++i) appendNow(log, event(i));
    log.signCheckpoint();
  }
  Log log(*db, signer);
  auto c = db->connect();
  auto swap = [&](int a, int b) {
    auto ea = c.queryOne("SELECT entry, leaf_hash FROM ledger_entries WHERE idx = ?", {a});
    auto eb = c.queryOne("SELECT entry, leaf_hash FROM ledger_entries WHERE idx = ?", {b});
    c.exec("UPDATE ledger_entries SET entry = ?, leaf_hash = ? WHERE idx = ?",
           {eb->text("entry"), eb->text("leaf_hash"), a});
    c.exec("UPDATE ledger_entries SET entry = ?, leaf_hash = ? WHERE idx = ?",
           {ea->text("entry"), ea->text("leaf_hash"), b});
  };
  // Swapping two entries together with their leaf hashes still breaks the stored tile.
  swap(3, 12);
  auto report = log.verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.firstBadIndex, 3u);  // its stored leaf node no longer matches
  swap(3, 12);
  ASSERT_TRUE(log.verify().ok);
  // Past the last full tile, the signed checkpoints hold the entries: the one at 256 still
  // matches, the one at 300 no longer does.
  swap(260, 270);
  report = log.verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.firstBadIndex, 256u);
  EXPECT_NE(report.problem.find("from 256 on do not match the checkpoint at size 300"),
            std::string::npos)
      << report.problem;
  swap(260, 270);
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
  for (int i = 0; i < 9; ++i) appendNow(log, event(i));
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
  appendNow(log, event(9));
  EXPECT_NE(log.latestCheckpoint(), text);  // grew, and the interval is 0
  EXPECT_TRUE(log.verify().ok);
  EXPECT_EQ(log.verify().checkpoints, 2u);
  // A forged checkpoint row is named.
  exec("UPDATE ledger_checkpoints SET note = replace(note, '\n9\n', '\n8\n') WHERE size = 9");
  auto report = log.verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.firstBadIndex, 9u);
}

TEST_P(LogTest, StoredTilesAnswerForEveryTreeSize) {
  // Batches of uneven sizes cross tile boundaries at level 0 and fill a level-1 tile's base.
  std::vector<Receipt> receipts;
  MemoryTree reference;
  {
    Log log(*db, signer);
    int seq = 0;
    for (int batch = 1; seq < 600; batch = batch % 97 + 13) {
      std::vector<nlohmann::json> entries;
      for (int i = 0; i < batch && seq < 600; ++i) entries.push_back(event(seq++));
      for (auto& r : appendAllNow(log, entries)) receipts.push_back(r);
    }
    for (std::uint64_t i = 0; i < log.size(); ++i) reference.append(leafHash(*log.entry(i)));
    for (const auto& r : receipts) EXPECT_EQ(r.root, rootHash(reference, r.treeSize));
    EXPECT_EQ(log.root(600), reference.root());  // from the edge this process holds
  }
  Log log(*db, signer);  // a fresh process: every tile from the database
  for (std::uint64_t n = 0; n <= 600; ++n) {
    ASSERT_EQ(log.root(n), rootHash(reference, n)) << n;
    if (n > 0) {
      const std::uint64_t i = (n * 7919) % n;
      ASSERT_EQ(log.inclusionProof(i, n), inclusionProof(reference, i, n)) << i << " in " << n;
      const std::uint64_t m = (n * 104729) % n + 1;
      ASSERT_EQ(log.consistencyProof(m, n), consistencyProof(reference, m, n)) << m << " to " << n;
    }
  }
  EXPECT_TRUE(log.verify().ok) << log.verify().problem;
  // Appending after a restart extends the stored edge.
  appendNow(log, event(600));
  reference.append(leafHash(*log.entry(600)));
  EXPECT_EQ(log.root(601), reference.root());
  EXPECT_TRUE(log.verify().ok);
}

TEST_P(LogTest, AppendsCrossIntoASecondTileLevel) {
  // 256² leaves fill the first level-1 tile: its top starts tile level 2.
  const int size = 65536 + 5;
  Log log(*db, signer);
  MemoryTree reference;
  for (int from = 0; from < size; from += 4096) {
    std::vector<nlohmann::json> entries;
    for (int i = from; i < std::min(size, from + 4096); ++i) entries.push_back({{"seq", i}});
    for (const auto& r : appendAllNow(log, entries)) reference.append(r.leafHash);
  }
  EXPECT_EQ(log.root(65536), reference.node(16, 0));
  EXPECT_EQ(log.root(size), reference.root());
  Log fresh(*db, signer);
  EXPECT_EQ(fresh.inclusionProof(65537, size), inclusionProof(reference, 65537, size));
  EXPECT_EQ(fresh.consistencyProof(1000, size), consistencyProof(reference, 1000, size));
  auto tiles = db->connect().queryOne("SELECT COUNT(*) AS n FROM ledger_tiles WHERE level = 2");
  EXPECT_EQ(tiles->integer("n"), 1);
  // Verify streams the entries in pages across all three tile levels, checkpoints included.
  fresh.signCheckpoint();
  auto report = fresh.verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.size, static_cast<std::uint64_t>(size));
  EXPECT_EQ(report.checkpoints, 1u);
  // A changed hash in the level-1 tile is named by the entries below it.
  exec(
      "UPDATE ledger_tiles SET hashes = CASE WHEN substr(hashes, 1, 1) = '0' THEN '1' ELSE '0' "
      "END || substr(hashes, 2) WHERE level = 1 AND idx = 0");
  report = fresh.verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.firstBadIndex, 0u);
  EXPECT_NE(report.problem.find("level 8 over entries from 0"), std::string::npos)
      << report.problem;
}

TEST_P(LogTest, VerifyNamesChangedAndMissingTiles) {
  Log log(*db, signer);
  for (int i = 0; i < 300; ++i) appendNow(log, event(i));
  ASSERT_TRUE(log.verify().ok);
  // Leaf 2 sits at position 3 of tile (0, 0): change one of its hex digits.
  exec(
      "UPDATE ledger_tiles SET hashes = substr(hashes, 1, 192) || "
      "CASE WHEN substr(hashes, 193, 1) = '0' THEN '1' ELSE '0' END || substr(hashes, 194) "
      "WHERE level = 0 AND idx = 0");
  auto report = log.verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.firstBadIndex, 2u);
  EXPECT_NE(report.problem.find("does not match the entries"), std::string::npos);
  // A removed tile is named by its first entry.
  exec("DELETE FROM ledger_tiles WHERE level = 0 AND idx = 1");
  exec("DELETE FROM ledger_tiles WHERE level = 0 AND idx = 0");
  report = log.verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.firstBadIndex, 0u);
  EXPECT_NE(report.problem.find("index 0 is missing"), std::string::npos) << report.problem;
  // And a proof that would need it says what is missing instead of answering wrongly.
  EXPECT_THROW(Log(*db, signer).inclusionProof(3, 300), std::runtime_error);
}

// Lookups by subject and by leaf hash read the lookup tables up to where the indexer got and the
// entries themselves past it; wherever that boundary is, the answers are the same.
TEST_P(LogTest, LookupsAgreeWhereverTheIndexerStopped) {
  LogOptions options;
  options.indexInBackground = false;
  Log log(*db, signer, options);
  std::vector<Receipt> receipts;
  for (int i = 0; i < 60; ++i)
    receipts.push_back(appendNow(
        log, {{"type", "data.access"}, {"seq", i}, {"subject", "psn_" + std::to_string(i % 3)}}));
  log.indexLookups();
  auto answers = [&] {
    std::vector<std::string> out;
    for (const auto& e : log.entries(5, 100, std::string("psn_1")))
      out.push_back(std::to_string(e.index));
    out.push_back("count " + std::to_string(log.countEntries(std::string("psn_1"))));
    for (const auto& e : log.entries(0, 4, std::string("psn_2")))
      out.push_back(std::to_string(e.index));
    for (const auto& r : receipts) out.push_back(std::to_string(log.indexOf(r.leafHash).value()));
    return out;
  };
  const auto indexed = answers();
  ASSERT_EQ(indexed[0], "7");  // psn_1 from index 5 on: 7, 10, ..., 58
  ASSERT_EQ(indexed[18], "count 20");
  ASSERT_EQ(indexed[19], "2");
  ASSERT_EQ(indexed.back(), "59");
  // Pretend the indexer only got to entry 31 (as after a crash), then to nothing at all.
  auto lookups = [&](const std::string& sql) { log.lookupDatabase().connect().exec(sql); };
  for (int upto : {31, 0}) {
    lookups("DELETE FROM ledger_subject_blocks WHERE idx >= " + std::to_string(upto));
    lookups("DELETE FROM ledger_leaf_blocks WHERE idx >= " + std::to_string(upto));
    lookups("UPDATE ledger_lookups_state SET indexed_upto = " + std::to_string(upto));
    EXPECT_EQ(answers(), indexed) << "indexed up to " << upto;
  }
  // Catching up fills the tables again, once per entry.
  EXPECT_EQ(log.indexLookups(), 60u);
  EXPECT_EQ(log.indexLookups(), 0u);
  EXPECT_EQ(log.lookupDatabase()
                .connect()
                .queryOne("SELECT COUNT(*) AS n FROM ledger_subject_blocks")
                ->integer("n"),
            60);
  EXPECT_EQ(answers(), indexed);
  EXPECT_FALSE(log.indexOf(leafHash("{}")).has_value());
}

// The lookups keep their keys in blocks of 65,536 entries: answers that cross a block, or come
// from the second, are the same as from the entries themselves.
TEST_P(LogTest, LookupsAcrossBlocksOfEntries) {
  LogOptions options;
  options.indexInBackground = false;
  Log log(*db, signer, options);
  constexpr int kSize = 65536 + 300;
  std::vector<Hash> leaves;
  for (int from = 0; from < kSize; from += 4096) {
    std::vector<nlohmann::json> batch;
    for (int i = from; i < std::min(kSize, from + 4096); ++i)
      batch.push_back({{"seq", i}, {"subject", "psn_" + std::to_string(i % 7)}});
    for (const auto& r : appendAllNow(log, batch)) leaves.push_back(r.leafHash);
  }
  EXPECT_EQ(log.indexLookups(), static_cast<std::uint64_t>(kSize));
  // psn_3 from index 65,530 on: 65,530 (block 0), then 65,537 and 65,544 (block 1).
  auto page = log.entries(65530, 3, std::string("psn_3"));
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].index, 65530u);
  EXPECT_EQ(page[1].index, 65537u);
  EXPECT_EQ(page[2].index, 65544u);
  page = log.entries(65540, 2, std::string("psn_3"));  // from inside the second block
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].index, 65544u);
  EXPECT_EQ(page[1].index, 65551u);
  EXPECT_EQ(log.countEntries(std::string("psn_3")),
            static_cast<std::uint64_t>((kSize - 3 + 6) / 7));
  for (int i : {0, 65535, 65536, kSize - 1})
    EXPECT_EQ(log.indexOf(leaves[static_cast<std::size_t>(i)]), static_cast<std::uint64_t>(i));
}

TEST_P(LogTest, TheIndexerCatchesUpOnItsOwn) {
  Log log(*db, signer);
  for (int i = 0; i < 10; ++i) appendNow(log, event(i));
  auto indexedUpTo = [&] {
    auto row = log.lookupDatabase().connect().queryOne(
        "SELECT indexed_upto FROM ledger_lookups_state WHERE id = 1");
    return row ? row->integer("indexed_upto") : 0;
  };
  // It runs at least every 200 ms; the generous deadline only keeps a broken indexer from
  // hanging the suite.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (indexedUpTo() < 10 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(indexedUpTo(), 10);
  EXPECT_EQ(log.countEntries(std::string("psn_test")), 10u);
}

// On SQLite the entries are keyed by their index itself: no second B-tree of indexes beside
// them for every append batch to write to.
TEST(LedgerSqlite, EntriesAreKeyedByTheirIndex) {
  onceonly::testing::ScratchDatabase scratch(Backend::Sqlite);
  auto db = store::Database::open(scratch.url(), 2);
  db->migrate(onceonly::api::migrationFiles());
  EXPECT_EQ(db->connect()
                .queryOne("SELECT COUNT(*) AS n FROM pragma_index_list('ledger_entries')")
                ->integer("n"),
            0);
}

// A migrated SQLite database and a log's settings with the indexer left to the test.
class SqliteLookups : public ::testing::Test {
 protected:
  SqliteLookups() {
    db->migrate(onceonly::api::migrationFiles());
    options.indexInBackground = false;
  }
  onceonly::testing::ScratchDatabase scratch{Backend::Sqlite};
  std::unique_ptr<store::Database> db = store::Database::open(scratch.url(), 3);
  Signer signer = Signer::generate("test.example/log");
  LogOptions options;
};

// On SQLite the lookup tables are in a file of their own, so filling them needs nothing of the
// log database's one write lock: the indexer goes on while another transaction holds it.
TEST_F(SqliteLookups, AreFilledWhileTheLogDatabaseIsBeingWritten) {
  Log log(*db, signer, options);
  for (int i = 0; i < 20; ++i) appendNow(log, event(i));
  auto writer = db->connect();
  writer.begin();  // BEGIN IMMEDIATE: the write lock, until rollback
  writer.exec(
      "INSERT INTO ledger_checkpoints (size, root, note, signed_at) VALUES (0, '', '', '')");
  EXPECT_EQ(log.indexLookups(), 20u);
  writer.rollback();
  EXPECT_EQ(log.countEntries(std::string("psn_test")), 20u);
  EXPECT_TRUE(std::filesystem::exists(*lookupsPath(scratch.url())));
  EXPECT_EQ(db->connect()
                .queryOne("SELECT COUNT(*) AS n FROM sqlite_master WHERE name LIKE 'ledger_by_%' "
                          "OR name LIKE 'ledger_%_blocks'")
                ->integer("n"),
            0);
}

// A crash can take entries that were committed but never acknowledged (their sync had not
// returned) after the indexer saw them. Their indexes then go to other entries: the lookups
// forget what they held of them.
TEST_F(SqliteLookups, ForgetEntriesTheLogNoLongerHas) {
  std::vector<Hash> lost;
  {
    Log log(*db, signer, options);
    for (int i = 0; i < 10; ++i) {
      auto r = appendNow(log, {{"type", "data.access"}, {"seq", i}, {"subject", "psn_a"}});
      if (i >= 6) lost.push_back(r.leafHash);
    }
    EXPECT_EQ(log.indexLookups(), 10u);
  }
  db->connect().exec("DELETE FROM ledger_entries WHERE idx >= 6");
  Log log(*db, signer, options);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(appendNow(log, {{"type", "data.access"}, {"seq", i}, {"subject", "psn_b"}}).index,
              6u + i);
  for (bool indexed : {false, true}) {
    if (indexed) {
      EXPECT_EQ(log.indexLookups(), 4u);
    }
    EXPECT_EQ(log.countEntries(std::string("psn_a")), 6u);
    EXPECT_EQ(log.countEntries(std::string("psn_b")), 4u);
    auto b = log.entries(0, 10, std::string("psn_b"));
    ASSERT_EQ(b.size(), 4u);
    EXPECT_EQ(b.front().index, 6u);
    for (const auto& h : lost) EXPECT_FALSE(log.indexOf(h).has_value());
  }
}

TEST(Ledger, PseudonymsAreStableAndKeyed) {
  onceonly::testing::TempDir a, b;
  auto k1 = crypto::KeyRing::loadOrCreate(a.path());
  auto k2 = crypto::KeyRing::loadOrCreate(b.path());
  EXPECT_EQ(k1.pseudonym("11010519491231002X"), k1.pseudonym("11010519491231002X"));
  EXPECT_NE(k1.pseudonym("11010519491231002X"), k2.pseudonym("11010519491231002X"));
  EXPECT_EQ(k1.pseudonym("11010519491231002X").find("1101"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, LogTest, ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::ledger
