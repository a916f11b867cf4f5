// The assembled application: configuration, database, and the modules (api/module.h) with their
// services and routes. The server (http::Server) hands each request to handle(); tests call
// handle() directly, or put a real server in front of it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/module.h"
#include "core/config.h"
#include "http/http.h"
#include "http/router.h"

namespace onceonly::store {
class Database;
class Scheduler;
}  // namespace onceonly::store
namespace onceonly::identity {
class Identity;
}
namespace onceonly::ledger {
class Log;
}
namespace onceonly::demo {
struct SeedResult;
}

namespace onceonly::api {

struct RouteInfo;

class Application {
 public:
  // Opens the database, applies pending migrations and starts every module (modules(), then
  // `extra`, which tests use for modules of their own). Throws ConfigError for a bad setting,
  // std::logic_error when the modules do not fit together (a route without an access rule, a
  // migration version claimed twice, an OpenAPI path described twice), std::runtime_error when
  // the database cannot be opened.
  explicit Application(Config config, std::vector<Module> extra = {});
  ~Application();

  http::Response handle(http::Request& req);
  // Requests that carry a file (a POST to a .../loads collection), which the server lets be
  // larger than other bodies (upload_limit instead of body_limit).
  static bool isUpload(std::string_view method, std::string_view target);
  const http::Router& router() const;
  // Every route with its declared access, in registration order.
  const std::vector<RouteInfo>& routes() const;
  // The OpenAPI document: the application's part and every module's, merged.
  const std::string& openApi() const;
  store::Database& database();
  Services& services();
  store::Scheduler& scheduler();
  identity::Identity& identity();
  ledger::Log& ledger();
  const Config& config() const;
  // Runs every module's demo seeding, in order; idempotent. With `activity`, also some of the
  // demo government's work (see DemoSeeding::activity).
  demo::SeedResult seedDemo(bool activity = false);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onceonly::api
