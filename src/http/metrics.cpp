#include "http/metrics.h"

#include <fmt/format.h>

namespace onceonly::http {
namespace {

const std::vector<double> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                     0.1,   0.25,   0.5,   1,    2.5,   5};

std::string escapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

void Metrics::observe(const std::string& method, const std::string& route, int status,
                      double seconds) {
  std::lock_guard lock(mutex_);
  ++counts_[{method, route, status}];
  auto& h = latency_[{method, route}];
  if (h.buckets.empty()) h.buckets.assign(kBounds.size(), 0);
  for (std::size_t i = 0; i < kBounds.size(); ++i)
    if (seconds <= kBounds[i]) {
      ++h.buckets[i];
      break;
    }
  h.sum += seconds;
  ++h.count;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out += "# HELP onceonly_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE onceonly_http_requests_total counter\n";
  for (const auto& [key, n] : counts_) {
    const auto& [method, route, status] = key;
    out +=
        fmt::format("onceonly_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
                    escapeLabel(method), escapeLabel(route), status, n);
  }
  out += "# HELP onceonly_http_request_duration_seconds Time from request read to response.\n";
  out += "# TYPE onceonly_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    auto labels =
        fmt::format("method=\"{}\",route=\"{}\"", escapeLabel(key.first), escapeLabel(key.second));
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
      cumulative += h.buckets[i];
      out += fmt::format("onceonly_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                         labels, kBounds[i], cumulative);
    }
    out += fmt::format("onceonly_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n",
                       labels, h.count);
    out += fmt::format("onceonly_http_request_duration_seconds_sum{{{}}} {}\n", labels, h.sum);
    out += fmt::format("onceonly_http_request_duration_seconds_count{{{}}} {}\n", labels, h.count);
  }
  return out;
}

}  // namespace onceonly::http
