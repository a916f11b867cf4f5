// Ledger benchmarks, each next to a reference measured in the same run:
//  - durable appends per second through the log (group commit) with 1, 16 and 64 writers on
//    SQLite, next to raw SQLite inserts of the same rows in one transaction per 1,000;
//  - inclusion and consistency proof time on a tree of 1M leaves (perfect subtrees in memory),
//    next to raw SHA-256 throughput.
// Run: scripts/build.sh bench ledger_bench && build/bench/ledger_bench
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "ledger/log.h"
#include "store/store.h"

namespace {

using namespace onceonly;

std::filesystem::path scratch(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("onceonly-bench-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void BM_DurableAppends(benchmark::State& state) {
  const int writers = static_cast<int>(state.range(0));
  const int perWriter = 2000;
  auto dir = scratch("appends");
  auto db = store::Database::open("sqlite://" + (dir / "l.db").string(), 4);
  db->migrate();
  ledger::Log log(*db, ledger::Signer::generate("bench.example/log"));
  std::int64_t total = 0;
  for (auto _ : state) {
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w)
      threads.emplace_back([&, w] {
        for (int i = 0; i < perWriter / writers + 1; ++i)
          log.append({{"type", "data.access"}, {"w", w}, {"i", i}, {"subject", "psn_bench"}});
      });
    for (auto& t : threads) t.join();
    total += writers * (perWriter / writers + 1);
  }
  state.SetItemsProcessed(total);
  state.counters["appends/s"] =
      benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DurableAppends)
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// Reference: the same rows inserted straight into SQLite, 1,000 per transaction.
void BM_RawSqliteInserts(benchmark::State& state) {
  auto dir = scratch("raw");
  auto db = store::Database::open("sqlite://" + (dir / "r.db").string(), 1);
  db->migrate();
  std::int64_t n = 0;
  for (auto _ : state) {
    db->transaction([&](store::Connection& c) {
      for (int i = 0; i < 1000; ++i, ++n)
        c.exec(
            "INSERT INTO ledger_entries (idx, leaf_hash, entry, appended_at) VALUES (?, ?, ?, ?)",
            {n, std::string(64, 'a'), std::string("{\"type\":\"data.access\"}"), std::string("t")});
    });
  }
  state.SetItemsProcessed(n);
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RawSqliteInserts)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(20);

ledger::MemoryTree& bigTree() {
  static ledger::MemoryTree t = [] {
    ledger::MemoryTree tree;
    for (int i = 0; i < 1 << 20; ++i) tree.append(ledger::leafHash(std::to_string(i)));
    return tree;
  }();
  return t;
}

void BM_InclusionProof1M(benchmark::State& state) {
  auto& t = bigTree();
  std::uint64_t i = 0;
  for (auto _ : state) {
    auto proof = ledger::inclusionProof(t, (i * 7919) % t.size(), t.size());
    benchmark::DoNotOptimize(proof);
    ++i;
  }
}
BENCHMARK(BM_InclusionProof1M)->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProof1M(benchmark::State& state) {
  auto& t = bigTree();
  std::uint64_t i = 1;
  for (auto _ : state) {
    auto proof = ledger::consistencyProof(t, (i * 7919) % (t.size() - 1) + 1, t.size());
    benchmark::DoNotOptimize(proof);
    ++i;
  }
}
BENCHMARK(BM_ConsistencyProof1M)->Unit(benchmark::kMicrosecond);

// Reference: raw SHA-256 of 64-byte inputs (what an interior node costs).
void BM_RawSha256(benchmark::State& state) {
  unsigned char in[65] = {1}, out[32];
  for (auto _ : state) {
    crypto_hash_sha256(out, in, sizeof in);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawSha256);

}  // namespace

BENCHMARK_MAIN();
