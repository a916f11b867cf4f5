#include "http/pipeline.h"

#include <random>

#include "core/error.h"
#include "core/log.h"
#include "http/problem.h"
#include "http/url.h"

namespace onceonly::http {
namespace {

bool wellFormedRequestId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

void addSecurityHeaders(Response& res) {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "no-referrer");
  if (!res.header("Content-Security-Policy"))
    res.setHeader(
        "Content-Security-Policy",
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  if (!res.header("Cache-Control")) res.setHeader("Cache-Control", "no-store");
}

std::string newRequestId() {
  // Request ids correlate logs; they are not secrets, so a fast generator suffices.
  thread_local std::mt19937_64 gen{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::uint64_t v = gen();
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = kHex[v & 15];
  return out;
}

Pipeline::Pipeline(const Router& router, Metrics& metrics, PipelineOptions options,
                   const StaticFiles* staticFiles)
    : router_(router),
      metrics_(metrics),
      options_(options),
      limiter_(options.rateLimitPerSecond, options.rateLimitBurst),
      static_(staticFiles) {}

Response Pipeline::handle(Request& req) {
  auto given = req.header("x-request-id");
  req.requestId = given && wellFormedRequestId(*given) ? *given : newRequestId();
  req.lang = i18n::negotiate(req.header("accept-language").value_or(""));
  if (options_.trustProxy) {
    if (auto xff = req.header("x-forwarded-for")) {
      // The proxy appends the address it saw; everything before it the client could have typed.
      auto comma = xff->rfind(',');
      auto last = trim(comma == std::string::npos ? *xff : xff->substr(comma + 1));
      if (!last.empty()) req.clientIp = last;
    }
  }

  Response res;
  try {
    res = dispatch(req);
  } catch (...) {
    res = fromError(req, std::current_exception());
  }
  if (!res.later) {
    finish(req, res);
    return res;
  }
  // Finished when the handler's work is: errors, headers, metrics and the log then. The request
  // is kept for it without its body, which may be large and is no longer needed.
  auto kept = std::make_shared<Request>(req);
  kept->body.clear();
  auto start = std::move(res.later);
  return Response::deferred([this, kept, start = std::move(start)](Respond respond) {
    Respond done = [this, kept, respond = std::move(respond)](const std::exception_ptr& error,
                                                              Response r) {
      if (error) r = fromError(*kept, error);
      try {
        finish(*kept, r);
      } catch (...) {
        // Headers, metrics or the log line failed (out of memory): the answer still goes out.
      }
      respond(nullptr, std::move(r));
    };
    try {
      start(done);
    } catch (...) {
      done(std::current_exception(), {});  // it could not even start
    }
  });
}

Response Pipeline::fromError(const Request& req, std::exception_ptr error) {
  try {
    std::rethrow_exception(std::move(error));
  } catch (const Error& e) {
    Response res =
        problemResponse(e, req.lang, req.path.empty() ? req.target : req.path, req.requestId);
    auto seconds = e.params().find("seconds");
    if ((e.status() == 429 || e.status() == 503) && seconds != e.params().end())
      res.setHeader("Retry-After", seconds->second);
    return res;
  } catch (const std::exception& e) {
    log::error("http.unhandled", {{"request_id", req.requestId}, {"error", e.what()}});
  } catch (...) {
    log::error("http.unhandled", {{"request_id", req.requestId}});
  }
  return problemResponse(500, "internal", {{"request_id", req.requestId}}, req.lang, req.path,
                         req.requestId);
}

void Pipeline::finish(const Request& req, Response& res) {
  addSecurityHeaders(res);
  res.setHeader("X-Request-Id", req.requestId);

  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - req.received).count();
  const std::string route = req.route.empty() ? "unmatched" : req.route;
  metrics_.observe(req.method, route, res.status, seconds);
  if (log::enabled(log::Level::Info)) {
    // The path, never the query: queries may carry search terms typed by people.
    nlohmann::json fields = {{"request_id", req.requestId},
                             {"method", req.method},
                             {"path", req.path},
                             {"route", route},
                             {"status", res.status},
                             {"ms", seconds * 1000},
                             {"client", req.clientIp}};
    if (!req.actorId.empty()) fields["actor"] = req.actorId;
    log::info("http.request", fields);
  }
}

Response Pipeline::dispatch(Request& req) {
  auto q = req.target.find('?');
  auto path = percentDecode(std::string_view(req.target).substr(0, q), false);
  if (!path || path->empty() || path->front() != '/') throw badRequest("request.bad_path");
  req.path = *path;
  if (q != std::string::npos) {
    auto query = parseQuery(std::string_view(req.target).substr(q + 1));
    if (!query) throw badRequest("request.bad_query");
    req.query = std::move(*query);
  }
  int retryAfter = 1;
  if (!limiter_.allow(req.clientIp, &retryAfter)) {
    Response r = problemResponse(429, "rate_limited", {{"seconds", std::to_string(retryAfter)}},
                                 req.lang, req.path, req.requestId);
    r.setHeader("Retry-After", std::to_string(retryAfter));
    return r;
  }
  auto m = router_.match(req.method, req.path);
  if (m.route) {
    req.route = m.route->pattern;
    req.params = std::move(m.params);
    return m.route->handler(req);
  }
  if (!m.allowed.empty()) {
    std::string allow;
    for (const auto& a : m.allowed) allow += (allow.empty() ? "" : ", ") + a;
    Response r = problemResponse(405, "route.method_not_allowed",
                                 {{"method", req.method}, {"allowed", allow}}, req.lang, req.path,
                                 req.requestId);
    r.setHeader("Allow", allow);
    return r;
  }
  if (static_ && (req.method == "GET" || req.method == "HEAD") && req.path.rfind("/api/", 0) != 0) {
    if (auto r = static_->serve(req.path)) {
      req.route = "static";
      return *r;
    }
  }
  throw Error(404, "route.not_found", {{"path", req.path}});
}

}  // namespace onceonly::http
