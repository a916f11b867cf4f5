// Jobs on a schedule run on one node at a time: two schedulers (two nodes) on one database take
// turns through the lease, and a node that stops holding it is replaced once it runs out.
#include "store/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "store/store.h"
#include "support/test_support.h"

namespace onceonly::store {
namespace {

using onceonly::testing::Backend;
using onceonly::testing::ScratchDatabase;

class SchedulerTest : public ::testing::TestWithParam<Backend> {
 protected:
  ScratchDatabase scratch{GetParam()};
  std::unique_ptr<Database> db = Database::open(scratch.url(), 4);
};

TEST_P(SchedulerTest, OneNodeAtATimeHoldsAJob) {
  int onA = 0, onB = 0;
  Scheduler a(*db, "node-a"), b(*db, "node-b");
  a.every("tick", std::chrono::hours(1), [&] { ++onA; });
  b.every("tick", std::chrono::hours(1), [&] { ++onB; });
  EXPECT_TRUE(a.runNow("tick"));
  EXPECT_FALSE(b.runNow("tick"));  // a holds the lease for its period
  EXPECT_TRUE(a.runNow("tick"));   // the holder renews it
  EXPECT_EQ(onA, 2);
  EXPECT_EQ(onB, 0);
  // Node a stops; its lease runs out.
  db->connect().exec("UPDATE job_leases SET held_until = '2026-01-01T00:00:00.000Z'");
  EXPECT_TRUE(b.runNow("tick"));
  EXPECT_FALSE(a.runNow("tick"));
  EXPECT_EQ(onB, 1);
  EXPECT_THROW(a.runNow("unknown"), std::logic_error);
}

TEST_P(SchedulerTest, AFailingJobIsKeptOnRecordAndRunsAgain) {
  int runs = 0;
  Scheduler s(*db, "node-a");
  s.every("flaky", std::chrono::milliseconds(20), [&] {
    if (++runs == 1) throw std::runtime_error("disk full");
  });
  EXPECT_THROW(s.runNow("flaky"), std::runtime_error);
  auto row = db->connect().queryOne("SELECT last_problem FROM job_leases WHERE name = 'flaky'");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->text("last_problem"), "disk full");
  EXPECT_TRUE(s.runNow("flaky"));
  EXPECT_TRUE(db->connect()
                  .queryOne("SELECT last_problem FROM job_leases WHERE name = 'flaky'")
                  ->isNull("last_problem"));
  // Started, it runs on its own thread until stopped.
  s.start();
  for (int i = 0; i < 200 && runs < 4; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  s.stop();
  const int stoppedAt = runs;
  EXPECT_GE(stoppedAt, 4);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(runs, stoppedAt);
}

INSTANTIATE_TEST_SUITE_P(Backends, SchedulerTest,
                         ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::store
