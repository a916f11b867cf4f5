#include "http/http.h"

#include <future>
#include <stdexcept>

namespace onceonly::http {

std::optional<std::string> Request::header(std::string_view lowerName) const {
  auto it = headers.find(std::string(lowerName));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::queryParam(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return std::nullopt;
}

const std::string& Request::param(const std::string& name) const {
  auto it = params.find(name);
  if (it == params.end()) throw std::logic_error("route has no parameter '" + name + "'");
  return it->second;
}

Response Response::json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::text(int status, std::string body, std::string contentType) {
  Response r;
  r.status = status;
  r.contentType = std::move(contentType);
  r.body = std::move(body);
  return r;
}

Response Response::noContent() {
  Response r;
  r.status = 204;
  return r;
}

Response Response::deferred(std::function<void(Respond)> start) {
  Response r;
  r.later = std::move(start);
  return r;
}

Response settle(Response res) {
  if (!res.later) return res;
  std::promise<Response> ready;
  auto later = std::move(res.later);
  later([&ready](const std::exception_ptr& error, Response r) {
    if (error)
      ready.set_exception(error);
    else
      ready.set_value(std::move(r));
  });
  return settle(ready.get_future().get());
}

void Response::setHeader(std::string name, std::string value) {
  for (auto& [k, v] : headers) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return std::nullopt;
}

}  // namespace onceonly::http
