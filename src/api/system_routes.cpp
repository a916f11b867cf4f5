#include <string>

#include "api/routes.h"
#include "core/embedded.h"
#include "http/static_files.h"
#include "store/store.h"

namespace onceonly::api::embedded {
extern const onceonly::EmbeddedFile kFiles[];
extern const std::size_t kFileCount;
}  // namespace onceonly::api::embedded

namespace onceonly::api {
namespace {

std::string_view embeddedFile(std::string_view name) {
  for (std::size_t i = 0; i < embedded::kFileCount; ++i)
    if (embedded::kFiles[i].name == name) return embedded::kFiles[i].content;
  return {};
}

}  // namespace

std::string_view openApiDocument() {
  return embeddedFile("openapi.json");
}

void addSystemRoutes(Routes& routes, Context& ctx, const std::string& openApi,
                     const http::StaticFiles* app) {
  // The web application when the server has one (static_dir), else a page that points at the API.
  routes.publicRead("/", [app](http::Request&) {
    if (app) {
      if (auto r = app->serve("/")) return *r;
    }
    return http::Response::text(200, std::string(embeddedFile("start_page.html")),
                                "text/html; charset=utf-8");
  });
  routes.publicRead("/healthz", [](http::Request&) {
    return http::Response::json(200, {{"status", "ok"}});
  });
  routes.publicRead("/readyz", [&ctx](http::Request&) {
    bool db = ctx.db.ping();
    return http::Response::json(db ? 200 : 503,
                                {{"status", db ? "ready" : "unavailable"},
                                 {"checks", {{"database", db ? "ok" : "unreachable"}}}});
  });
  routes.publicRead("/metrics", [&ctx](http::Request&) {
    std::string body = ctx.metrics.render();
    body += "# HELP onceonly_database_up Whether the database answered the last probe.\n";
    body += "# TYPE onceonly_database_up gauge\n";
    body += "onceonly_database_up " + std::string(ctx.db.ping() ? "1" : "0") + "\n";
    return http::Response::text(200, std::move(body), "text/plain; version=0.0.4; charset=utf-8");
  });
  routes.publicRead("/api/v1/openapi.json", [&openApi](http::Request&) {
    auto r = http::Response::text(200, openApi, "application/json");
    r.setHeader("Cache-Control", "public, max-age=60");
    return r;
  });
}

}  // namespace onceonly::api
