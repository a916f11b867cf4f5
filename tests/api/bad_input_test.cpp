// Bad input of every kind gets a clear problem-details answer and changes nothing.
#include <gtest/gtest.h>

#include "identity/identity.h"
#include "support/api_harness.h"

namespace onceonly::api {
namespace {

using onceonly::testing::ApiHarness;
using onceonly::testing::Backend;

class BadInputTest : public ::testing::TestWithParam<Backend> {
 protected:
  ApiHarness h{GetParam()};

  onceonly::testing::Reply post(const std::string& target, const std::string& body,
                                const std::string& contentType = "application/json") {
    return h.call("POST", target, body,
                  {{"authorization", "Bearer " + h.token("admin")}, {"content-type", contentType}});
  }

  void expectProblem(const onceonly::testing::Reply& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.contentType, "application/problem+json");
    EXPECT_EQ(r.json["code"], code) << r.body;
    EXPECT_EQ(r.json["type"], "/problems/" + code);
    EXPECT_FALSE(r.json["detail"].get<std::string>().empty());
  }

  std::string fieldCode(const onceonly::testing::Reply& r, const std::string& pointer) {
    for (const auto& e : r.json["errors"])
      if (e.value("pointer", "") == pointer || e.value("parameter", "") == pointer)
        return e["code"];
    return "";
  }
};

TEST_P(BadInputTest, MalformedBodiesChangeNothing) {
  auto orgs = h.count("orgs");
  auto accounts = h.count("accounts");
  expectProblem(post("/api/v1/orgs", "{\"code\": "), 400, "body.malformed_json");
  expectProblem(post("/api/v1/orgs", "[1, 2]"), 400, "body.not_object");
  expectProblem(post("/api/v1/orgs", "{\"code\": 1e999}"), 400, "body.malformed_json");
  expectProblem(post("/api/v1/orgs", "{\"code\": \"\xff\xfe\"}"), 400, "body.invalid_utf8");
  expectProblem(post("/api/v1/orgs", "code=x", "application/x-www-form-urlencoded"), 415,
                "body.content_type");
  expectProblem(post("/api/v1/orgs", ""), 400, "body.required");
  auto r = post("/api/v1/orgs", R"({"code": 7, "name_zh": "x", "name_en": "x", "level": "city",
                                  "kind": "department", "colour": "red"})");
  expectProblem(r, 400, "validation_failed");
  EXPECT_EQ(fieldCode(r, "/code"), "field.type");
  EXPECT_EQ(fieldCode(r, "/colour"), "field.unknown");
  r = post("/api/v1/orgs", R"({"name_en": "x"})");
  EXPECT_EQ(fieldCode(r, "/code"), "field.required");
  EXPECT_EQ(fieldCode(r, "/level"), "field.required");
  r = post("/api/v1/orgs", R"({"code": "Z", "name_zh": "x", "name_en": "x", "level": "galaxy",
                             "kind": "department"})");
  EXPECT_EQ(fieldCode(r, "/level"), "field.enum");
  EXPECT_EQ(h.count("orgs"), orgs);
  EXPECT_EQ(h.count("accounts"), accounts);
}

// A key given twice in one object would let the last one win unseen (here: sign in as admin
// while the first reading says clerk), so every body with one is refused, at any depth, naming
// each duplicate by its JSON pointer.
TEST_P(BadInputTest, DuplicateKeysAreRefusedAtAnyDepth) {
  auto sessions = h.count("sessions");
  auto r = h.call("POST", "/api/v1/sessions",
                  R"({"username":"clerk","password":"onceonly-demo-2026","username":"admin"})",
                  {{"content-type", "application/json"}});
  expectProblem(r, 400, "validation_failed");
  EXPECT_EQ(fieldCode(r, "/username"), "field.duplicate") << r.body;
  EXPECT_EQ(r.json["errors"].size(), 1u) << r.body;
  EXPECT_EQ(h.count("sessions"), sessions);

  auto orgs = h.count("orgs");
  r = post("/api/v1/orgs", R"({"code": "Z", "name_zh": "x", "name_en": "x", "level": "city",
      "kind": "department", "deep": [1, {"a": {"b": 1, "b": 2}}, {"a": 1}], "x/y": {"k": 1,
      "k": 2, "k": 3}})");
  expectProblem(r, 400, "validation_failed");
  EXPECT_EQ(fieldCode(r, "/deep/1/a/b"), "field.duplicate") << r.body;
  EXPECT_EQ(fieldCode(r, "/x~1y/k"), "field.duplicate") << r.body;
  EXPECT_EQ(fieldCode(r, "/deep/2/a"), "") << r.body;  // the same key in another object is fine
  EXPECT_EQ(h.count("orgs"), orgs);
}

// A number too large for a double is named in the product's words, not the library's.
TEST_P(BadInputTest, MalformedJsonIsExplainedWithoutLibraryText) {
  auto r = post("/api/v1/orgs", R"({"code": 1e400})");
  expectProblem(r, 400, "body.malformed_json");
  auto detail = r.json["detail"].get<std::string>();
  EXPECT_NE(detail.find("number 1e400 at line 1, column 10 is out of range"), std::string::npos)
      << detail;
  EXPECT_EQ(detail.find("json.exception"), std::string::npos) << detail;
  r = post("/api/v1/orgs", "{\"code\": \"Z\",\n \"level\": 1e999}");
  expectProblem(r, 400, "body.malformed_json");
  detail = r.json["detail"].get<std::string>();
  EXPECT_NE(detail.find("number 1e999 at line 2, column 11 is out of range"), std::string::npos)
      << detail;
  r = post("/api/v1/orgs", "{\"code\": ");
  expectProblem(r, 400, "body.malformed_json");
  detail = r.json["detail"].get<std::string>();
  EXPECT_EQ(detail.find("json.exception"), std::string::npos) << detail;
  EXPECT_NE(detail.find("line 1"), std::string::npos) << detail;
}

// Sign-in names the account by username or by resident ID, never both.
TEST_P(BadInputTest, SignInWithUsernameAndResidentIdIsAConflict) {
  auto r = h.call("POST", "/api/v1/sessions",
                  R"({"username": "clerk", "resident_id": "11010519491231002X",
                      "password": "onceonly-demo-2026"})",
                  {{"content-type", "application/json"}});
  expectProblem(r, 400, "validation_failed");
  EXPECT_EQ(fieldCode(r, "/resident_id"), "field.conflicts") << r.body;
}

TEST_P(BadInputTest, IdentifiersWithWrongCheckDigitsAreRefused) {
  auto accounts = h.count("accounts");
  auto r = post("/api/v1/accounts", R"({"kind": "citizen", "display_name": "A",
      "resident_id": "110105194912310021", "password": "a long password"})");
  expectProblem(r, 400, "validation_failed");
  EXPECT_EQ(fieldCode(r, "/resident_id"), "field.resident_id");
  EXPECT_NE(r.body.find("check digit"), std::string::npos);
  r = post("/api/v1/accounts", R"({"kind": "company", "display_name": "A", "username": "acme",
      "company_name": "Acme", "credit_code": "91350100M000100Y44", "password": "a long password"})");
  EXPECT_EQ(fieldCode(r, "/credit_code"), "field.credit_code");
  EXPECT_EQ(h.count("accounts"), accounts);
}

TEST_P(BadInputTest, BadIdsRoutesMethodsAndQueries) {
  auto admin = h.token("admin");
  expectProblem(h.as(admin, "GET", "/api/v1/orgs/not-an-id"), 404, "not_found");
  expectProblem(h.as(admin, "GET", "/api/v1/orgs/org_0000000000000000"), 404, "not_found");
  expectProblem(h.as(admin, "GET", "/api/v1/accounts/acc_0000000000000000"), 404, "not_found");
  expectProblem(h.as(admin, "GET", "/api/v1/nothing/here"), 404, "route.not_found");
  auto r = h.as(admin, "PUT", "/api/v1/orgs");
  expectProblem(r, 405, "route.method_not_allowed");
  EXPECT_EQ(r.headers["Allow"], "GET, POST");
  r = h.as(admin, "GET", "/api/v1/orgs?limit=0&sort=colour&cursor=zzz&colour=red");
  expectProblem(r, 400, "validation_failed");
  EXPECT_EQ(fieldCode(r, "limit"), "field.range");
  EXPECT_EQ(fieldCode(r, "sort"), "field.sort");
  EXPECT_EQ(fieldCode(r, "cursor"), "field.cursor");
  EXPECT_EQ(fieldCode(r, "colour"), "field.unknown");
  // A cursor from one sort order is refused for another.
  auto page = h.as(admin, "GET", "/api/v1/orgs?limit=2");
  ASSERT_TRUE(page.json["next_cursor"].is_string());
  r = h.as(admin, "GET",
           "/api/v1/orgs?limit=2&sort=-code&cursor=" + page.json["next_cursor"].get<std::string>());
  EXPECT_EQ(fieldCode(r, "cursor"), "field.cursor");
  // The tree opens a level at a time; a depth that is not 0 to 32 is named.
  for (const char* bad : {"-1", "33", "one", ""}) {
    r = h.as(admin, "GET", std::string("/api/v1/orgs/tree?depth=") + bad);
    expectProblem(r, 400, "validation_failed");
    EXPECT_EQ(fieldCode(r, "depth"), "field.range") << bad;
  }
  auto top = h.as(admin, "GET", "/api/v1/orgs/tree?depth=1");
  ASSERT_EQ(top.status, 200) << top.body;
  ASSERT_FALSE(top.json["items"].empty());
  ASSERT_FALSE(top.json["items"][0]["children"].empty());
  for (const auto& child : top.json["items"][0]["children"])
    EXPECT_TRUE(child["children"].empty()) << child.dump();
}

// Numbers in the path are read as strictly as in the query: a position is decimal digits, no
// sign and no leading zero; one that is too big says so; a parameter given twice is refused.
TEST_P(BadInputTest, PositionsInPathAndQueryAreReadAlike) {
  for (const std::string bad : {"-1", "abc", "+5", "007", "1.0", "%20"}) {
    for (const std::string route : {"entries", "checkpoints", "receipts"}) {
      const std::string name = route == "checkpoints" ? "size" : "index";
      auto r = h.as("auditor", "GET", "/api/v1/ledger/" + route + "/" + bad);
      expectProblem(r, 400, "validation_failed");
      ASSERT_EQ(r.json["errors"].size(), 1u) << r.body;
      EXPECT_EQ(r.json["errors"][0]["path_parameter"], name);
      EXPECT_EQ(r.json["errors"][0]["code"], "field.type") << bad;
    }
    auto q = h.call("GET", "/api/v1/ledger/proofs/consistency?first=0&second=" + bad);
    EXPECT_EQ(fieldCode(q, "second"), "field.type") << bad;
  }
  const std::string huge = "99999999999999999999";  // 2^64 and more: a number, but too big
  auto p = h.as("auditor", "GET", "/api/v1/ledger/entries/" + huge);
  expectProblem(p, 400, "validation_failed");
  EXPECT_EQ(p.json["errors"][0]["code"], "field.range");
  EXPECT_NE(p.json["errors"][0]["detail"].get<std::string>().find("9223372036854775807"),
            std::string::npos);
  auto q = h.call("GET", "/api/v1/ledger/proofs/consistency?first=0&second=" + huge);
  EXPECT_EQ(fieldCode(q, "second"), "field.range");
  // Twice the same parameter, even with the same value.
  auto twice = h.as("admin", "GET", "/api/v1/orgs?limit=1&limit=1");
  expectProblem(twice, 400, "validation_failed");
  EXPECT_EQ(fieldCode(twice, "limit"), "field.repeated");
  EXPECT_EQ(h.as("admin", "GET", "/api/v1/orgs?limit=1").status, 200);
}

TEST_P(BadInputTest, ForgedExpiredAndMalformedCredentials) {
  expectProblem(h.as("oos_forged-token-value", "GET", "/api/v1/me"), 401, "auth.invalid_token");
  expectProblem(h.call("GET", "/api/v1/me", "", {{"authorization", "Basic YWJjOmRlZg=="}}), 401,
                "auth.invalid_token");
  expectProblem(h.call("GET", "/api/v1/me"), 401, "auth.required");
  // A session that has run out (signed in directly, so no node has it cached yet).
  std::string token =
      h.app().identity().signIn(std::string("approver"), std::nullopt, "onceonly-demo-2026").token;
  h.app().database().connect().exec("UPDATE sessions SET expires_at = '2001-01-01T00:00:00.000Z'");
  expectProblem(h.as(token, "GET", "/api/v1/me"), 401, "auth.invalid_token");
}

TEST_P(BadInputTest, SignInCookieAndThrottle) {
  auto ok = h.call("POST", "/api/v1/sessions",
                   R"({"username": "clerk", "password": "onceonly-demo-2026"})",
                   {{"content-type", "application/json"}});
  ASSERT_EQ(ok.status, 201);
  auto cookie = ok.headers["Set-Cookie"];
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  auto token = ok.json["token"].get<std::string>();
  auto me = h.call("GET", "/api/v1/me", "", {{"cookie", "theme=dark; oo_session=" + token}});
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.json["username"], "clerk");

  // Neither a username nor a resident ID.
  auto none = h.call("POST", "/api/v1/sessions", R"({"password": "onceonly-demo-2026"})",
                     {{"content-type", "application/json"}});
  expectProblem(none, 400, "validation_failed");
  EXPECT_EQ(fieldCode(none, "/username"), "field.required");

  for (int i = 0; i < 5; ++i) {
    auto bad =
        h.call("POST", "/api/v1/sessions", R"({"username": "approver", "password": "wrong guess"})",
               {{"content-type", "application/json"}});
    expectProblem(bad, 401, "auth.bad_credentials");
  }
  auto locked = h.call("POST", "/api/v1/sessions",
                       R"({"username": "approver", "password": "onceonly-demo-2026"})",
                       {{"content-type", "application/json"}, {"accept-language", "zh-CN"}});
  expectProblem(locked, 429, "auth.throttled");
  EXPECT_GT(std::stoi(locked.headers["Retry-After"]), 0);
  EXPECT_NE(locked.json["detail"].get<std::string>().find("密码错误次数过多"), std::string::npos);
}

// Changing one's own password proves the current one; guesses at it are throttled like sign-in
// guesses, on a counter of their own.
TEST_P(BadInputTest, CurrentPasswordGuessesAreThrottled) {
  const std::string me = "/api/v1/accounts/" + h.idOfUser("citizen");
  auto missing = h.as("citizen", "PATCH", me, {{"password", "a brand new password"}});
  expectProblem(missing, 400, "validation_failed");
  EXPECT_EQ(fieldCode(missing, "/current_password"), "field.required");
  for (int i = 0; i < 5; ++i) {
    auto wrong = h.as("citizen", "PATCH", me,
                      {{"password", "a brand new password"}, {"current_password", "a guess"}});
    expectProblem(wrong, 400, "validation_failed");
    EXPECT_EQ(fieldCode(wrong, "/current_password"), "auth.bad_credentials");
  }
  // Now even the right one waits, and the password is unchanged.
  auto locked =
      h.as("citizen", "PATCH", me,
           {{"password", "a brand new password"}, {"current_password", "onceonly-demo-2026"}});
  expectProblem(locked, 429, "auth.throttled");
  EXPECT_GT(std::stoi(locked.headers["Retry-After"]), 0);
  const auto residentId = h.app().identity().revealResidentId(h.idOfUser("citizen")).value();
  auto signIn =
      h.call("POST", "/api/v1/sessions",
             nlohmann::json{{"resident_id", residentId}, {"password", "onceonly-demo-2026"}}.dump(),
             {{"content-type", "application/json"}});
  EXPECT_EQ(signIn.status, 201) << signIn.body;  // sign-in has its own counter
  // Someone else's counter is their own: a right answer changes the password.
  const std::string other = "/api/v1/accounts/" + h.idOfUser("citizen2");
  auto changed =
      h.as("citizen2", "PATCH", other,
           {{"password", "a brand new password"}, {"current_password", "onceonly-demo-2026"}});
  EXPECT_EQ(changed.status, 200) << changed.body;
}

TEST_P(BadInputTest, WritesAreAuditedWithMaskedIdentifiers) {
  auto r = post("/api/v1/accounts", R"({"kind": "citizen", "display_name": "Zhao Lei",
      "resident_id": "11010519491231002X", "password": "a long password"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json["resident_id_masked"], "110***********002X");
  // A refused write is recorded too.
  post("/api/v1/orgs", "{}");
  auto events = h.as("auditor", "GET", "/api/v1/audit-events?action=account.create");
  ASSERT_EQ(events.status, 200) << events.body;
  ASSERT_GE(events.json["total"].get<int>(), 1);
  auto e = events.json["items"][0];
  EXPECT_EQ(e["outcome"], "success");
  EXPECT_EQ(e["actor_id"], h.idOfUser("admin"));
  EXPECT_EQ(e["target_id"], r.json["id"]);
  EXPECT_FALSE(e["request_id"].get<std::string>().empty());
  EXPECT_EQ(events.body.find("11010519491231002X"), std::string::npos);
  EXPECT_NE(events.body.find("110***********002X"), std::string::npos);
  auto failures = h.as("admin", "GET", "/api/v1/audit-events?outcome=failure&action=org.create");
  ASSERT_EQ(failures.status, 200);
  EXPECT_GE(failures.json["total"].get<int>(), 1);
  EXPECT_EQ(failures.json["items"][0]["status"], 400);
  // Nothing in the whole table holds a clear resident ID.
  for (const auto& row : h.app().database().connect().query("SELECT * FROM audit_events"))
    for (const auto& col : row.columns())
      EXPECT_EQ(row.text(col).find("11010519491231002X"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, BadInputTest, ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::api
