// The records of hosted resources: one per subject, kept by the platform for the department that
// holds the resource. Personal and sensitive values are stored encrypted with the key ring, and
// a subject is found through its keyed hash, as accounts are; nothing personal is stored in
// clear.
//
// Loads: a department sends a whole file (CSV, a JSON array or NDJSON). It is read twice in the
// background, a row at a time: first every row is checked, and a file with any bad row loads
// nothing (the first hundred problems are kept for the report); then the rows are written in
// one transaction. Both passes report their progress (rows done of the total) while they run.
// Memory stays bounded by the file itself and a batch of rows.
//
// Threads: Records is shared; loads run one at a time on its own thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "catalog/records.h"

namespace onceonly::crypto {
class KeyRing;
}

namespace onceonly::catalog {

struct Record {
  std::string subject;    // "" for resources about no one
  nlohmann::json values;  // every field of the resource, null when not given
  std::string updatedAt;
};

struct Load {
  std::string id;
  std::string resourceId;
  std::string format;  // csv json ndjson
  // checking → loading → done, or refused (bad rows: nothing loaded), or failed (the platform
  // stopped or the database refused: nothing loaded).
  std::string status;
  std::int64_t rowsTotal = 0;  // known once checking is over
  std::int64_t rowsDone = 0;   // rows checked, then rows written
  std::int64_t rowsBad = 0;
  nlohmann::json errors = nlohmann::json::array();  // [{row, column, code, params}]
  std::string digest;                               // SHA-256 of the file, hex
  std::string startedBy, startedAt;
  std::optional<std::string> finishedAt;
};

nlohmann::json loadToJson(const Load& l);

class Records {
 public:
  // Called in the transaction that writes a load's rows: what else must commit with them (the
  // ledger entry).
  using Loaded = std::function<void(store::Connection&, const Load&)>;

  Records(store::Database& db, const crypto::KeyRing& keys, Loaded onLoaded);
  ~Records();  // a load still running fails, and nothing of it is written
  Records(const Records&) = delete;
  Records& operator=(const Records&) = delete;

  // Writes one record, replacing the subject's earlier one. Throws 400 naming every bad value
  // (/subject, /values/<field>). Returns true when the subject had no record yet.
  bool upsert(const Resource& r, const std::string& subject, const nlohmann::json& values);
  std::optional<Record> find(const Resource& r, const std::string& subject);
  std::int64_t count(const std::string& resourceId);

  // Records the load in the caller's transaction and starts it once that commits.
  Load startLoad(const Resource& r, UploadFormat format, std::string data, const std::string& by);
  // With its progress while it runs.
  std::optional<Load> load(const std::string& id);
  // The resource's loads, newest first (at most 50).
  std::vector<Load> loads(const std::string& resourceId);
  // Waits until no load is queued or running (tests, shutdown).
  void waitIdle();

 private:
  struct Job {
    Resource resource;
    Load load;
    std::string data;
    UploadFormat format = UploadFormat::csv;
  };
  struct Progress {
    std::atomic<std::int64_t> done{0};
    std::atomic<std::int64_t> total{0};
    std::atomic<int> phase{0};  // 0 checking, 1 loading
  };
  void run();
  void runJob(Job& job, Progress& progress);
  void finish(const Load& l);

  store::Database& db_;
  const crypto::KeyRing& keys_;
  Loaded onLoaded_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> jobs_;                                      // GUARDED_BY mutex_
  std::map<std::string, std::shared_ptr<Progress>> running_;  // GUARDED_BY mutex_
  bool busy_ = false;                                         // GUARDED_BY mutex_
  bool stopping_ = false;                                     // GUARDED_BY mutex_
  std::thread worker_;
};

}  // namespace onceonly::catalog
