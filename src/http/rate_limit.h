// Per-client token buckets: each client address may make `burst` requests at once and `rate`
// per second sustained. Thread-safe; idle buckets are dropped so memory stays bounded.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace onceonly::http {

class RateLimiter {
 public:
  RateLimiter(double ratePerSecond, int burst) : rate_(ratePerSecond), burst_(burst) {}
  // True when the request may proceed; otherwise retryAfterSeconds says when to come back.
  bool allow(const std::string& client, int* retryAfterSeconds = nullptr);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  double rate_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;  // GUARDED_BY mutex_
  std::chrono::steady_clock::time_point lastSweep_ = std::chrono::steady_clock::now();
};

}  // namespace onceonly::http
