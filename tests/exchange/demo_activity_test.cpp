// `onceonly seed-demo` leaves the demo government at work: the first citizen finds who looked at
// their data, each look with its entry on the ledger, and certificates in the wallet.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/application.h"
#include "demo/demo.h"
#include "ledger/log.h"
#include "support/test_support.h"

namespace onceonly::exchange {
namespace {

using onceonly::testing::Backend;

class DemoActivityTest : public ::testing::TestWithParam<Backend> {
 protected:
  onceonly::testing::TempDir dir;
  onceonly::testing::ScratchDatabase scratch{GetParam()};
  api::Application app{onceonly::testing::testConfig(dir.path(), scratch.url())};

  nlohmann::json call(const std::string& method, const std::string& target, const std::string& body,
                      const std::string& token = "") {
    http::Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.headers = {{"content-type", "application/json"}};
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    r.clientIp = r.peerIp = "127.0.0.1";
    auto res = http::settle(app.handle(r));
    EXPECT_LT(res.status, 300) << target << ": " << res.body;
    return nlohmann::json::parse(res.body);
  }
};

TEST_P(DemoActivityTest, TheFirstCitizenFindsWhoLookedAndEachLookIsOnTheLedger) {
  auto seeded = app.seedDemo(true);
  std::string citizen;
  for (const auto& c : seeded.credentials)
    if (c.kind == "citizen" && citizen.empty()) citizen = c.identifier;
  ASSERT_FALSE(citizen.empty());
  auto session =
      call("POST", "/api/v1/sessions",
           nlohmann::json{{"resident_id", citizen}, {"password", demo::kDemoPassword}}.dump(), "");
  auto mine = call("GET", "/api/v1/exchange/accesses/mine", "", session["token"]);
  ASSERT_EQ(mine["total"], 3) << mine.dump();
  std::multiset<std::string> outcomes;
  for (const auto& a : mine["items"]) outcomes.insert(a["outcome"].get<std::string>());
  EXPECT_EQ(outcomes, (std::multiset<std::string>{"refused", "served", "served"}));
  // The entries were queued with the accesses; the log takes them in from its outbox.
  // Its wallet holds the certificates the demo issued it, each issuance on the ledger too.
  auto wallet = call("GET", "/api/v1/credentials/mine", "", session["token"]);
  EXPECT_EQ(wallet["total"], 2) << wallet.dump();
  for (int i = 0; i < 500 && app.ledger().size() < 6; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(app.ledger().countEntries(std::nullopt), 6u);  // 3 looks, 3 certificates issued
  // Seeding again adds nothing.
  app.seedDemo(true);
  EXPECT_EQ(call("GET", "/api/v1/exchange/accesses/mine", "", session["token"])["total"], 3);
  EXPECT_EQ(call("GET", "/api/v1/credentials/mine", "", session["token"])["total"], 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoActivityTest,
                         ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::exchange
