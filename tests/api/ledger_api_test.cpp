// The ledger through the API: what a citizen's app or another department's verifier would do.
#include <gtest/gtest.h>

#include "core/encoding.h"
#include "ledger/log.h"
#include "ledger/note.h"
#include "support/api_harness.h"

namespace onceonly::api {
namespace {

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
    h.app().ledger().append({{"type", "data.access"}, {"n", i}, {"subject", "psn_x"}});
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

  auto con = h.call("GET", "/api/v1/ledger/proofs/consistency?first=4&second=13");
  ASSERT_EQ(con.status, 200);
  EXPECT_TRUE(ledger::verifyConsistency(4, 13, hashOf(con.json["first_root"]), checkpoint->root,
                                        hashesOf(con.json["proof"])));

  auto entry = h.as("auditor", "GET", "/api/v1/ledger/entries/5");
  ASSERT_EQ(entry.status, 200);
  EXPECT_EQ(entry.json["entry"]["n"], 5);
  EXPECT_EQ(h.as("clerk", "GET", "/api/v1/ledger/entries/5").status, 403);
  EXPECT_EQ(h.as("auditor", "GET", "/api/v1/ledger/entries/13").status, 404);
  EXPECT_EQ(h.as("auditor", "GET", "/api/v1/ledger/entries/x").status, 404);
}

TEST_P(LedgerApiTest, BadProofRequestsAreProblems) {
  for (int i = 0; i < 3; ++i) h.app().ledger().append({{"n", i}});
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
}

INSTANTIATE_TEST_SUITE_P(Backends, LedgerApiTest,
                         ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::api
