#include "http/client.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"
#include "support/test_support.h"

namespace onceonly::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct Pem {
  std::string certificate;
  std::string key;
};

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// A self-signed certificate (its own CA) for the given subjectAltName, e.g.
// "DNS:localhost,IP:127.0.0.1", made with OpenSSL for the test.
Pem selfSigned(const std::string& altNames) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("onceonly test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, altNames},
                            std::pair{NID_basic_constraints, std::string("critical,CA:TRUE")}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert.get(), key.get(), EVP_sha256());
  std::unique_ptr<BIO, decltype(&BIO_free)> c(BIO_new(BIO_s_mem()), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> k(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(c.get(), cert.get());
  PEM_write_bio_PrivateKey(k.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return {bioText(c.get()), bioText(k.get())};
}

// An HTTPS server on a loopback port that answers every request with "hello <target>".
class TlsServer {
 public:
  explicit TlsServer(const Pem& pem) : ctx_(net::ssl::context::tls_server) {
    ctx_.use_certificate_chain(net::buffer(pem.certificate));
    ctx_.use_private_key(net::buffer(pem.key), net::ssl::context::pem);
    acceptor_.open(net::ip::tcp::v4());
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    thread_ = std::thread([this] { serve(); });
  }
  ~TlsServer() {
    // A blocked accept() does not return when the socket is closed: wake it with a connection.
    stopping_ = true;
    net::io_context ioc;
    net::ip::tcp::socket poke(ioc);
    beast::error_code ec;
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }
  // The server name each client asked for in its handshake ("" for none).
  std::vector<std::string> serverNames() {
    std::lock_guard lock(mutex_);
    return serverNames_;
  }

 private:
  void serve() {
    for (;;) {
      beast::error_code ec;
      net::ip::tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      try {
        beast::ssl_stream<net::ip::tcp::socket> stream(std::move(socket), ctx_);
        stream.handshake(net::ssl::stream_base::server);
        const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
        {
          std::lock_guard lock(mutex_);
          serverNames_.push_back(sni ? sni : "");
        }
        beast::flat_buffer buffer;
        bhttp::request<bhttp::string_body> req;
        bhttp::read(stream, buffer, req);
        bhttp::response<bhttp::string_body> res(bhttp::status::ok, 11);
        res.set(bhttp::field::content_type, "text/plain");
        res.body() = "hello " + std::string(req.target());
        res.prepare_payload();
        bhttp::write(stream, res);
        stream.shutdown(ec);
      } catch (const std::exception&) {
        // A client that refused the certificate: wait for the next one.
      }
    }
  }

  net::io_context ioc_;
  net::ssl::context ctx_;
  net::ip::tcp::acceptor acceptor_{ioc_};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<std::string> serverNames_;
  std::thread thread_;
};

// A loopback server that accepts connections and never says a word.
class SilentServer {
 public:
  SilentServer() {
    acceptor_.open(net::ip::tcp::v4());
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();  // the kernel completes the handshake; nothing ever reads or answers
  }
  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }

 private:
  net::io_context ioc_;
  net::ip::tcp::acceptor acceptor_{ioc_};
};

class TlsClientTest : public ::testing::Test {
 protected:
  onceonly::testing::TempDir dir;
  std::string write(const std::string& name, const std::string& text) {
    auto path = (dir.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }
  static ClientOptions trusting(const std::string& caFile) {
    ClientOptions o;
    o.timeoutSeconds = 5;
    o.caFile = caFile;
    return o;
  }
};

TEST_F(TlsClientTest, TalksToAServerWhoseCertificateItTrusts) {
  Pem pem = selfSigned("DNS:localhost,IP:127.0.0.1");
  TlsServer server(pem);
  auto ca = write("ca.pem", pem.certificate);
  auto r = fetch("GET", "https://localhost:" + server.port() + "/checkpoint", "", "", trusting(ca));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello /checkpoint");
  r = fetch("POST", "https://127.0.0.1:" + server.port() + "/add-checkpoint", "body", "text/plain",
            trusting(ca));
  EXPECT_EQ(r.body, "hello /add-checkpoint");
  // The host name goes out as SNI; an address does not (RFC 6066 §3).
  EXPECT_EQ(server.serverNames(), (std::vector<std::string>{"localhost", ""}));
}

// A server that takes the connection and never answers makes the call fail once its time is up,
// whether it never starts the TLS handshake or never answers over plain HTTP.
TEST(HttpClient, GivesUpOnAServerThatNeverAnswers) {
  SilentServer server;
  ClientOptions o;
  o.timeoutSeconds = 1;
  for (std::string scheme : {"http", "https"}) {
    auto call = std::async(std::launch::async, [&] {
      fetch("GET", scheme + "://127.0.0.1:" + server.port() + "/", "", "", o);
    });
    ASSERT_EQ(call.wait_for(std::chrono::seconds(60)), std::future_status::ready)
        << scheme << ": the call did not give up";
    try {
      call.get();
      ADD_FAILURE() << scheme << ": a silent server gave an answer";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("no answer within 1 s"), std::string::npos) << e.what();
    }
  }
}

TEST_F(TlsClientTest, RefusesAnUntrustedCertificate) {
  Pem pem = selfSigned("DNS:localhost");
  TlsServer server(pem);
  try {
    fetch("GET", "https://localhost:" + server.port() + "/", "", "", trusting(""));
    FAIL() << "an untrusted certificate was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("certificate verify failed"), std::string::npos)
        << e.what();
  }
}

TEST_F(TlsClientTest, RefusesACertificateForAnotherHost) {
  Pem pem = selfSigned("DNS:witness.example");
  TlsServer server(pem);
  auto ca = write("ca.pem", pem.certificate);
  EXPECT_THROW(fetch("GET", "https://localhost:" + server.port() + "/", "", "", trusting(ca)),
               std::runtime_error);
}

TEST(HttpClient, NamesWhatIsWrongWithAUrl) {
  for (const char* bad : {"ftp://x/", "https://", "https://host:0/", "http://user@host/"}) {
    try {
      fetch("GET", bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

// A request as the server saw it.
struct Seen {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // names in lower case
};

// A real http::Server whose answers wait until `gate` requests have arrived, so that a client
// that waits for each answer before it sends the next request never gets one. It answers
// "hello <target>" without holding a worker thread meanwhile (deferred responses).
class GatedServer {
 public:
  explicit GatedServer(std::size_t gate)
      : gate_(gate), server_(options(), [this](Request& r) { return arrive(r); }) {
    server_.start();
  }
  ~GatedServer() {
    // Those still waiting are answered and let go (each holds its connection), so that stop()
    // does not wait for them.
    {
      std::vector<std::pair<Respond, std::string>> waiting;
      {
        std::lock_guard lock(mutex_);
        waiting.swap(waiting_);
      }
      for (auto& [respond, target] : waiting) respond(nullptr, Response::text(503, "stopping"));
    }
    server_.stop();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }
  // False when fewer than n have arrived within a minute.
  bool waitForArrivals(std::size_t n) {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, std::chrono::seconds(60), [&] { return seen_.size() >= n; });
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  static ServerOptions options() {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.workerThreads = 2;
    return o;
  }

  Response arrive(Request& r) {
    Seen seen{r.method, r.target, r.body, r.headers};
    return Response::deferred([this, seen = std::move(seen)](const Respond& respond) {
      std::vector<std::pair<Respond, std::string>> ready;
      {
        std::lock_guard lock(mutex_);
        seen_.push_back(seen);
        waiting_.emplace_back(respond, seen.target);
        arrived_.notify_all();
        if (seen_.size() < gate_) return;
        ready.swap(waiting_);
      }
      for (auto& [answer, target] : ready) answer(nullptr, Response::text(200, "hello " + target));
    });
  }

  const std::size_t gate_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Seen> seen_;                                // GUARDED_BY mutex_
  std::vector<std::pair<Respond, std::string>> waiting_;  // GUARDED_BY mutex_
  Server server_;  // last: its handler uses the members above
};

struct Outcome {
  std::exception_ptr error;
  ClientReply reply;
};

// One call through the client, waited for (a minute at most: a hang guard, not a timing goal).
Outcome fetchAndWait(Client& client, ClientRequest request) {
  auto promise = std::make_shared<std::promise<Outcome>>();
  auto outcome = promise->get_future();
  client.fetch(std::move(request), [promise](std::exception_ptr error, ClientReply reply) {
    promise->set_value({std::move(error), std::move(reply)});
  });
  if (outcome.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    ADD_FAILURE() << "the callback was never called";
    return {};
  }
  return outcome.get();
}

std::string errorText(const std::exception_ptr& error) {
  if (!error) return "";
  try {
    std::rethrow_exception(error);
  } catch (const std::runtime_error& e) {
    return e.what();
  } catch (...) {
    return "not a std::runtime_error";
  }
}

// The server answers none of the 50 before all 50 have arrived: a client that held its one
// thread while it waited would get no answer at all.
TEST(AsyncClient, CarriesManyCallsAtOnceOnOneThread) {
  constexpr std::size_t kCalls = 50;
  GatedServer server(kCalls);
  std::mutex mutex;
  std::condition_variable allDone;
  std::vector<Outcome> outcomes(kCalls);
  std::size_t callbacks = 0;
  std::set<std::thread::id> threads;
  {
    Client client(1);
    for (std::size_t i = 0; i < kCalls; ++i) {
      ClientRequest request;
      request.url = server.url("/call/" + std::to_string(i));
      request.options.timeoutSeconds = 60;
      client.fetch(request, [&, i](std::exception_ptr error, ClientReply reply) {
        std::lock_guard lock(mutex);
        outcomes[i] = {std::move(error), std::move(reply)};
        threads.insert(std::this_thread::get_id());
        if (++callbacks == kCalls) allDone.notify_all();
      });
    }
    std::unique_lock lock(mutex);
    ASSERT_TRUE(
        allDone.wait_for(lock, std::chrono::seconds(60), [&] { return callbacks == kCalls; }))
        << callbacks << " of " << kCalls << " calls answered";
  }
  EXPECT_EQ(callbacks, kCalls);  // and no more once the client is gone
  EXPECT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
  for (std::size_t i = 0; i < kCalls; ++i) {
    EXPECT_EQ(errorText(outcomes[i].error), "") << i;
    EXPECT_EQ(outcomes[i].reply.status, 200) << i;
    EXPECT_EQ(outcomes[i].reply.contentType, "text/plain; charset=utf-8") << i;
    EXPECT_EQ(outcomes[i].reply.body, "hello /call/" + std::to_string(i)) << i;
  }
  EXPECT_EQ(server.seen().size(), kCalls);
}

// What the exchange signs goes out as given, beside the body and its type.
TEST(AsyncClient, SendsTheHeadersItIsGiven) {
  GatedServer server(1);
  Client client;
  ClientRequest request;
  request.method = "POST";
  request.url = server.url("/exchange?x=1");
  request.body = R"({"query":"residence"})";
  request.contentType = "application/json";
  request.headers = {
      {"Content-Digest", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"},
      {"Signature-Input", R"(sig1=("@method" "@authority" "content-digest");created=1700000000)"},
      {"Signature", "sig1=:c2lnbmF0dXJl:"},
      {"Date", "Tue, 14 Nov 2023 22:13:20 GMT"},
  };
  auto outcome = fetchAndWait(client, request);
  ASSERT_EQ(errorText(outcome.error), "");
  EXPECT_EQ(outcome.reply.status, 200);
  EXPECT_EQ(outcome.reply.body, "hello /exchange?x=1");
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, request.body);
  auto& h = seen[0].headers;
  EXPECT_EQ(h["content-type"], "application/json");
  EXPECT_EQ(h["content-digest"], request.headers[0].second);
  EXPECT_EQ(h["signature-input"], request.headers[1].second);
  EXPECT_EQ(h["signature"], request.headers[2].second);
  EXPECT_EQ(h["date"], request.headers[3].second);
  EXPECT_EQ("http://" + h["host"] + "/", server.url("/"));  // the port too (RFC 9110 §7.2)
}

TEST(AsyncClient, RefusesAHeaderThatWouldStartAnother) {
  GatedServer server(1);
  Client client;
  ClientRequest request;
  request.url = server.url("/");
  request.headers = {{"Date", "today\r\nX-Injected: yes"}};
  auto outcome = fetchAndWait(client, request);
  EXPECT_NE(errorText(outcome.error).find("line break"), std::string::npos)
      << errorText(outcome.error);
  EXPECT_TRUE(server.seen().empty());
}

TEST(AsyncClient, RefusesAnAnswerOverTheBodyLimit) {
  GatedServer server(1);
  Client client;
  ClientRequest request;
  request.url = server.url("/a-long-path");
  request.options.bodyLimit = 5;
  auto outcome = fetchAndWait(client, request);
  auto what = errorText(outcome.error);
  EXPECT_NE(what.find(request.url), std::string::npos) << what;
  EXPECT_NE(what.find("larger than 5 bytes"), std::string::npos) << what;
}

TEST(AsyncClient, GivesUpWhenItsTimeIsUpAndNamesTheUrl) {
  SilentServer server;
  Client client;
  for (std::string scheme : {"http", "https"}) {
    ClientRequest request;
    request.url = scheme + "://127.0.0.1:" + server.port() + "/slow";
    request.options.timeoutSeconds = 1;
    auto outcome = fetchAndWait(client, request);
    auto what = errorText(outcome.error);
    EXPECT_NE(what.find("GET " + request.url), std::string::npos) << what;
    EXPECT_NE(what.find("no answer within 1 s"), std::string::npos) << what;
  }
}

TEST(AsyncClient, ReportsAPortNobodyListensOn) {
  std::string port;
  {
    // A port just freed: nothing listens there.
    net::io_context ioc;
    net::ip::tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
    port = std::to_string(acceptor.local_endpoint().port());
  }
  Client client;
  ClientRequest request;
  request.url = "http://127.0.0.1:" + port + "/";
  auto outcome = fetchAndWait(client, request);
  auto what = errorText(outcome.error);
  EXPECT_NE(what.find(request.url), std::string::npos) << what;
  EXPECT_NE(what.find("cannot connect"), std::string::npos) << what;
}

TEST(AsyncClient, ReportsAMalformedUrlThroughTheCallback) {
  Client client;
  ClientRequest request;
  request.url = "ftp://example.org/";
  auto outcome = fetchAndWait(client, request);
  EXPECT_NE(errorText(outcome.error).find("ftp://example.org/"), std::string::npos)
      << errorText(outcome.error);
}

TEST(AsyncClient, DestroyedWithACallInFlightCallsItsCallbackOnceWithAnError) {
  GatedServer server(2);  // the one request never gets its answer
  std::atomic<int> callbacks{0};
  std::exception_ptr error;
  ClientReply reply;
  {
    Client client;
    ClientRequest request;
    request.url = server.url("/never");
    request.options.timeoutSeconds = 60;
    client.fetch(request, [&](std::exception_ptr e, ClientReply r) {
      error = std::move(e);
      reply = std::move(r);
      ++callbacks;
    });
    ASSERT_TRUE(server.waitForArrivals(1));  // the call is in flight, waiting for its answer
  }
  EXPECT_EQ(callbacks, 1);
  EXPECT_NE(errorText(error).find(server.url("/never")), std::string::npos) << errorText(error);
  EXPECT_EQ(reply.status, 0);
}

// A callback may start the next call, even while the client is being destroyed: that one is
// reported too, before the destructor returns.
TEST(AsyncClient, CallsStartedByCallbacksAreReportedToo) {
  GatedServer server(1);
  std::atomic<int> callbacks{0};
  {
    Client client;
    ClientRequest request;
    request.url = server.url("/first");
    client.fetch(request, [&](std::exception_ptr, ClientReply) {
      ++callbacks;
      ClientRequest next;
      next.url = server.url("/second");
      client.fetch(next, [&](std::exception_ptr, ClientReply) { ++callbacks; });
    });
  }
  EXPECT_EQ(callbacks, 2);
}

}  // namespace
}  // namespace onceonly::http
