#include "http/router.h"

#include <gtest/gtest.h>

namespace onceonly::http {
namespace {

Handler named(std::string name) {
  return [name](Request&) { return Response::text(200, name); };
}

TEST(Router, MatchesLiteralsBeforeParameters) {
  Router r;
  r.add("GET", "/api/v1/orgs/{id}", named("one"));
  r.add("GET", "/api/v1/orgs/tree", named("tree"));
  auto m = r.match("GET", "/api/v1/orgs/tree");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.route->pattern, "/api/v1/orgs/tree");
  m = r.match("GET", "/api/v1/orgs/org_abc");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params.at("id"), "org_abc");
}

TEST(Router, ReportsAllowedMethodsForAKnownPath) {
  Router r;
  r.add("GET", "/a/{id}", named("get"));
  r.add("PATCH", "/a/{id}", named("patch"));
  auto m = r.match("POST", "/a/1");
  EXPECT_FALSE(m.route);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "PATCH"}));
}

TEST(Router, UnknownPathHasNoRouteAndNoMethods) {
  Router r;
  r.add("GET", "/a", named("a"));
  auto m = r.match("GET", "/b");
  EXPECT_FALSE(m.route);
  EXPECT_TRUE(m.allowed.empty());
  EXPECT_FALSE(r.match("GET", "/a/extra").route);
}

TEST(Router, HeadIsServedByGet) {
  Router r;
  r.add("GET", "/a", named("a"));
  EXPECT_TRUE(r.match("HEAD", "/a").route);
}

TEST(Router, RefusesDuplicateRoutes) {
  Router r;
  r.add("GET", "/a", named("a"));
  EXPECT_THROW(r.add("GET", "/a", named("b")), std::logic_error);
}

}  // namespace
}  // namespace onceonly::http
