// Ledger benchmarks, each next to a reference measured in the same run:
//  - durable appends per second through the log (group commit) with 1, 16 and 64 writers on
//    SQLite (64 also as asynchronous clients served by one thread per core), next to raw SQLite
//    inserts of the same rows in one transaction per 1,000 and raw durable one-row commits;
//  - inclusion and consistency proof time on trees of 1M and 10M leaves, with the perfect
//    subtrees in memory and read from SQLite through the log, next to raw SHA-256 throughput.
// Run: scripts/build.sh bench ledger_bench && build/bench/ledger_bench
#include <benchmark/benchmark.h>
#include <linux/futex.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "api/module.h"
#include "ledger/log.h"
#include "ledger/tiles.h"
#include "store/list.h"
#include "store/store.h"
#include "support/ledger_support.h"

namespace {

using namespace onceonly;

// A fresh, migrated SQLite database in the temp directory.
std::unique_ptr<store::Database> scratchDatabase(const std::string& name, int poolSize) {
  auto dir = std::filesystem::temp_directory_path() / ("onceonly-bench-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto db = store::Database::open("sqlite://" + (dir / "bench.db").string(), poolSize);
  db->migrate(onceonly::api::migrationFiles());
  return db;
}

// An access event as the exchange records it, about one of 100,000 people.
nlohmann::json accessEvent(int w, int i) {
  const std::string subject = "psn_" + std::to_string((w * 1000003L + i * 7919L) % 100000);
  return {{"type", "data.access"},
          {"by", "org_civil_affairs"},
          {"dataset", "household-registration"},
          {"purpose", "application app_" + std::to_string(w) + "_" + std::to_string(i)},
          {"subject", subject}};
}

// Access events first … first+count-1 appended by one caller, 4,096 to a call.
void appendInBatches(ledger::Log& log, int count, int first = 0) {
  constexpr int kBatch = 4096;
  for (int from = first; from < first + count; from += kBatch) {
    std::vector<nlohmann::json> batch;
    for (int i = from; i < std::min(first + count, from + kBatch); ++i)
      batch.push_back(accessEvent(0, i));
    onceonly::testing::appendAllNow(log, batch);
  }
}

// Bytes this process has handed to write system calls so far (Linux /proc/self/io, wchar).
std::int64_t bytesWritten() {
  std::ifstream io("/proc/self/io");
  std::string key;
  std::int64_t value = 0;
  while (io >> key >> value)
    if (key == "wchar:") return value;
  return 0;
}

// CPU time so far, in microseconds: of this process (threads that ended included), and of each
// of its live threads by name (/proc/self/task/*/comm and schedstat).
struct CpuTimes {
  double process = 0;
  std::map<std::string, double> byThread;
};
CpuTimes cpuTimes() {
  CpuTimes out;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto micros = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e6 + t.tv_usec; };
  out.process = micros(usage.ru_utime) + micros(usage.ru_stime);
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::string name;
    double nanos = 0;
    std::ifstream(task.path() / "comm") >> name;
    std::ifstream(task.path() / "schedstat") >> nanos;
    out.byThread[name] += nanos / 1000;
  }
  return out;
}

// Reports the CPU time an append cost, in microseconds: the log's threads each, and the rest of
// the process (the writers, who build, encode and hash their entries, and sleep and wake).
void reportCpu(benchmark::State& state, const CpuTimes& before, std::int64_t appends) {
  const CpuTimes after = cpuTimes();
  const auto n = static_cast<double>(appends);
  double log = 0;
  for (const char* name : {"ledger-sequence", "ledger-sync", "ledger-index"}) {
    auto was = before.byThread.find(name);
    auto is = after.byThread.find(name);
    if (is == after.byThread.end()) continue;
    const double used = is->second - (was == before.byThread.end() ? 0 : was->second);
    state.counters[std::string("cpu us ") + (name + 7)] = used / n;
    log += used;
  }
  state.counters["cpu us other"] = (after.process - before.process - log) / n;
  state.counters["cpu us"] = (after.process - before.process) / n;
}

// About a second or more of appends each.
int appendsFor(const benchmark::State& state) {
  return state.range(0) == 1 ? 3000 : 60000;
}

// Appends through the log: every writer waits for its receipt (its batch is durable). The
// lookup tables the log fills behind the sequencer are brought up to date inside the timed
// region, so the figure includes all the work an append causes.
void runAppends(benchmark::State& state, store::Database& db, int total) {
  const int writers = static_cast<int>(state.range(0));
  ledger::Log log(db, ledger::Signer::generate("bench.example/log"));
  std::int64_t done = 0;
  const CpuTimes cpu = cpuTimes();
  for (auto _ : state) {
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w)
      threads.emplace_back([&, w] {
        for (int i = 0; i < total / writers; ++i)
          onceonly::testing::appendNow(log, accessEvent(w, i));
      });
    for (auto& t : threads) t.join();
    log.indexLookups();
    done += writers * (total / writers);
  }
  reportCpu(state, cpu, done);
  state.SetItemsProcessed(done);
  state.counters["appends/s"] =
      benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate);
}

void BM_DurableAppends(benchmark::State& state) {
  auto db = scratchDatabase("appends", 4);
  runAppends(state, *db, appendsFor(state));
}
BENCHMARK(BM_DurableAppends)
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// The same 64 writers as an event-driven server holds them: each writer still waits for its
// receipt before its next append, but the writers are not threads of their own. One thread per
// core serves its share of them through append(); the log's callback hands a finished
// writer back to its thread, which builds that writer's next event and appends it. This is how
// an HTTP server that does not block a thread per request would append.
void BM_DurableAppendsAsync(benchmark::State& state) {
  const int writers = static_cast<int>(state.range(0));
  const int servers = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const int each = 60000 / writers;
  auto db = scratchDatabase("async", 4);
  ledger::Log log(*db, ledger::Signer::generate("bench.example/log"));
  struct Mailbox {
    std::mutex mutex;
    std::condition_variable wake;
    std::vector<int> finished;  // writers whose last append is durable
    int failures = 0;
  };
  std::int64_t done = 0;
  const CpuTimes cpu = cpuTimes();
  for (auto _ : state) {
    std::vector<Mailbox> boxes(static_cast<std::size_t>(servers));
    std::vector<std::thread> threads;
    for (int t = 0; t < servers; ++t)
      threads.emplace_back([&, t] {
        auto& box = boxes[static_cast<std::size_t>(t)];
        std::vector<int> sent(static_cast<std::size_t>(writers), 0);
        auto send = [&](int w) {
          log.append({accessEvent(w, sent[static_cast<std::size_t>(w)]++)},
                     [&box, w](std::exception_ptr error, const std::vector<ledger::Receipt>&) {
                       std::lock_guard lock(box.mutex);
                       if (error) ++box.failures;
                       box.finished.push_back(w);
                       box.wake.notify_one();
                     });
        };
        int open = 0;
        for (int w = t; w < writers; w += servers, ++open) send(w);
        std::vector<int> ready;
        while (open > 0) {
          {
            std::unique_lock lock(box.mutex);
            box.wake.wait(lock, [&] { return !box.finished.empty(); });
            ready.swap(box.finished);
          }
          for (int w : ready) {
            if (sent[static_cast<std::size_t>(w)] < each)
              send(w);
            else
              --open;
          }
          ready.clear();
        }
      });
    for (auto& t : threads) t.join();
    log.indexLookups();
    for (auto& box : boxes)
      if (box.failures > 0) state.SkipWithError("an append failed");
    done += static_cast<std::int64_t>(writers) * each;
  }
  reportCpu(state, cpu, done);
  state.SetItemsProcessed(done);
  state.counters["appends/s"] =
      benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DurableAppendsAsync)
    ->Arg(64)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// Reference: the same appends handed over 4,096 at a time by one caller, as a
// producer with many entries in flight would: what the storage path takes when batches are
// not capped by the number of waiting writers.
void BM_DurableAppendsInBatches(benchmark::State& state) {
  constexpr int kTotal = 200000;
  auto db = scratchDatabase("batches", 4);
  ledger::Log log(*db, ledger::Signer::generate("bench.example/log"));
  std::int64_t done = 0;
  const CpuTimes cpu = cpuTimes();
  for (auto _ : state) {
    appendInBatches(log, kTotal);
    log.indexLookups();
    done += kTotal;
  }
  reportCpu(state, cpu, done);
  state.counters["appends/s"] =
      benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DurableAppendsInBatches)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(1);

// The lookups by leaf hash and by subject for the next 65,536 entries of a log whose first
// range(0) entries are indexed already. Both keys are random, so the pages a chunk of keys lands
// on spread further as the tables grow. Reports entries indexed per second and the bytes
// written per entry (the lookups file's WAL and checkpoints, through write system calls).
void BM_IndexLookups(benchmark::State& state) {
  const int before = static_cast<int>(state.range(0));
  constexpr int kMore = 65536;
  auto db = scratchDatabase("index-" + std::to_string(before), 4);
  ledger::LogOptions options;
  options.indexInBackground = false;
  ledger::Log log(*db, ledger::Signer::generate("bench.example/log"), options);
  appendInBatches(log, before);
  log.indexLookups();
  appendInBatches(log, kMore, before);
  std::int64_t written = 0;
  for (auto _ : state) {
    const std::int64_t from = bytesWritten();
    if (log.indexLookups() != kMore) state.SkipWithError("indexed a different number of entries");
    written += bytesWritten() - from;
  }
  state.counters["entries/s"] = benchmark::Counter(kMore, benchmark::Counter::kIsRate);
  state.counters["bytes/entry"] = static_cast<double>(written) / kMore;
  // And what a lookup then costs: a person's first page of entries, an entry by its leaf hash.
  constexpr int kLookups = 500;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kLookups; ++i)
    benchmark::DoNotOptimize(log.entries(0, 20, accessEvent(0, i)["subject"].get<std::string>()));
  const auto between = std::chrono::steady_clock::now();
  for (int i = 0; i < kLookups; ++i)
    benchmark::DoNotOptimize(
        log.indexOf(ledger::leafHash(ledger::canonicalJson(accessEvent(0, i * 97)))));
  const auto end = std::chrono::steady_clock::now();
  auto micros = [](auto d) { return std::chrono::duration<double, std::micro>(d).count(); };
  state.counters["subject page us"] = micros(between - start) / kLookups;
  state.counters["by leaf us"] = micros(end - between) / kLookups;
}
BENCHMARK(BM_IndexLookups)
    ->Arg(0)
    ->Arg(1 << 20)
    ->Arg(4 << 20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// The same on PostgreSQL, as several nodes of one government would share it, when
// ONCEONLY_BENCH_PG_URL names a server with fsync on (ONCEONLY_PG_DURABLE=1 scripts/pg.sh
// start); skipped otherwise. Each append batch also takes the sequencer's advisory lock.
void BM_DurableAppendsPostgres(benchmark::State& state) {
  const char* url = std::getenv("ONCEONLY_BENCH_PG_URL");
  if (!url) {
    state.SkipWithError("ONCEONLY_BENCH_PG_URL is not set");
    for (auto _ : state) {
    }
    return;
  }
  auto db = store::Database::open(url, 8);
  db->migrate(onceonly::api::migrationFiles());
  {
    auto c = db->connect();
    for (const char* table : {"ledger_leaf_blocks", "ledger_subject_blocks", "ledger_tiles",
                              "ledger_cosignatures", "ledger_checkpoints", "ledger_entries"})
      c.exec(std::string("DELETE FROM ") + table);
    c.exec("UPDATE ledger_lookups_state SET indexed_upto = 0");
  }
  runAppends(state, *db, appendsFor(state));
}
BENCHMARK(BM_DurableAppendsPostgres)
    ->Arg(1)
    ->Arg(64)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// Reference: the hand-off alone. The same writers build the same events and hand them, as
// canonical JSON with their leaf hash, to one thread that answers them batch by batch as the
// log does (writers add to the last open batch under a mutex and sleep on the batch's futex
// word; one FUTEX_WAKE answers a batch); nothing is stored. It bounds what threads on these
// cores can do before any I/O.
void BM_HandOffOnly(benchmark::State& state) {
  const int writers = static_cast<int>(state.range(0));
  const int total = 60000;
  struct Batch {
    std::vector<std::string> texts;
    std::vector<ledger::Hash> leaves;
    std::uint64_t first = 0;
    std::atomic<std::uint32_t> done{0};
  };
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::shared_ptr<Batch>> queue;
  bool stop = false;
  std::thread server([&] {
    std::uint64_t next = 0;
    for (;;) {
      std::shared_ptr<Batch> batch;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return stop || !queue.empty(); });
        if (queue.empty()) return;
        batch = std::move(queue.front());
        queue.pop_front();
      }
      batch->first = next;
      next += batch->texts.size();
      batch->done.store(1, std::memory_order_release);
      syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&batch->done), FUTEX_WAKE_PRIVATE,
              INT_MAX, nullptr, nullptr, 0);
    }
  });
  std::int64_t done = 0;
  const CpuTimes cpu = cpuTimes();
  for (auto _ : state) {
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w)
      threads.emplace_back([&, w] {
        for (int i = 0; i < total / writers; ++i) {
          std::string text = ledger::canonicalJson(accessEvent(w, i));
          ledger::Hash leaf = ledger::leafHash(text);
          std::shared_ptr<Batch> batch;
          std::size_t position = 0;
          {
            std::lock_guard lock(mutex);
            if (queue.empty()) queue.push_back(std::make_shared<Batch>());
            batch = queue.back();
            position = batch->texts.size();
            batch->texts.push_back(std::move(text));
            batch->leaves.push_back(leaf);
          }
          wake.notify_one();
          while (batch->done.load(std::memory_order_acquire) == 0)
            syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&batch->done), FUTEX_WAIT_PRIVATE,
                    0, nullptr, nullptr, 0);
          benchmark::DoNotOptimize(batch->first + position);
        }
      });
    for (auto& t : threads) t.join();
    done += writers * (total / writers);
  }
  {
    std::lock_guard lock(mutex);
    stop = true;
  }
  wake.notify_one();
  server.join();
  reportCpu(state, cpu, done);
  state.counters["appends/s"] =
      benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_HandOffOnly)->Arg(64)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(1);

// Reference: rows of the same shape inserted straight into the entries table with one prepared
// statement, 1,000 per transaction: no hashing, no tree, no lookups, no waiting writers.
void BM_RawSqliteInserts(benchmark::State& state) {
  auto db = scratchDatabase("raw", 1);
  std::int64_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();  // only the inserts are timed
    std::vector<store::Args> rows;
    for (int i = 0; i < 1000; ++i, ++n) {
      const auto event = accessEvent(0, static_cast<int>(n));
      rows.push_back({n, ledger::toHex(ledger::leafHash(std::to_string(n))), event.dump(),
                      std::string("2026-11-23T09:00:00Z"), event["subject"].get<std::string>()});
    }
    state.ResumeTiming();
    db->transaction([&](store::Connection& c) {
      store::insertMany(c, "ledger_entries",
                        {"idx", "leaf_hash", "entry", "appended_at", "subject"}, rows);
    });
  }
  state.SetItemsProcessed(n);
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RawSqliteInserts)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(60);

// Reference: durable commits of one row each, the cost every group commit pays once (on this
// disk, mostly the fsync of the write-ahead log). With W writers each waiting for its receipt,
// a batch holds at most W entries, so W times this rate bounds what the log can reach.
void BM_RawSqliteCommits(benchmark::State& state) {
  auto db = scratchDatabase("commits", 1);
  std::int64_t n = 0;
  for (auto _ : state) {
    db->transaction([&](store::Connection& c) {
      c.exec("INSERT INTO ledger_entries (idx, leaf_hash, entry, appended_at) VALUES (?, ?, ?, ?)",
             {n, std::string(64, 'a'), std::string("{}"), std::string("2026-11-23T09:00:00Z")});
    });
    ++n;
  }
  state.counters["commits/s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RawSqliteCommits)->UseRealTime()->Unit(benchmark::kMicrosecond)->Iterations(2000);

// Trees of 1M and 10M leaves: in memory (every perfect subtree kept), and the same tree stored
// in SQLite as the log stores it (tiles), read back through the log.
ledger::MemoryTree& memoryTree(std::uint64_t size) {
  static std::map<std::uint64_t, std::unique_ptr<ledger::MemoryTree>> trees;
  auto& t = trees[size];
  if (!t) {
    t = std::make_unique<ledger::MemoryTree>();
    for (std::uint64_t i = 0; i < size; ++i) t->append(ledger::leafHash(std::to_string(i)));
  }
  return *t;
}

struct StoredTree {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<ledger::Log> log;
};

ledger::Log& storedTree(std::uint64_t size) {
  static std::map<std::uint64_t, StoredTree> trees;
  auto& t = trees[size];
  if (!t.log) {
    auto& mem = memoryTree(size);
    t.db = scratchDatabase("proofs-" + std::to_string(size), 2);
    // The tiles the log would have written, and the last entry (the log's size comes from it).
    std::vector<store::Args> rows;
    auto flush = [&] {
      t.db->transaction([&](store::Connection& c) {
        store::insertMany(c, "ledger_tiles", {"level", "idx", "width", "hashes"}, rows);
      });
      rows.clear();
    };
    ledger::forEachTile(mem, size, [&](const ledger::Tile& tile) {
      rows.push_back({std::int64_t{tile.level()}, static_cast<std::int64_t>(tile.index()),
                      std::int64_t{tile.width()}, tile.text()});
      if (rows.size() == 1000) flush();
    });
    flush();
    const std::string last = std::to_string(size - 1);
    t.db->connect().exec(
        "INSERT INTO ledger_entries (idx, leaf_hash, entry, appended_at) VALUES (?, ?, ?, ?)",
        {static_cast<std::int64_t>(size - 1), ledger::toHex(ledger::leafHash(last)), last,
         std::string("t")});
    t.log = std::make_unique<ledger::Log>(*t.db, ledger::Signer::generate("bench.example/log"));
  }
  return *t.log;
}

void BM_InclusionProofInMemory(benchmark::State& state) {
  auto& t = memoryTree(static_cast<std::uint64_t>(state.range(0)));
  std::uint64_t i = 0;
  for (auto _ : state) {
    auto proof = ledger::inclusionProof(t, (i * 7919) % t.size(), t.size());
    benchmark::DoNotOptimize(proof);
    ++i;
  }
}
BENCHMARK(BM_InclusionProofInMemory)->Arg(1 << 20)->Arg(10000000)->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProofInMemory(benchmark::State& state) {
  auto& t = memoryTree(static_cast<std::uint64_t>(state.range(0)));
  std::uint64_t i = 1;
  for (auto _ : state) {
    auto proof = ledger::consistencyProof(t, (i * 7919) % (t.size() - 1) + 1, t.size());
    benchmark::DoNotOptimize(proof);
    ++i;
  }
}
BENCHMARK(BM_ConsistencyProofInMemory)->Arg(1 << 20)->Arg(10000000)->Unit(benchmark::kMicrosecond);

// The same proofs as the API serves them: perfect subtrees read from SQLite by the log.
void BM_InclusionProofFromDatabase(benchmark::State& state) {
  const auto size = static_cast<std::uint64_t>(state.range(0));
  auto& log = storedTree(size);
  std::uint64_t i = 0;
  for (auto _ : state) {
    auto proof = log.inclusionProof((i * 7919) % size, size);
    benchmark::DoNotOptimize(proof);
    ++i;
  }
}
BENCHMARK(BM_InclusionProofFromDatabase)
    ->Arg(1 << 20)
    ->Arg(10000000)
    ->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProofFromDatabase(benchmark::State& state) {
  const auto size = static_cast<std::uint64_t>(state.range(0));
  auto& log = storedTree(size);
  std::uint64_t i = 1;
  for (auto _ : state) {
    auto proof = log.consistencyProof((i * 7919) % (size - 1) + 1, size);
    benchmark::DoNotOptimize(proof);
    ++i;
  }
}
BENCHMARK(BM_ConsistencyProofFromDatabase)
    ->Arg(1 << 20)
    ->Arg(10000000)
    ->Unit(benchmark::kMicrosecond);

// `onceonly ledger verify` on a log of 1M access events written through the log (batches of
// 4,096), with one signed checkpoint: the whole tree recomputed and held against the stored
// tiles and the checkpoint. Reported as entries per second.
void BM_VerifyLog(benchmark::State& state) {
  const int size = static_cast<int>(state.range(0));
  auto db = scratchDatabase("verify", 4);
  ledger::LogOptions options;
  options.indexInBackground = false;  // as the command-line tool runs it
  ledger::Log log(*db, ledger::Signer::generate("bench.example/log"), options);
  appendInBatches(log, size);
  log.signCheckpoint();
  std::uint64_t verified = 0;
  for (auto _ : state) {
    auto report = log.verify();
    if (!report.ok) state.SkipWithError(report.problem.c_str());
    verified += report.size;
  }
  state.counters["entries/s"] =
      benchmark::Counter(static_cast<double>(verified), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_VerifyLog)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(1);

// Reference: raw SHA-256 of a node's 65 bytes, through OpenSSL as the tree hashes (the CPU's
// SHA extensions where it has them), and through libsodium's portable code.
void BM_RawSha256(benchmark::State& state) {
  unsigned char in[65] = {1}, out[32];
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  for (auto _ : state) {
    unsigned int length = 0;
    EVP_DigestInit_ex2(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, in, sizeof in);
    EVP_DigestFinal_ex(ctx, out, &length);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawSha256);

void BM_RawSha256Libsodium(benchmark::State& state) {
  unsigned char in[65] = {1}, out[32];
  for (auto _ : state) {
    crypto_hash_sha256(out, in, sizeof in);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawSha256Libsodium);

}  // namespace

BENCHMARK_MAIN();
