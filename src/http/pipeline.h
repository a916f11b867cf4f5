// The middleware every request passes through, in order: request id, language, client address,
// target decoding, rate limit, routing (or static files), the handler, errors turned into
// problem details, security headers, metrics and the access log. Authentication and JSON body
// validation are per route (api/), since only the route knows what it needs.
#pragma once

#include "http/http.h"
#include "http/metrics.h"
#include "http/rate_limit.h"
#include "http/router.h"
#include "http/static_files.h"

namespace onceonly::http {

struct PipelineOptions {
  bool trustProxy = false;
  double rateLimitPerSecond = 200;
  int rateLimitBurst = 400;
};

class Pipeline {
 public:
  Pipeline(const Router& router, Metrics& metrics, PipelineOptions options,
           const StaticFiles* staticFiles = nullptr);
  // The response; a deferred one (Response::later) gets the same treatment when it is ready.
  Response handle(Request& req);

 private:
  Response dispatch(Request& req);
  // A thrown error as problem details.
  static Response fromError(const Request& req, std::exception_ptr error);
  // Security headers, request id, metrics and the access log.
  void finish(const Request& req, Response& res);
  const Router& router_;
  Metrics& metrics_;
  PipelineOptions options_;
  RateLimiter limiter_;
  const StaticFiles* static_;
};

// A fresh request id (16 hex digits); ids given by clients are kept when well-formed.
std::string newRequestId();
// nosniff, frame denial, referrer policy, CSP and no-store unless the response says otherwise.
void addSecurityHeaders(Response& res);

}  // namespace onceonly::http
