#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "api/application.h"
#include "api/routes.h"
#include "support/test_support.h"

namespace onceonly::api {
namespace {

using onceonly::testing::Backend;
using onceonly::testing::ScratchDatabase;
using onceonly::testing::TempDir;

http::Response call(Application& app, const std::string& method, const std::string& target,
                    std::map<std::string, std::string> headers = {}) {
  http::Request r;
  r.method = method;
  r.target = target;
  r.headers = std::move(headers);
  r.clientIp = "127.0.0.1";
  return http::settle(app.handle(r));
}

class SystemRoutesTest : public ::testing::TestWithParam<Backend> {
 protected:
  TempDir dir;
  ScratchDatabase scratch{GetParam()};
  Application app{onceonly::testing::testConfig(dir.path(), scratch.url())};
};

TEST_P(SystemRoutesTest, HealthAndReadiness) {
  auto h = call(app, "GET", "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(nlohmann::json::parse(h.body)["status"], "ok");
  auto r = call(app, "GET", "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["checks"]["database"], "ok");
}

TEST_P(SystemRoutesTest, MetricsCountRequestsPerRouteAndStatus) {
  call(app, "GET", "/healthz");
  call(app, "GET", "/nowhere");
  auto m = call(app, "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find(
                "onceonly_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"),
            std::string::npos);
  EXPECT_NE(m.body.find("route=\"unmatched\",status=\"404\""), std::string::npos);
  EXPECT_NE(m.body.find("onceonly_http_request_duration_seconds_bucket{method=\"GET\",route=\"/"
                        "healthz\",le=\"+Inf\"} 1"),
            std::string::npos);
}

TEST_P(SystemRoutesTest, ServesTheWebApplicationOutsideTheApi) {
  TempDir web;
  std::filesystem::create_directories(web.path() / "assets");
  std::ofstream(web.path() / "index.html") << "<div id=app></div>";
  std::ofstream(web.path() / "assets" / "index-abc.js") << "1";
  auto config = onceonly::testing::testConfig(dir.path(), scratch.url());
  config.staticDir = web.path().string();
  Application withApp{config};

  auto home = call(withApp, "GET", "/");
  EXPECT_EQ(home.status, 200);
  EXPECT_EQ(home.body, "<div id=app></div>");
  auto page = call(withApp, "GET", "/me/accesses?outcome=served");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<div id=app></div>");
  EXPECT_EQ(page.header("Cache-Control").value_or(""), "no-cache");
  EXPECT_EQ(call(withApp, "GET", "/assets/index-abc.js").status, 200);
  EXPECT_EQ(call(withApp, "GET", "/assets/index-old.js").status, 404);
  // The API keeps its own answers: an unknown API path is a problem, not the application.
  auto api = call(withApp, "GET", "/api/v1/nothing-here");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.contentType, "application/problem+json");
  EXPECT_EQ(call(withApp, "GET", "/healthz").body, "{\"status\":\"ok\"}");
  // Without a static directory the start page points at the API.
  auto start = call(app, "GET", "/");
  EXPECT_NE(start.body.find("openapi.json"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, SystemRoutesTest,
                         ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

class PipelineTest : public ::testing::Test {
 protected:
  TempDir dir;
  ScratchDatabase scratch{Backend::Sqlite};
  Application app{onceonly::testing::testConfig(dir.path(), scratch.url())};
};

TEST_F(PipelineTest, UnknownRouteIsAProblemInTheRequestedLanguage) {
  auto r = call(app, "GET", "/api/v1/nothing", {{"accept-language", "zh-CN,zh;q=0.9,en;q=0.5"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.contentType, "application/problem+json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["type"], "/problems/route.not_found");
  EXPECT_EQ(j["status"], 404);
  EXPECT_EQ(j["title"], "未找到");
  EXPECT_EQ(j["instance"], "/api/v1/nothing");
  EXPECT_FALSE(j["request_id"].get<std::string>().empty());
}

TEST_F(PipelineTest, WrongMethodIs405WithAllow) {
  auto r = call(app, "DELETE", "/healthz");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET");
}

TEST_F(PipelineTest, BadPercentEncodingIs400) {
  EXPECT_EQ(call(app, "GET", "/api/%zz").status, 400);
  EXPECT_EQ(call(app, "GET", "/healthz?q=%ff").status, 400);
}

TEST_F(PipelineTest, SecurityHeadersAndRequestIdOnEveryResponse) {
  auto r = call(app, "GET", "/healthz", {{"x-request-id", "abc-123"}});
  EXPECT_EQ(r.header("X-Request-Id"), "abc-123");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
  EXPECT_TRUE(r.header("Content-Security-Policy"));
  // A request id that could smuggle text into logs is replaced.
  auto bad = call(app, "GET", "/healthz", {{"x-request-id", "a b\nc"}});
  EXPECT_NE(bad.header("X-Request-Id"), "a b\nc");
}

TEST(TrustProxy, TakesTheHopTheProxyAppended) {
  TempDir dir;
  ScratchDatabase scratch{Backend::Sqlite};
  auto config = onceonly::testing::testConfig(dir.path(), scratch.url());
  config.trustProxy = true;
  config.rateLimitPerSecond = 0.1;
  config.rateLimitBurst = 1;
  Application app{config};
  // A client that writes its own X-Forwarded-For cannot dodge the limit: the proxy's hop counts.
  EXPECT_EQ(call(app, "GET", "/healthz", {{"x-forwarded-for", "1.1.1.1, 10.0.0.7"}}).status, 200);
  EXPECT_EQ(call(app, "GET", "/healthz", {{"x-forwarded-for", "2.2.2.2, 10.0.0.7"}}).status, 429);
  EXPECT_EQ(call(app, "GET", "/healthz", {{"x-forwarded-for", "10.0.0.8"}}).status, 200);
}

TEST(RateLimit, AnswersTooManyRequestsWithRetryAfter) {
  TempDir dir;
  ScratchDatabase scratch{Backend::Sqlite};
  auto config = onceonly::testing::testConfig(dir.path(), scratch.url());
  config.rateLimitPerSecond = 0.1;
  config.rateLimitBurst = 2;
  Application app{config};
  EXPECT_EQ(call(app, "GET", "/healthz").status, 200);
  EXPECT_EQ(call(app, "GET", "/healthz").status, 200);
  auto r = call(app, "GET", "/healthz");
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(r.header("Retry-After"));
  EXPECT_EQ(nlohmann::json::parse(r.body)["code"], "rate_limited");
}

// Every registered route is described in the OpenAPI document, and nothing else is.
TEST(OpenApi, DescribesEveryRegisteredRoute) {
  TempDir dir;
  ScratchDatabase scratch{Backend::Sqlite};
  Application app{onceonly::testing::testConfig(dir.path(), scratch.url())};
  auto doc = nlohmann::json::parse(app.openApi());  // the modules' parts merged
  EXPECT_EQ(doc["openapi"], "3.1.0");
  // Each operation says who may call it, as its route declares.
  for (const auto& r : app.routes()) {
    std::string method = r.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (doc["paths"].contains(r.pattern) && doc["paths"][r.pattern].contains(method)) {
      EXPECT_EQ(doc["paths"][r.pattern][method]["x-access"], r.access.describe()) << r.pattern;
    }
  }
  std::set<std::string> registered, documented;
  for (const auto& r : app.router().routes()) {
    std::string method = r.method;
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    registered.insert(method + " " + r.pattern);
  }
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, op] : item.items())
      if (method != "parameters") documented.insert(method + " " + path);
  for (const auto& r : registered) EXPECT_TRUE(documented.count(r)) << r << " is not documented";
  for (const auto& d : documented) EXPECT_TRUE(registered.count(d)) << d << " is not registered";
}

}  // namespace
}  // namespace onceonly::api
