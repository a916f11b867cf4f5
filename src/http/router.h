// Routes a method and a decoded path to a handler. Patterns are literal segments and {name}
// parameters ("/api/v1/orgs/{id}"); literal segments win over parameters. A path that matches
// with another method gives 405 with an Allow header, anything else 404.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/http.h"

namespace onceonly::http {

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  std::vector<std::string> segments;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed;  // methods for this path when route is null
  };
  Match match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

std::vector<std::string> splitPath(const std::string& path);

}  // namespace onceonly::http
