// The append-only log behind the verifiable ledger. Entries are canonical JSON (sorted keys, no
// insignificant white space) and never hold personal identifiers in clear: callers put a
// pseudonym (crypto::KeyRing::pseudonym, kept with each account) in their place.
//
// Appends: any number of threads call append(); one sequencer thread per process takes what is
// waiting, up to max_batch entries, and writes them in one transaction. It does not wait for
// the disk: another thread syncs once for every batch committed meanwhile (group commit), and
// append() returns only after that sync, so an acknowledged entry is durable. The batch transaction
// takes SQLite's write lock or a PostgreSQL advisory lock first, so ordering is decided in one
// place even with several processes on one database.
//
// The tree is stored in tiles (ledger/tiles.h) in the same transaction as its entries. The
// sequencer keeps the tree's right edge (the partial tiles) in memory, so a batch writes its
// entries and the one to three tiles they change, and reads nothing back unless another process
// appended since. Proofs read each tile they cross in one query; full tiles above level 0 are
// kept in memory once read (they never change), so a proof reads one or two rows.
//
// A write that changes something the ledger records queues its entry in its own transaction
// instead (queue()): the sequencer drains that outbox into the log, so the change and its entry
// commit together.
//
// Threads: Log is shared; append() calls back on the log's own thread once entries are
// durable.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/receipt.h"

namespace onceonly::store {
class Database;
class Connection;
}  // namespace onceonly::store
namespace onceonly::crypto {
class KeyRing;
}

namespace onceonly::ledger {

class TileStore;

// Sorted keys, no white space; refuses non-integer numbers (their text is not canonical).
std::string canonicalJson(const nlohmann::json& entry);
// The top-level "subject" of an entry's text, when it has one that is a string. The stored
// column beside it is a copy for the lookups, outside the hash: who may read an entry is
// decided by the entry.
std::optional<std::string> entrySubject(const std::string& text);

struct Receipt {
  std::uint64_t index = 0;
  Hash leafHash{};
  std::uint64_t treeSize = 0;  // the tree's size when the batch holding the entry committed
  Hash root{};                 // and its root
};

struct VerifyReport {
  bool ok = true;
  std::uint64_t size = 0;
  std::optional<std::uint64_t> firstBadIndex;  // the first entry that does not match
  std::string problem;
  std::uint64_t checkpoints = 0;  // signed checkpoints checked
};

// A witness the log asks for cosignatures (c2sp.org/tlog-witness): its cosignature key and its
// submission prefix (add-checkpoint is POSTed to <url>/add-checkpoint).
struct WitnessEndpoint {
  Verifier key;
  std::string url;
};

// How the log reaches a witness: POST body to url, answer or throw std::runtime_error.
struct WitnessReply {
  int status = 0;
  std::string contentType;
  std::string body;
};
using WitnessPost = std::function<WitnessReply(const std::string& url, const std::string& body)>;

// Parses "<url> <vkey>, <url> <vkey>, ..." (the ledger_witnesses setting); throws
// std::invalid_argument naming the bad part.
std::vector<WitnessEndpoint> parseWitnessList(const std::string& setting);

// On SQLite, the file of the log's lookup tables: `onceonly.db` → `onceonly.ledger-lookups.db`
// in the same directory. nullopt for PostgreSQL, where they are in the log's database.
std::optional<std::string> lookupsPath(const std::string& databaseUrl);

struct LogOptions {
  std::size_t maxBatch = 4096;
  std::string origin = "onceonly.localhost/ledger";  // the checkpoint's first line
  int checkpointSeconds = 10;  // latestCheckpoint() signs anew when older than this
  // Another thread fills the lookup tables (by leaf hash, by subject) behind the sequencer. Off
  // for tests that place the indexer's boundary themselves; lookups stay right either way.
  bool indexInBackground = true;
  std::vector<WitnessEndpoint> witnesses;
  // A checkpoint counts as witnessed with cosignatures from this many distinct configured
  // witnesses; 0 means all of them. Without witnesses, no checkpoint is witnessed.
  std::size_t quorum = 0;
  WitnessPost post;
};

// What one witness said about the latest checkpoint.
struct WitnessOutcome {
  std::string witness;  // key name
  bool cosigned = false;
  int status = 0;  // HTTP status of the last answer, 0 when it could not be reached
  std::string problem;
};

struct CheckpointInfo {
  std::uint64_t size = 0;
  Hash root{};
  std::string signedAt;
  std::vector<std::string> cosignedBy;  // configured witnesses whose cosignature verifies
  bool witnessed = false;
};

// The log's signing key, kept as a key string in <keys dir>/ledger.skey (mode 0600), made on
// first use with the origin as its name.
Signer loadOrCreateLogKey(const std::string& keysDir, const std::string& origin);

class Log {
 public:
  Log(store::Database& db, Signer signer, LogOptions options = {});
  ~Log();  // finishes what was accepted, then stops the sequencer
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Told once whether appended entries became durable: their receipts in the entries' order,
  // or the first error (receipts then empty).
  using AppendDone =
      std::function<void(std::exception_ptr error, const std::vector<Receipt>& receipts)>;
  // Appends entries and returns at once; `done` is called once every entry is durable, or with
  // the first error, on a thread of the log. `done` must return quickly and must not wait for
  // another append: hand the receipts to the caller's own executor. Throws onceonly::Error
  // (400 ledger.entry) for an entry that is not a JSON object of integers, strings, booleans
  // and nulls, and 503 ledger.stopped when the log is stopping or a sync has failed, in both
  // cases queueing nothing and not calling `done`. An empty list is answered at once. An
  // entry's "subject" (a pseudonym) is indexed, so the person can be shown their entries.
  void append(const std::vector<nlohmann::json>& entries, AppendDone done);
  // Queues an entry in the caller's transaction: it is in the log soon after that commits (the
  // sequencer moves it from the outbox table, in log order of queueing), and never when that
  // rolls back. Throws like append() for a bad entry.
  void queue(store::Connection& c, const nlohmann::json& entry);

  std::uint64_t size();
  std::optional<std::string> entry(std::uint64_t index);
  struct StoredEntry {
    std::uint64_t index = 0;
    std::string text;
    std::optional<std::string> subject;  // the entry's own "subject", not the stored column
  };
  // Entries from index `from` on, in log order, only those about `subject` when given.
  std::vector<StoredEntry> entries(std::uint64_t from, std::size_t limit,
                                   const std::optional<std::string>& subject);
  std::uint64_t countEntries(const std::optional<std::string>& subject);
  std::optional<StoredEntry> storedEntry(std::uint64_t index);
  // The first entry with this leaf hash.
  std::optional<std::uint64_t> indexOf(const Hash& leaf);
  // Lookups by leaf hash and by subject read tables a background thread fills behind the
  // sequencer (every kIndexEvery appends or 200 ms), plus the entries it has not reached yet.
  // This brings them up to date now; returns how many entries it indexed.
  std::uint64_t indexLookups();
  // Where those tables live. On SQLite, a database file of their own beside the log's
  // (lookupsPath()), so that filling them never takes the one write lock the sequencer needs;
  // it holds nothing that cannot be rebuilt from the entries. On PostgreSQL, the log's database.
  store::Database& lookupDatabase() { return lookups_ ? *lookups_ : db_; }
  static constexpr std::uint64_t kIndexEvery = 8192;
  Hash root(std::uint64_t size);
  std::vector<Hash> inclusionProof(std::uint64_t index, std::uint64_t size);
  std::vector<Hash> consistencyProof(std::uint64_t first, std::uint64_t second);

  // Signs a checkpoint of the current tree (or returns the one already signed for this size).
  std::string signCheckpoint();
  // The newest signed checkpoint; signs one first when the tree grew and the newest is older
  // than checkpointSeconds, or when there is none.
  std::string latestCheckpoint();
  const Signer& signer() const { return signer_; }

  // The signed checkpoint of that size with the cosignatures of configured witnesses appended.
  std::optional<std::string> checkpoint(std::uint64_t size);
  // The newest checkpoint that the witness policy counts as witnessed.
  std::optional<std::string> latestWitnessedCheckpoint();
  // Checkpoints, newest first, below `before` when given.
  std::vector<CheckpointInfo> checkpoints(std::optional<std::uint64_t> before, std::size_t limit,
                                          bool witnessedOnly);
  std::uint64_t countCheckpoints(bool witnessedOnly);
  // A receipt for the entry against the checkpoint of `size`, or else the first checkpoint
  // that covers it. When none covers it yet, one is signed: at once with SignNow::yes (the
  // operator's tools), else only when the newest is older than checkpointSeconds, so that
  // public requests cannot make the log sign a checkpoint for every entry. nullopt when there
  // is no such entry, no checkpoint of that size covering it, or none covering it yet.
  enum class SignNow { no, yes };
  std::optional<ReceiptProof> receipt(std::uint64_t index, std::optional<std::uint64_t> size,
                                      SignNow sign);
  int checkpointSeconds() const { return options_.checkpointSeconds; }
  // What the ledger module schedules every checkpointSeconds (store::Scheduler, on one node at a
  // time): signs a checkpoint when the tree grew, and asks the witnesses to cosign it.
  void checkpointAndCosign();
  // Sends the latest checkpoint to every configured witness that has not cosigned it yet. One
  // caller at a time, also across the nodes sharing a PostgreSQL database (advisory lock
  // kWitnessLock): whoever comes second finds the cosignatures stored and asks no one again.
  std::vector<WitnessOutcome> requestCosignatures();
  static constexpr std::int64_t kWitnessLock = 0x7769746e657373;  // "witness"
  const std::vector<WitnessEndpoint>& witnesses() const { return options_.witnesses; }
  std::size_t quorum() const;

  // Recomputes the whole tree from the stored entries and compares it with the stored hashes:
  // a changed, removed or reordered entry is named by its index.
  VerifyReport verify();

 private:
  struct Pending {
    std::string text;
    std::optional<std::string> subject;
    Hash leaf;
    std::string leafHex;  // as stored; computed by the writer, off the sequencer's path
  };
  // What one entry's writer is told: its receipt or the error.
  using EntryDone = std::function<void(std::exception_ptr error, const Receipt& receipt)>;
  // Entries the sequencer commits in one transaction: those appended (each with whom to tell)
  // and those it takes from the outbox.
  struct Batch {
    std::vector<Pending> entries;
    std::vector<Receipt> receipts;
    std::exception_ptr error;
    std::vector<EntryDone> callbacks;  // one per appended entry, in its order
    std::size_t fromOutbox = 0;        // entries at the end taken from the outbox
  };
  static Pending prepare(const nlohmann::json& entry);
  static Pending prepareText(std::string text);
  // The batch new entries join (a new one when the last is full); throws when the log no longer
  // accepts appends. Needs mutex_.
  Batch& openBatch();
  void sequence();
  void syncBatches();
  static void finish(Batch& batch);
  void writeBatch(Batch& batch);
  // Throws Error 503 ledger.stopped once a sync has failed (see syncBatches).
  void refuseWhenBroken();
  void indexer();
  std::uint64_t indexedUpTo();
  // SQLite: opens the lookups file, and forgets what it holds of entries the log no longer has
  // (a crash took commits that were never acknowledged, or an older backup was restored).
  void openLookups();
  WitnessOutcome askWitness(const WitnessEndpoint& w, std::uint64_t size, const std::string& note);
  std::vector<std::string> cosigners(const Note& note) const;

  store::Database& db_;
  Signer signer_;
  LogOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  // Batches waiting for the sequencer; writers add to the last until it holds maxBatch entries.
  std::deque<std::shared_ptr<Batch>> queue_;  // GUARDED_BY mutex_
  bool stopping_ = false;                     // GUARDED_BY mutex_
  bool outboxQueued_ = false;                 // GUARDED_BY mutex_: a queue() has committed
  // Set when a sync failed: from then on no append is acknowledged until the process restarts.
  std::exception_ptr syncFailure_;  // GUARDED_BY mutex_
  std::thread sequencer_;
  // Committed batches waiting to be made durable. The sequencer commits without waiting for the
  // disk and goes on to the next batch; this thread syncs once for all the batches committed
  // meanwhile, then wakes their writers (group commit across batches).
  std::mutex syncMutex_;
  std::condition_variable syncWake_;
  std::condition_variable syncTaken_;
  std::vector<std::shared_ptr<Batch>> committed_;  // GUARDED_BY syncMutex_
  bool sequencerStopped_ = false;                  // GUARDED_BY syncMutex_
  std::thread syncer_;
  std::unique_ptr<TileStore> tiles_;
  std::condition_variable indexWake_;
  std::mutex witnessMutex_;      // requestCosignatures() in this process
  std::uint64_t unindexed_ = 0;  // GUARDED_BY mutex_: appended since the indexer last ran
  std::unique_ptr<store::Database> lookups_;  // SQLite only
  std::mutex indexMutex_;                     // one indexLookups() at a time in this process
  std::thread indexer_;
};

}  // namespace onceonly::ledger
