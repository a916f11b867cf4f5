// Certificates through the API on SQLite and PostgreSQL: who may define, issue and revoke; the
// holder's wallet; verification right after a revocation; selective disclosure with the
// wallet's key; key rotation; status lists and key sets as any verifier fetches them.
#include <gtest/gtest.h>

#include <thread>

#include "core/encoding.h"
#include "core/time.h"
#include "credentials/credentials.h"
#include "credentials/jose.h"
#include "credentials/status_list.h"
#include "crypto/crypto.h"
#include "ledger/log.h"
#include "support/api_harness.h"

namespace onceonly::credentials {
namespace {

using nlohmann::json;
using onceonly::testing::ApiHarness;
using onceonly::testing::Backend;
using onceonly::testing::Reply;

const char* kCitizenId = "44030519850312001X";

class CredentialsApiTest : public ::testing::TestWithParam<Backend> {
 protected:
  ApiHarness h{GetParam()};

  std::string typeId(const std::string& code) {
    auto r = h.as("anonymous", "GET", "/api/v1/credentials/types?q=" + code);
    EXPECT_EQ(r.status, 200) << r.body;
    for (const auto& t : r.json["items"])
      if (t["code"] == code) return t["id"];
    ADD_FAILURE() << "no type " << code;
    return "";
  }

  json marriage() {
    return {{"type_id", typeId("marriage_certificate")},
            {"subject", kCitizenId},
            {"claims",
             {{"holder_name", "张伟"},
              {"holder_id_number", kCitizenId},
              {"spouse_name", "王芳"},
              {"spouse_id_number", "44030519920708002X"},
              {"registered_on", "2020-05-20"},
              {"certificate_no", "J440305-2020-001234"}}}};
  }

  json issue(const json& body = nullptr) {
    auto r =
        h.as("cab.approver", "POST", "/api/v1/credentials", body.is_null() ? marriage() : body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json;
  }

  json verify(const std::string& credential, json extra = json::object()) {
    json body = {{"credential", credential}};
    body.update(extra);
    auto r = h.as("anonymous", "POST", "/api/v1/credentials/verify", body);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json;
  }
};

TEST_P(CredentialsApiTest, AnApproverIssuesAndTheHolderFindsItInTheWallet) {
  auto c = issue();
  EXPECT_EQ(c["status"], "valid");
  EXPECT_EQ(c["type_code"], "marriage_certificate");
  EXPECT_EQ(c["subject_masked"], "440***********001X");
  EXPECT_EQ(c["claims"]["registered_on"], "2020-05-20");
  EXPECT_TRUE(c["receipt"]["index"].is_number());
  // The signed form is a vc+jwt by the civil affairs bureau's current key.
  auto jws = std::get<jose::Jws>(jose::parseCompact(c["jwt"].get<std::string>()));
  EXPECT_EQ(jws.header["typ"], "vc+jwt");
  EXPECT_EQ(jws.header["alg"], "EdDSA");
  EXPECT_EQ(jws.payload["@context"][0], "https://www.w3.org/ns/credentials/v2");
  EXPECT_EQ(jws.payload["credentialSubject"]["spouse_name"], "王芳");
  EXPECT_EQ(jws.payload["credentialStatus"].size(), 2u);

  auto mine = h.as("citizen", "GET", "/api/v1/credentials/mine");
  ASSERT_EQ(mine.status, 200);
  ASSERT_EQ(mine.json["total"], 1);
  EXPECT_EQ(mine.json["items"][0]["id"], c["id"]);
  EXPECT_EQ(mine.json["items"][0].count("issued_by"), 0u);  // staff details stay with staff
  EXPECT_EQ(h.as("citizen2", "GET", "/api/v1/credentials/mine").json["total"], 0);
  const std::string path = "/api/v1/credentials/" + c["id"].get<std::string>();
  EXPECT_EQ(h.as("citizen", "GET", path).status, 200);
  EXPECT_EQ(h.as("citizen2", "GET", path).status, 404);
  EXPECT_EQ(h.as("approver", "GET", path).status, 404);  // another department's
  EXPECT_EQ(h.as("cab.approver", "GET", path).status, 200);

  auto qr = h.as("citizen", "GET", path + "/qr.svg");
  ASSERT_EQ(qr.status, 200);
  EXPECT_EQ(qr.contentType.rfind("image/svg+xml", 0), 0u);
  EXPECT_NE(qr.body.find("<path"), std::string::npos);
  EXPECT_EQ(h.as("citizen2", "GET", path + "/qr.svg").status, 404);
  // A certificate too long for any QR code says so; the holder downloads it instead.
  auto longer = marriage();
  longer["claims"]["spouse_name"] = std::string(450, 'x');
  longer["claims"]["certificate_no"] = std::string(450, 'y');
  auto big = issue(longer);
  EXPECT_EQ(
      h.as("citizen", "GET", "/api/v1/credentials/" + big["id"].get<std::string>() + "/qr.svg")
          .json["code"],
      "credentials.qr_too_long");

  // Issuing is on the ledger, under the holder's pseudonym.
  for (int i = 0; i < 500 && h.app().ledger().size() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(h.app().ledger().countEntries(std::nullopt), 2u);  // the two certificates issued
}

TEST_P(CredentialsApiTest, OnlyTheIssuingDepartmentsApproversIssueAndChangeStatus) {
  auto body = marriage();
  EXPECT_EQ(h.as("approver", "POST", "/api/v1/credentials", body).json["code"],
            "credentials.not_issuer");  // market regulation's approver
  EXPECT_EQ(h.as("clerk", "POST", "/api/v1/credentials", body).status, 403);
  EXPECT_EQ(h.as("citizen", "POST", "/api/v1/credentials", body).status, 403);
  EXPECT_EQ(h.as("anonymous", "POST", "/api/v1/credentials", body).status, 401);
  EXPECT_EQ(h.count("credentials"), 0);
  auto c = issue();
  const std::string status = "/api/v1/credentials/" + c["id"].get<std::string>() + "/status";
  json revoke = {{"action", "revoke"}, {"reason", "登记错误"}};
  EXPECT_EQ(h.as("approver", "POST", status, revoke).status, 403);
  EXPECT_EQ(h.as("orgadmin", "POST", status, revoke).status, 403);
  EXPECT_EQ(h.as("citizen", "POST", status, revoke).status, 403);
  EXPECT_EQ(verify(c["jwt"])["valid"], true);
}

TEST_P(CredentialsApiTest, RevokingMakesTheVeryNextVerificationFail) {
  auto c = issue();
  const std::string jwt = c["jwt"];
  const std::string status = "/api/v1/credentials/" + c["id"].get<std::string>() + "/status";
  EXPECT_EQ(verify(jwt)["valid"], true);

  auto s = h.as("cab.approver", "POST", status, {{"action", "suspend"}, {"reason", "核查中"}});
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.json["status"], "suspended");
  EXPECT_EQ(verify(jwt)["reason"], "suspended");
  EXPECT_EQ(h.as("cab.approver", "POST", status, {{"action", "reinstate"}, {"reason", "核查无误"}})
                .json["status"],
            "valid");
  EXPECT_EQ(verify(jwt)["valid"], true);

  auto r = h.as("cab.approver", "POST", status, {{"action", "revoke"}, {"reason", "婚姻关系解除"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = verify(jwt);
  EXPECT_EQ(v["valid"], false);
  EXPECT_EQ(v["reason"], "revoked");
  for (const auto& check : v["checks"]) {
    if (check["name"] == "status") {
      EXPECT_EQ(check["result"], "fail");
    }
  }
  // Final: neither revoked again nor reinstated.
  EXPECT_EQ(h.as("cab.approver", "POST", status, {{"action", "revoke"}, {"reason", "again"}})
                .json["code"],
            "credentials.status_transition");
  EXPECT_EQ(
      h.as("cab.approver", "POST", status, {{"action", "reinstate"}, {"reason", "again"}}).status,
      409);
  EXPECT_EQ(h.as("citizen", "GET", "/api/v1/credentials/mine?status=revoked").json["total"], 1);

  // The public list says the same to anyone, without naming whom.
  auto list = h.as(
      "anonymous", "GET",
      "/api/v1/credentials/status/" + c["status_list"]["id"].get<std::string>() + "/revocation");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.contentType, "application/vc+jwt");
  EXPECT_EQ(list.headers["Cache-Control"], "public, max-age=60");
  auto jws = std::get<jose::Jws>(jose::parseCompact(list.body));
  auto bits = Bitstring::decodeW3c(
      jws.payload["credentialSubject"]["encodedList"].get<std::string>(), kStatusListSize);
  ASSERT_TRUE(bits);
  EXPECT_TRUE(bits->get(c["status_list"]["index"].get<std::uint32_t>()));
  // Issuing, suspending, reinstating and revoking: four entries.
  for (int i = 0; i < 500 && h.app().ledger().size() < 4; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(h.app().ledger().countEntries(std::nullopt), 4u);
}

TEST_P(CredentialsApiTest, BadIssuesAreRefusedWithTheirFieldsAndChangeNothing) {
  auto body = marriage();
  body["subject"] = "440305198503120010";  // wrong check digit
  body["claims"]["registered_on"] = "2020-13-45";
  body["claims"].erase("spouse_name");
  body["claims"]["colour"] = "blue";
  auto r = h.as("cab.approver", "POST", "/api/v1/credentials", body);
  ASSERT_EQ(r.status, 400) << r.body;
  std::set<std::string> pointers;
  for (const auto& e : r.json["errors"]) pointers.insert(e["pointer"]);
  EXPECT_EQ(pointers, (std::set<std::string>{"/subject", "/claims/registered_on",
                                             "/claims/spouse_name", "/claims/colour"}));
  auto unknown = marriage();
  unknown["type_id"] = "ctp_0000000000000000";
  EXPECT_EQ(h.as("cab.approver", "POST", "/api/v1/credentials", unknown).status, 400);
  auto period = marriage();
  period["valid_until"] = "2020-01-01T00:00:00Z";
  EXPECT_EQ(h.as("cab.approver", "POST", "/api/v1/credentials", period).status, 400);
  EXPECT_EQ(h.count("credentials"), 0);
  EXPECT_EQ(h.as("anonymous", "POST", "/api/v1/credentials/verify", json{{"credential", 5}}).status,
            400);
}

TEST_P(CredentialsApiTest, DepartmentsDefineTypesOfTheirOwn) {
  json t = {{"code", "pet_licence"},
            {"name_zh", "犬只登记证"},
            {"name_en", "Dog licence"},
            {"subject_kind", "person"},
            {"validity_days", 365},
            {"fields",
             {{{"name", "dog_name"},
               {"type", "string"},
               {"label_zh", "犬名"},
               {"label_en", "Dog's name"}}}},
            {"layout", {{"title_zh", "犬只登记证"}}}};
  auto made = h.as("orgadmin", "POST", "/api/v1/credentials/types", t);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json["issuer_org_id"], h.idOfOrg("QH-LS"));
  EXPECT_EQ(h.as("orgadmin", "POST", "/api/v1/credentials/types", t).json["code"],
            "conflict.duplicate");
  auto bad = t;
  bad["code"] = "Bad Code";
  bad["fields"][0]["type"] = "blob";
  bad["fields"].push_back(bad["fields"][0]);
  bad["layout"]["colour"] = "red";
  bad["fields"].push_back(
      {{"name", "status"}, {"type", "string"}, {"label_zh", "状态"}, {"label_en", "Status"}});
  auto r = h.as("orgadmin", "POST", "/api/v1/credentials/types", bad);
  ASSERT_EQ(r.status, 400);
  std::set<std::string> pointers;
  for (const auto& e : r.json["errors"]) pointers.insert(e["pointer"]);
  EXPECT_TRUE(pointers.count("/code"));
  EXPECT_TRUE(pointers.count("/fields/0/type"));
  EXPECT_TRUE(pointers.count("/fields/1/name"));  // the same name twice
  EXPECT_TRUE(pointers.count("/layout/colour"));
  EXPECT_TRUE(pointers.count("/fields/2/name"));  // a name a certificate reserves
  EXPECT_EQ(h.as("citizen", "POST", "/api/v1/credentials/types", t).status, 403);
  EXPECT_EQ(h.as("anonymous", "GET", "/api/v1/credentials/types").json["total"], 9);
}

TEST_P(CredentialsApiTest, TheWalletsKeyBindsASelectiveDisclosure) {
  auto c = issue();
  const std::string path = "/api/v1/credentials/" + c["id"].get<std::string>() + "/sd-jwt";
  auto holder = crypto::Ed25519Key::generate();
  auto sd = h.as("citizen", "POST", path, {{"holder_jwk", jose::publicJwk(holder.publicKey())}});
  ASSERT_EQ(sd.status, 200) << sd.body;
  EXPECT_EQ(sd.json["disclosures"].size(), 6u);
  EXPECT_EQ(
      h.as("citizen2", "POST", path, {{"holder_jwk", jose::publicJwk(holder.publicKey())}}).status,
      404);
  auto revokedLater = issue();  // a certificate no longer valid gets no fresh copy to present
  h.as("cab.approver", "POST",
       "/api/v1/credentials/" + revokedLater["id"].get<std::string>() + "/status",
       {{"action", "revoke"}, {"reason", "登记错误"}});
  EXPECT_EQ(h.as("citizen", "POST",
                 "/api/v1/credentials/" + revokedLater["id"].get<std::string>() + "/sd-jwt",
                 {{"holder_jwk", jose::publicJwk(holder.publicKey())}})
                .json["code"],
            "credentials.not_valid");
  auto withPrivate = jose::publicJwk(holder.publicKey());
  withPrivate["d"] = "secret";
  EXPECT_EQ(h.as("citizen", "POST", path, {{"holder_jwk", withPrivate}}).status, 400);

  // The holder shows the spouse's name and the registration date only.
  std::string bound = sd.json["sd_jwt"];
  std::string shown = bound.substr(0, bound.find('~') + 1);
  for (const auto& d : sd.json["disclosures"])
    if (d["name"] == "spouse_name" || d["name"] == "registered_on")
      shown += d["disclosure"].get<std::string>() + "~";
  json kb = {
      {"iat",
       std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count()},
      {"aud", "bank"},
      {"nonce", "n1"},
      {"sd_hash", jose::sdHash(shown)}};
  auto presentation = shown + jose::signCompact({{"typ", "kb+jwt"}}, kb, holder);
  auto v = verify(presentation, {{"audience", "bank"}, {"nonce", "n1"}});
  EXPECT_EQ(v["valid"], true) << v.dump();
  EXPECT_EQ(v["format"], "sd-jwt");
  EXPECT_EQ(v["credential"]["claims"],
            (json{{"spouse_name", "王芳"}, {"registered_on", "2020-05-20"}}));
  EXPECT_EQ(v["credential"]["type_code"], "marriage_certificate");
  EXPECT_EQ(verify(presentation, {{"audience", "another bank"}})["reason"], "audience");
  EXPECT_EQ(verify(shown)["reason"], "key_binding_missing");

  h.as("cab.approver", "POST", "/api/v1/credentials/" + c["id"].get<std::string>() + "/status",
       {{"action", "revoke"}, {"reason", "婚姻关系解除"}});
  EXPECT_EQ(verify(presentation, {{"audience", "bank"}, {"nonce", "n1"}})["reason"], "revoked");
}

TEST_P(CredentialsApiTest, RotatedKeysKeepVerifyingWhatTheySigned) {
  auto before = issue();
  const auto cab = h.idOfOrg("QH-LS-CAB");
  auto keys = h.as("anonymous", "GET", "/api/v1/credentials/issuers/" + cab + "/jwks.json");
  ASSERT_EQ(keys.status, 200);
  ASSERT_EQ(keys.json["keys"].size(), 1u);
  const auto oldKid = keys.json["keys"][0]["kid"];
  EXPECT_EQ(h.as("cab.approver", "POST", "/api/v1/credentials/issuers/" + cab + "/keys").status,
            403);
  auto rotated = h.as("orgadmin", "POST", "/api/v1/credentials/issuers/" + cab + "/keys");
  ASSERT_EQ(rotated.status, 201) << rotated.body;
  EXPECT_NE(rotated.json["kid"], oldKid);
  auto after = issue();
  auto header = std::get<jose::Jws>(jose::parseCompact(after["jwt"].get<std::string>())).header;
  EXPECT_EQ(header["kid"], rotated.json["kid"]);
  EXPECT_EQ(verify(before["jwt"])["valid"], true);
  EXPECT_EQ(verify(after["jwt"])["valid"], true);
  auto all = h.as("anonymous", "GET", "/.well-known/jwks.json");
  std::set<std::string> kids;
  for (const auto& k : all.json["keys"]) kids.insert(k["kid"]);
  EXPECT_TRUE(kids.count(oldKid));
  EXPECT_TRUE(kids.count(rotated.json["kid"]));
  auto listed = h.as("orgadmin", "GET", "/api/v1/credentials/issuers/" + cab + "/keys");
  ASSERT_EQ(listed.json["items"].size(), 2u);
  EXPECT_TRUE(listed.json["items"][1]["retired_at"].is_string());
  auto meta =
      h.as("anonymous", "GET", "/.well-known/jwt-vc-issuer/api/v1/credentials/issuers/" + cab);
  ASSERT_EQ(meta.status, 200);
  EXPECT_EQ(meta.json["jwks"]["keys"].size(), 2u);
}

TEST_P(CredentialsApiTest, IssuedListsAreTheDepartmentsOwn) {
  issue();
  EXPECT_EQ(h.as("cab.approver", "GET", "/api/v1/credentials").json["total"], 1);
  EXPECT_EQ(h.as("approver", "GET", "/api/v1/credentials").json["total"], 0);
  EXPECT_EQ(h.as("auditor", "GET", "/api/v1/credentials").json["total"], 1);
  EXPECT_EQ(h.as("citizen", "GET", "/api/v1/credentials").status, 403);
  EXPECT_EQ(h.as("cab.approver", "GET", "/api/v1/credentials?status=lost").status, 400);
}

TEST_P(CredentialsApiTest, ADepartmentFetchesACertificateThroughTheExchangeWithTheHoldersConsent) {
  auto c = issue();
  const auto type = typeId("marriage_certificate");
  const std::string declare = "/api/v1/credentials/types/" + type + "/resource";
  EXPECT_EQ(h.as("approver", "POST", declare).status, 403);
  EXPECT_EQ(h.as("hrss.officer", "POST", declare).json["code"], "credentials.not_department");
  auto declared = h.as("cab.officer", "POST", declare);
  ASSERT_EQ(declared.status, 201) << declared.body;
  const std::string resource = declared.json["resource_id"];
  EXPECT_EQ(h.as("cab.officer", "POST", declare).json["code"], "credentials.resource_declared");
  auto listed = h.as("anonymous", "GET", "/api/v1/catalog/public/resources/" + resource);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json["code"], "CERT-MARRIAGE-CERTIFICATE");
  EXPECT_EQ(listed.json["source"], "credential");
  // Made by hand, such a resource would have no type behind it.
  auto byHand = h.as("cab.officer", "POST", "/api/v1/catalog/resources",
                     {{"code", "CERT-BY-HAND"},
                      {"name_zh", "手工"},
                      {"name_en", "By hand"},
                      {"subject_kind", "person"},
                      {"sharing", "conditional"},
                      {"open_class", "closed"},
                      {"update_frequency", "realtime"},
                      {"source", "credential"},
                      {"fields", {{{"name", "a"}, {"type", "string"}}}}});
  EXPECT_EQ(byHand.status, 400) << byHand.body;

  // Human resources asks for two fields; civil affairs grants them.
  auto asked = h.as("hrss.officer", "POST", "/api/v1/exchange/requests",
                    {{"resource_id", resource},
                     {"fields", {"spouse_name", "registered_on"}},
                     {"unmask", {"spouse_name", "registered_on"}},
                     {"purpose", "marriage_leave_review"},
                     {"legal_basis", "《职工婚假规定》"}});
  ASSERT_EQ(asked.status, 201) << asked.body;
  ASSERT_EQ(asked.json["status"], "pending");
  auto granted =
      h.as("cab.officer", "POST",
           "/api/v1/exchange/requests/" + asked.json["id"].get<std::string>() + "/decision",
           {{"decision", "grant"}});
  ASSERT_EQ(granted.status, 200) << granted.body;

  json query = {
      {"resource_id", resource}, {"subject", kCitizenId}, {"purpose", "marriage_leave_review"}};
  EXPECT_EQ(h.as("hrss.officer", "POST", "/api/v1/exchange/queries", query).json["code"],
            "exchange.consent_required");
  auto given = h.as("citizen", "POST", "/api/v1/exchange/consents",
                    {{"requester_org_id", h.idOfOrg("QH-LS-HRSS")},
                     {"purpose", "marriage_leave_review"},
                     {"resource_id", resource}});
  ASSERT_EQ(given.status, 201) << given.body;
  auto answer = h.as("hrss.officer", "POST", "/api/v1/exchange/queries", query);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.json["values"],
            (json{{"spouse_name", "王芳"}, {"registered_on", "2020-05-20"}}));
  // The holder sees who fetched it.
  auto looked = h.as("citizen", "GET", "/api/v1/exchange/accesses/mine?outcome=served");
  ASSERT_EQ(looked.json["total"], 1);
  EXPECT_EQ(looked.json["items"][0]["resource_code"], "CERT-MARRIAGE-CERTIFICATE");
  // A revoked certificate is no longer there to fetch.
  h.as("cab.approver", "POST", "/api/v1/credentials/" + c["id"].get<std::string>() + "/status",
       {{"action", "revoke"}, {"reason", "婚姻关系解除"}});
  EXPECT_EQ(h.as("hrss.officer", "POST", "/api/v1/exchange/queries", query).json["code"],
            "exchange.no_record");
}

INSTANTIATE_TEST_SUITE_P(Backends, CredentialsApiTest,
                         ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::credentials
