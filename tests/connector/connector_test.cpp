#include "connector/connector.h"

#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "crypto/crypto.h"
#include "crypto/http_signature.h"
#include "http/server.h"
#include "store/store.h"
#include "support/http_client.h"
#include "support/test_support.h"

namespace onceonly::connector {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z, a Thursday
constexpr const char* kKid = "platform-2026";
constexpr const char* kAuthority = "connector.example:9000";
constexpr const char* kResource = "population.residents";
const std::string kZhang = "11010519491231002X";
const std::string kLi = "110101199003077777";

const std::string kCsv = "subject,name,birth_date,phone\n" + kZhang + ",张三,1949-12-31,\n" + kLi +
                         ",\"Li, Si\",1990-03-07,13812345678\n";

std::string imfFixdate(std::int64_t unix) {
  const std::time_t t = unix;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

std::string ask(const std::string& subject, const std::vector<std::string>& fields,
                const std::string& resource = kResource) {
  return json{{"resource", resource}, {"subject", subject}, {"fields", fields}}.dump();
}

// How the platform signs a request; each test changes what it needs.
struct Signing {
  std::string body = ask(kZhang, {"name"});
  std::int64_t created = kNow;
  std::string date = imfFixdate(kNow);
  std::string keyId = kKid;
  std::string authority = kAuthority;
  std::string nonce = crypto::base64url(crypto::randomBytes(16));
  std::vector<std::string> components = {"@method", "@authority", "@path", "content-digest",
                                         "date"};
};

http::Request signedPost(const crypto::Ed25519Key& key, const Signing& s) {
  crypto::SignedRequest signedRequest;
  signedRequest.method = "POST";
  signedRequest.authority = s.authority;
  signedRequest.path = "/records";
  signedRequest.headers = {{"content-type", "application/json"},
                           {"content-digest", crypto::contentDigest(s.body)},
                           {"date", s.date}};
  crypto::SignatureParams params;
  params.components = s.components;
  params.created = s.created;
  params.keyId = s.keyId;
  params.nonce = s.nonce;
  const auto headers = crypto::signRequest(signedRequest, params, key);

  http::Request req;
  req.method = "POST";
  req.target = "/records";
  req.headers = signedRequest.headers;
  req.headers["host"] = s.authority;
  req.headers["signature-input"] = headers.signatureInput;
  req.headers["signature"] = headers.signature;
  req.body = s.body;
  return req;
}

struct Reply {
  int status = 0;
  std::string contentType;
  json body;
  http::Response response;
};

Reply call(Connector& connector, http::Request req) {
  Reply r;
  r.response = connector.handle(req);
  r.status = r.response.status;
  r.contentType = r.response.contentType;
  r.body = json::parse(r.response.body, nullptr, false);
  return r;
}

void writeFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The message a call throws as std::runtime_error, or "" when it does not throw.
template <class F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

std::string jwk(const crypto::Ed25519Key& key, const std::string& kid) {
  return json{{"kty", "OKP"},
              {"crv", "Ed25519"},
              {"kid", kid},
              {"x", crypto::base64url(crypto::toBytes(key.publicKey()))}}
      .dump();
}

class ConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override { writeFile(csvPath(), kCsv); }

  std::filesystem::path csvPath() const { return dir_.path() / "people.csv"; }

  std::unique_ptr<Connector> connector(Options options = {},
                                       std::unique_ptr<DataSource> data = nullptr) {
    if (!data) data = csvSource(csvPath().string());
    return std::make_unique<Connector>(std::move(options),
                                       TrustedKeys{{kKid, platform_.publicKey()}}, std::move(data),
                                       [this] { return now_.load(); });
  }

  void expectProblem(const Reply& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.response.body;
    EXPECT_EQ(r.contentType, "application/problem+json");
    EXPECT_EQ(r.body.value("code", ""), code) << r.response.body;
    EXPECT_EQ(r.body.value("status", 0), status);
    EXPECT_TRUE(r.body.contains("title"));
    EXPECT_TRUE(r.body.contains("detail"));
  }

  onceonly::testing::TempDir dir_;
  crypto::Ed25519Key platform_ = crypto::Ed25519Key::generate();
  std::atomic<std::int64_t> now_{kNow};
};

// ----- the exchange -----------------------------------------------------------------------------

TEST_F(ConnectorTest, SignedRequestGetsExactlyTheAskedFields) {
  auto c = connector();
  Signing s;
  s.body = ask(kZhang, {"name", "birth_date", "phone", "not_a_column"});
  const auto r = call(*c, signedPost(platform_, s));
  ASSERT_EQ(r.status, 200) << r.response.body;
  EXPECT_EQ(r.contentType, "application/json");
  EXPECT_EQ(r.response.header("Cache-Control"), "no-store");
  // An empty cell is null; a field the data does not have is left out.
  EXPECT_EQ(
      r.body,
      (json{{"subject", kZhang},
            {"values", {{"name", "张三"}, {"birth_date", "1949-12-31"}, {"phone", nullptr}}}}));

  s = Signing{};
  s.body = ask(kLi, {"phone"});
  const auto one = call(*c, signedPost(platform_, s));
  ASSERT_EQ(one.status, 200) << one.response.body;
  EXPECT_EQ(one.body["values"], (json{{"phone", "13812345678"}}));
}

TEST_F(ConnectorTest, SubjectMatchesWhateverTheCaseOfItsX) {
  auto c = connector();
  Signing s;
  s.body = ask("11010519491231002x", {"name"});
  const auto r = call(*c, signedPost(platform_, s));
  ASSERT_EQ(r.status, 200) << r.response.body;
  EXPECT_EQ(r.body["subject"], "11010519491231002x");  // as asked
  EXPECT_EQ(r.body["values"]["name"], "张三");
}

TEST_F(ConnectorTest, UnknownSubjectIsNotFound) {
  auto c = connector();
  Signing s;
  s.body = ask("110101200001010000", {"name"});
  expectProblem(call(*c, signedPost(platform_, s)), 404, "connector.no_record");
}

TEST_F(ConnectorTest, QueryStringDoesNotChangeThePath) {
  auto c = connector();
  auto req = signedPost(platform_, Signing{});
  req.target = "/records?trace=1";
  EXPECT_EQ(call(*c, req).status, 200);
}

TEST_F(ConnectorTest, AnswersBehindTheServer) {
  auto c = connector();
  http::ServerOptions options;
  options.port = 0;
  http::Server server(options, [&](http::Request& req) { return c->handle(req); });
  server.start();
  Signing s;
  s.authority = "127.0.0.1";  // the Host the client sends
  auto req = signedPost(platform_, s);
  req.headers.erase("host");
  onceonly::testing::HttpClient client(server.port());
  const auto reply = client.request("POST", "/records", req.body, req.headers);
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body, nullptr, false)["values"], (json{{"name", "张三"}}));
  EXPECT_EQ(client.request("POST", "/records", req.body, req.headers).status, 401);  // replayed
  server.stop();
}

// ----- who signed -------------------------------------------------------------------------------

TEST_F(ConnectorTest, SignatureOfAnotherKeyIsRefused) {
  auto c = connector();
  const auto forger = crypto::Ed25519Key::generate();
  const auto r = call(*c, signedPost(forger, Signing{}));  // claims the platform's kid
  expectProblem(r, 401, "connector.signature");
  EXPECT_EQ(r.body["detail"], "bad signature");
}

TEST_F(ConnectorTest, UnknownKeyIdIsRefused) {
  auto c = connector();
  Signing s;
  s.keyId = "someone-else";
  const auto r = call(*c, signedPost(crypto::Ed25519Key::generate(), s));
  expectProblem(r, 401, "connector.signature");
  EXPECT_NE(r.body["detail"].get<std::string>().find("unknown key"), std::string::npos);
}

TEST_F(ConnectorTest, MissingSignatureHeadersAreRefused) {
  auto c = connector();
  for (const char* header : {"signature", "signature-input"}) {
    auto req = signedPost(platform_, Signing{});
    req.headers.erase(header);
    expectProblem(call(*c, req), 401, "connector.signature");
  }
  auto req = signedPost(platform_, Signing{});
  req.headers.clear();
  expectProblem(call(*c, req), 401, "connector.signature");
}

TEST_F(ConnectorTest, CoveredHeaderMissingOrChangedIsRefused) {
  auto c = connector();
  auto req = signedPost(platform_, Signing{});
  req.headers.erase("date");
  expectProblem(call(*c, req), 401, "connector.signature");

  req = signedPost(platform_, Signing{});
  req.headers["host"] = "elsewhere.example";
  expectProblem(call(*c, req), 401, "connector.signature");
}

TEST_F(ConnectorTest, SignatureMustCoverWhatTheConnectorReliesOn) {
  auto c = connector();
  Signing s;
  s.components = {"@method", "@authority", "@path", "date"};  // not the body's digest
  auto r = call(*c, signedPost(platform_, s));
  expectProblem(r, 401, "connector.signature");
  EXPECT_NE(r.body["detail"].get<std::string>().find("content-digest"), std::string::npos);

  s = Signing{};
  s.nonce = "";
  expectProblem(call(*c, signedPost(platform_, s)), 401, "connector.signature");
}

TEST_F(ConnectorTest, BodyChangedAfterSigningFailsTheDigest) {
  auto c = connector();
  auto req = signedPost(platform_, Signing{});
  req.body = ask(kLi, {"name"});
  expectProblem(call(*c, req), 400, "connector.digest");
}

// ----- when -------------------------------------------------------------------------------------

TEST_F(ConnectorTest, StaleOrFutureCreatedIsRefused) {
  auto c = connector();
  const auto req = signedPost(platform_, Signing{});
  now_ = kNow + 600;
  expectProblem(call(*c, req), 401, "connector.stale");
  now_ = kNow - 600;
  expectProblem(call(*c, req), 401, "connector.stale");
  now_ = kNow + 300;  // the edge of the window
  EXPECT_EQ(call(*c, req).status, 200);
}

TEST_F(ConnectorTest, DateMustParseAndBeFresh) {
  auto c = connector();
  Signing s;
  s.date = imfFixdate(kNow - 600);
  expectProblem(call(*c, signedPost(platform_, s)), 401, "connector.stale");
  for (const char* bad : {"yesterday", "Mon, 01 Jan 2026 00:00:00 GMT",  // a Thursday
                          "Thu, 01 Jan 2026 00:00:00 UTC", "Thu, 32 Jan 2026 00:00:00 GMT",
                          "Thu, 01 Jan 2026 24:00:00 GMT", "2026-01-01T00:00:00Z"}) {
    s = Signing{};
    s.date = bad;
    expectProblem(call(*c, signedPost(platform_, s)), 401, "connector.stale");
  }
  s = Signing{};
  s.date = "Thu, 01 Jan 2026 00:04:59 GMT";
  EXPECT_EQ(call(*c, signedPost(platform_, s)).status, 200);
}

// ----- once -------------------------------------------------------------------------------------

TEST_F(ConnectorTest, SameRequestTwiceIsAReplay) {
  auto c = connector();
  const auto req = signedPost(platform_, Signing{});
  EXPECT_EQ(call(*c, req).status, 200);
  expectProblem(call(*c, req), 401, "connector.replay");
  // Another nonce is another request.
  EXPECT_EQ(call(*c, signedPost(platform_, Signing{})).status, 200);
}

TEST_F(ConnectorTest, ConcurrentCopiesOfOneRequestGetOneAnswer) {
  auto c = connector();
  const auto req = signedPost(platform_, Signing{});
  std::atomic<int> answered{0}, replayed{0};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      const int status = call(*c, req).status;
      (status == 200 ? answered : replayed)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered, 1);
  EXPECT_EQ(replayed, 7);
}

TEST_F(ConnectorTest, FullNonceStoreRefusesUntilTheWindowHasPassed) {
  Options options;
  options.maxNonces = 2;
  auto c = connector(options);
  EXPECT_EQ(call(*c, signedPost(platform_, Signing{})).status, 200);
  EXPECT_EQ(call(*c, signedPost(platform_, Signing{})).status, 200);
  const auto r = call(*c, signedPost(platform_, Signing{}));
  expectProblem(r, 503, "connector.busy");
  EXPECT_TRUE(r.response.header("Retry-After"));

  // Twice the window later the nonces are forgotten (requests that old are stale anyway).
  now_ = kNow + 601;
  Signing s;
  s.created = kNow + 601;
  s.date = imfFixdate(kNow + 601);
  EXPECT_EQ(call(*c, signedPost(platform_, s)).status, 200);
}

// ----- what is asked ----------------------------------------------------------------------------

TEST_F(ConnectorTest, OnlyPostOnThePath) {
  auto c = connector();
  auto req = signedPost(platform_, Signing{});
  req.method = "GET";
  const auto r = call(*c, req);
  expectProblem(r, 405, "connector.method");
  EXPECT_EQ(r.response.header("Allow"), "POST");

  req = signedPost(platform_, Signing{});
  req.target = "/other";
  expectProblem(call(*c, req), 404, "connector.not_found");
}

TEST_F(ConnectorTest, OptionsChooseThePath) {
  Options options;
  options.path = "/dept/records";
  auto c = connector(options);
  expectProblem(call(*c, signedPost(platform_, Signing{})), 404, "connector.not_found");
}

TEST_F(ConnectorTest, BodyMustBeTheRequestObject) {
  auto c = connector();
  for (const std::string& body :
       {std::string("not json"), std::string("[1, 2]"),
        json{{"subject", kZhang}, {"fields", {"name"}}}.dump(),
        json{{"resource", kResource}, {"subject", 42}, {"fields", {"name"}}}.dump(),
        json{{"resource", kResource}, {"subject", ""}, {"fields", {"name"}}}.dump(),
        json{{"resource", kResource}, {"subject", kZhang}, {"fields", "name"}}.dump(),
        json{{"resource", kResource}, {"subject", kZhang}, {"fields", {"name", 3}}}.dump()}) {
    Signing s;
    s.body = body;
    expectProblem(call(*c, signedPost(platform_, s)), 400, "connector.body");
  }
}

TEST_F(ConnectorTest, AnotherResourceIsNotFound) {
  Options options;
  options.resource = kResource;
  auto c = connector(options);
  Signing s;
  s.body = ask(kZhang, {"name"}, "tax.returns");
  expectProblem(call(*c, signedPost(platform_, s)), 404, "connector.resource");
  EXPECT_EQ(call(*c, signedPost(platform_, Signing{})).status, 200);
}

// ----- construction -----------------------------------------------------------------------------

TEST_F(ConnectorTest, ConstructionRefusesWhatCannotWork) {
  const auto make = [&](Options options, TrustedKeys keys, bool data) {
    return errorOf([&] {
      Connector(std::move(options), std::move(keys),
                data ? csvSource(csvPath().string()) : nullptr);
    });
  };
  const TrustedKeys keys{{kKid, platform_.publicKey()}};
  EXPECT_EQ(make({}, keys, true), "");
  EXPECT_NE(make({}, {}, true), "");
  EXPECT_NE(make({}, keys, false), "");
  Options relative;
  relative.path = "records";
  EXPECT_NE(make(relative, keys, true), "");
  Options noWindow;
  noWindow.windowSeconds = 0;
  EXPECT_NE(make(noWindow, keys, true), "");
  Options emptyResource;
  emptyResource.resource = "";
  EXPECT_NE(make(emptyResource, keys, true), "");
}

// ----- CSV source -------------------------------------------------------------------------------

TEST_F(ConnectorTest, CsvSourceReadsQuotedCellsBomAndCrlf) {
  writeFile(csvPath(), "\xEF\xBB\xBFid,note\r\n" + kLi + ",\"two\nlines\"\r\n");
  auto data = csvSource(csvPath().string(), "id");
  EXPECT_EQ(data->find(kLi), (json{{"id", kLi}, {"note", "two\nlines"}}));
  EXPECT_EQ(data->find(kZhang), std::nullopt);
}

TEST_F(ConnectorTest, CsvSourceRefusesBadFiles) {
  const auto load = [&](const std::string& text, const std::string& key = "subject") {
    writeFile(csvPath(), text);
    return errorOf([&] { csvSource(csvPath().string(), key); });
  };
  // The key twice, in two cases: the message gives the lines, never the key.
  const std::string twice = load("subject,name\n" + kZhang + ",a\n11010519491231002x,b\n");
  EXPECT_NE(twice.find("line 3"), std::string::npos) << twice;
  EXPECT_NE(twice.find("line 2"), std::string::npos) << twice;
  EXPECT_EQ(twice.find("1101051949"), std::string::npos) << twice;

  EXPECT_NE(load("id,name\n1,a\n").find("no key column"), std::string::npos);
  EXPECT_NE(load("subject,name\n" + kZhang + ",a\"b\n").find("line 2"), std::string::npos);
  EXPECT_NE(load("subject,name\n" + kZhang + ",\"open\n").find("not closed"), std::string::npos);
  EXPECT_NE(load("subject,name\n" + kZhang + "\n").find("1 cells where the header has 2"),
            std::string::npos);
  EXPECT_NE(load("subject,name\n,a\n").find("empty"), std::string::npos);
  EXPECT_NE(load("subject,name,name\n").find("twice"), std::string::npos);
  EXPECT_NE(load("subject,\n").find("no name"), std::string::npos);
  EXPECT_NE(load("subject,name\n" + kZhang + ",\xFF\n").find("line 2: not UTF-8"),
            std::string::npos);
  EXPECT_NE(load("").find("no header row"), std::string::npos);
  EXPECT_NE(errorOf([&] { csvSource((dir_.path() / "absent.csv").string()); }), "");
}

// ----- database source --------------------------------------------------------------------------

class DatabaseSourceTest : public ConnectorTest {
 protected:
  void SetUp() override {
    ConnectorTest::SetUp();
    auto db = store::Database::open(url(), 1);
    auto c = db->connect();
    c.exec(
        "CREATE TABLE people (id TEXT PRIMARY KEY, name TEXT, age INTEGER, height REAL, "
        "note TEXT)");
    c.exec("INSERT INTO people VALUES (?, ?, ?, ?, ?)",
           {kZhang, std::string("张三"), std::int64_t{76}, 1.75, store::Null{}});
  }
  std::string url() const { return "sqlite://" + (dir_.path() / "dept.db").string(); }
};

TEST_F(DatabaseSourceTest, ValuesKeepTheirTypes) {
  auto data = databaseSource(url(), "people", "id");
  const json expected = {
      {"id", kZhang}, {"name", "张三"}, {"age", 76}, {"height", 1.75}, {"note", nullptr}};
  EXPECT_EQ(data->find(kZhang), expected);
  EXPECT_EQ(data->find("11010519491231002x"), expected);
  EXPECT_EQ(data->find(kLi), std::nullopt);

  auto c = connector({}, std::move(data));
  Signing s;
  s.body = ask(kZhang, {"age", "height", "note", "missing"});
  const auto r = call(*c, signedPost(platform_, s));
  ASSERT_EQ(r.status, 200) << r.response.body;
  EXPECT_EQ(r.body["values"], (json{{"age", 76}, {"height", 1.75}, {"note", nullptr}}));
  EXPECT_TRUE(r.body["values"]["age"].is_number_integer());
}

TEST_F(DatabaseSourceTest, SubjectHeldTwiceIsAnErrorNotAGuess) {
  {
    auto db = store::Database::open(url(), 1);
    auto c = db->connect();
    c.exec("CREATE TABLE loose (id TEXT, name TEXT)");
    c.exec("INSERT INTO loose VALUES (?, 'a'), (?, 'b')", {kLi, kLi});
  }
  auto c = connector({}, databaseSource(url(), "loose", "id"));
  Signing s;
  s.body = ask(kLi, {"name"});
  expectProblem(call(*c, signedPost(platform_, s)), 500, "connector.data");
}

TEST_F(DatabaseSourceTest, NamesMustBeIdentifiersOfWhatExists) {
  for (const auto& names :
       std::vector<std::pair<std::string, std::string>>{{"people; DROP TABLE people", "id"},
                                                        {"people", "id\" OR 1=1 --"},
                                                        {"1people", "id"},
                                                        {"", "id"},
                                                        {std::string(64, 'p'), "id"}}) {
    EXPECT_NE(errorOf([&] {
                databaseSource(url(), names.first, names.second);
              }).find("not an identifier"),
              std::string::npos)
        << names.first << " / " << names.second;
  }
  EXPECT_NE(errorOf([&] { databaseSource(url(), "nobody", "id"); }), "");
  EXPECT_NE(errorOf([&] { databaseSource(url(), "people", "subject"); }), "");

  // A missing file is refused, not created empty.
  const auto absent = dir_.path() / "absent.db";
  EXPECT_NE(errorOf([&] { databaseSource("sqlite://" + absent.string(), "people", "id"); }), "");
  EXPECT_FALSE(std::filesystem::exists(absent));
}

// ----- trusted keys -----------------------------------------------------------------------------

TEST(TrustedKeysTest, ReadsTheEd25519KeysOfAJwkSet) {
  const auto a = crypto::Ed25519Key::generate();
  const auto b = crypto::Ed25519Key::generate();
  const std::string set = R"({"keys": [)" + jwk(a, "a") + "," + jwk(b, "b") +
                          R"(, {"kty": "RSA", "kid": "r", "n": "AQAB", "e": "AQAB"},
                                {"kty": "OKP", "crv": "X25519", "kid": "x", "x": "AA"},
                                {"kty": "OKP", "crv": "Ed25519", "kid": "enc", "use": "enc",
                                 "x": "AA"}]})";
  const auto keys = parseTrustedKeys(set);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys.at("a"), a.publicKey());
  EXPECT_EQ(keys.at("b"), b.publicKey());

  onceonly::testing::TempDir dir;
  writeFile(dir.path() / "keys.json", set);
  EXPECT_EQ(loadTrustedKeys((dir.path() / "keys.json").string()), keys);
}

TEST(TrustedKeysTest, RefusesBadSets) {
  const auto a = crypto::Ed25519Key::generate();
  const std::string x = crypto::base64url(crypto::toBytes(a.publicKey()));
  const auto error = [](const std::string& text) {
    return errorOf([&] { parseTrustedKeys(text); });
  };
  EXPECT_NE(error("{not json").find("not JSON"), std::string::npos);
  EXPECT_NE(error("[]").find("\"keys\""), std::string::npos);
  EXPECT_NE(error(R"({"keys": {}})").find("\"keys\""), std::string::npos);
  EXPECT_NE(error(R"({"keys": []})").find("no Ed25519"), std::string::npos);
  EXPECT_NE(error(R"({"keys": [3]})").find("keys[0]"), std::string::npos);
  EXPECT_NE(
      error(R"({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": ")" + x + R"("}]})").find("no kid"),
      std::string::npos);
  EXPECT_NE(error(R"({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k", "x": "AAAA"}]})")
                .find("32 bytes"),
            std::string::npos);
  EXPECT_NE(error(R"({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k", "x": "!!"}]})")
                .find("32 bytes"),
            std::string::npos);
  EXPECT_NE(error(R"({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k"}]})").find("32 bytes"),
            std::string::npos);
  EXPECT_NE(error(R"({"keys": [)" + jwk(a, "k") + "," + jwk(a, "k") + "]}").find("twice"),
            std::string::npos);
  EXPECT_NE(error(R"({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "k", "x": ")" + x +
                  R"(", "d": "secret"}]})")
                .find("private key"),
            std::string::npos);
  EXPECT_NE(errorOf([] { loadTrustedKeys("/nonexistent/keys.json"); }), "");
}

}  // namespace
}  // namespace onceonly::connector
