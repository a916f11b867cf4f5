// The HTTP module: request and response values, the Beast server that carries them, and the
// pieces every route shares (router, pipeline of middleware, problem details, metrics, rate
// limit, static files). Nothing here knows about the domain; api/ registers the routes.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/i18n.h"

namespace onceonly::http {

struct Request {
  std::string method;  // upper case, e.g. "GET"
  std::string target;  // as received: path and query
  std::string path;    // percent-decoded path, without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::map<std::string, std::string> headers;              // names in lower case
  std::string body;
  std::string peerIp;    // the TCP peer
  std::string clientIp;  // the peer, or X-Forwarded-For's first hop when trusted
  bool keepAlive = true;

  // Filled by the pipeline and router.
  std::string requestId;
  i18n::Lang lang = i18n::Lang::En;
  std::string route;  // the matched pattern ("/api/v1/orgs/{id}"), for metrics and logs
  std::map<std::string, std::string> params;  // path parameters
  std::string actorId;                        // set by authentication, for the access log
  std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();

  std::optional<std::string> header(std::string_view lowerName) const;
  std::optional<std::string> queryParam(std::string_view name) const;
  const std::string& param(const std::string& name) const;
};

struct Response;
// How a response that was not ready is handed over: once, from any thread, with the response
// or with the exception that stands for it (turned into problem details like a thrown one).
using Respond = std::function<void(std::exception_ptr error, Response response)>;

struct Response {
  int status = 200;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Set when the answer is not ready yet (it waits for the ledger, say): whoever sends the
  // response calls this once with where to hand it over, and no thread waits meanwhile. It
  // either hands the response over (now or later) or throws, never both.
  std::function<void(Respond)> later;

  static Response json(int status, const nlohmann::json& body);
  static Response text(int status, std::string body,
                       std::string contentType = "text/plain; charset=utf-8");
  static Response noContent();
  static Response deferred(std::function<void(Respond)> start);
  void setHeader(std::string name, std::string value);
  std::optional<std::string> header(std::string_view name) const;
};

using Handler = std::function<Response(Request&)>;

// The response itself, waiting for it when it was deferred: for tools and tests that call a
// handler directly. Rethrows a deferred error.
Response settle(Response res);

}  // namespace onceonly::http
