// A change made with the session cookie alone needs the session's CSRF token in a header; API
// clients with a bearer token need none.
#include <gtest/gtest.h>

#include "demo/demo.h"
#include "support/api_harness.h"

namespace onceonly::api {
namespace {

using onceonly::testing::ApiHarness;
using onceonly::testing::Backend;
using onceonly::testing::Reply;

class CsrfTest : public ::testing::TestWithParam<Backend> {
 protected:
  ApiHarness h{GetParam()};

  struct Browser {
    std::string cookie;
    std::string csrf;
  };

  Browser signInAsBrowser(const std::string& username) {
    auto r =
        h.call("POST", "/api/v1/sessions",
               nlohmann::json{{"username", username}, {"password", demo::kDemoPassword}}.dump(),
               {{"content-type", "application/json"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return {"oo_session=" + r.json["token"].get<std::string>(), r.json["csrf_token"]};
  }

  Reply withCookie(const Browser& b, const std::string& method, const std::string& target,
                   std::map<std::string, std::string> extra = {}) {
    extra["cookie"] = b.cookie;
    return h.call(method, target, "", std::move(extra));
  }
};

TEST_P(CsrfTest, CookieWritesNeedTheSessionsToken) {
  auto browser = signInAsBrowser("clerk");
  auto other = signInAsBrowser("auditor");
  ASSERT_FALSE(browser.csrf.empty());
  EXPECT_NE(browser.csrf, other.csrf);

  // Reads need nothing more than the cookie, and hand the token to a reloaded page.
  auto me = withCookie(browser, "GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json["csrf_token"], browser.csrf);

  // Signing out is a change: without the header, or with another session's token, it is
  // refused and the session lives on.
  for (const auto& headers : std::vector<std::map<std::string, std::string>>{
           {}, {{"x-csrf-token", other.csrf}}, {{"x-csrf-token", ""}}}) {
    auto refused = withCookie(browser, "DELETE", "/api/v1/sessions/current", headers);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(refused.json["code"], "auth.csrf");
    EXPECT_EQ(withCookie(browser, "GET", "/api/v1/me").status, 200);
  }
  auto done =
      withCookie(browser, "DELETE", "/api/v1/sessions/current", {{"x-csrf-token", browser.csrf}});
  EXPECT_EQ(done.status, 204) << done.body;
  EXPECT_EQ(withCookie(browser, "GET", "/api/v1/me").status, 401);
}

TEST_P(CsrfTest, BearerTokensNeedNoHeaderAndGetNoToken) {
  auto me = h.as("clerk", "GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200);
  // A session presented as a bearer is still a session: it may need the token in a browser.
  EXPECT_TRUE(me.json.contains("csrf_token"));
  auto out = h.call("DELETE", "/api/v1/sessions/current", "",
                    {{"authorization", "Bearer " + h.token("clerk")}});
  EXPECT_EQ(out.status, 204) << out.body;
}

TEST_P(CsrfTest, RefusedWritesAreAudited) {
  auto browser = signInAsBrowser("approver");
  auto before = h.count("audit_events");
  auto refused = withCookie(browser, "DELETE", "/api/v1/sessions/current");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(h.count("audit_events"), before + 1);
  auto trail = h.as("admin", "GET", "/api/v1/audit-events?action=session.delete&outcome=failure");
  ASSERT_EQ(trail.status, 200) << trail.body;
  ASSERT_FALSE(trail.json["items"].empty());
  EXPECT_EQ(trail.json["items"][0]["status"], 403);
}

INSTANTIATE_TEST_SUITE_P(Backends, CsrfTest, ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::api
