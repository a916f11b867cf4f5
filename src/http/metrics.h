// Request counts and latency histograms per route, method and status, exposed in the
// Prometheus text format (version 0.0.4). Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace onceonly::http {

class Metrics {
 public:
  void observe(const std::string& method, const std::string& route, int status, double seconds);
  // Adds a gauge line (e.g. the database's readiness) rendered with the rest.
  std::string render() const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;  // cumulative counts are derived when rendering
    double sum = 0;
    std::uint64_t count = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> counts_;  // GUARDED_BY mutex_
  std::map<std::pair<std::string, std::string>, Histogram> latency_;           // GUARDED_BY mutex_
};

}  // namespace onceonly::http
