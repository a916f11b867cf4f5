// The log and two department witnesses over real sockets: the witnesses run as they do in
// `onceonly witness` (Witness + WitnessService behind an http::Server), the platform reaches
// them through ledger_witnesses.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "http/server.h"
#include "ledger/log.h"
#include "ledger/receipt.h"
#include "ledger/witness.h"
#include "ledger/witness_service.h"
#include "store/store.h"
#include "support/api_harness.h"
#include "support/ledger_support.h"

using onceonly::testing::appendAllNow;
using onceonly::testing::appendNow;

namespace onceonly::api {
namespace {

using onceonly::testing::Backend;

struct RunningWitness {
  RunningWitness(const std::filesystem::path& dir, const std::string& name,
                 const ledger::Verifier& logKey)
      : key(ledger::Signer::generate(name, ledger::KeyType::Cosignature)),
        witness(key, {logKey}, (dir / (name.substr(0, name.find('/')) + ".json")).string()),
        service(witness),
        server(http::ServerOptions{"127.0.0.1", 0},
               [this](http::Request& r) { return service.handle(r); }) {
    server.start();
  }
  std::string setting() const {
    return "http://127.0.0.1:" + std::to_string(server.port()) + " " + key.verifier().vkey();
  }
  ledger::Signer key;
  ledger::Witness witness;
  ledger::WitnessService service;
  http::Server server;
};

class WitnessingTest : public ::testing::TestWithParam<Backend> {
 protected:
  onceonly::testing::TempDir dir;
  onceonly::testing::ScratchDatabase scratch{GetParam()};
  Config config = [this] {
    auto c = onceonly::testing::testConfig(dir.path(), scratch.url());
    c.set("ledger_origin", "ledger.qinghe.gov.example");
    return c;
  }();
  ledger::Verifier logKey =
      ledger::loadOrCreateLogKey(config.effectiveKeysDir(), config.setting("ledger_origin"))
          .verifier();
  std::unique_ptr<RunningWitness> finance =
      std::make_unique<RunningWitness>(dir.path(), "finance.qinghe/witness", logKey);
  std::unique_ptr<RunningWitness> health =
      std::make_unique<RunningWitness>(dir.path(), "health.qinghe/witness", logKey);

  std::unique_ptr<Application> start(int quorum = 0) {
    Config c = config;
    c.set("ledger_witnesses", finance->setting() + ", " + health->setting());
    c.set("ledger_witness_quorum", std::to_string(quorum));
    return std::make_unique<Application>(c);
  }
  static http::Response get(Application& app, const std::string& target) {
    http::Request req;
    req.method = "GET";
    req.target = target;
    req.clientIp = req.peerIp = "127.0.0.1";
    return http::settle(app.handle(req));
  }
  static void grow(Application& app, int n) {
    for (int i = 0; i < n; ++i) appendNow(app.ledger(), {{"type", "test"}, {"n", i}});
  }
};

TEST_P(WitnessingTest, CheckpointsComeBackWithBothCosignatures) {
  auto app = start();
  grow(*app, 5);
  auto outcomes = app->ledger().requestCosignatures();
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& o : outcomes) EXPECT_TRUE(o.cosigned) << o.witness << ": " << o.problem;

  // The published checkpoint carries the log's signature and both cosignatures.
  auto published = get(*app, "/api/v1/ledger/checkpoint?witnessed=true");
  ASSERT_EQ(published.status, 200) << published.body;
  auto note = ledger::parseNote(published.body);
  ASSERT_TRUE(note);
  EXPECT_EQ(ledger::parseCheckpoint(note->text)->size, 5u);
  EXPECT_TRUE(logKey.verifies(*note));
  auto keys = nlohmann::json::parse(get(*app, "/api/v1/ledger/keys").body);
  ASSERT_EQ(keys["witnesses"].size(), 2u);
  EXPECT_EQ(keys["quorum"], 2);
  for (const auto& w : keys["witnesses"]) {
    auto v = ledger::Verifier::parse(w["vkey"]);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->cosignedAt(*note)) << w["name"];
  }
  // The log grows: the witnesses get a consistency proof from what they cosigned.
  grow(*app, 30);
  for (const auto& o : app->ledger().requestCosignatures()) EXPECT_TRUE(o.cosigned) << o.problem;
  EXPECT_EQ(finance->witness.state(config.setting("ledger_origin"))->size, 35u);
  auto list = nlohmann::json::parse(get(*app, "/api/v1/ledger/checkpoints?witnessed=true").body);
  ASSERT_EQ(list["items"].size(), 2u);
  EXPECT_EQ(list["items"][0]["size"], 35);
  EXPECT_EQ(list["items"][0]["cosigned_by"].size(), 2u);
  EXPECT_EQ(list["items"][0]["witnessed"], true);
  auto bySize = get(*app, "/api/v1/ledger/checkpoints/5");
  EXPECT_EQ(bySize.body, published.body);
  EXPECT_EQ(get(*app, "/api/v1/ledger/checkpoints/6").status, 404);
}

// A checkpoint signed when someone reads the newest one is not sent to the witnesses. A receipt
// for an entry it covers comes with the first checkpoint that was witnessed instead, when there
// is one, so that it checks with the witnesses' keys.
TEST_P(WitnessingTest, AReceiptComesWithAWitnessedCheckpointWhenThereIsOne) {
  auto app = start();
  grow(*app, 3);
  ASSERT_EQ(get(*app, "/api/v1/ledger/checkpoint").status, 200);  // signs size 3, unwitnessed
  grow(*app, 2);
  for (const auto& o : app->ledger().requestCosignatures()) EXPECT_TRUE(o.cosigned) << o.problem;
  auto receipt = get(*app, "/api/v1/ledger/receipts/1");
  ASSERT_EQ(receipt.status, 200) << receipt.body;
  auto proof = ledger::ReceiptProof::fromJson(nlohmann::json::parse(receipt.body));
  EXPECT_EQ(proof.treeSize, 5u);
  ledger::TrustPolicy policy{logKey, {finance->witness.verifier(), health->witness.verifier()}, 2};
  auto check = ledger::checkReceipt(proof, policy);
  EXPECT_TRUE(check.ok) << check.problem;
  // One witness named twice is one cosignature, not two.
  ledger::TrustPolicy twice{logKey, {finance->witness.verifier(), finance->witness.verifier()}, 2};
  EXPECT_FALSE(ledger::checkReceipt(proof, twice).ok);
  // Asked for by size, the unwitnessed one is still there.
  auto early = get(*app, "/api/v1/ledger/receipts/1?size=3");
  ASSERT_EQ(early.status, 200);
  EXPECT_FALSE(ledger::checkReceipt(
                   ledger::ReceiptProof::fromJson(nlohmann::json::parse(early.body)), policy)
                   .ok);
}

// Several nodes share one PostgreSQL database, and each signs and sends checkpoints on its
// timer: only one of them asks the witnesses at a time, so a witness is not asked twice for the
// same checkpoint (the second finds the cosignatures stored).
TEST_P(WitnessingTest, OneNodeAtATimeAsksTheWitnesses) {
  if (GetParam() != Backend::Postgres) GTEST_SKIP() << "several nodes share PostgreSQL only";
  auto app = start();
  grow(*app, 4);
  auto other = store::Database::open(scratch.url(), 1);  // another node holding the turn
  auto c = other->connect();
  c.exec("SELECT pg_advisory_lock(?)", {ledger::Log::kWitnessLock});
  std::vector<ledger::WitnessOutcome> outcomes;
  std::thread asking([&] { outcomes = app->ledger().requestCosignatures(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(finance->witness.state(config.setting("ledger_origin")));  // nobody asked yet
  c.exec("SELECT pg_advisory_unlock(?)", {ledger::Log::kWitnessLock});
  asking.join();
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& o : outcomes) EXPECT_TRUE(o.cosigned) << o.problem;
  EXPECT_EQ(finance->witness.state(config.setting("ledger_origin"))->size, 4u);
}

TEST_P(WitnessingTest, TheQuorumDecidesWhatCountsAsWitnessed) {
  auto app = start();
  grow(*app, 3);
  app->ledger().requestCosignatures();
  health.reset();  // one department's witness goes away
  grow(*app, 3);
  auto outcomes = app->ledger().requestCosignatures();
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_TRUE(outcomes[0].cosigned);
  EXPECT_FALSE(outcomes[1].cosigned);
  EXPECT_EQ(outcomes[1].status, 0);  // not reachable
  auto latest = get(*app, "/api/v1/ledger/checkpoint");
  EXPECT_EQ(ledger::parseCheckpoint(ledger::parseNote(latest.body)->text)->size, 6u);
  // Two of two are needed: the newest witnessed checkpoint is still size 3.
  auto witnessed = get(*app, "/api/v1/ledger/checkpoint?witnessed=true");
  EXPECT_EQ(ledger::parseCheckpoint(ledger::parseNote(witnessed.body)->text)->size, 3u);
  auto list = nlohmann::json::parse(get(*app, "/api/v1/ledger/checkpoints").body);
  EXPECT_EQ(list["total"], 2);
  EXPECT_EQ(list["items"][0]["witnessed"], false);
  EXPECT_EQ(list["items"][0]["cosigned_by"], nlohmann::json::array({"finance.qinghe/witness"}));
  app.reset();
  // One of two is enough under another policy.
  health = std::make_unique<RunningWitness>(dir.path(), "health.qinghe/witness", logKey);
  app = start(1);
  witnessed = get(*app, "/api/v1/ledger/checkpoint?witnessed=true");
  EXPECT_EQ(ledger::parseCheckpoint(ledger::parseNote(witnessed.body)->text)->size, 6u);
}

TEST_P(WitnessingTest, TheLogCatchesUpWithAWitnessItLostTrackOf) {
  auto app = start();
  grow(*app, 4);
  app->ledger().requestCosignatures();
  // The platform forgets what the witnesses saw: it sends "old 0", hears 409 with the size,
  // and proves consistency from there.
  app->database().connect().exec("DELETE FROM ledger_witness_state");
  grow(*app, 9);
  for (const auto& o : app->ledger().requestCosignatures()) EXPECT_TRUE(o.cosigned) << o.problem;
  EXPECT_EQ(health->witness.state(config.setting("ledger_origin"))->size, 13u);
}

TEST_P(WitnessingTest, AForkedHistoryIsRefusedByTheWitnesses) {
  auto app = start();
  grow(*app, 4);
  app->ledger().requestCosignatures();
  app.reset();
  // Someone with the log's key rebuilds the log from other entries, in a second database.
  onceonly::testing::ScratchDatabase other(GetParam());
  Config forked = config;
  forked.databaseUrl = other.url();
  forked.set("ledger_witnesses", finance->setting() + ", " + health->setting());
  Application rewritten(forked);
  for (int i = 0; i < 6; ++i) appendNow(rewritten.ledger(), {{"type", "rewritten"}, {"n", i}});
  for (const auto& o : rewritten.ledger().requestCosignatures()) {
    EXPECT_FALSE(o.cosigned);
    EXPECT_EQ(o.status, 422) << o.problem;  // not consistent with the 4 entries cosigned
  }
  EXPECT_EQ(get(rewritten, "/api/v1/ledger/checkpoint?witnessed=true").status, 404);
  EXPECT_EQ(finance->witness.state(config.setting("ledger_origin"))->size, 4u);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "finance.qinghe.json.evidence"));
}

TEST_P(WitnessingTest, BadSettingsAndParametersAreNamed) {
  Config c = config;
  c.set("ledger_witnesses", "http://127.0.0.1:1 " + logKey.vkey());  // a log key, not a witness's
  EXPECT_THROW(Application{c}, ConfigError);
  c.set("ledger_witnesses", finance->setting());
  c.set("ledger_witness_quorum", std::to_string(2));
  EXPECT_THROW(Application{c}, ConfigError);
  c.set("ledger_witness_quorum", std::to_string(0));
  c.set("ledger_witnesses", "ftp://127.0.0.1:1 " + finance->key.verifier().vkey());
  EXPECT_THROW(Application{c}, ConfigError);
  c.tlsCaFile = "/nonexistent/ca.pem";
  c.set("ledger_witnesses", "https://witness.example/finance/ " + finance->key.verifier().vkey());
  EXPECT_THROW(Application{c}, ConfigError);
  // A witness behind TLS is named by its https:// URL (its trailing slash dropped).
  auto parsed = ledger::parseWitnessList(c.setting("ledger_witnesses"));
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0].url, "https://witness.example/finance");
  auto app = start();
  EXPECT_EQ(get(*app, "/api/v1/ledger/checkpoint?witnessed=true").status, 404);
  EXPECT_EQ(get(*app, "/api/v1/ledger/checkpoints?witnessed=maybe").status, 400);
  EXPECT_EQ(get(*app, "/api/v1/ledger/checkpoints?sort=size").status, 400);
  EXPECT_EQ(get(*app, "/api/v1/ledger/checkpoints/x").status, 400);
  // Paging walks the checkpoints newest first.
  for (int i = 0; i < 3; ++i) {
    grow(*app, 1);
    app->ledger().signCheckpoint();
  }
  auto page = nlohmann::json::parse(get(*app, "/api/v1/ledger/checkpoints?limit=2").body);
  ASSERT_EQ(page["items"].size(), 2u);
  EXPECT_EQ(page["items"][0]["size"], 3);
  auto next = nlohmann::json::parse(get(*app, "/api/v1/ledger/checkpoints?limit=2&cursor=" +
                                                  page["next_cursor"].get<std::string>())
                                        .body);
  ASSERT_EQ(next["items"].size(), 1u);
  EXPECT_EQ(next["items"][0]["size"], 1);
  EXPECT_TRUE(next["next_cursor"].is_null());
}

INSTANTIATE_TEST_SUITE_P(Backends, WitnessingTest,
                         ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::api
