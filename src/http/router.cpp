#include "http/router.h"

#include <algorithm>
#include <stdexcept>

namespace onceonly::http {

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    auto end = path.find('/', pos);
    out.push_back(path.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    pos = end == std::string::npos ? path.size() : end;
  }
  return out;
}

void Router::add(std::string method, std::string pattern, Handler handler) {
  for (const auto& r : routes_)
    if (r.method == method && r.pattern == pattern)
      // NOLINTNEXTLINE(performance-inefficient-string-concatenation): thrown once
      throw std::logic_error("route registered twice: " + method + " " + pattern);
  Route r{std::move(method), std::move(pattern), std::move(handler), {}};
  r.segments = splitPath(r.pattern);
  routes_.push_back(std::move(r));
}

namespace {

bool isParam(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

// Literal segments score higher, so /orgs/tree beats /orgs/{id}.
int matchScore(const Route& r, const std::vector<std::string>& parts,
               std::map<std::string, std::string>* params) {
  if (r.segments.size() != parts.size()) return -1;
  int score = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = r.segments[i];
    if (isParam(seg)) {
      if (parts[i].empty()) return -1;
      if (params) (*params)[seg.substr(1, seg.size() - 2)] = parts[i];
    } else if (seg == parts[i]) {
      score += 1 << (parts.size() - i);
    } else {
      return -1;
    }
  }
  return score;
}

}  // namespace

Router::Match Router::match(const std::string& method, const std::string& path) const {
  auto parts = splitPath(path);
  Match m;
  int best = -1;
  for (const auto& r : routes_) {
    int score = matchScore(r, parts, nullptr);
    if (score < 0) continue;
    bool sameMethod = r.method == method || (method == "HEAD" && r.method == "GET");
    if (!sameMethod) {
      if (std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end())
        m.allowed.push_back(r.method);
      continue;
    }
    if (score > best) {
      best = score;
      m.route = &r;
    }
  }
  if (m.route) {
    matchScore(*m.route, parts, &m.params);
    m.allowed.clear();
  }
  std::sort(m.allowed.begin(), m.allowed.end());
  return m;
}

}  // namespace onceonly::http
