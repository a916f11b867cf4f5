#include "store/store.h"
#include "api/module.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "core/error.h"
#include "support/test_support.h"

namespace onceonly::store {
namespace {

using onceonly::testing::Backend;
using onceonly::testing::ScratchDatabase;

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  ScratchDatabase scratch{GetParam()};
  std::unique_ptr<Database> db = Database::open(scratch.url(), 4);

  void SetUp() override {
    db->connect().exec(
        "CREATE TABLE things (id TEXT PRIMARY KEY, n BIGINT, x DOUBLE PRECISION, note TEXT)");
  }
};

TEST_P(StoreTest, BindsAndReadsEveryValueType) {
  auto c = db->connect();
  EXPECT_EQ(c.exec("INSERT INTO things (id, n, x, note) VALUES (?, ?, ?, ?)",
                   {std::string("a"), std::int64_t{9007199254740993}, 2.5, Null{}}),
            1);
  auto row = c.queryOne("SELECT id, n, x, note FROM things WHERE id = ?", {std::string("a")});
  ASSERT_TRUE(row);
  EXPECT_EQ(row->text("id"), "a");
  EXPECT_EQ(row->integer("n"), 9007199254740993);
  EXPECT_DOUBLE_EQ(row->real("x"), 2.5);
  EXPECT_TRUE(row->isNull("note"));
  EXPECT_FALSE(row->optText("note"));
  // A large value can be moved out instead of copied; NULL and numbers read as text.
  EXPECT_EQ(row->takeText("id"), "a");
  EXPECT_EQ(row->takeText("note"), "");
  EXPECT_EQ(row->takeText("n"), "9007199254740993");
}

TEST_P(StoreTest, QuotedQuestionMarksAreNotPlaceholders) {
  auto c = db->connect();
  c.exec("INSERT INTO things (id, note) VALUES (?, 'why?')", {std::string("q")});
  auto row = c.queryOne("SELECT note FROM things WHERE id = ?", {std::string("q")});
  ASSERT_TRUE(row);
  EXPECT_EQ(row->text("note"), "why?");
}

TEST_P(StoreTest, InjectionAttemptIsJustData) {
  auto c = db->connect();
  std::string evil = "x'); DROP TABLE things; --";
  c.exec("INSERT INTO things (id) VALUES (?)", {evil});
  auto rows = c.query("SELECT id FROM things");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].text("id"), evil);
}

TEST_P(StoreTest, TransactionRollsBackWhenTheBodyThrows) {
  EXPECT_THROW(db->transaction([](Connection& c) {
    c.exec("INSERT INTO things (id) VALUES ('t1')");
    throw std::runtime_error("abort");
  }),
               std::runtime_error);
  EXPECT_FALSE(db->connect().queryOne("SELECT id FROM things WHERE id = 't1'"));
  db->transaction([](Connection& c) { c.exec("INSERT INTO things (id) VALUES ('t2')"); });
  EXPECT_TRUE(db->connect().queryOne("SELECT id FROM things WHERE id = 't2'"));
}

// A unit of work: statements and transactions on this thread share its transaction, unseen by
// others until it commits; a nested transaction that throws undoes its own part alone; the
// unit's end without commit() undoes everything; after-commit hooks run on commit only.
TEST_P(StoreTest, AUnitOfWorkCommitsOrRollsBackAsOne) {
  auto count = [&] {
    auto other = db->connectApart();
    return other.queryOne("SELECT COUNT(*) AS n FROM things")->integer("n");
  };
  int hooks = 0;
  {
    UnitOfWork unit(*db);
    db->connect().exec("INSERT INTO things (id) VALUES ('a')");
    db->transaction([](Connection& c) { c.exec("INSERT INTO things (id) VALUES ('b')"); });
    EXPECT_THROW(db->transaction([](Connection& c) {
      c.exec("INSERT INTO things (id) VALUES ('c')");
      c.exec("INSERT INTO things (id) VALUES ('a')");  // a duplicate: this part is undone
    }),
                 SqlError);
    db->connect().afterCommit([&] { ++hooks; });
    EXPECT_EQ(db->connect().queryOne("SELECT COUNT(*) AS n FROM things")->integer("n"), 2);
    if (GetParam() == Backend::Postgres) {
      EXPECT_EQ(count(), 0);  // on SQLite, the unit holds the write lock
    }
    EXPECT_EQ(hooks, 0);
    unit.commit();
  }
  EXPECT_EQ(hooks, 1);
  EXPECT_EQ(count(), 2);
  {
    UnitOfWork unit(*db);
    db->connect().exec("INSERT INTO things (id) VALUES ('d')");
    db->connect().afterCommit([&] { ++hooks; });
  }  // not committed
  EXPECT_EQ(count(), 2);
  EXPECT_EQ(hooks, 1);
}

// A transaction apart from the unit commits whatever the unit does; on SQLite it is refused
// once the unit has written, since it would wait for the unit's own write lock.
TEST_P(StoreTest, ATransactionApartStandsAlone) {
  {
    UnitOfWork unit(*db);
    db->transactionApart([](Connection& c) { c.exec("INSERT INTO things (id) VALUES ('kept')"); });
    db->connect().exec("INSERT INTO things (id) VALUES ('undone')");
    if (GetParam() == Backend::Sqlite) {
      EXPECT_THROW(db->transactionApart([](Connection&) {}), std::logic_error);
    }
    EXPECT_THROW(UnitOfWork inner(*db), std::logic_error);  // one unit per database and thread
  }
  auto rows = db->connect().query("SELECT id FROM things ORDER BY id");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].text("id"), "kept");
}

TEST_P(StoreTest, UniqueViolationIsRecognised) {
  auto c = db->connect();
  c.exec("INSERT INTO things (id) VALUES ('dup')");
  try {
    c.exec("INSERT INTO things (id) VALUES ('dup')");
    FAIL() << "expected a unique violation";
  } catch (const SqlError& e) {
    EXPECT_TRUE(e.isUniqueViolation());
  }
}

TEST_P(StoreTest, OtherSqlErrorsAreNotUniqueViolations) {
  try {
    db->connect().exec("SELECT nope FROM nowhere");
    FAIL() << "expected an error";
  } catch (const SqlError& e) {
    EXPECT_FALSE(e.isUniqueViolation());
  }
}

// A SqlError's text reaches the log. SOCI's what() ends with the values bound to the statement
// that failed ("with :p1=..."), and PostgreSQL's DETAIL quotes a violated key or row: the error
// names the statement and the problem, never a value.
TEST_P(StoreTest, SqlErrorsDoNotRepeatBoundValues) {
  const std::string secret = "hunter2-secret-bound-value";
  auto c = db->connect();
  c.exec("CREATE TABLE guarded (v TEXT CHECK (length(v) < 5))");
  c.exec("INSERT INTO things (id) VALUES (?)", {secret});
  try {
    c.exec("INSERT INTO things (id, note) VALUES (?, ?)", {secret, secret});
    FAIL() << "expected a unique violation";
  } catch (const SqlError& e) {
    const std::string what = e.what();
    EXPECT_TRUE(e.isUniqueViolation()) << what;
    EXPECT_EQ(what.find(secret), std::string::npos) << what;
    EXPECT_NE(what.find("INSERT INTO things (id, note) VALUES"), std::string::npos) << what;
  }
  try {
    c.exec("INSERT INTO guarded (v) VALUES (?)", {secret});
    FAIL() << "expected a check constraint failure";
  } catch (const SqlError& e) {
    const std::string what = e.what();
    EXPECT_FALSE(e.isUniqueViolation()) << what;
    EXPECT_EQ(what.find(secret), std::string::npos) << what;
    EXPECT_NE(what.find("INSERT INTO guarded"), std::string::npos) << what;
  }
}

TEST_P(StoreTest, ConcurrentWritersAllLand) {
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        db->transaction([&](Connection& c) {
          c.exec("INSERT INTO things (id, n) VALUES (?, ?)",
                 {std::to_string(t) + "-" + std::to_string(i), std::int64_t{i}});
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  auto row = db->connect().queryOne("SELECT COUNT(*) AS n FROM things");
  EXPECT_EQ(row->integer("n"), kThreads * kEach);
}

TEST_P(StoreTest, MigrationsApplyOnceAndRecordTheirVersion) {
  int first = db->migrate(onceonly::api::migrationFiles());
  EXPECT_GT(first, 0);
  EXPECT_EQ(db->migrate(onceonly::api::migrationFiles()), 0);
  auto ms = migrations(onceonly::api::migrationFiles(), db->dialect());
  EXPECT_EQ(db->schemaVersion(), ms.back().version);
  // The foundation tables exist and accept rows.
  db->connect().exec(
      "INSERT INTO orgs (id, code, name_zh, name_en, level, kind, parent_id, path, created_at, "
      "updated_at) VALUES ('o1', 'C1', '省', 'Province', 'province', 'government', NULL, '/o1/', "
      "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
}

// A database migrated by a build with another history (a migration this build does not have,
// or another under the same version) is refused before anything is applied to it.
TEST_P(StoreTest, ADatabaseOfAnotherHistoryIsLeftAlone) {
  db->connect().exec(
      "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at TEXT NOT NULL)");
  db->connect().exec(
      "INSERT INTO schema_migrations VALUES (4, 'ledger_checkpoints', '2026-11-01T00:00:00Z')");
  try {
    db->migrate(onceonly::api::migrationFiles());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'ledger_checkpoints'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(db->connect().queryOne("SELECT COUNT(*) AS n FROM schema_migrations")->integer("n"), 1);
}

TEST_P(StoreTest, ForeignKeysAreEnforced) {
  db->migrate(onceonly::api::migrationFiles());
  EXPECT_THROW(db->connect().exec(
                   "INSERT INTO account_roles (account_id, role) VALUES ('missing', 'clerk')"),
               SqlError);
}

TEST_P(StoreTest, PingAnswers) {
  EXPECT_TRUE(db->ping());
}

// Statements are kept prepared between calls (SQLite): the same text with other values, other
// types, NULL, a failure, and a SELECT run for no rows must each behave as if prepared anew.
TEST_P(StoreTest, ReusedStatementsSeeTheirNewArguments) {
  auto c = db->connect();
  const std::string insert = "INSERT INTO things (id, n, note) VALUES (?, ?, ?)";
  for (int i = 0; i < 5; ++i)
    c.exec(insert, {std::string("r") + std::to_string(i), std::int64_t{i},
                    i % 2 ? Value(std::string("odd")) : Value(Null{})});
  const std::string find = "SELECT n, note FROM things WHERE id = ?";
  for (int i = 0; i < 5; ++i) {
    auto row = c.queryOne(find, {std::string("r") + std::to_string(i)});
    ASSERT_TRUE(row);
    EXPECT_EQ(row->integer("n"), i);
    EXPECT_EQ(row->optText("note"), i % 2 ? std::optional<std::string>("odd") : std::nullopt);
  }
  EXPECT_FALSE(c.queryOne(find, {std::string("absent")}));
  // The same text bound to a value of another type.
  EXPECT_EQ(c.query("SELECT id FROM things WHERE n = ?", {std::int64_t{3}}).size(), 1u);
  EXPECT_EQ(c.query("SELECT id FROM things WHERE n = ?", {Null{}}).size(), 0u);
  // A failed run leaves the statement usable.
  try {
    c.exec(insert, {std::string("r1"), std::int64_t{9}, Null{}});
    FAIL() << "a duplicate key was accepted";
  } catch (const SqlError& e) {
    EXPECT_TRUE(e.isUniqueViolation());
  }
  c.exec(insert, {std::string("r9"), std::int64_t{9}, Null{}});
  EXPECT_EQ(c.queryOne("SELECT COUNT(*) AS n FROM things")->integer("n"), 6);
  // A SELECT run for its effect holds no lock: another connection still writes and reads.
  c.exec("SELECT id FROM things");
  db->connect().exec("DELETE FROM things WHERE id = 'r9'");
  EXPECT_EQ(c.queryOne("SELECT COUNT(*) AS n FROM things")->integer("n"), 5);
}

// Bulk statements (execEach) are kept prepared too: fewer rows, NULLs, and a column whose type
// changes each run as if new.
TEST_P(StoreTest, ReusedBulkStatementsTakeTheirNewRows) {
  auto c = db->connect();
  const std::string insert = "INSERT INTO things (id, n, note) VALUES (?, ?, ?)";
  c.execEach(insert, {{std::string("a"), std::int64_t{1}, std::string("x")},
                      {std::string("b"), std::int64_t{2}, Null{}},
                      {std::string("c"), Null{}, std::string("z")}});
  c.execEach(insert, {{std::string("d"), std::int64_t{4}, Null{}}});
  c.execEach(insert, {{std::string("e"), Null{}, Null{}}});
  c.execEach(insert, {{std::string("f"), std::string("6"), std::string("w")}});
  auto rows = c.query("SELECT id, n, note FROM things ORDER BY id");
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[1].integer("n"), 2);
  EXPECT_TRUE(rows[1].isNull("note"));
  EXPECT_TRUE(rows[2].isNull("n"));
  EXPECT_EQ(rows[2].text("note"), "z");
  EXPECT_EQ(rows[3].integer("n"), 4);
  EXPECT_TRUE(rows[4].isNull("n"));
  EXPECT_EQ(rows[5].text("n"), "6");
  // A failing run (a duplicate key) leaves the statement usable.
  EXPECT_THROW(c.execEach(insert, {{std::string("a"), std::int64_t{9}, Null{}}}), SqlError);
  c.execEach(insert, {{std::string("g"), std::int64_t{7}, Null{}}});
  EXPECT_EQ(c.queryOne("SELECT COUNT(*) AS n FROM things")->integer("n"), 7);
}

// Group commit: a deferred transaction is visible at once, and the connection goes back to
// syncing every commit afterwards, whether the transaction committed or not.
TEST_P(StoreTest, DeferredCommitsAreSyncedOnRequest) {
  db->transaction(
      [](Connection& c) {
        // Within the transaction, its commit does not wait for the disk (SQLite: 1 = NORMAL).
        if (c.dialect() == Dialect::Sqlite) {
          EXPECT_EQ(c.queryOne("PRAGMA synchronous")->integer("synchronous"), 1);
        }
        c.exec("INSERT INTO things (id) VALUES ('d1')");
      },
      Sync::deferred);
  // Again on the same connection: a PRAGMA takes effect when prepared, so it is never reused.
  for (int i = 0; i < 3; ++i)
    db->transaction(
        [](Connection& c) {
          if (c.dialect() == Dialect::Sqlite) {
            EXPECT_EQ(c.queryOne("PRAGMA synchronous")->integer("synchronous"), 1);
          }
        },
        Sync::deferred);
  EXPECT_THROW(db->transaction(
                   [](Connection& c) {
                     c.exec("INSERT INTO things (id) VALUES ('d2')");
                     throw std::runtime_error("abort");
                   },
                   Sync::deferred),
               std::runtime_error);
  db->syncCommitted();
  auto c = db->connect();
  EXPECT_TRUE(c.queryOne("SELECT id FROM things WHERE id = 'd1'"));
  EXPECT_FALSE(c.queryOne("SELECT id FROM things WHERE id = 'd2'"));
  // Every connection of the pool syncs its commits again (SQLite: 2 = FULL).
  std::vector<Connection> all;
  all.push_back(std::move(c));
  for (int i = 1; i < 4; ++i) all.push_back(db->connect());
  for (auto& each : all) {
    if (each.dialect() == Dialect::Sqlite)
      EXPECT_EQ(each.queryOne("PRAGMA synchronous")->integer("synchronous"), 2);
    else
      EXPECT_EQ(each.queryOne("SHOW synchronous_commit")->text("synchronous_commit"), "on");
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

TEST(StoreSqlite, RunsInWalModeWithForeignKeys) {
  ScratchDatabase scratch(Backend::Sqlite);
  auto db = Database::open(scratch.url(), 2);
  auto c = db->connect();
  EXPECT_EQ(c.queryOne("PRAGMA journal_mode")->text("journal_mode"), "wal");
  EXPECT_EQ(c.queryOne("PRAGMA foreign_keys")->integer("foreign_keys"), 1);
  EXPECT_GT(c.queryOne("PRAGMA busy_timeout")->integer("timeout"), 0);
}

TEST(StoreSqlite, BackupIsAConsistentCopyOfALiveDatabase) {
  onceonly::testing::TempDir dir;
  std::string src = (dir.path() / "live.db").string();
  auto db = Database::open("sqlite://" + src, 2);
  db->migrate(onceonly::api::migrationFiles());
  db->connect().exec("CREATE TABLE t (id BIGINT)");
  for (int i = 0; i < 100; ++i)
    db->connect().exec("INSERT INTO t (id) VALUES (?)", {std::int64_t{i}});
  std::string copy = (dir.path() / "copy.db").string();
  backupSqlite(src, copy);
  auto restored = Database::open("sqlite://" + copy, 1);
  EXPECT_EQ(restored->connect().queryOne("SELECT COUNT(*) AS n FROM t")->integer("n"), 100);
  EXPECT_EQ(restored->schemaVersion(), db->schemaVersion());
}

// A backup of a database written to all the while holds the rows of one moment. (Copied in
// steps of 256 pages, every write restarted the copy: this test took 6.0 s that way, 0.13 s
// with the copy in one step.)
TEST(StoreSqlite, BackupEndsWhileWritesGoOn) {
  onceonly::testing::TempDir dir;
  const std::string src = (dir.path() / "live.db").string();
  auto db = Database::open("sqlite://" + src, 2);
  db->connect().exec("CREATE TABLE t (id INTEGER PRIMARY KEY, pad TEXT)");
  const std::string pad(2000, 'x');
  db->transaction([&](Connection& c) {
    for (int i = 0; i < 4000; ++i) c.exec("INSERT INTO t (pad) VALUES (?)", {pad});
  });
  std::atomic<bool> backedUp{false};
  std::atomic<int> writes{0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::thread writer([&] {  // writes until the backup is done (or, failing that, for 10 s)
    while (!backedUp.load() && std::chrono::steady_clock::now() < deadline) {
      db->connect().exec("INSERT INTO t (pad) VALUES ('w')");
      ++writes;
    }
  });
  while (writes.load() < 10) std::this_thread::yield();
  const std::string copy = (dir.path() / "copy.db").string();
  backupSqlite(src, copy);
  backedUp = true;
  writer.join();
  auto restored = Database::open("sqlite://" + copy, 1);
  const auto n = restored->connect().queryOne("SELECT COUNT(*) AS n FROM t")->integer("n");
  EXPECT_GE(n, 4000 + 10);
  EXPECT_LE(n, 4000 + writes.load());
}

// Without a WAL file (a checkpoint folded it in and the last connection removed it) the
// database file itself is synced; without either, syncing is an error, never a silent success.
TEST(StoreSqlite, SyncingFindsTheFileThatHoldsTheCommits) {
  onceonly::testing::TempDir dir;
  std::string path = (dir.path() / "d.db").string();
  auto db = Database::open("sqlite://" + path, 1);
  db->connect().exec("CREATE TABLE t (id BIGINT)");
  EXPECT_NO_THROW(db->syncCommitted());
  std::filesystem::remove(path + "-wal");
  EXPECT_NO_THROW(db->syncCommitted());
  std::filesystem::remove(path);
  EXPECT_THROW(db->syncCommitted(), std::runtime_error);
}

// An attached file is there, read-only, in every pooled session: one statement reads it and
// writes the database itself, and even a transaction never takes the attached file's write lock.
TEST(StoreSqlite, EverySessionSeesTheAttachedFilesReadOnly) {
  onceonly::testing::TempDir dir;
  auto source = [&](const std::string& name) {
    const std::string path = (dir.path() / name).string();
    auto db = Database::open("sqlite://" + path, 1);
    db->connect().exec("CREATE TABLE src (n BIGINT)");
    db->connect().exec("INSERT INTO src (n) VALUES (1), (2), (3)");
    return std::make_pair(path, std::move(db));
  };
  auto [other, otherDb] = source("other.db");
  auto [odd, oddDb] = source("other #1?.db");  // a path that a URI would otherwise cut short
  auto db = Database::open("sqlite://" + (dir.path() / "main.db").string(), 2,
                           {{"other", other}, {"odd", odd}});
  db->connect().exec("CREATE TABLE dst (n BIGINT)");
  auto held = otherDb->connect();
  held.begin();  // the attached file's write lock, held throughout
  held.exec("INSERT INTO src (n) VALUES (4)");
  auto a = db->connect();
  auto b = db->connect();  // both sessions of the pool
  EXPECT_EQ(a.exec("INSERT INTO dst (n) SELECT n FROM other.src"), 3);
  EXPECT_EQ(b.queryOne("SELECT SUM(n) AS s FROM other.src")->integer("s"), 6);
  EXPECT_EQ(b.queryOne("SELECT SUM(n) AS s FROM odd.src")->integer("s"), 6);
  EXPECT_THROW(b.exec("INSERT INTO other.src (n) VALUES (5)"), SqlError);
  a.begin();  // BEGIN IMMEDIATE: it would wait for the held lock if it took the attached file's
  a.exec("INSERT INTO dst (n) SELECT n FROM odd.src WHERE n = 1");
  a.commit();
  EXPECT_EQ(b.queryOne("SELECT COUNT(*) AS n FROM dst")->integer("n"), 4);
  held.rollback();
  EXPECT_THROW(
      Database::open("sqlite://" + (dir.path() / "x.db").string(), 1, {{"bad name", other}}),
      std::invalid_argument);
}

// Readers that overlap one another beside a writer leave SQLite no moment to start the WAL
// over: without more, it grows by every page written. Past its restart size, a commit's
// checkpoint waits for the readers of the moment, and the WAL starts again.
TEST(StoreSqlite, TheWalStartsOverUnderOverlappingReaders) {
  onceonly::testing::TempDir dir;
  const std::string path = (dir.path() / "d.db").string();
  auto db = Database::open("sqlite://" + path, 3);
  db->connect().exec("CREATE TABLE t (id INTEGER PRIMARY KEY, pad TEXT)");
  std::atomic<bool> stop{false};
  std::atomic<int> snapshots{0};
  std::thread readers([&] {
    // Always one read transaction open, each a few milliseconds, the next begun before the
    // last ends.
    std::optional<Connection> held;
    while (!stop.load()) {
      auto next = db->connect();
      next.exec("BEGIN");
      next.queryOne("SELECT MAX(id) AS n FROM t");  // a snapshot, cheaply
      if (held) held->exec("COMMIT");
      held.emplace(std::move(next));
      ++snapshots;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (held) held->exec("COMMIT");
  });
  while (snapshots.load() == 0) std::this_thread::yield();
  // About 48 MB of pages, three times the restart size, 20 pages a transaction.
  const std::string pad(3000, 'x');
  std::uintmax_t largest = 0;
  for (int n = 0; n < 600; ++n) {
    db->transaction([&](Connection& c) {
      for (int i = 0; i < 20; ++i) c.exec("INSERT INTO t (pad) VALUES (?)", {pad});
    });
    largest = std::max(largest, std::filesystem::file_size(path + "-wal"));
  }
  stop = true;
  readers.join();
  EXPECT_GT(snapshots.load(), 10);
  EXPECT_EQ(db->connect().queryOne("SELECT COUNT(*) AS n FROM t")->integer("n"), 12000);
  // The restart size (16 MB), a commit's pages past it, and the WAL's frame headers.
  EXPECT_LT(largest, std::uintmax_t{20} << 20);
}

TEST(StoreSqlite, BackupOfAMissingFileFails) {
  onceonly::testing::TempDir dir;
  EXPECT_THROW(backupSqlite((dir.path() / "none.db").string(), (dir.path() / "c.db").string()),
               std::runtime_error);
}

TEST(Store, RejectsUnknownUrlSchemes) {
  EXPECT_THROW(Database::open("mysql://x", 1), std::runtime_error);
}

TEST(Store, UnreachablePostgresIsAClearError) {
  EXPECT_THROW(Database::open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", 1),
               std::runtime_error);
}

}  // namespace
}  // namespace onceonly::store
