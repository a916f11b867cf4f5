// Route registration, one function per area. Each handler translates an HTTP request into
// calls on domain modules and their results into JSON; no domain logic lives here.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "api/access.h"
#include "api/module.h"
#include "audit/audit.h"
#include "core/config.h"
#include "core/page.h"
#include "http/metrics.h"
#include "http/router.h"
#include "identity/identity.h"

namespace onceonly::store {
class Database;
}
namespace onceonly::ledger {
class Log;
struct Receipt;
}  // namespace onceonly::ledger
namespace onceonly::crypto {
class KeyRing;
}
namespace onceonly::http {
class StaticFiles;
}

namespace onceonly::api {

// What route handlers may use. Owned by Application; outlives every request. The services of
// every module are in `services`; the three the API layer itself uses have accessors.
struct Context {
  const Config& config;
  store::Database& db;
  http::Metrics& metrics;
  const crypto::KeyRing& keys;
  Services& services;

  identity::Identity& identity() const;
  audit::Trail& trail() const;
  ledger::Log& ledger() const;
};

// What a write handler tells the audit trail beyond what the request shows.
struct AuditNote {
  std::optional<std::string> targetType, targetId;
  nlohmann::json detail = nlohmann::json::object();  // masked values only
  std::optional<identity::Principal> actor;  // for sign-in, where the actor appears mid-request
};

using AuthedHandler = std::function<http::Response(http::Request&, const identity::Principal&)>;
using WriteHandler =
    std::function<http::Response(http::Request&, const identity::Principal&, AuditNote&)>;
using PublicWriteHandler = std::function<http::Response(http::Request&, AuditNote&)>;

using PublicHandler = http::Handler;

// A route as declared: who may call it, and for writes the audit action. Application keeps the
// table of every route; the authorization walk in the tests is generated from it.
struct RouteInfo {
  std::string method;
  std::string pattern;
  Access access;
  std::string action;  // the audit action of a write; "" for reads
  std::string module;  // the module that declared it ("system" for the server's own)
};

// Registers a module's routes: each with its access rule, checked before the handler runs
// (access.h), and for writes the audit record, made whether the write succeeds or fails, in
// one place. A route whose access is undeclared is a std::logic_error, which stops start-up.
class Routes {
 public:
  Routes(http::Router& router, Context& ctx, std::vector<RouteInfo>& table)
      : router_(router), ctx_(ctx), table_(table) {}
  // Handlers keep references to ctx and the router, not to this registrar.
  // The module whose routes follow (for the table).
  void setModule(std::string name) { module_ = std::move(name); }

  void publicRead(const std::string& pattern, PublicHandler handler);
  void read(const std::string& pattern, Access access, AuthedHandler handler);
  void write(const std::string& method, const std::string& pattern, Access access,
             std::string action, WriteHandler handler);
  void publicWrite(const std::string& method, const std::string& pattern, std::string action,
                   PublicWriteHandler handler);
  // A POST that only computes an answer from its body and changes nothing (verifying a
  // certificate): anyone may call it, and, like a read, it is not audited.
  void publicCompute(const std::string& pattern, PublicHandler handler);

 private:
  void declare(const std::string& method, const std::string& pattern, const Access& access,
               const std::string& action);
  http::Router& router_;
  Context& ctx_;
  std::vector<RouteInfo>& table_;
  std::string module_;
};

// The principal behind the request's bearer token or session cookie; 401 when there is none.
// Also refuses (403 auth.csrf) a write authenticated by the session cookie alone, without the
// X-CSRF-Token header that sign-in and GET /api/v1/me hand to the page (csrfTokenFor the session).
identity::Principal authenticate(http::Request& req, Context& ctx);
std::string csrfTokenFor(const Context& ctx, const std::string& sessionToken);
std::optional<std::string> presentedToken(const http::Request& req);

// Query parameters of a list: limit, cursor, sort, q and the named filters; anything else is a
// 400 naming the parameter.
class QueryParams {
 public:
  // paged: the list parameters (limit, cursor, sort, q) are accepted too.
  QueryParams(const http::Request& req, std::set<std::string> filters, bool paged = true);
  std::optional<std::string> get(const std::string& name) const;
  // Checks the value against allowed values when given.
  std::optional<std::string> oneOf(const std::string& name,
                                   const std::vector<std::string>& allowed);
  // A whole number from min to max when given (else a field.range error).
  std::optional<int> integer(const std::string& name, int min, int max);
  // A position or size when given: see positionParameter().
  std::optional<std::uint64_t> position(const std::string& name);
  // limit, cursor, q, and sort among the list's columns (its first by default).
  ListQuery list(const Sorting& sorting);
  void finish();

 private:
  const http::Request& req_;
  std::set<std::string> allowed_;
  FieldErrors errors_;
};

// A position or size (a ledger index, a tree size) as a path or query parameter: decimal digits
// only, no sign and no leading zero, at most 2^63-1 (what the database stores). Otherwise a field
// error for that parameter (field.type, or field.range for a number that is too big), added to
// `errors`, and nullopt.
std::optional<std::uint64_t> positionParameter(FieldLocation where, const std::string& name,
                                               std::string_view text, FieldErrors& errors);
// The path parameter `name` as a position; throws the 400 error.
std::uint64_t pathPosition(const http::Request& req, const std::string& name);

template <class T, class F>
nlohmann::json pageJson(const Page<T>& page, F toJson) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& item : page.items) items.push_back(toJson(item));
  return {{"items", std::move(items)},
          {"total", page.total},
          {"next_cursor", page.nextCursor ? nlohmann::json(*page.nextCursor) : nlohmann::json()}};
}
// `shown`, answered once a data.access entry for each person (citizen or company account) among
// `seen` other than the caller is durably on the ledger: every look at a person's data is on the
// record they can read before they are shown. The response is deferred meanwhile, so no worker
// thread waits for the ledger's group commit.
http::Response onceAccessRecorded(Context& ctx, const identity::Principal& p,
                                  const std::vector<identity::Account>& seen,
                                  const std::string& purpose, http::Response shown);

// `shown(receipts)`, answered once `entries` are durably on the ledger (their receipts in the
// same order); a 503 ledger.unavailable when they could not be recorded. Deferred meanwhile.
http::Response onceOnLedger(
    Context& ctx, std::vector<nlohmann::json> entries,
    std::function<http::Response(const std::vector<ledger::Receipt>&)> shown);

// /, /healthz, /readyz, /metrics and /api/v1/openapi.json (the merged document), all public.
void addSystemRoutes(Routes& routes, Context& ctx, const std::string& openApi,
                     const http::StaticFiles* app);
// The application's own part of the OpenAPI document (info, shared components, the system
// routes), as embedded in the binary; each module adds its own.
std::string_view openApiDocument();

}  // namespace onceonly::api
