// The assembled application: configuration, database, domain services and every route. The
// server (http::Server) hands each request to handle(); tests call handle() directly, or put a
// real server in front of it.
#pragma once

#include <memory>

#include "core/config.h"
#include "http/http.h"
#include "http/router.h"

namespace onceonly::store {
class Database;
}
namespace onceonly::identity {
class Identity;
}
namespace onceonly::ledger {
class Log;
}

namespace onceonly::api {

class Application {
 public:
  // Opens the database and applies pending migrations; throws std::runtime_error when it cannot.
  explicit Application(Config config);
  ~Application();

  http::Response handle(http::Request& req);
  const http::Router& router() const;
  store::Database& database();
  identity::Identity& identity();
  ledger::Log& ledger();
  const Config& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onceonly::api
