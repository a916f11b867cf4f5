#include "http/rate_limit.h"

#include <gtest/gtest.h>

namespace onceonly::http {
namespace {

TEST(RateLimiter, AllowsTheBurstThenRefusesWithRetryAfter) {
  RateLimiter limiter(0.5, 3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.allow("10.0.0.1"));
  int retry = 0;
  EXPECT_FALSE(limiter.allow("10.0.0.1", &retry));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 2);
}

TEST(RateLimiter, ClientsHaveSeparateBuckets) {
  RateLimiter limiter(0.5, 1);
  EXPECT_TRUE(limiter.allow("a"));
  EXPECT_FALSE(limiter.allow("a"));
  EXPECT_TRUE(limiter.allow("b"));
}

}  // namespace
}  // namespace onceonly::http
