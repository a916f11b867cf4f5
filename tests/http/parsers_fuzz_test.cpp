// Mutation fuzzing of every parser of outside input, run under the sanitizers by the test
// command: random and mutated inputs must give a clean answer or a domain error, never a crash,
// a hang or an unexpected exception type. Seeds are fixed so failures reproduce.
#include <gtest/gtest.h>

#include <random>

#include "api/json_body.h"
#include "core/error.h"
#include "core/page.h"
#include "http/router.h"
#include "http/server.h"
#include "http/url.h"
#include "identity/identity.h"
#include "support/http_client.h"

namespace onceonly {
namespace {

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : gen_(seed) {}
  std::string mutate(std::string s) {
    int edits = 1 + static_cast<int>(gen_() % 4);
    for (int i = 0; i < edits; ++i) {
      std::size_t pos = s.empty() ? 0 : gen_() % (s.size() + 1);
      switch (gen_() % 4) {
        case 0:
          s.insert(pos, 1, static_cast<char>(gen_() % 256));
          break;
        case 1:
          if (pos < s.size()) s.erase(pos, 1 + gen_() % 3);
          break;
        case 2:
          if (pos < s.size()) s[pos] = static_cast<char>(gen_() % 256);
          break;
        default:
          s.insert(pos, kTokens[gen_() % std::size(kTokens)]);
          break;
      }
    }
    return s;
  }

 private:
  static constexpr const char* kTokens[] = {
      "%",    "%zz",  "%00",   "\"",   "{", "}",  "[", "]", ":", ",",    "\\u0000",
      "\xc3", "\xff", "1e999", "null", "/", "..", "?", "&", "=", "\r\n", " "};
  std::mt19937_64 gen_;
};

TEST(ParsersFuzz, UrlDecodingNeverCrashesAndRoundTrips) {
  Mutator m(1);
  for (int i = 0; i < 20000; ++i) {
    auto s = m.mutate("/api/v1/orgs?q=%E5%B8%82&limit=10");
    auto decoded = http::percentDecode(s, false);
    if (decoded) {
      EXPECT_TRUE(http::isValidUtf8(*decoded));
      EXPECT_EQ(http::percentDecode(http::percentEncode(*decoded), false), decoded);
    }
    http::parseQuery(s);
  }
}

TEST(ParsersFuzz, JsonBodiesGiveDomainErrorsOnly) {
  Mutator m(2);
  const std::string seed =
      R"({"kind":"staff","username":"a.b","display_name":"名字","roles":["clerk"],"ttl_days":3})";
  for (int i = 0; i < 20000; ++i) {
    http::Request req;
    req.body = m.mutate(seed);
    req.headers["content-type"] = "application/json";
    try {
      api::JsonBody body(req);
      body.text("kind");
      body.text("username");
      body.text("display_name", true);
      body.textSet("roles");
      body.integer("ttl_days", false, 1, 10);
      body.finish();
    } catch (const Error& e) {
      EXPECT_GE(e.status(), 400);
      EXPECT_LT(e.status(), 500);
    }
  }
}

TEST(ParsersFuzz, CursorsAndIdentifiers) {
  Mutator m(3);
  const std::string cursor = encodeCursor("code", false, "QH-LS", "org_0123456789abcdef");
  for (int i = 0; i < 20000; ++i) {
    ListQuery q;
    q.sort = "code";
    decodeCursor(m.mutate(cursor), q);
    identity::checkResidentId(m.mutate("11010519491231002X"));
    identity::checkCreditCode(m.mutate("91350100M000100Y43"));
  }
}

TEST(ParsersFuzz, RouterMatchesAnything) {
  http::Router r;
  r.add("GET", "/api/v1/orgs/{id}", [](http::Request&) { return http::Response::noContent(); });
  r.add("GET", "/api/v1/orgs/tree", [](http::Request&) { return http::Response::noContent(); });
  Mutator m(4);
  for (int i = 0; i < 20000; ++i) r.match("GET", m.mutate("/api/v1/orgs/org_x"));
}

// Raw bytes at a real server: every reply is HTTP or a closed connection, and the server keeps
// answering afterwards.
TEST(ParsersFuzz, ServerSurvivesGarbageRequests) {
  http::ServerOptions o;
  o.port = 0;
  o.readTimeoutSeconds = 1;
  o.idleTimeoutSeconds = 1;
  o.headerLimit = 4096;
  o.bodyLimit = 4096;
  http::Server s(o, [](http::Request&) { return http::Response::json(200, {{"ok", true}}); });
  s.start();
  Mutator m(5);
  const std::string seed =
      "POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 7\r\n\r\n{\"a\":1}";
  for (int i = 0; i < 150; ++i) {
    onceonly::testing::HttpClient c(s.port());
    c.sendOnly(m.mutate(seed) + "\r\n\r\n");
    try {
      auto r = c.readReply();
      EXPECT_TRUE(r.status == 200 || (r.status >= 400 && r.status < 500)) << r.status;
    } catch (const std::exception&) {
      // The server closed the connection or the reply never completed: acceptable for garbage.
    }
  }
  onceonly::testing::HttpClient c(s.port());
  EXPECT_EQ(c.request("GET", "/").status, 200);
}

}  // namespace
}  // namespace onceonly
