// Walks every API route with every kind of caller and checks who gets in: 401 without
// credentials, 403 for a role that may not act, 404 for records the caller may not know exist.
// One walk is generated from the route table (every route's declared access, so no route can be
// forgotten); the table below pins the exact outcomes, object-level rules included.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "api/access.h"
#include "api/application.h"
#include "api/routes.h"
#include "http/router.h"
#include "identity/identity.h"
#include "support/api_harness.h"

namespace onceonly::api {
namespace {

using onceonly::testing::ApiHarness;
using onceonly::testing::Backend;

const std::vector<std::string> kCallers = {"anonymous", "admin",    "auditor",     "orgadmin",
                                           "clerk",     "approver", "dataofficer", "dispatcher",
                                           "citizen",   "company",  "machine"};

struct Case {
  std::string method;
  std::string pattern;  // as registered, to prove coverage
  std::function<std::string(ApiHarness&)> target;
  std::function<nlohmann::json(const std::string& who)> body;
  std::map<std::string, int> expected;  // by caller; "*" for the rest
};

int expectedFor(const Case& c, const std::string& who) {
  auto it = c.expected.find(who);
  if (it != c.expected.end()) return it->second;
  return c.expected.at("*");
}

class AuthorizationTest : public ::testing::TestWithParam<Backend> {
 protected:
  ApiHarness h{GetParam()};
  std::string machineId, orgId, approverId, citizenId;

  void SetUp() override {
    orgId = h.idOfOrg("QH-LS-GSC");
    approverId = h.idOfUser("approver");
    citizenId = h.idOfUser("citizen");
    auto m = h.as("admin", "POST", "/api/v1/accounts",
                  {{"kind", "machine"},
                   {"username", "psb.system"},
                   {"display_name", "PSB system"},
                   {"org_id", h.idOfOrg("QH-LS-PSB")}});
    ASSERT_EQ(m.status, 201) << m.body;
    machineId = m.json["id"];
    auto t = h.as("admin", "POST", "/api/v1/accounts/" + machineId + "/tokens",
                  {{"name", "sync"}, {"scopes", {"orgs:read"}}});
    ASSERT_EQ(t.status, 201) << t.body;
    machineToken = t.json["token"];
  }
  std::string machineToken;

  std::string caller(const std::string& who) { return who == "machine" ? machineToken : who; }
};

TEST_P(AuthorizationTest, EveryRouteWithEveryCaller) {
  const std::string fakeToken = "tok_0000000000000000";
  std::vector<Case> cases = {
      {"GET",
       "/api/v1/me",
       [](ApiHarness&) { return "/api/v1/me"; },
       nullptr,
       {{"anonymous", 401}, {"*", 200}}},
      {"GET",
       "/api/v1/orgs",
       [](ApiHarness&) { return "/api/v1/orgs"; },
       nullptr,
       {{"anonymous", 401}, {"*", 200}}},
      {"GET",
       "/api/v1/orgs/tree",
       [](ApiHarness&) { return "/api/v1/orgs/tree"; },
       nullptr,
       {{"anonymous", 401}, {"*", 200}}},
      {"GET",
       "/api/v1/orgs/{id}",
       [this](ApiHarness&) { return "/api/v1/orgs/" + orgId; },
       nullptr,
       {{"anonymous", 401}, {"*", 200}}},
      {"POST",
       "/api/v1/orgs",
       [](ApiHarness&) { return "/api/v1/orgs"; },
       [this](const std::string& who) {
         return nlohmann::json{{"code", "NEW-" + who}, {"name_zh", "新部门"},
                               {"name_en", "New"},     {"level", "city"},
                               {"kind", "department"}, {"parent_id", h.idOfOrg("QH-LS")}};
       },
       {{"anonymous", 401}, {"admin", 201}, {"*", 403}}},
      {"PATCH",
       "/api/v1/orgs/{id}",
       [this](ApiHarness&) { return "/api/v1/orgs/" + orgId; },
       [](const std::string&) {
         return nlohmann::json{{"name_en", "Renamed"}};
       },
       {{"anonymous", 401}, {"admin", 200}, {"*", 403}}},
      {"DELETE",
       "/api/v1/orgs/{id}",
       [this](ApiHarness&) { return "/api/v1/orgs/" + orgId; },
       nullptr,
       {{"anonymous", 401}, {"admin", 409}, {"*", 403}}},
      {"GET",
       "/api/v1/accounts",
       [](ApiHarness&) { return "/api/v1/accounts"; },
       nullptr,
       {{"anonymous", 401}, {"admin", 200}, {"orgadmin", 200}, {"auditor", 200}, {"*", 403}}},
      {"GET",
       "/api/v1/accounts/{id}",
       [this](ApiHarness&) { return "/api/v1/accounts/" + approverId; },
       nullptr,
       {{"anonymous", 401},
        {"admin", 200},
        {"orgadmin", 200},
        {"auditor", 200},
        {"approver", 200},
        {"machine", 403},
        {"*", 404}}},
      {"POST",
       "/api/v1/accounts",
       [](ApiHarness&) { return "/api/v1/accounts"; },
       [this](const std::string& who) {
         return nlohmann::json{{"kind", "staff"},
                               {"username", "new." + who},
                               {"display_name", "New"},
                               {"password", "a long password"},
                               {"org_id", h.idOfOrg("QH-LS-PSB")},
                               {"roles", {"clerk"}}};
       },
       {{"anonymous", 401}, {"admin", 201}, {"orgadmin", 201}, {"*", 403}}},
      {"PATCH",
       "/api/v1/accounts/{id}",
       [this](ApiHarness&) { return "/api/v1/accounts/" + approverId; },
       [](const std::string&) {
         return nlohmann::json{{"display_name", "Approver Renamed"}};
       },
       {{"anonymous", 401},
        {"admin", 200},
        {"orgadmin", 200},
        {"approver", 200},
        {"auditor", 403},
        {"machine", 403},
        {"*", 404}}},
      {"GET",
       "/api/v1/accounts/{id}/tokens",
       [this](ApiHarness&) { return "/api/v1/accounts/" + machineId + "/tokens"; },
       nullptr,
       {{"anonymous", 401}, {"admin", 200}, {"orgadmin", 200}, {"*", 403}}},
      {"POST",
       "/api/v1/accounts/{id}/tokens",
       [this](ApiHarness&) { return "/api/v1/accounts/" + machineId + "/tokens"; },
       [](const std::string&) {
         return nlohmann::json{{"name", "t"}, {"scopes", {"orgs:read"}}};
       },
       {{"anonymous", 401}, {"admin", 201}, {"orgadmin", 201}, {"*", 403}}},
      {"DELETE",
       "/api/v1/accounts/{id}/tokens/{token_id}",
       [this, fakeToken](ApiHarness&) {
         return "/api/v1/accounts/" + machineId + "/tokens/" + fakeToken;
       },
       nullptr,
       {{"anonymous", 401}, {"admin", 404}, {"orgadmin", 404}, {"*", 403}}},
      {"GET",
       "/api/v1/audit-events",
       [](ApiHarness&) { return "/api/v1/audit-events"; },
       nullptr,
       {{"anonymous", 401}, {"admin", 200}, {"auditor", 200}, {"*", 403}}},
      // The ledger's checkpoint, proofs and keys are public; its entries are for auditors.
      {"GET",
       "/api/v1/ledger/checkpoint",
       [](ApiHarness&) { return "/api/v1/ledger/checkpoint"; },
       nullptr,
       {{"machine", 200}, {"*", 200}}},
      {"GET",
       "/api/v1/ledger/keys",
       [](ApiHarness&) { return "/api/v1/ledger/keys"; },
       nullptr,
       {{"machine", 200}, {"*", 200}}},
      {"GET",
       "/api/v1/ledger/proofs/consistency",
       [](ApiHarness&) { return "/api/v1/ledger/proofs/consistency?first=0&second=0"; },
       nullptr,
       {{"machine", 200}, {"*", 200}}},
      {"GET",
       "/api/v1/ledger/proofs/inclusion",
       [](ApiHarness&) { return "/api/v1/ledger/proofs/inclusion?index=0&size=0"; },
       nullptr,
       {{"machine", 400}, {"*", 400}}},  // the log is empty: there is no entry 0
      {"GET",
       "/api/v1/ledger/entries",
       [](ApiHarness&) { return "/api/v1/ledger/entries"; },
       nullptr,
       {{"anonymous", 401}, {"admin", 200}, {"auditor", 200}, {"*", 403}}},
      // Citizens and companies read their own entries; others' look missing.
      {"GET",
       "/api/v1/ledger/entries/{index}",
       [](ApiHarness&) { return "/api/v1/ledger/entries/999999"; },
       nullptr,
       {{"anonymous", 401},
        {"admin", 404},
        {"auditor", 404},
        {"citizen", 404},
        {"company", 404},
        {"*", 403}}},
      {"GET",
       "/api/v1/ledger/checkpoints",
       [](ApiHarness&) { return "/api/v1/ledger/checkpoints"; },
       nullptr,
       {{"machine", 200}, {"*", 200}}},
      {"GET",
       "/api/v1/ledger/receipts/{index}",
       [](ApiHarness&) { return "/api/v1/ledger/receipts/999999"; },
       nullptr,
       {{"machine", 404}, {"*", 404}}},  // public, but there is no such entry
      {"GET",
       "/api/v1/ledger/checkpoints/{size}",
       [](ApiHarness&) { return "/api/v1/ledger/checkpoints/999999"; },
       nullptr,
       {{"machine", 404}, {"*", 404}}},  // public, but there is no such checkpoint
      {"POST",
       "/api/v1/ledger/checkpoints",
       [](ApiHarness&) { return "/api/v1/ledger/checkpoints"; },
       nullptr,
       {{"anonymous", 401}, {"admin", 201}, {"machine", 403}, {"*", 403}}},
      {"DELETE",
       "/api/v1/sessions/current",
       [](ApiHarness&) { return "/api/v1/sessions/current"; },
       nullptr,
       {{"anonymous", 401}, {"*", 204}}},
  };

  // Every API route of the foundation's modules except sign-in is walked here with its exact
  // outcomes; other modules keep such a table in their own tests, and the generated walk below
  // covers every route of every module.
  std::set<std::string> walked;
  for (const auto& c : cases) walked.insert(c.method + " " + c.pattern);
  const std::set<std::string> foundation = {"system", "identity", "audit", "ledger"};
  for (const auto& r : h.app().routes()) {
    if (!foundation.count(r.module)) continue;
    if (r.pattern.rfind("/api/v1/", 0) != 0 || r.pattern == "/api/v1/openapi.json") continue;
    if (r.method == "POST" && r.pattern == "/api/v1/sessions") continue;
    EXPECT_TRUE(walked.count(r.method + " " + r.pattern)) << r.method << " " << r.pattern;
  }

  // Citizens see their own account, nobody else but the platform admin does.
  cases.push_back(
      {"GET",
       "/api/v1/accounts/{id}",
       [this](ApiHarness&) { return "/api/v1/accounts/" + citizenId; },
       nullptr,
       {{"anonymous", 401}, {"admin", 200}, {"citizen", 200}, {"machine", 403}, {"*", 404}}});

  for (const auto& c : cases) {
    for (const auto& who : kCallers) {
      // Signing out would end the caller's session for the rest of the walk: only the last.
      if (c.pattern == "/api/v1/sessions/current" && who != "anonymous" && who != "machine" &&
          who != "citizen2")
        continue;
      auto body = c.body ? c.body(who) : nlohmann::json();
      auto r = h.as(caller(who), c.method, c.target(h), body);
      int want = expectedFor(c, who);
      if (who == "machine" && want != 401) {
        // An API token with orgs:read reads organisations and itself, and nothing else.
        bool readsOrgs = c.method == "GET" &&
                         (c.pattern.rfind("/api/v1/orgs", 0) == 0 || c.pattern == "/api/v1/me");
        if (c.pattern == "/api/v1/sessions/current")
          want = 409;  // an API token is revoked, not signed out
        else if (readsOrgs)
          want = 200;
        else if (c.expected.count("machine") == 0)
          want = 403;
      }
      EXPECT_EQ(r.status, want) << who << " " << c.method << " " << c.target(h) << "\n" << r.body;
      if (r.status >= 400) {
        EXPECT_EQ(r.contentType, "application/problem+json");
      }
    }
  }
  // And signing out does end a session.
  std::string token = h.signIn("username", "dispatcher");
  EXPECT_EQ(h.as(token, "DELETE", "/api/v1/sessions/current").status, 204);
  EXPECT_EQ(h.as(token, "GET", "/api/v1/me").status, 401);
}

// Every route the application has, with every kind of caller: a caller the route's declared
// access refuses is refused before the handler runs (401, or 403 auth.role / auth.scope) and
// changes nothing; a caller it lets in is never refused by that rule.
TEST_P(AuthorizationTest, GeneratedWalkFollowsEveryDeclaredRule) {
  const std::vector<std::string> tables = {"orgs", "accounts", "sessions", "api_tokens",
                                           "ledger_entries"};
  auto counts = [&] {
    std::map<std::string, std::int64_t> out;
    for (const auto& t : tables) out[t] = h.count(t);
    return out;
  };
  int refused = 0, admitted = 0;
  ASSERT_GT(h.app().routes().size(), 20u);
  for (const auto& route : h.app().routes()) {
    ASSERT_TRUE(route.access.declared()) << route.pattern;
    std::string target = route.pattern;
    for (auto open = target.find('{'); open != std::string::npos; open = target.find('{'))
      target.replace(open, target.find('}', open) - open + 1, "0");
    for (const auto& who : kCallers) {
      std::optional<identity::Principal> p;
      if (who != "anonymous")
        p = h.app().identity().authenticate(who == "machine" ? machineToken : h.token(who));
      auto verdict = p ? route.access.check(*p)
                       : (route.access.isPublic() ? Access::Verdict::allowed
                                                  : Access::Verdict::unauthenticated);
      // Signing out would end the caller's session for the rest of the walk.
      if (verdict == Access::Verdict::allowed && route.pattern == "/api/v1/sessions/current")
        continue;
      auto before = counts();
      auto r = h.as(caller(who), route.method, target,
                    route.method == "GET" ? nlohmann::json() : nlohmann::json::object());
      std::string code = r.json.is_object() ? r.json.value("code", "") : "";
      const std::string where = who + " " + route.method + " " + target + "\n" + r.body;
      switch (verdict) {
        case Access::Verdict::allowed:
          ++admitted;
          EXPECT_NE(r.status, 401) << where;
          EXPECT_NE(code, "auth.role") << where;
          EXPECT_NE(code, "auth.scope") << where;
          continue;
        case Access::Verdict::unauthenticated:
          EXPECT_EQ(r.status, 401) << where;
          EXPECT_EQ(code, "auth.required") << where;
          break;
        case Access::Verdict::role:
          EXPECT_EQ(r.status, 403) << where;
          EXPECT_EQ(code, "auth.role") << where;
          break;
        case Access::Verdict::scope:
          EXPECT_EQ(r.status, 403) << where;
          EXPECT_EQ(code, "auth.scope") << where;
          break;
      }
      ++refused;
      EXPECT_EQ(counts(), before) << where;
    }
  }
  EXPECT_GT(refused, 100);
  EXPECT_GT(admitted, 100);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthorizationTest,
                         ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::api
