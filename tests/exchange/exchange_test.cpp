// The data exchange through the API: a department asks for another's resource, the holder grants
// part of it, the requester queries a citizen's record and gets exactly what was granted, masked
// as granted, with a receipt; the citizen sees the access and the receipt checks against a
// signed checkpoint. Every refusal is explained, recorded and changes nothing else.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "api/application.h"
#include "catalog/hosted.h"
#include "connector/connector.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "http/server.h"
#include "identity/identity.h"
#include "ledger/log.h"
#include "ledger/receipt.h"
#include "store/store.h"
#include "support/api_harness.h"

namespace onceonly::exchange {
namespace {

using onceonly::testing::ApiHarness;
using onceonly::testing::Backend;
using onceonly::testing::Reply;

// The first demo citizen (the harness's "citizen"), and one with no record anywhere.
const std::string kCitizenId =
    "44030519850312001" + std::string(1, identity::residentIdCheckDigit("44030519850312001"));
const std::string kStranger =
    "11010119900307123" + std::string(1, identity::residentIdCheckDigit("11010119900307123"));

class ExchangeTest : public ::testing::TestWithParam<Backend> {
 protected:
  ApiHarness h{GetParam()};

  std::string resource(const std::string& code) {
    auto r = h.as("auditor", "GET", "/api/v1/catalog/resources?q=" + code);
    return r.json["items"][0]["id"];
  }
  // HRSS asks for the resident register's name, birth date and address.
  Reply askForResidents(const std::string& purpose = "pension_eligibility") {
    return h.as("hrss.officer", "POST", "/api/v1/exchange/requests",
                {{"resource_id", resource("QH-LS-PSB-RESIDENT")},
                 {"fields", {"name", "birth_date", "address"}},
                 {"unmask", {"name"}},
                 {"purpose", purpose},
                 {"legal_basis", "《社会保险法》第十六条"},
                 {"service_items", "养老保险待遇资格认定"},
                 {"duration_days", 180}});
  }
  Reply query(const std::string& who, const std::string& code, const std::string& subject,
              const std::string& purpose, nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json body = {
        {"resource_id", resource(code)}, {"subject", subject}, {"purpose", purpose}};
    body.update(extra);
    return h.as(who, "POST", "/api/v1/exchange/queries", body);
  }
  std::string granted(const std::string& purpose = "pension_eligibility") {
    auto asked = askForResidents(purpose);
    EXPECT_EQ(asked.status, 201) << asked.body;
    auto decided =
        h.as("dataofficer", "POST",
             "/api/v1/exchange/requests/" + asked.json["id"].get<std::string>() + "/decision",
             {{"decision", "grant"},
              {"fields", {"name", "birth_date"}},
              {"unmask", nlohmann::json::array()}});
    EXPECT_EQ(decided.status, 200) << decided.body;
    return decided.json["grant"]["id"];
  }
  std::int64_t accesses(const std::string& outcome) {
    return h.app()
        .database()
        .connect()
        .queryOne("SELECT COUNT(*) AS n FROM exchange_accesses WHERE outcome = ?", {outcome})
        ->integer("n");
  }
  void drainOutbox() {
    for (int i = 0; i < 400 && h.count("ledger_outbox") > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
};

TEST_P(ExchangeTest, AGrantedDepartmentGetsExactlyWhatWasGrantedAndTheCitizenSeesIt) {
  // B (human resources and social security) asks A (public security) for three fields.
  auto asked = askForResidents();
  ASSERT_EQ(asked.status, 201) << asked.body;
  EXPECT_EQ(asked.json["status"], "pending");  // conditional: A decides
  EXPECT_TRUE(asked.json["grant"].is_null());
  const std::string requestId = asked.json["id"];
  // Before a decision there is no grant, and the query is refused.
  EXPECT_EQ(query("hrss.officer", "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility").status,
            403);

  // A's data officer grants two of the three, without unmasking the name.
  auto decided = h.as("dataofficer", "POST", "/api/v1/exchange/requests/" + requestId + "/decision",
                      {{"decision", "grant"},
                       {"fields", {"name", "birth_date"}},
                       {"unmask", nlohmann::json::array()}});
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(decided.json["status"], "granted");
  EXPECT_EQ(decided.json["grant"]["fields"], nlohmann::json({"name", "birth_date"}));
  EXPECT_EQ(decided.json["grant"]["state"], "active");

  // B queries the citizen: exactly those two fields, masked by their rules.
  auto answer = query("hrss.officer", "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility",
                      {{"application", "APP-2026-0001"}});
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.json["values"].size(), 2u);
  EXPECT_EQ(answer.json["values"]["name"], "张*");
  EXPECT_EQ(answer.json["values"]["birth_date"], "***");
  EXPECT_FALSE(answer.json["values"].contains("address"));
  EXPECT_FALSE(answer.json["values"].contains("resident_id"));
  ASSERT_TRUE(answer.json["receipt"]["index"].is_number());
  const std::uint64_t index = answer.json["receipt"]["index"];

  // The citizen sees the access (newest first, after the refused look before the grant): who,
  // what, why, and the receipt.
  auto mine = h.as("citizen", "GET", "/api/v1/exchange/accesses/mine");
  ASSERT_EQ(mine.status, 200) << mine.body;
  ASSERT_EQ(mine.json["total"], 2);
  EXPECT_EQ(mine.json["items"][1]["outcome"], "refused");
  EXPECT_EQ(mine.json["items"][1]["reason"], "exchange.no_grant");
  const auto& seen = mine.json["items"][0];
  EXPECT_EQ(seen["requester"]["id"], h.idOfOrg("QH-LS-HRSS"));
  EXPECT_EQ(seen["owner"]["id"], h.idOfOrg("QH-LS-PSB"));
  EXPECT_EQ(seen["accessor_role"], "data_officer");
  EXPECT_EQ(seen["fields"], nlohmann::json({"name", "birth_date"}));
  EXPECT_EQ(seen["purpose"], "pension_eligibility");
  EXPECT_EQ(seen["application"], "APP-2026-0001");
  EXPECT_EQ(seen["outcome"], "served");
  EXPECT_FALSE(seen.contains("accessor_id"));  // the department and role, not the person
  h.app().ledger().indexLookups();
  mine = h.as("citizen", "GET", "/api/v1/exchange/accesses/mine");
  EXPECT_EQ(mine.json["items"][0]["receipt"]["index"], index);
  // Another citizen sees none of it.
  EXPECT_EQ(h.as("citizen2", "GET", "/api/v1/exchange/accesses/mine").json["total"], 0);

  // The receipt checks against a signed checkpoint, as `onceonly ledger check-receipt` does.
  drainOutbox();
  h.app().ledger().signCheckpoint();
  auto receipt = h.call("GET", "/api/v1/ledger/receipts/" + std::to_string(index));
  ASSERT_EQ(receipt.status, 200) << receipt.body;
  auto keys = h.call("GET", "/api/v1/ledger/keys");
  ledger::TrustPolicy policy{*ledger::Verifier::parse(keys.json["log"]), {}, 0};
  auto entry = h.app().ledger().entry(index);
  ASSERT_TRUE(entry);
  auto check = ledger::checkReceipt(ledger::ReceiptProof::fromJson(receipt.json), policy, entry);
  EXPECT_TRUE(check.ok) << check.problem;
  // The entry names the citizen by their pseudonym only.
  auto text = nlohmann::json::parse(*entry);
  EXPECT_EQ(text["type"], "exchange.access");
  EXPECT_EQ(text["subject"], h.app().identity().findAccount(h.idOfUser("citizen"))->pseudonym);
  EXPECT_EQ(entry->find(kCitizenId), std::string::npos);
  EXPECT_EQ(entry->find(h.idOfUser("hrss.officer")), std::string::npos);  // the staff member
  EXPECT_EQ(entry->find("张"), std::string::npos);

  // The decision itself is on the ledger too.
  bool decisionRecorded = false;
  for (const auto& e : h.app().ledger().entries(0, 1000, std::nullopt)) {
    auto j = nlohmann::json::parse(e.text);
    if (j["type"] == "exchange.granted" && j["request"] == requestId) decisionRecorded = true;
  }
  EXPECT_TRUE(decisionRecorded);
}

TEST_P(ExchangeTest, QueriesBeyondTheGrantAreRefusedAndRecorded) {
  const std::string grantId = granted();
  const auto refusedBefore = accesses("refused");
  auto codeOf = [](const Reply& r) { return r.json.value("code", ""); };

  // No grant for this resource.
  auto none = query("hrss.officer", "QH-LS-PSB-HOUSEHOLD", kCitizenId, "pension_eligibility");
  EXPECT_EQ(none.status, 403);
  EXPECT_EQ(codeOf(none), "exchange.no_grant");
  // Another purpose than the grant's.
  auto purpose = query("hrss.officer", "QH-LS-PSB-RESIDENT", kCitizenId, "marketing");
  EXPECT_EQ(purpose.status, 403);
  EXPECT_EQ(codeOf(purpose), "exchange.purpose");
  // A field not granted.
  auto fields = query("hrss.officer", "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility",
                      {{"fields", {"name", "address"}}});
  EXPECT_EQ(fields.status, 403);
  EXPECT_EQ(codeOf(fields), "exchange.fields_not_granted");
  EXPECT_NE(fields.json["detail"].get<std::string>().find("address"), std::string::npos);
  // A department with no grant at all, and a role that does no casework.
  EXPECT_EQ(query("county.clerk", "QH-LS-PSB-HOUSEHOLD", kCitizenId, "one_window_service").status,
            403);
  EXPECT_EQ(query("auditor", "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility").status, 403);
  // No record of the subject: not found, and recorded as such.
  auto stranger = query("hrss.officer", "QH-LS-PSB-RESIDENT", kStranger, "pension_eligibility");
  EXPECT_EQ(stranger.status, 404);
  EXPECT_EQ(codeOf(stranger), "exchange.no_record");
  EXPECT_EQ(accesses("not_found"), 1);
  // A malformed subject concerns no one: 400, nothing recorded about anybody.
  auto malformed = query("hrss.officer", "QH-LS-PSB-RESIDENT", "12345", "pension_eligibility");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(accesses("refused"), refusedBefore + 4);  // the four refusals about the citizen
  EXPECT_EQ(accesses("served"), 0);

  // The citizen sees the refused looks too.
  auto mine = h.as("citizen", "GET", "/api/v1/exchange/accesses/mine?outcome=refused");
  EXPECT_EQ(mine.json["total"], 4);

  // Revoked by the holder: refused from then on.
  EXPECT_EQ(h.as("hrss.officer", "POST", "/api/v1/exchange/grants/" + grantId + "/revocation",
                 {{"reason", "not mine to revoke"}})
                .status,
            403);
  auto revoked = h.as("dataofficer", "POST", "/api/v1/exchange/grants/" + grantId + "/revocation",
                      {{"reason", "养老资格认定已改用电子证照"}});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.json["state"], "revoked");
  EXPECT_EQ(h.as("dataofficer", "POST", "/api/v1/exchange/grants/" + grantId + "/revocation",
                 {{"reason", "again"}})
                .status,
            409);
  auto after = query("hrss.officer", "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility");
  EXPECT_EQ(after.status, 403);
  EXPECT_EQ(codeOf(after), "exchange.revoked");
}

TEST_P(ExchangeTest, ADepartmentsSystemQueriesWithAScopedToken) {
  granted();
  auto machine = h.as("admin", "POST", "/api/v1/accounts",
                      {{"kind", "machine"},
                       {"username", "hrss.pension-system"},
                       {"display_name", "养老金系统 Pension system"},
                       {"org_id", h.idOfOrg("QH-LS-HRSS")},
                       {"roles", {"exchange_client"}}});
  ASSERT_EQ(machine.status, 201) << machine.body;
  const std::string path = "/api/v1/accounts/" + machine.json["id"].get<std::string>() + "/tokens";
  auto scoped = h.as("admin", "POST", path, {{"name", "queries"}, {"scopes", {"exchange:query"}}});
  ASSERT_EQ(scoped.status, 201) << scoped.body;
  auto answer =
      query(scoped.json["token"], "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.json["values"]["name"], "张*");
  auto mine = h.as("citizen", "GET", "/api/v1/exchange/accesses/mine");
  EXPECT_EQ(mine.json["items"][0]["accessor_role"], "exchange_client");
  // A token without the scope does not query.
  auto unscoped = h.as("admin", "POST", path, {{"name", "reads"}, {"scopes", {"orgs:read"}}});
  ASSERT_EQ(unscoped.status, 201) << unscoped.body;
  auto refused =
      query(unscoped.json["token"], "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.json["code"], "auth.scope");
}

TEST_P(ExchangeTest, AnExpiredGrantAnswersNothing) {
  const std::string grantId = granted();
  ASSERT_EQ(query("hrss.officer", "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility").status,
            200);
  h.app().database().connect().exec("UPDATE exchange_grants SET expires_at = ? WHERE id = ?",
                                    {std::string("2020-01-01T00:00:00.000Z"), grantId});
  auto expired = query("hrss.officer", "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility");
  EXPECT_EQ(expired.status, 403);
  EXPECT_EQ(expired.json["code"], "exchange.expired");
  auto listed = h.as("hrss.officer", "GET", "/api/v1/exchange/grants?state=expired");
  EXPECT_EQ(listed.json["total"], 1);
  EXPECT_EQ(listed.json["items"][0]["state"], "expired");
}

TEST_P(ExchangeTest, RequestsAndDecisionsFollowTheRules) {
  // Unconditional resources are granted at once.
  auto atOnce = h.as("hrss.officer", "POST", "/api/v1/exchange/requests",
                     {{"resource_id", resource("QH-LS-AMR-CREDIT")},
                      {"fields", {"credit_code", "serious_dishonesty"}},
                      {"purpose", "employer_check"},
                      {"legal_basis", "《社会信用体系建设规划纲要》"}});
  ASSERT_EQ(atOnce.status, 201) << atOnce.body;
  EXPECT_EQ(atOnce.json["status"], "granted");
  EXPECT_EQ(atOnce.json["grant"]["state"], "active");

  // Bad requests name every problem and make nothing.
  const auto before = h.count("exchange_requests");
  auto bad = h.as("hrss.officer", "POST", "/api/v1/exchange/requests",
                  {{"resource_id", resource("QH-LS-PSB-RESIDENT")},
                   {"fields", {"name", "shoe_size", "name"}},
                   {"unmask", {"birth_date"}},
                   {"purpose", "Bad Purpose"},
                   {"legal_basis", ""},
                   {"duration_days", 99999}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_GE(bad.json["errors"].size(), 5u) << bad.body;
  // Its own resource, and a resource that is not shared.
  EXPECT_EQ(h.as("dataofficer", "POST", "/api/v1/exchange/requests",
                 {{"resource_id", resource("QH-LS-PSB-RESIDENT")},
                  {"fields", {"name"}},
                  {"purpose", "own_use"},
                  {"legal_basis", "none needed"}})
                .status,
            409);
  auto made = h.as("dataofficer", "POST", "/api/v1/catalog/resources",
                   {{"code", "QH-LS-PSB-SECRET"},
                    {"name_zh", "不共享的数据"},
                    {"name_en", "Not shared"},
                    {"subject_kind", "person"},
                    {"sharing", "not_shared"},
                    {"open_class", "closed"},
                    {"update_frequency", "daily"},
                    {"source", "hosted"},
                    {"fields", {{{"name", "note"}, {"type", "string"}}}}});
  ASSERT_EQ(made.status, 201) << made.body;
  auto secret = h.as("hrss.officer", "POST", "/api/v1/exchange/requests",
                     {{"resource_id", made.json["id"]},
                      {"fields", {"note"}},
                      {"purpose", "curiosity"},
                      {"legal_basis", "none"}});
  EXPECT_EQ(secret.status, 409);
  EXPECT_EQ(secret.json["code"], "exchange.not_shared");
  EXPECT_EQ(h.count("exchange_requests"), before);

  // Only the holder decides; a grant gives at most what was asked; decided once.
  auto asked = askForResidents();
  const std::string path =
      "/api/v1/exchange/requests/" + asked.json["id"].get<std::string>() + "/decision";
  EXPECT_EQ(h.as("hrss.officer", "POST", path, {{"decision", "grant"}}).status, 403);
  EXPECT_EQ(h.as("cab.officer", "POST", path, {{"decision", "grant"}}).status, 403);
  auto more = h.as("dataofficer", "POST", path,
                   {{"decision", "grant"}, {"fields", {"name", "resident_id"}}});
  EXPECT_EQ(more.status, 400);
  auto longer = h.as("dataofficer", "POST", path, {{"decision", "grant"}, {"duration_days", 3650}});
  EXPECT_EQ(longer.status, 400);
  EXPECT_EQ(h.as("dataofficer", "POST", path, {{"decision", "refuse"}}).status, 400);  // reason
  auto refused =
      h.as("dataofficer", "POST", path, {{"decision", "refuse"}, {"reason", "无法律依据"}});
  ASSERT_EQ(refused.status, 200) << refused.body;
  EXPECT_EQ(refused.json["status"], "refused");
  auto again = h.as("dataofficer", "POST", path, {{"decision", "grant"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json["code"], "exchange.decided");

  // Each side sees its own requests; a third department sees none of them.
  auto theirs = h.as("cab.officer", "GET",
                     "/api/v1/exchange/requests/" + asked.json["id"].get<std::string>());
  EXPECT_EQ(theirs.status, 403);
  auto listed = h.as("cab.officer", "GET", "/api/v1/exchange/requests");
  for (const auto& r : listed.json["items"]) {
    const bool party = r["owner_org_id"] == h.idOfOrg("QH-LS-CAB") ||
                       r["requester_org_id"] == h.idOfOrg("QH-LS-CAB");
    EXPECT_TRUE(party) << r.dump();
  }
  EXPECT_GE(h.as("auditor", "GET", "/api/v1/exchange/requests").json["total"], 4);
}

TEST_P(ExchangeTest, ConsentIsAskedGivenAndWithdrawn) {
  granted();
  const std::string id = resource("QH-LS-PSB-RESIDENT");
  auto current = h.as("dataofficer", "GET", "/api/v1/catalog/resources/" + id);
  ASSERT_EQ(h.as("dataofficer", "PATCH", "/api/v1/catalog/resources/" + id,
                 {{"version", current.json["version"]}, {"consent_required", true}})
                .status,
            200);
  auto first = query("hrss.officer", "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility");
  EXPECT_EQ(first.status, 403);
  EXPECT_EQ(first.json["code"], "exchange.consent_required");
  // Asked once, however often the department tries.
  query("hrss.officer", "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility");
  auto mine = h.as("citizen", "GET", "/api/v1/exchange/consents/mine");
  ASSERT_EQ(mine.json["total"], 1) << mine.body;
  EXPECT_EQ(mine.json["items"][0]["status"], "pending");
  EXPECT_EQ(mine.json["items"][0]["requester_org_id"], h.idOfOrg("QH-LS-HRSS"));
  // Named, so that the person knows who asks for what.
  EXPECT_FALSE(mine.json["items"][0]["requester_org_name_zh"].get<std::string>().empty());
  EXPECT_EQ(mine.json["items"][0]["resource_code"], "QH-LS-PSB-RESIDENT");
  EXPECT_EQ(mine.json["items"][0]["resource_name_en"], "Resident identity");
  const std::string consent = mine.json["items"][0]["id"];
  // Only the person decides it.
  EXPECT_EQ(h.as("citizen2", "POST", "/api/v1/exchange/consents/" + consent + "/decision",
                 {{"decision", "give"}})
                .status,
            404);
  EXPECT_EQ(h.as("citizen", "POST", "/api/v1/exchange/consents/" + consent + "/decision",
                 {{"decision", "give"}})
                .status,
            200);
  EXPECT_EQ(query("hrss.officer", "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility").status,
            200);
  EXPECT_EQ(h.as("citizen", "POST", "/api/v1/exchange/consents/" + consent + "/decision",
                 {{"decision", "withdraw"}})
                .status,
            200);
  auto withdrawn = query("hrss.officer", "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility");
  EXPECT_EQ(withdrawn.status, 403);
  // A standing consent given unasked opens it again.
  auto standing =
      h.as("citizen", "POST", "/api/v1/exchange/consents",
           {{"requester_org_id", h.idOfOrg("QH-LS-HRSS")}, {"purpose", "pension_eligibility"}});
  ASSERT_EQ(standing.status, 201) << standing.body;
  EXPECT_EQ(query("hrss.officer", "QH-LS-PSB-RESIDENT", kCitizenId, "pension_eligibility").status,
            200);
}

TEST_P(ExchangeTest, BatchesAnswerEachSubjectAndRecordEachAccess) {
  granted();
  const std::string id = resource("QH-LS-PSB-RESIDENT");
  auto batch = h.as("hrss.officer", "POST", "/api/v1/exchange/queries/batch",
                    {{"resource_id", id},
                     {"purpose", "pension_eligibility"},
                     {"subjects", {kCitizenId, kStranger}}});
  ASSERT_EQ(batch.status, 200) << batch.body;
  ASSERT_EQ(batch.json["items"].size(), 2u);
  EXPECT_EQ(batch.json["items"][0]["outcome"], "served");
  EXPECT_EQ(batch.json["items"][0]["values"]["name"], "张*");
  EXPECT_EQ(batch.json["items"][1]["outcome"], "not_found");
  EXPECT_TRUE(batch.json["items"][1]["receipt"]["index"].is_number());
  EXPECT_EQ(accesses("served"), 1);
  EXPECT_EQ(accesses("not_found"), 1);

  std::vector<std::string> many(1001, kCitizenId);
  auto tooMany =
      h.as("hrss.officer", "POST", "/api/v1/exchange/queries/batch",
           {{"resource_id", id}, {"purpose", "pension_eligibility"}, {"subjects", many}});
  EXPECT_EQ(tooMany.status, 400);
  auto malformed = h.as(
      "hrss.officer", "POST", "/api/v1/exchange/queries/batch",
      {{"resource_id", id}, {"purpose", "pension_eligibility"}, {"subjects", {kCitizenId, "x"}}});
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(accesses("served"), 1);  // nothing looked at

  // The figures count them, per pair of departments.
  auto stats = h.as("auditor", "GET", "/api/v1/exchange/statistics");
  ASSERT_EQ(stats.status, 200) << stats.body;
  bool found = false;
  for (const auto& s : stats.json["items"])
    if (s["requester_org_id"] == h.idOfOrg("QH-LS-HRSS") && s["resource_id"] == id) {
      found = true;
      EXPECT_EQ(s["queries"], 1);
      EXPECT_EQ(s["refusals"], 1);
      EXPECT_EQ(s["requests"], 1);
      EXPECT_EQ(s["grants"], 1);
      EXPECT_EQ(s["resource_code"], "QH-LS-PSB-RESIDENT");
      EXPECT_EQ(s["resource_name_en"], "Resident identity");
    }
  EXPECT_TRUE(found) << stats.body;
  // And per day, by outcome: today holds the served and the not-found one at least.
  ASSERT_FALSE(stats.json["days"].empty()) << stats.body;
  const auto& today = stats.json["days"].back();
  EXPECT_EQ(today["day"], nowRfc3339().substr(0, 10));
  EXPECT_GE(today["served"].get<int>(), 1);
  EXPECT_GE(today["not_found"].get<int>(), 1);
  // Bounds in any offset are compared as the stored UTC times: a window that ends a millisecond
  // after midnight UTC, written in +08:00, holds nothing of the day after.
  auto tomorrow =
      h.as("auditor", "GET", "/api/v1/exchange/statistics?from=2199-01-01T08:00:00%2B08:00");
  ASSERT_EQ(tomorrow.status, 200) << tomorrow.body;
  EXPECT_EQ(tomorrow.json["from"], "2199-01-01T00:00:00.000Z");
  EXPECT_TRUE(tomorrow.json["days"].empty());
  EXPECT_EQ(h.as("auditor", "GET", "/api/v1/exchange/statistics?to=yesterday").status, 400);
}

TEST_P(ExchangeTest, EachSideOfTheExchangeListsItsOwnAndClerksSeeTheirGrants) {
  granted();
  const auto psb = h.idOfOrg("QH-LS-PSB");
  auto holding = h.as("dataofficer", "GET", "/api/v1/exchange/grants?side=holder");
  ASSERT_EQ(holding.status, 200) << holding.body;
  ASSERT_FALSE(holding.json["items"].empty());
  for (const auto& g : holding.json["items"]) EXPECT_EQ(g["owner_org_id"], psb);
  auto asked = h.as("dataofficer", "GET", "/api/v1/exchange/grants?side=requester");
  for (const auto& g : asked.json["items"]) EXPECT_EQ(g["requester_org_id"], psb);
  auto requests = h.as("hrss.officer", "GET", "/api/v1/exchange/requests?side=requester");
  ASSERT_FALSE(requests.json["items"].empty());
  for (const auto& r : requests.json["items"])
    EXPECT_EQ(r["requester_org_id"], h.idOfOrg("QH-LS-HRSS"));
  EXPECT_EQ(h.as("dataofficer", "GET", "/api/v1/exchange/grants?side=both").status, 400);
  // A side is some department's: an auditor's own, unless it names another.
  auto audited = h.as("auditor", "GET", "/api/v1/exchange/grants?side=holder&org_id=" + psb);
  ASSERT_EQ(audited.status, 200) << audited.body;
  EXPECT_EQ(audited.json["total"], holding.json["total"]);
  auto own = h.as("auditor", "GET", "/api/v1/exchange/grants?side=holder");
  EXPECT_EQ(own.json["total"], 0) << own.body;

  // The window clerk chooses among the grants the service centre holds, and sees no others.
  auto clerk = h.as("clerk", "GET", "/api/v1/exchange/grants?side=requester&state=active");
  ASSERT_EQ(clerk.status, 200) << clerk.body;
  EXPECT_GE(clerk.json["items"].size(), 3u);
  for (const auto& g : clerk.json["items"])
    EXPECT_EQ(g["requester_org_id"], h.idOfOrg("QH-LS-GSC"));
  auto other = holding.json["items"][0]["id"].get<std::string>();
  EXPECT_EQ(h.as("clerk", "GET", "/api/v1/exchange/grants/" + other).status, 403);
  // Sharing requests stay with the data officers.
  EXPECT_EQ(h.as("clerk", "GET", "/api/v1/exchange/requests").status, 403);
}

TEST_P(ExchangeTest, HostedRecordsAreWrittenOneByOneOrLoadedWhole) {
  const std::string id = resource("QH-LS-PSB-RESIDENT");
  auto& records = h.app().services().get<catalog::Records>();
  const auto before = records.count(id);
  // One record, keyed by subject: created, then replaced.
  nlohmann::json one = {{"subject", kStranger},
                        {"values", {{"name", "赵六"}, {"birth_date", "1990-03-07"}}}};
  auto created = h.as("dataofficer", "POST", "/api/v1/catalog/resources/" + id + "/records", one);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(h.as("dataofficer", "POST", "/api/v1/catalog/resources/" + id + "/records", one).status,
            200);
  // Another department's resource, a bad value, an unknown field.
  EXPECT_EQ(h.as("cab.officer", "POST", "/api/v1/catalog/resources/" + id + "/records", one).status,
            403);
  auto bad =
      h.as("dataofficer", "POST", "/api/v1/catalog/resources/" + id + "/records",
           {{"subject", kStranger}, {"values", {{"birth_date", "1990-02-30"}, {"shoe_size", 42}}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json["errors"].size(), 2u) << bad.body;
  EXPECT_EQ(records.count(id), before + 1);
  // Personal values are not stored in clear.
  auto stored = h.app().database().connect().query(
      "SELECT subject_sealed, open_values, sealed_values FROM catalog_records");
  for (const auto& row : stored) {
    EXPECT_EQ(row.text("subject_sealed").find(kStranger), std::string::npos);
    EXPECT_EQ(row.text("open_values").find("赵六"), std::string::npos);
    EXPECT_EQ(row.text("sealed_values").find("赵六"), std::string::npos);
  }

  // A file: checked, then loaded whole.
  std::string csv = "subject,name,birth_date,address\n";
  for (int i = 0; i < 250; ++i) {
    std::string seq = std::to_string(i);
    const std::string first17 = "11010119800101" + std::string(3 - seq.size(), '0') + seq;
    csv += first17 + identity::residentIdCheckDigit(first17) + ",钱" + std::to_string(i) +
           ",1980-01-01,\"岚山市, 青石路 " + std::to_string(i) + " 号\"\n";
  }
  auto upload = [&](const std::string& body, const std::string& type) {
    return h.call("POST", "/api/v1/catalog/resources/" + id + "/loads", body,
                  {{"authorization", "Bearer " + h.token("dataofficer")}, {"content-type", type}});
  };
  auto started = upload(csv, "text/csv");
  ASSERT_EQ(started.status, 202) << started.body;
  records.waitIdle();
  auto load =
      h.as("dataofficer", "GET",
           "/api/v1/catalog/resources/" + id + "/loads/" + started.json["id"].get<std::string>());
  ASSERT_EQ(load.status, 200) << load.body;
  EXPECT_EQ(load.json["status"], "done") << load.body;
  EXPECT_EQ(load.json["rows_total"], 250);
  EXPECT_EQ(load.json["rows_done"], 250);
  EXPECT_EQ(records.count(id), before + 1 + 250);

  // A file with one bad row loads nothing, and says which row and why.
  auto half = csv + "11010119800100999X,孙,1980-13-01,\n";
  auto refused = upload(half, "text/csv; charset=utf-8");
  ASSERT_EQ(refused.status, 202);
  records.waitIdle();
  auto report =
      h.as("dataofficer", "GET",
           "/api/v1/catalog/resources/" + id + "/loads/" + refused.json["id"].get<std::string>());
  EXPECT_EQ(report.json["status"], "refused");
  EXPECT_EQ(report.json["rows_bad"], 1);
  ASSERT_FALSE(report.json["errors"].empty());
  EXPECT_EQ(report.json["errors"][0]["row"], 251);
  EXPECT_EQ(records.count(id), before + 1 + 250);
  EXPECT_EQ(upload(csv, "application/pdf").status, 415);

  // Loaded records answer queries.
  granted();
  auto answer = query("hrss.officer", "QH-LS-PSB-RESIDENT", kStranger, "pension_eligibility");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.json["values"]["name"], "赵*");
}

// A department's own system behind `onceonly connector`, on a real socket, trusting the
// platform's published keys.
struct RunningConnector {
  RunningConnector(const std::string& csv, const std::string& jwks, connector::Options options = {})
      : connector(options, connector::parseTrustedKeys(jwks), connector::csvSource(csv, "subject")),
        server(http::ServerOptions{"127.0.0.1", 0}, [this](http::Request& r) {
          ++calls;
          return connector.handle(r);
        }) {
    server.start();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server.port()) + "/records";
  }
  std::atomic<int> calls{0};
  connector::Connector connector;
  http::Server server;
};

class ConnectorPathTest : public ExchangeTest {
 protected:
  testing::TempDir dir;
  // The tax bureau declares its resource, served from its own system at `url`; HRSS gets two of
  // its three fields.
  std::string declare(const std::string& code, const std::string& url) {
    auto made = h.as(
        "admin", "POST", "/api/v1/catalog/resources",
        {{"org_id", h.idOfOrg("QH-LS-TAX")},
         {"code", code},
         {"name_zh", "个税记录"},
         {"name_en", "Income tax"},
         {"subject_kind", "person"},
         {"sharing", "conditional"},
         {"open_class", "closed"},
         {"update_frequency", "yearly"},
         {"source", "connector"},
         {"connector_url", url},
         {"fields",
          {{{"name", "name"}, {"type", "string"}, {"sensitivity", "personal"}, {"masking", "name"}},
           {{"name", "tax_year"}, {"type", "integer"}},
           {{"name", "tax_paid"}, {"type", "decimal"}, {"sensitivity", "personal"}}}}});
    EXPECT_EQ(made.status, 201) << made.body;
    auto asked = h.as("hrss.officer", "POST", "/api/v1/exchange/requests",
                      {{"resource_id", made.json["id"]},
                       {"fields", {"name", "tax_year", "tax_paid"}},
                       {"unmask", {"tax_paid"}},
                       {"purpose", "pension_eligibility"},
                       {"legal_basis", "《社会保险法》"}});
    auto decided =
        h.as("admin", "POST",
             "/api/v1/exchange/requests/" + asked.json["id"].get<std::string>() + "/decision",
             {{"decision", "grant"}, {"fields", {"name", "tax_paid"}}});
    EXPECT_EQ(decided.status, 200) << decided.body;
    return made.json["id"];
  }
  std::string csv(const std::string& body) {
    auto path = dir.path() / "tax.csv";
    std::ofstream(path) << body;
    return path.string();
  }
  Reply ask(const std::string& id, const std::string& subject = kCitizenId) {
    return h.as("hrss.officer", "POST", "/api/v1/exchange/queries",
                {{"resource_id", id}, {"subject", subject}, {"purpose", "pension_eligibility"}});
  }
};

TEST_P(ConnectorPathTest, TheConnectorAnswersLikeAHostedResource) {
  auto keys = h.call("GET", "/api/v1/exchange/keys");
  ASSERT_EQ(keys.status, 200);
  RunningConnector tax(csv("subject,name,tax_year,tax_paid,secret\n" + kCitizenId +
                           ",张伟,2025,1080.50,not declared\n"),
                       keys.body);
  const auto id = declare("QH-LS-TAX-TEST", tax.url());
  auto answer = ask(id);
  ASSERT_EQ(answer.status, 200) << answer.body;
  // Granted fields only, typed as declared, masked as granted.
  EXPECT_EQ(answer.json["values"], nlohmann::json({{"name", "张*"}, {"tax_paid", "1080.5"}}));
  EXPECT_TRUE(answer.json["receipt"]["index"].is_number());
  // The citizen sees it like any other access.
  auto mine = h.as("citizen", "GET", "/api/v1/exchange/accesses/mine");
  EXPECT_EQ(mine.json["items"][0]["resource_code"], "QH-LS-TAX-TEST");
  // No record there: not found, recorded.
  EXPECT_EQ(ask(id, kStranger).status, 404);
  EXPECT_EQ(accesses("not_found"), 1);
}

TEST_P(ConnectorPathTest, AConnectorThatFailsIsRefusedAndTheCircuitOpens) {
  auto keys = h.call("GET", "/api/v1/exchange/keys");
  // A connector that trusts another platform's keys refuses the signature: 502, nothing shown.
  auto other = crypto::Ed25519Key::generate();
  nlohmann::json foreign = {{"keys",
                             {{{"kty", "OKP"},
                               {"crv", "Ed25519"},
                               {"kid", "exchange-" + h.idOfOrg("QH-LS-HRSS")},
                               {"x", crypto::base64url(crypto::toBytes(other.publicKey()))}}}}};
  RunningConnector stranger(csv("subject,name\n" + kCitizenId + ",张伟\n"), foreign.dump());
  const auto id = declare("QH-LS-TAX-FORGED", stranger.url());
  auto refused = ask(id);
  EXPECT_EQ(refused.status, 502) << refused.body;
  EXPECT_EQ(refused.json["code"], "exchange.source_unavailable");
  EXPECT_EQ(accesses("served"), 0);
  // After five failures in a row the connector is left alone for a while: the next queries are
  // refused without calling it.
  for (int i = 0; i < 6; ++i) EXPECT_EQ(ask(id).status, 502);
  EXPECT_EQ(stranger.calls.load(), 5);

  // An answer of the wrong shape: a declared decimal that is not one.
  RunningConnector wrong(csv("subject,name,tax_paid\n" + kCitizenId + ",张伟,lots\n"), keys.body);
  const auto wrongId = declare("QH-LS-TAX-WRONG", wrong.url());
  auto bad = ask(wrongId);
  EXPECT_EQ(bad.status, 502);
  EXPECT_EQ(bad.json["code"], "exchange.source_answer");

  // Down: refused, and nothing shown.
  const auto downId = declare("QH-LS-TAX-DOWN", "http://127.0.0.1:9/records");
  EXPECT_EQ(ask(downId).status, 502);
  EXPECT_EQ(accesses("served"), 0);
  // Every attempt is an access the citizen sees (seven to the forged one, whether or not its
  // circuit let the call go, one of the wrong shape, one down).
  EXPECT_EQ(accesses("unavailable"), 9);
}

INSTANTIATE_TEST_SUITE_P(Backends, ConnectorPathTest,
                         ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

INSTANTIATE_TEST_SUITE_P(Backends, ExchangeTest, ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::exchange
