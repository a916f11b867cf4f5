// The ledger through the API: what a citizen's app or another department's verifier would do.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "core/encoding.h"
#include "core/page.h"
#include "http/url.h"
#include "identity/identity.h"
#include "ledger/log.h"
#include "ledger/note.h"
#include "ledger/receipt.h"
#include "store/scheduler.h"
#include "store/store.h"
#include "support/api_harness.h"
#include "support/ledger_support.h"

using onceonly::testing::appendAllNow;
using onceonly::testing::appendNow;

namespace onceonly::api {
namespace {

using ledger::hashToBase64;

using onceonly::testing::ApiHarness;
using onceonly::testing::Backend;

ledger::Hash hashOf(const nlohmann::json& b64) {
  auto raw = fromBase64(b64.get<std::string>());
  ledger::Hash h{};
  std::copy(raw->begin(), raw->end(), h.begin());
  return h;
}

std::vector<ledger::Hash> hashesOf(const nlohmann::json& list) {
  std::vector<ledger::Hash> out;
  for (const auto& h : list) out.push_back(hashOf(h));
  return out;
}

class LedgerApiTest : public ::testing::TestWithParam<Backend> {
 protected:
  ApiHarness h{GetParam()};
};

TEST_P(LedgerApiTest, CheckpointsAndProofsVerifyWithThePublishedKey) {
  for (int i = 0; i < 13; ++i)
    appendNow(h.app().ledger(), {{"type", "data.access"}, {"n", i}, {"subject", "psn_x"}});
  auto keys = h.call("GET", "/api/v1/ledger/keys");
  ASSERT_EQ(keys.status, 200);
  auto verifier = ledger::Verifier::parse(keys.json["log"]);
  ASSERT_TRUE(verifier);

  auto cp = h.call("GET", "/api/v1/ledger/checkpoint");
  ASSERT_EQ(cp.status, 200);
  auto note = ledger::parseNote(cp.body);
  ASSERT_TRUE(note);
  EXPECT_TRUE(verifier->verifies(*note));
  auto checkpoint = ledger::parseCheckpoint(note->text);
  ASSERT_TRUE(checkpoint);
  EXPECT_EQ(checkpoint->size, 13u);

  auto inc = h.call("GET", "/api/v1/ledger/proofs/inclusion?index=5&size=13");
  ASSERT_EQ(inc.status, 200) << inc.body;
  EXPECT_TRUE(ledger::verifyInclusion(5, 13, hashOf(inc.json["leaf_hash"]),
                                      hashesOf(inc.json["proof"]), checkpoint->root));

  // The same proof asked for by the entry's leaf hash.
  auto byHash = h.call("GET", "/api/v1/ledger/proofs/inclusion?size=13&leaf_hash=" +
                                  http::percentEncode(inc.json["leaf_hash"].get<std::string>()));
  ASSERT_EQ(byHash.status, 200) << byHash.body;
  EXPECT_EQ(byHash.json, inc.json);
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/proofs/inclusion?size=13&leaf_hash=" +
                              http::percentEncode(hashToBase64(ledger::leafHash("{}"))))
                .status,
            404);
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/proofs/inclusion?size=13&index=1&leaf_hash=AAAA").status,
            400);

  auto con = h.call("GET", "/api/v1/ledger/proofs/consistency?first=4&second=13");
  ASSERT_EQ(con.status, 200);
  EXPECT_TRUE(ledger::verifyConsistency(4, 13, hashOf(con.json["first_root"]), checkpoint->root,
                                        hashesOf(con.json["proof"])));

  auto entry = h.as("auditor", "GET", "/api/v1/ledger/entries/5");
  ASSERT_EQ(entry.status, 200);
  EXPECT_EQ(entry.json["entry"]["n"], 5);
  EXPECT_EQ(h.as("clerk", "GET", "/api/v1/ledger/entries/5").status, 403);
  EXPECT_EQ(h.as("auditor", "GET", "/api/v1/ledger/entries/13").status, 404);
  EXPECT_EQ(h.as("auditor", "GET", "/api/v1/ledger/entries/x").status, 400);
}

// With checkpoints on a timer, the ledger module schedules the signing as a job that one node
// at a time runs (store::Scheduler): a run signs a checkpoint of the grown tree.
TEST_P(LedgerApiTest, CheckpointsAreSignedByAScheduledJob) {
  ApiHarness timed(GetParam(), [](Config& c) {
    c.set("ledger_checkpoint_seconds", "3600");
    c.backgroundWork = false;  // the test runs the job itself
  });
  auto& log = timed.app().ledger();
  appendNow(log, {{"type", "test"}, {"n", 1}});
  const auto before = log.countCheckpoints(false);
  EXPECT_TRUE(timed.app().scheduler().runNow("ledger.checkpoint"));
  EXPECT_EQ(log.countCheckpoints(false), before + 1);
  EXPECT_EQ(log.checkpoints(std::nullopt, 1, false).front().size, log.size());
}

TEST_P(LedgerApiTest, BadProofRequestsAreProblems) {
  for (int i = 0; i < 3; ++i) appendNow(h.app().ledger(), {{"n", i}});
  auto past = h.call("GET", "/api/v1/ledger/proofs/inclusion?index=3&size=3");
  EXPECT_EQ(past.status, 400);
  EXPECT_EQ(past.json["errors"][0]["parameter"], "index");
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/proofs/inclusion?index=0&size=4").status, 400);
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/proofs/inclusion?index=-1&size=2").status, 400);
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/proofs/inclusion?size=2").status, 400);
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/proofs/consistency?first=3&second=2").status, 400);
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/proofs/consistency?first=1&second=9").status, 400);
  // Not a list: list parameters are unknown here, not silently ignored.
  auto limit = h.call("GET", "/api/v1/ledger/proofs/consistency?first=1&second=2&limit=abc");
  EXPECT_EQ(limit.status, 400);
  EXPECT_EQ(limit.json["errors"][0]["code"], "field.unknown");
  // No tree without entries holds one: size is at fault, and says from where it may start.
  auto empty = h.call("GET", "/api/v1/ledger/proofs/inclusion?index=0&size=0");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.json["errors"][0]["parameter"], "size");
  EXPECT_NE(empty.json["errors"][0]["detail"].get<std::string>().find("between 1 and 3"),
            std::string::npos);
  // By leaf hash: a tree too small to hold the entry names size, the one parameter given.
  const std::string leaf = hashToBase64(ledger::leafHash(*h.app().ledger().entry(2)));
  auto small = h.call(
      "GET", "/api/v1/ledger/proofs/inclusion?size=2&leaf_hash=" + http::percentEncode(leaf));
  EXPECT_EQ(small.status, 400) << small.body;
  EXPECT_EQ(small.json["errors"][0]["parameter"], "size");
  EXPECT_NE(small.json["errors"][0]["detail"].get<std::string>().find("between 3 and 3"),
            std::string::npos);
  // A '+' sent unescaped arrives as a space, and is read as the '+' it was.
  std::string loose = leaf;
  std::replace(loose.begin(), loose.end(), '+', ' ');
  auto found = h.call(
      "GET", "/api/v1/ledger/proofs/inclusion?size=3&leaf_hash=" + http::percentEncode(loose));
  EXPECT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json["index"], 2);
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/receipts/1?size=0").status, 400);
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/keys?x=1").status, 400);
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/checkpoints/3?x=1").status, 400);
  EXPECT_EQ(h.as("auditor", "GET", "/api/v1/ledger/entries/1?x=1").status, 400);
}

// The lists page by position in the log. A cursor they did not hand out is refused, never taken
// as the first page; and they have nothing to search.
TEST_P(LedgerApiTest, ListsRefuseCursorsAndSearchesTheyDoNotKnow) {
  for (int i = 0; i < 3; ++i) appendNow(h.app().ledger(), {{"n", i}});
  h.app().ledger().signCheckpoint();
  for (const std::string list : {"entries", "checkpoints"}) {
    const std::string sort = list == "entries" ? "index" : "size";
    const bool descending = list == "checkpoints";
    for (const nlohmann::json& value :
         {nlohmann::json("7"), nlohmann::json(-1),
          nlohmann::json(std::numeric_limits<std::uint64_t>::max())}) {
      auto r = h.as("auditor", "GET",
                    "/api/v1/ledger/" + list + "?cursor=" +
                        http::percentEncode(encodeCursor(sort, descending, value, "x")));
      EXPECT_EQ(r.status, 400) << list << " " << value << " " << r.body;
      EXPECT_EQ(r.json["errors"][0]["code"], "field.cursor") << list;
    }
    auto q = h.as("auditor", "GET", "/api/v1/ledger/" + list + "?q=n");
    EXPECT_EQ(q.status, 400) << list;
    EXPECT_EQ(q.json["errors"][0]["code"], "field.unknown") << list;
  }
}

// A log that can no longer sync refuses appends at once: the look at a person's data is then
// refused as when its record fails, 503 with a time to wait, and shows nothing.
TEST(LedgerApiSqlite, AnAccessRefusedAtOnceShowsNothing) {
  ApiHarness h(Backend::Sqlite);
  const auto citizen = "/api/v1/accounts/" + h.idOfUser("citizen");
  ASSERT_EQ(h.as("admin", "GET", citizen).status, 200);
  // With neither the WAL nor the database file there, the next sync fails, and the log stops
  // taking appends (a failed flush proves nothing about what came before it).
  const auto path = *store::sqlitePath(h.app().database().url());
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path);
  for (int attempt = 0; attempt < 2; ++attempt) {  // the failing batch, then a refusal at once
    auto r = h.as("admin", "GET", citizen);
    EXPECT_EQ(r.status, 503) << attempt << " " << r.body;
    EXPECT_EQ(r.json["code"], "ledger.unavailable") << attempt;
    EXPECT_EQ(r.headers["Retry-After"], "5") << attempt;
    EXPECT_FALSE(r.json.contains("display_name")) << attempt;
  }
}

// What `onceonly ledger check-receipt --url` asks the server, and what it concludes.
TEST_P(LedgerApiTest, AReceiptIsCheckedAgainstWhatTheLogNowHolds) {
  for (int i = 0; i < 3; ++i) appendNow(h.app().ledger(), {{"n", i}});
  const std::string small = h.app().ledger().signCheckpoint();
  for (int i = 3; i < 6; ++i) appendNow(h.app().ledger(), {{"n", i}});
  auto receipt = ledger::ReceiptProof::fromJson(h.call("GET", "/api/v1/ledger/receipts/4").json);
  for (int i = 6; i < 9; ++i) appendNow(h.app().ledger(), {{"n", i}});
  h.app().ledger().signCheckpoint();
  ledger::TrustPolicy policy{
      *ledger::Verifier::parse(h.call("GET", "/api/v1/ledger/keys").json["log"]), {}, 0};
  std::vector<std::string> asked;
  auto server = [&](const std::string& path) {
    asked.push_back(path);
    auto r = h.call("GET", "/api/v1/ledger/" + path);
    if (r.status != 200) throw std::runtime_error(path + " answered " + std::to_string(r.status));
    return r.body;
  };
  auto now = ledger::checkLogStillHolds(receipt, policy, server);
  EXPECT_TRUE(now.ok) << now.problem;
  EXPECT_EQ(now.newerSize, 9u);
  EXPECT_EQ(asked.front(), "checkpoint");
  // A log that answers with a checkpoint older than the receipt's was cut back.
  auto older = ledger::checkLogStillHolds(receipt, policy, [&](const std::string& path) {
    return path == "checkpoint" ? small : server(path);
  });
  EXPECT_FALSE(older.ok);
  EXPECT_NE(older.problem.find("cut back"), std::string::npos) << older.problem;
  // A proof that is not hashes is named as such, never read as hashes of zeros.
  auto garbled = ledger::checkLogStillHolds(receipt, policy, [&](const std::string& path) {
    return path.rfind("proofs/", 0) == 0 ? std::string(R"({"proof": ["not base64!"]})")
                                         : server(path);
  });
  EXPECT_FALSE(garbled.ok);
  EXPECT_NE(garbled.problem.find("not a list of base64 hashes"), std::string::npos);
  // With witnesses to count, the newest witnessed checkpoint: here none is, and it says so.
  auto witness = ledger::Signer::generate("w.example", ledger::KeyType::Cosignature);
  ledger::TrustPolicy witnessed{policy.log, {witness.verifier()}, 1};
  asked.clear();
  EXPECT_THROW(ledger::checkLogStillHolds(receipt, witnessed, server), std::runtime_error);
  EXPECT_EQ(asked.front(), "checkpoint?witnessed=true");
}

TEST_P(LedgerApiTest, ReceiptsCheckOfflineWithThePublishedKey) {
  for (int i = 0; i < 6; ++i) appendNow(h.app().ledger(), {{"n", i}});
  auto keys = h.call("GET", "/api/v1/ledger/keys");
  ledger::TrustPolicy policy{*ledger::Verifier::parse(keys.json["log"]), {}, 0};
  // No checkpoint covers entry 4 yet: one is signed for the receipt, and later asks give the
  // same receipt (the first checkpoint that covers the entry).
  auto first = h.call("GET", "/api/v1/ledger/receipts/4");
  ASSERT_EQ(first.status, 200) << first.body;
  auto receipt = ledger::ReceiptProof::fromJson(first.json);
  EXPECT_EQ(receipt.treeSize, 6u);
  auto check = ledger::checkReceipt(receipt, policy, *h.app().ledger().entry(4));
  EXPECT_TRUE(check.ok) << check.problem;
  for (int i = 0; i < 4; ++i) appendNow(h.app().ledger(), {{"n", 6 + i}});
  h.app().ledger().signCheckpoint();
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/receipts/4").body, first.body);
  auto later = h.call("GET", "/api/v1/ledger/receipts/4?size=10");
  ASSERT_EQ(later.status, 200);
  EXPECT_TRUE(ledger::checkReceipt(ledger::ReceiptProof::fromJson(later.json), policy).ok);
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/receipts/4?size=8").status, 404);  // never signed
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/receipts/10").status, 404);        // past the end
  EXPECT_EQ(h.call("GET", "/api/v1/ledger/receipts/4?size=ten").status, 400);
}

// With checkpoints signed every hour, asking for the receipt of a new entry does not make the
// log sign one early: anyone could otherwise make it sign a checkpoint per entry.
TEST_P(LedgerApiTest, AReceiptWaitsForTheNextCheckpoint) {
  ApiHarness hourly(GetParam(), [](Config& c) { c.set("ledger_checkpoint_seconds", "3600"); });
  auto& log = hourly.app().ledger();
  appendNow(log, {{"n", 0}});
  ASSERT_EQ(hourly.call("GET", "/api/v1/ledger/receipts/0").status, 200);  // the first is signed
  const auto index = std::to_string(appendNow(log, {{"n", 1}}).index);
  const auto checkpoints = log.countCheckpoints(false);
  auto early = hourly.call("GET", "/api/v1/ledger/receipts/" + index);
  EXPECT_EQ(early.status, 503) << early.body;
  EXPECT_EQ(early.json["code"], "ledger.not_yet_checkpointed");
  EXPECT_EQ(early.headers["Retry-After"], "3600");
  EXPECT_EQ(log.countCheckpoints(false), checkpoints);
  // Once the next checkpoint is signed, the receipt is there.
  log.signCheckpoint();
  EXPECT_EQ(hourly.call("GET", "/api/v1/ledger/receipts/" + index).status, 200);
}

// When the access cannot be put on the record, the person's data is not shown.
TEST_P(LedgerApiTest, NoRecordMeansTheDataIsNotShown) {
  const auto size = h.app().ledger().size();
  // A stored row in the way of the next index makes the ledger's next batch fail.
  h.app().database().connect().exec(
      "INSERT INTO ledger_entries (idx, leaf_hash, entry, appended_at) VALUES (?, 'x', '{}', "
      "'2026-01-01T00:00:00Z')",
      {static_cast<std::int64_t>(size)});
  auto r = h.as("admin", "GET", "/api/v1/accounts/" + h.idOfUser("citizen"));
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.contentType, "application/problem+json");
  EXPECT_EQ(r.json["code"], "ledger.unavailable");
  EXPECT_EQ(r.headers["Retry-After"], "5");
  EXPECT_FALSE(r.json.contains("display_name"));
  EXPECT_FALSE(r.json.contains("kind"));
  h.app().database().connect().exec("DELETE FROM ledger_entries WHERE idx = ?",
                                    {static_cast<std::int64_t>(size)});
  EXPECT_EQ(h.as("admin", "GET", "/api/v1/accounts/" + h.idOfUser("citizen")).status, 200);
  EXPECT_EQ(h.app().ledger().size(), size + 1);
}

TEST_P(LedgerApiTest, EveryLookAtAPersonIsOnTheRecordTheyCanRead) {
  const auto before = h.app().ledger().size();
  // The platform admin looks at a citizen; the citizen looks at themself (not recorded).
  ASSERT_EQ(h.as("admin", "GET", "/api/v1/accounts/" + h.idOfUser("citizen")).status, 200);
  ASSERT_EQ(h.as("citizen", "GET", "/api/v1/accounts/" + h.idOfUser("citizen")).status, 200);
  ASSERT_EQ(h.app().ledger().size(), before + 1);
  // A list shows every person on the page: one entry each.
  auto list = h.as("admin", "GET", "/api/v1/accounts?kind=company");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(h.app().ledger().size(), before + 1 + list.json["items"].size());

  auto mine = h.as("citizen", "GET", "/api/v1/ledger/entries?subject=me");
  ASSERT_EQ(mine.status, 200) << mine.body;
  ASSERT_EQ(mine.json["total"], 1);
  const auto& e = mine.json["items"][0];
  EXPECT_EQ(e["entry"]["type"], "data.access");
  EXPECT_EQ(e["entry"]["purpose"], "account.read");
  EXPECT_EQ(e["entry"]["accessor"], h.idOfUser("admin"));
  // A pseudonym, never the resident ID itself.
  EXPECT_EQ(e["entry"]["subject"].get<std::string>().rfind("psn_", 0), 0u);
  EXPECT_EQ(mine.body.find(h.app().identity().revealResidentId(h.idOfUser("citizen")).value()),
            std::string::npos);
  const std::string index = std::to_string(e["index"].get<std::uint64_t>());
  EXPECT_EQ(h.as("citizen", "GET", "/api/v1/ledger/entries/" + index).status, 200);
  EXPECT_EQ(h.as("citizen2", "GET", "/api/v1/ledger/entries/" + index).status, 404);
  EXPECT_EQ(h.as("citizen2", "GET", "/api/v1/ledger/entries?subject=me").json["total"], 0);
  EXPECT_EQ(h.as("citizen", "GET", "/api/v1/ledger/entries").status, 403);
  EXPECT_EQ(h.as("clerk", "GET", "/api/v1/ledger/entries?subject=me").status, 403);
  // The receipt of that entry checks against the published key.
  auto receipt = h.call("GET", "/api/v1/ledger/receipts/" + index);
  ledger::TrustPolicy policy{
      *ledger::Verifier::parse(h.call("GET", "/api/v1/ledger/keys").json["log"]), {}, 0};
  EXPECT_TRUE(ledger::checkReceipt(ledger::ReceiptProof::fromJson(receipt.json), policy,
                                   *h.app().ledger().entry(std::stoull(index)))
                  .ok);
  // Auditors page through everything.
  auto page = h.as("auditor", "GET", "/api/v1/ledger/entries?limit=1");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.json["items"].size(), 1u);
  auto next =
      h.as("auditor", "GET",
           "/api/v1/ledger/entries?limit=1&cursor=" + page.json["next_cursor"].get<std::string>());
  EXPECT_EQ(next.json["items"][0]["index"], page.json["items"][0]["index"].get<int>() + 1);
  EXPECT_EQ(h.as("auditor", "GET", "/api/v1/ledger/entries?sort=-index").status, 400);
}

INSTANTIATE_TEST_SUITE_P(Backends, LedgerApiTest,
                         ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::api
