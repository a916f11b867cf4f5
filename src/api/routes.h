// Route registration, one function per area. Each handler translates an HTTP request into
// calls on domain modules and their results into JSON; no domain logic lives here.
#pragma once

#include "core/config.h"
#include "http/metrics.h"
#include "http/router.h"

namespace onceonly::store {
class Database;
}

namespace onceonly::api {

// What route handlers may use. Owned by Application; outlives every request.
struct Context {
  const Config& config;
  store::Database& db;
  http::Metrics& metrics;
};

// /, /healthz, /readyz, /metrics, /api/v1/openapi.json
void addSystemRoutes(http::Router& router, Context& ctx);

// The OpenAPI document, as embedded in the binary.
std::string_view openApiDocument();

}  // namespace onceonly::api
