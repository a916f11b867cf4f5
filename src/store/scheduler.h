// Background jobs on a schedule that run on exactly one node at a time. Before each run the
// node takes the job's lease in the shared database (a row of job_leases held until a time):
// with several nodes on one database, whoever holds it runs the job and the others skip that
// turn; when the holder stops, its lease runs out and another node takes over. For the ledger's
// checkpoints now, and deadlines, quality rules and retraining later.
//
// One thread runs every job of the process in turn: a job should take seconds, not minutes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace onceonly::store {

class Database;

class Scheduler {
 public:
  // `node` names this process in the leases (host and process id by default).
  explicit Scheduler(Database& db, std::string node = "");
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Runs `job` every `period` (the first time one period after start()), on one node at a time.
  // Add jobs before start().
  void every(std::string name, std::chrono::milliseconds period, std::function<void()> job);
  // Starts the thread; without it, jobs run only through runNow() (tools and tests).
  void start();
  // Waits for a running job to finish and stops the thread; no job starts after it returns.
  void stop();
  // Runs the job now if this node gets its lease; false when another node holds it. A job
  // that throws is logged and its problem kept in job_leases; runNow() then rethrows.
  bool runNow(const std::string& name);

 private:
  struct Job {
    std::string name;
    std::chrono::milliseconds period;
    std::function<void()> run;
    std::chrono::steady_clock::time_point due;
  };
  bool takeLease(const Job& job);
  void finished(const Job& job, const std::string& problem);
  void loop();

  Database& db_;
  std::string node_;
  std::vector<Job> jobs_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY mutex_
  std::thread thread_;
};

}  // namespace onceonly::store
