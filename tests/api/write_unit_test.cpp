// A write through the API, its audit record and the ledger entries it queues commit together:
// when the record or the ledger's outbox cannot be written, the change is not made either, and
// the failure is recorded on its own.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "audit/audit.h"
#include "ledger/log.h"
#include "store/store.h"
#include "support/api_harness.h"

namespace onceonly::api {
namespace {

using onceonly::testing::ApiHarness;
using onceonly::testing::Backend;

class WriteUnitTest : public ::testing::TestWithParam<Backend> {
 protected:
  ApiHarness h{GetParam()};

  nlohmann::json newOrg(const std::string& code) {
    return {{"code", code},    {"name_zh", "测试局"},  {"name_en", "Test Bureau"},
            {"level", "city"}, {"kind", "department"}, {"parent_id", h.idOfOrg("QH-LS")}};
  }
  // Makes every insert into `table` that matches `when` fail, as a full disk or a broken
  // constraint would.
  void refuseInserts(const std::string& table, const std::string& when) {
    auto c = h.app().database().connect();
    if (GetParam() == Backend::Sqlite) {
      c.exec("CREATE TRIGGER refuse_" + table + " BEFORE INSERT ON " + table + " WHEN " + when +
             " BEGIN SELECT RAISE(ABORT, 'refused'); END");
    } else {
      c.exec("CREATE FUNCTION refuse_" + table +
             "() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql");
      c.exec("CREATE TRIGGER refuse_" + table + " BEFORE INSERT ON " + table +
             " FOR EACH ROW WHEN (" + when + ") EXECUTE FUNCTION refuse_" + table + "()");
    }
  }
  std::vector<audit::Event> recordsOf(const std::string& action) {
    audit::Filter f;
    f.action = action;
    return h.app().services().get<audit::Trail>().list(f, {}).items;
  }
  // The ledger's entries of a type, once the sequencer has drained the outbox.
  std::vector<nlohmann::json> ledgerEntries(const std::string& type) {
    auto& log = h.app().ledger();
    for (int i = 0; i < 400; ++i) {
      if (h.count("ledger_outbox") == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::vector<nlohmann::json> out;
    for (const auto& e : log.entries(0, 1000, std::nullopt)) {
      auto j = nlohmann::json::parse(e.text);
      if (j.value("type", "") == type) out.push_back(j);
    }
    return out;
  }
};

TEST_P(WriteUnitTest, AWriteItsRecordAndItsLedgerEntryCommitTogether) {
  auto r = h.as("admin", "POST", "/api/v1/orgs", newOrg("TEST1"));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.json["id"];
  auto records = recordsOf("org.create");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].outcome, "success");
  EXPECT_EQ(records[0].targetId, id);
  auto entries = ledgerEntries("org.created");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["org"]["id"], id);
  EXPECT_EQ(entries[0]["org"]["code"], "TEST1");
}

TEST_P(WriteUnitTest, AWriteWhoseAuditRecordFailsIsNotMade) {
  refuseInserts("audit_events", "NEW.action = 'org.create' AND NEW.outcome = 'success'");
  const auto orgs = h.count("orgs");
  auto r = h.as("admin", "POST", "/api/v1/orgs", newOrg("TEST2"));
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(h.count("orgs"), orgs);
  EXPECT_TRUE(ledgerEntries("org.created").empty());
  auto records = recordsOf("org.create");
  ASSERT_EQ(records.size(), 1u);  // the failure, recorded on its own
  EXPECT_EQ(records[0].outcome, "failure");
  EXPECT_EQ(records[0].status, 500);
}

TEST_P(WriteUnitTest, AWriteWhoseLedgerEntryCannotBeQueuedIsNotMade) {
  refuseInserts("ledger_outbox", "1 = 1");
  const auto orgs = h.count("orgs");
  auto r = h.as("admin", "POST", "/api/v1/orgs", newOrg("TEST3"));
  EXPECT_EQ(r.status, 500) << r.body;
  EXPECT_EQ(h.count("orgs"), orgs);
  auto records = recordsOf("org.create");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].outcome, "failure");
  // Nothing else was left half-done: the same organisation can be made once the fault is gone.
  h.app().database().connect().exec(
      "DROP TRIGGER refuse_ledger_outbox" +
      std::string(GetParam() == Backend::Postgres ? " ON ledger_outbox" : ""));
  EXPECT_EQ(h.as("admin", "POST", "/api/v1/orgs", newOrg("TEST3")).status, 201);
  EXPECT_EQ(h.count("orgs"), orgs + 1);
  EXPECT_EQ(ledgerEntries("org.created").size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, WriteUnitTest,
                         ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::api
