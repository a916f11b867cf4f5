#include "store/scheduler.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "core/log.h"
#include "core/time.h"
#include "store/store.h"

namespace onceonly::store {
namespace {

std::string defaultNode() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(getpid());
}

}  // namespace

Scheduler::Scheduler(Database& db, std::string node)
    : db_(db), node_(node.empty() ? defaultNode() : std::move(node)) {
  // The scheduler's own table, like schema_migrations: it belongs to no module.
  db_.connectApart().exec(
      "CREATE TABLE IF NOT EXISTS job_leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, "
      "held_until TEXT NOT NULL, last_run_at TEXT, last_problem TEXT)");
}

Scheduler::~Scheduler() {
  stop();
}

void Scheduler::every(std::string name, std::chrono::milliseconds period,
                      std::function<void()> job) {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) throw std::logic_error("jobs are added before the scheduler starts");
  if (period.count() <= 0) throw std::logic_error("job " + name + " needs a period");
  jobs_.push_back({std::move(name), period, std::move(job), {}});
}

void Scheduler::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || jobs_.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  for (auto& j : jobs_) j.due = now + j.period;
  thread_ = std::thread([this] { loop(); });
  pthread_setname_np(thread_.native_handle(), "scheduler");
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Scheduler::takeLease(const Job& job) {
  const auto now = Clock::now();
  // Held for one period: the next turn anywhere comes after it, and a node that stopped
  // holding it is replaced within one period.
  const std::string until = toRfc3339(now + job.period);
  return db_.connectApart().exec(
             "INSERT INTO job_leases (name, holder, held_until) VALUES (?, ?, ?) "
             "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
             "held_until = excluded.held_until "
             "WHERE job_leases.holder = excluded.holder OR job_leases.held_until <= ?",
             {job.name, node_, until, toRfc3339(now)}) == 1;
}

void Scheduler::finished(const Job& job, const std::string& problem) {
  db_.connectApart().exec(
      "UPDATE job_leases SET last_run_at = ?, last_problem = ? WHERE name = ? AND holder = ?",
      {nowRfc3339(), problem.empty() ? Value(Null{}) : Value(problem), job.name, node_});
}

bool Scheduler::runNow(const std::string& name) {
  auto it = std::find_if(jobs_.begin(), jobs_.end(), [&](const Job& j) { return j.name == name; });
  if (it == jobs_.end()) throw std::logic_error("no job " + name);
  if (!takeLease(*it)) return false;
  try {
    it->run();
  } catch (const std::exception& e) {
    log::warn("job.failed", {{"job", name}, {"problem", e.what()}});
    finished(*it, e.what());
    throw;
  }
  finished(*it, "");
  return true;
}

void Scheduler::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto next = std::min_element(jobs_.begin(), jobs_.end(),
                                 [](const Job& a, const Job& b) { return a.due < b.due; });
    if (wake_.wait_until(lock, next->due, [this] { return stopping_; })) return;
    next->due = std::chrono::steady_clock::now() + next->period;
    lock.unlock();
    try {
      runNow(next->name);
    } catch (const std::exception&) {
      // logged and kept by runNow(); the job runs again next turn
    }
    lock.lock();
  }
}

}  // namespace onceonly::store
