#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <stdexcept>

#include "api/routes.h"
#include "core/encoding.h"
#include "core/error.h"
#include "core/log.h"
#include "crypto/crypto.h"
#include "identity/identity.h"
#include "identity/roles.h"
#include "ledger/log.h"
#include "store/store.h"

namespace onceonly::api {
namespace {

std::string cookieValue(const std::string& header, const std::string& name) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    auto part = header.substr(pos, end - pos);
    auto b = part.find_first_not_of(' ');
    if (b != std::string::npos) part = part.substr(b);
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

void recordWrite(Context& ctx, store::Connection& c, const http::Request& req,
                 const std::string& action, const std::optional<identity::Principal>& actor,
                 const AuditNote& note, int status) {
  audit::Event e;
  if (actor) {
    e.actorId = actor->accountId;
    e.actorKind = actor->kind;
    e.actorLabel = actor->displayName;
    e.orgId = actor->orgId;
  }
  e.action = action;
  e.targetType = note.targetType;
  e.targetId = note.targetId;
  e.method = req.method;
  e.path = req.path;
  e.status = status;
  e.outcome = status < 400 ? "success" : "failure";
  e.requestId = req.requestId;
  e.clientIp = req.clientIp;
  if (!note.detail.empty()) e.detail = note.detail.dump();
  try {
    ctx.trail().record(c, std::move(e));
  } catch (const std::exception& ex) {
    log::error("audit.record_failed", {{"request_id", req.requestId}, {"error", ex.what()}});
    throw;
  }
}

}  // namespace

identity::Identity& Context::identity() const {
  return services.get<identity::Identity>();
}
audit::Trail& Context::trail() const {
  return services.get<audit::Trail>();
}
ledger::Log& Context::ledger() const {
  return services.get<ledger::Log>();
}

std::optional<std::string> presentedToken(const http::Request& req) {
  if (auto auth = req.header("authorization")) {
    if (auth->size() > 7 && (auth->rfind("Bearer ", 0) == 0 || auth->rfind("bearer ", 0) == 0))
      return auth->substr(7);
    return std::string();  // a credential we do not understand
  }
  if (auto cookie = req.header("cookie")) {
    auto v = cookieValue(*cookie, "oo_session");
    if (!v.empty()) return v;
  }
  return std::nullopt;
}

std::string csrfTokenFor(const Context& ctx, const std::string& sessionToken) {
  return ctx.keys.index(sessionToken, "csrf");
}

identity::Principal authenticate(http::Request& req, Context& ctx) {
  auto token = presentedToken(req);
  if (!token) throw unauthenticated();
  auto p = ctx.identity().authenticate(*token);
  if (!p) throw unauthenticated("auth.invalid_token");
  req.actorId = p->accountId;
  // A browser sends the cookie with any request to this origin, also one another site's page
  // makes it send; only a page of ours can read the token that goes with it and put it in a
  // header. So a change made with the cookie must carry that header.
  const bool safe = req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS";
  if (!safe && !req.header("authorization")) {
    auto sent = req.header("x-csrf-token");
    if (!sent || !crypto::equalInConstantTime(*sent, csrfTokenFor(ctx, *token)))
      throw forbidden("auth.csrf");
  }
  return *p;
}

namespace {

// Throws unless the route's access rule lets the caller in.
void requireAccess(const Access& access, const identity::Principal& p) {
  switch (access.check(p)) {
    case Access::Verdict::allowed:
      return;
    case Access::Verdict::scope:
      throw forbidden("auth.scope", {{"scope", access.scope()}});
    case Access::Verdict::unauthenticated:
      throw unauthenticated();
    case Access::Verdict::role:
      break;
  }
  throw forbidden("auth.role", {{"allowed", access.describe()}});
}

// Runs a write in one unit of work and records it. The change, its audit record and the ledger
// entries it queued commit together, or none of them does; a write that fails (or whose record
// cannot be made) changes nothing, and its failure is recorded on its own.
template <class Run>
http::Response audited(Context& ctx, http::Request& req, const std::string& action, AuditNote& note,
                       std::optional<identity::Principal>& actor, Run run) {
  store::UnitOfWork unit(ctx.db);
  auto failed = [&](int status) {
    unit.rollback();
    auto c = ctx.db.connect();
    recordWrite(ctx, c, req, action, actor ? actor : note.actor, note, status);
  };
  try {
    auto res = run();
    recordWrite(ctx, unit.connection(), req, action, actor ? actor : note.actor, note, res.status);
    unit.commit();
    return res;
  } catch (const Error& e) {
    failed(e.status());
    throw;
  } catch (const std::exception&) {
    failed(500);
    throw;
  }
}

}  // namespace

void Routes::declare(const std::string& method, const std::string& pattern, const Access& access,
                     const std::string& action) {
  if (!access.declared())
    throw std::logic_error("route " + method + " " + pattern + " of module " + module_ +
                           " declares no access rule");
  // A scope no module declares could be given to no token.
  if (!access.scope().empty() && !identity::isScope(access.scope()))
    throw std::logic_error("route " + method + " " + pattern + " of module " + module_ +
                           " asks for scope " + access.scope() + ", which no module declares");
  table_.push_back({method, pattern, access, action, module_});
}

void Routes::publicRead(const std::string& pattern, PublicHandler handler) {
  declare("GET", pattern, Access::anyone(), "");
  router_.add("GET", pattern, std::move(handler));
}

void Routes::read(const std::string& pattern, Access access, AuthedHandler handler) {
  declare("GET", pattern, access, "");
  router_.add(
      "GET", pattern,
      [&ctx = ctx_, access = std::move(access), handler = std::move(handler)](http::Request& req) {
        auto p = authenticate(req, ctx);
        requireAccess(access, p);
        return handler(req, p);
      });
}

void Routes::write(const std::string& method, const std::string& pattern, Access access,
                   std::string action, WriteHandler handler) {
  declare(method, pattern, access, action);
  router_.add(method, pattern,
              [&ctx = ctx_, access = std::move(access), action = std::move(action),
               handler = std::move(handler)](http::Request& req) {
                AuditNote note;
                std::optional<identity::Principal> actor;
                return audited(ctx, req, action, note, actor, [&] {
                  actor = authenticate(req, ctx);  // so that a refusal names who was refused
                  requireAccess(access, *actor);
                  return handler(req, *actor, note);
                });
              });
}

void Routes::publicWrite(const std::string& method, const std::string& pattern, std::string action,
                         PublicWriteHandler handler) {
  declare(method, pattern, Access::anyone(), action);
  router_.add(
      method, pattern,
      [&ctx = ctx_, action = std::move(action), handler = std::move(handler)](http::Request& req) {
        AuditNote note;
        std::optional<identity::Principal> actor;
        return audited(ctx, req, action, note, actor, [&] { return handler(req, note); });
      });
}

void Routes::publicCompute(const std::string& pattern, PublicHandler handler) {
  declare("POST", pattern, Access::anyone(), "");
  router_.add("POST", pattern, std::move(handler));
}

QueryParams::QueryParams(const http::Request& req, std::set<std::string> filters, bool paged)
    : req_(req), allowed_(std::move(filters)) {
  if (paged) allowed_.insert({"limit", "cursor", "sort", "q"});
}

std::optional<std::string> QueryParams::get(const std::string& name) const {
  return req_.queryParam(name);
}

std::optional<std::string> QueryParams::oneOf(const std::string& name,
                                              const std::vector<std::string>& allowed) {
  auto v = get(name);
  if (v && std::find(allowed.begin(), allowed.end(), *v) == allowed.end()) {
    errors_.add(FieldLocation::Query, name, "field.enum", {{"allowed", commaList(allowed)}});
    return std::nullopt;
  }
  return v;
}

std::optional<int> QueryParams::integer(const std::string& name, int min, int max) {
  auto text = get(name);
  if (!text) return std::nullopt;
  char* end = nullptr;
  long v = std::strtol(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || v < min || v > max) {
    errors_.add(FieldLocation::Query, name, "field.range",
                {{"min", std::to_string(min)}, {"max", std::to_string(max)}});
    return std::nullopt;
  }
  return static_cast<int>(v);
}

std::optional<std::uint64_t> positionParameter(FieldLocation where, const std::string& name,
                                               std::string_view text, FieldErrors& errors) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == text.npos &&
                      (text.size() == 1 || text.front() != '0');
  if (!digits) {
    errors.add(where, name, "field.type", {{"type", "non-negative integer"}});
    return std::nullopt;
  }
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v > kMax) {
    errors.add(where, name, "field.range", {{"min", "0"}, {"max", std::to_string(kMax)}});
    return std::nullopt;
  }
  return v;
}

std::uint64_t pathPosition(const http::Request& req, const std::string& name) {
  FieldErrors errors;
  auto v = positionParameter(FieldLocation::Path, name, req.param(name), errors);
  errors.throwIfAny();
  return *v;
}

std::optional<std::uint64_t> QueryParams::position(const std::string& name) {
  auto text = get(name);
  if (!text) return std::nullopt;
  return positionParameter(FieldLocation::Query, name, *text, errors_);
}

ListQuery QueryParams::list(const Sorting& sorting) {
  const auto& sortable = sorting.columns;
  ListQuery q;
  if (auto limit = integer("limit", 1, kMaxLimit)) q.limit = *limit;
  if (auto sort = get("sort")) {
    std::string s = *sort;
    q.descending = !s.empty() && s.front() == '-';
    if (q.descending) s = s.substr(1);
    if (std::find(sortable.begin(), sortable.end(), s) == sortable.end()) {
      errors_.add(FieldLocation::Query, "sort", "field.sort", {{"allowed", commaList(sortable)}});
    } else {
      q.sort = s;
    }
  } else if (!sortable.empty()) {
    q.sort = sortable.front();
    q.descending = sorting.defaultDescending;
  }
  if (auto text = get("q")) {
    if (utf8Length(*text) > 100)
      errors_.add(FieldLocation::Query, "q", "field.length", {{"min", "1"}, {"max", "100"}});
    else if (!text->empty())
      q.q = *text;
  }
  if (auto cursor = get("cursor")) {
    if (!decodeCursor(*cursor, q)) errors_.add(FieldLocation::Query, "cursor", "field.cursor");
  }
  return q;
}

void QueryParams::finish() {
  std::map<std::string, int> times;
  for (const auto& [k, v] : req_.query)
    if (!allowed_.count(k))
      errors_.add(FieldLocation::Query, k, "field.unknown");
    else
      ++times[k];
  for (const auto& [k, n] : times)
    if (n > 1) errors_.add(FieldLocation::Query, k, "field.repeated");
  errors_.throwIfAny();
}

}  // namespace onceonly::api
