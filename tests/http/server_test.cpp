#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/error.h"
#include "http/pipeline.h"
#include "support/http_client.h"

namespace onceonly::http {
namespace {

using onceonly::testing::HttpClient;

ServerOptions smallLimits() {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.bodyLimit = 1024;
  o.headerLimit = 2048;
  o.readTimeoutSeconds = 1;
  o.idleTimeoutSeconds = 1;
  o.workerThreads = 2;
  return o;
}

Response echo(Request& r) {
  return Response::json(200, {{"method", r.method}, {"target", r.target}, {"body", r.body}});
}

TEST(Server, AnswersAndKeepsTheConnectionAlive) {
  Server s(smallLimits(), echo);
  s.start();
  HttpClient c(s.port());
  auto a = c.request("GET", "/one");
  EXPECT_EQ(a.status, 200);
  EXPECT_FALSE(a.closed);
  auto b = c.request("POST", "/two", "hello");
  EXPECT_EQ(b.status, 200);
  EXPECT_NE(b.body.find("hello"), std::string::npos);
}

TEST(Server, HeadAnswersTheLengthOfTheBodyItLeavesOut) {
  Server s(smallLimits(), echo);
  s.start();
  HttpClient c(s.port());
  auto get = c.request("GET", "/one");
  auto head = c.request("HEAD", "/one");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  // The same length GET gives (the echo names the method, one letter more for HEAD).
  EXPECT_EQ(std::stoul(head.headers.at("content-length")), get.body.size() + 1);
  EXPECT_FALSE(head.closed);
  // The connection is still in step: the next answer is read whole.
  auto after = c.request("GET", "/two");
  EXPECT_EQ(after.status, 200);
  EXPECT_NE(after.body.find("/two"), std::string::npos);
}

TEST(Server, OversizedBodyGets413AndTheHandlerNeverRuns) {
  std::atomic<int> calls{0};
  Server s(smallLimits(), [&](Request& r) {
    ++calls;
    return echo(r);
  });
  s.start();
  HttpClient c(s.port());
  auto r = c.request("POST", "/x", std::string(5000, 'a'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers["content-type"], "application/problem+json");
  EXPECT_NE(r.body.find("body.too_large"), std::string::npos);
  EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
  EXPECT_FALSE(r.headers["x-request-id"].empty());
  EXPECT_EQ(calls, 0);
}

TEST(Server, UploadsMayBeLargerThanOtherBodies) {
  auto o = smallLimits();
  o.uploadLimit = 16 * 1024;
  o.isUpload = [](std::string_view method, std::string_view target) {
    return method == "POST" && target == "/uploads";
  };
  std::atomic<int> calls{0};
  Server s(o, [&](Request& r) {
    ++calls;
    return Response::json(200, {{"bytes", r.body.size()}});
  });
  s.start();
  HttpClient c(s.port());
  auto upload = c.request("POST", "/uploads", std::string(10000, 'a'));
  EXPECT_EQ(upload.status, 200) << upload.body;
  EXPECT_NE(upload.body.find("10000"), std::string::npos);
  // The same body anywhere else is over the ordinary limit, and an upload over its own is too.
  HttpClient other(s.port());
  auto elsewhere = other.request("POST", "/other", std::string(10000, 'a'));
  EXPECT_EQ(elsewhere.status, 413);
  EXPECT_NE(elsewhere.body.find("1024"), std::string::npos);
  HttpClient big(s.port());
  auto tooBig = big.request("POST", "/uploads", std::string(20000, 'a'));
  EXPECT_EQ(tooBig.status, 413);
  EXPECT_NE(tooBig.body.find("16384"), std::string::npos);
  EXPECT_EQ(calls, 1);
}

TEST(Server, OversizedHeadersGet431) {
  Server s(smallLimits(), echo);
  s.start();
  HttpClient c(s.port());
  auto r = c.request("GET", "/x", "", {{"X-Big", std::string(4000, 'b')}});
  EXPECT_EQ(r.status, 431);
}

TEST(Server, MalformedHttpGets400) {
  Server s(smallLimits(), echo);
  s.start();
  HttpClient c(s.port());
  auto r = c.raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("request.malformed"), std::string::npos);
}

TEST(Server, ASlowClientIsCutOffAfterTheReadTimeout) {
  Server s(smallLimits(), echo);
  s.start();
  HttpClient c(s.port());
  c.sendOnly("GET /slow HTTP/1.1\r\nHost: x\r\n");  // never finishes the headers
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.waitClosed(10000));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(9));
}

TEST(Server, IdleKeepAliveConnectionsAreClosed) {
  Server s(smallLimits(), echo);
  s.start();
  HttpClient c(s.port());
  EXPECT_EQ(c.request("GET", "/").status, 200);
  EXPECT_TRUE(c.waitClosed(5000));
}

TEST(Server, StopLetsInFlightRequestsFinish) {
  std::promise<void> entered;
  std::atomic<bool> release{false};
  Server s(smallLimits(), [&](Request& r) {
    entered.set_value();
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return echo(r);
  });
  s.start();
  HttpClient c(s.port());
  c.sendOnly("GET /long HTTP/1.1\r\nHost: x\r\n\r\n");
  entered.get_future().wait();
  std::thread stopper([&] { s.stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  release = true;
  auto r = c.readReply();
  stopper.join();
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.closed);  // answered with Connection: close during shutdown
}

// A handler that defers its response: "/later" hands over a Respond and returns at once.
struct Deferring {
  Router router;
  Metrics metrics;
  std::mutex mutex;
  std::condition_variable handed;
  std::vector<Respond> waiting;  // GUARDED_BY mutex
  Pipeline pipeline{router, metrics, PipelineOptions{}};

  Deferring() {
    router.add("GET", "/later", [this](Request&) {
      return Response::deferred([this](const Respond& respond) {
        std::lock_guard lock(mutex);
        waiting.push_back(respond);
        handed.notify_all();
      });
    });
    router.add("GET", "/now", [](Request&) { return Response::json(200, {{"now", true}}); });
    // A handler that loses its Respond without calling it.
    router.add("GET", "/dropped",
               [](Request&) { return Response::deferred([](const Respond&) {}); });
  }
  Respond next() {
    std::unique_lock lock(mutex);
    handed.wait(lock, [this] { return !waiting.empty(); });
    Respond r = waiting.front();
    waiting.erase(waiting.begin());
    return r;
  }
};

// The one worker is free while a deferred response waits; the response goes out when it is
// handed over, from another thread, with the pipeline's headers; a deferred error becomes
// problem details.
TEST(Server, ADeferredResponseLeavesTheWorkerFree) {
  Deferring d;
  auto o = smallLimits();
  o.workerThreads = 1;
  Server s(o, [&](Request& r) { return d.pipeline.handle(r); });
  s.start();
  HttpClient waiting(s.port());
  waiting.sendOnly("GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
  Respond respond = d.next();
  HttpClient other(s.port());
  auto now = other.request("GET", "/now");
  EXPECT_EQ(now.status, 200);
  std::thread([&] { respond(nullptr, Response::json(201, {{"later", true}})); }).join();
  auto later = waiting.readReply();
  EXPECT_EQ(later.status, 201);
  EXPECT_NE(later.body.find("later"), std::string::npos);
  EXPECT_EQ(later.headers["x-content-type-options"], "nosniff");
  EXPECT_FALSE(later.headers["x-request-id"].empty());
  EXPECT_FALSE(later.closed);

  waiting.sendOnly("GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
  d.next()(std::make_exception_ptr(Error(503, "db.unavailable")), Response{});
  auto failed = waiting.readReply();
  EXPECT_EQ(failed.status, 503);
  EXPECT_EQ(failed.headers["content-type"], "application/problem+json");
  EXPECT_NE(failed.body.find("db.unavailable"), std::string::npos);

  // A response dropped unanswered is still answered, and the connection goes on.
  auto dropped = waiting.request("GET", "/dropped");
  EXPECT_EQ(dropped.status, 500);
  EXPECT_EQ(waiting.request("GET", "/now").status, 200);
}

// Stopping waits for a deferred response, which still goes out.
TEST(Server, StopWaitsForDeferredResponses) {
  Deferring d;
  Server s(smallLimits(), [&](Request& r) { return d.pipeline.handle(r); });
  s.start();
  HttpClient c(s.port());
  c.sendOnly("GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
  Respond respond = d.next();
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    s.stop();
    stopped = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(stopped);
  // Handed over and let go, as the ledger does with its callbacks: what it held (the session)
  // goes with it.
  std::exchange(respond, nullptr)(nullptr, Response::json(200, {{"later", true}}));
  auto r = c.readReply();
  stopper.join();
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.closed);
}

TEST(Server, RefusesAnAddressThatIsNotAnIp) {
  auto o = smallLimits();
  o.host = "not-an-ip";
  Server s(o, echo);
  EXPECT_THROW(s.start(), std::runtime_error);
}

}  // namespace
}  // namespace onceonly::http
