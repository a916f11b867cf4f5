#include "http/client.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <unordered_set>

#include "core/log.h"

namespace onceonly::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

struct Target {
  std::string host, port, path;
  std::string authority;  // host and port as written, for the Host header
  bool tls = false;
};

// What is wrong is said without the URL: the caller names it.
Target parseUrl(const std::string& url) {
  const bool tls = url.rfind("https://", 0) == 0;
  if (!tls && url.rfind("http://", 0) != 0)
    throw std::runtime_error("not an http:// or https:// URL");
  std::string rest = url.substr(tls ? 8 : 7);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Target t{authority, tls ? "443" : "80", slash == std::string::npos ? "/" : rest.substr(slash),
           authority, tls};
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    t.host = authority.substr(0, colon);
    t.port = authority.substr(colon + 1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(t.port.data(), t.port.data() + t.port.size(), port);
    if (ec != std::errc() || p != t.port.data() + t.port.size() || port == 0 || port > 65535)
      throw std::runtime_error("no valid port");
  }
  if (t.host.size() > 1 && t.host.front() == '[' && t.host.back() == ']')
    t.host = t.host.substr(1, t.host.size() - 2);
  if (t.host.empty() || t.host.find('@') != std::string::npos)
    throw std::runtime_error("no valid host");
  return t;
}

// A method or header name (RFC 9110 §5.6.2).
bool isToken(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// The server must show a certificate for the URL's host that chains to the system's trust store,
// or to the CAs in caFile (a government's own CA).
std::shared_ptr<net::ssl::context> makeTlsContext(const std::string& caFile) {
  auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
  ctx->set_options(net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
  ctx->set_default_verify_paths();
  if (!caFile.empty()) ctx->load_verify_file(caFile);
  ctx->set_verify_mode(net::ssl::verify_peer);
  return ctx;
}

class Call;

// What a client and its calls share. Held by each call, so a call destroyed after its client
// (with the io_context, see ~Client) finds it alive.
struct Shared {
  std::mutex mutex;
  std::condition_variable idle;
  // Calls whose callback has not returned yet. GUARDED_BY mutex
  std::unordered_set<std::shared_ptr<Call>> calls;
  bool closing = false;  // GUARDED_BY mutex
  // TLS contexts by CA file: loading the system's trust store for each call would cost more than
  // the handshake. A CA file changed on disk is read again by the next Client. GUARDED_BY mutex
  std::map<std::string, std::shared_ptr<net::ssl::context>> tlsContexts;
  // Host name lookups under way: getaddrinfo cannot be interrupted, and destroying the
  // io_context waits for it.
  std::atomic<int> lookups{0};

  std::shared_ptr<net::ssl::context> tlsContext(const std::string& caFile) {
    std::lock_guard lock(mutex);
    auto& ctx = tlsContexts[caFile];
    if (!ctx) {
      try {
        ctx = makeTlsContext(caFile);
      } catch (...) {
        tlsContexts.erase(caFile);
        throw;
      }
    }
    return ctx;
  }
};

// One call, from resolving the host to the last byte of the answer. It lives as long as a
// pending operation holds it. Everything runs on its strand, so a client with several threads
// still runs each call's steps one at a time. One timer bounds the whole call: the stream's own
// timeouts would not cover the host name lookup.
class Call : public std::enable_shared_from_this<Call> {
 public:
  using Strand = net::strand<net::io_context::executor_type>;

  Call(net::io_context& ioc, std::shared_ptr<Shared> shared, ClientRequest request,
       Client::Done done)
      : strand_(net::make_strand(ioc)),
        resolver_(strand_),
        timer_(strand_),
        shared_(std::move(shared)),
        request_(std::move(request)),
        done_(std::move(done)) {}

  const Strand& strand() const { return strand_; }

  void start() {
    bool closing = false;
    {
      std::lock_guard lock(shared_->mutex);
      closing = shared_->closing;
    }
    if (closing) return fail("the client was closed before the call started");
    const int seconds = std::max(1, request_.options.timeoutSeconds);
    timer_.expires_after(std::chrono::seconds(seconds));
    timer_.async_wait([self = shared_from_this(), seconds](beast::error_code ec) {
      // After the reply it still bounds the closing of the connection.
      if (!ec) self->fail("no answer within " + std::to_string(seconds) + " s");
    });
    try {
      target_ = parseUrl(request_.url);
      if (target_.tls) {
        tlsContext_ = shared_->tlsContext(request_.options.caFile);
        secure_.emplace(strand_, *tlsContext_);
        secure_->set_verify_callback(net::ssl::host_name_verification(target_.host));
        // Server Name Indication, so that a server with several names picks the right
        // certificate. RFC 6066 §3 allows host names only: an address literal is not sent.
        beast::error_code notAddress;
        net::ip::make_address(target_.host, notAddress);
        if (notAddress && !SSL_set_tlsext_host_name(secure_->native_handle(), target_.host.c_str()))
          throw std::runtime_error("cannot name the TLS server " + target_.host);
      } else {
        plain_.emplace(strand_);
      }
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    resolve();
  }

  void abort() { fail("the client was closed before the answer came"); }

 private:
  bool reported() const { return !done_; }

  beast::tcp_stream& lowest() { return secure_ ? beast::get_lowest_layer(*secure_) : *plain_; }

  template <class F>
  void withStream(F&& f) {
    if (secure_)
      f(*secure_);
    else
      f(*plain_);
  }

  void resolve() {
    beast::error_code notAddress;
    auto address = net::ip::make_address(target_.host, notAddress);
    if (!notAddress) {
      endpoints_.emplace_back(address, static_cast<unsigned short>(std::stoul(target_.port)));
      return connect();
    }
    ++shared_->lookups;
    resolver_.async_resolve(
        target_.host, target_.port,
        [self = shared_from_this()](beast::error_code ec,
                                    const tcp::resolver::results_type& results) {
          --self->shared_->lookups;
          if (self->reported()) return;
          if (ec) return self->fail("cannot resolve " + self->target_.host + ": " + ec.message());
          for (const auto& entry : results) self->endpoints_.push_back(entry.endpoint());
          self->connect();
        });
  }

  void connect() {
    lowest().async_connect(endpoints_, [self = shared_from_this()](beast::error_code ec,
                                                                   const tcp::endpoint&) {
      if (self->reported()) return;
      if (ec)
        return self->fail("cannot connect to " + self->target_.authority + ": " + ec.message());
      if (!self->secure_) return self->send();
      self->secure_->async_handshake(net::ssl::stream_base::client, [self](beast::error_code ec) {
        if (self->reported()) return;
        if (ec) return self->fail("TLS handshake failed: " + ec.message());
        self->send();
      });
    });
  }

  void send() {
    try {
      if (!isToken(request_.method))
        throw std::runtime_error("'" + request_.method + "' is not a method");
      message_.version(11);
      message_.method_string(request_.method);
      message_.target(target_.path);
      message_.set(bhttp::field::host, target_.authority);
      message_.set(bhttp::field::user_agent, "onceonly");
      const auto& method = request_.method;
      const bool withBody = !request_.body.empty() || method == "POST" || method == "PUT";
      if (withBody) message_.set(bhttp::field::content_type, request_.contentType);
      for (const auto& [name, value] : request_.headers) {
        // Beast sends what it is given: a line break would let a value start a header of its own.
        if (!isToken(name)) throw std::runtime_error("'" + name + "' is not a header name");
        if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
          throw std::runtime_error("the header " + name + " has a line break");
        message_.set(name, value);
      }
      if (withBody) {
        message_.body() = request_.body;
        message_.prepare_payload();
      }
    } catch (const std::exception& e) {
      return fail(e.what());
    }
    withStream([this](auto& stream) {
      bhttp::async_write(stream, message_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                           if (self->reported()) return;
                           if (ec) return self->fail("cannot send the request: " + ec.message());
                           self->receive();
                         });
    });
  }

  void receive() {
    parser_.emplace();
    parser_->body_limit(request_.options.bodyLimit);
    if (request_.method == "HEAD") parser_->skip(true);  // the length of a body not sent
    withStream([this](auto& stream) {
      bhttp::async_read(
          stream, buffer_, *parser_,
          [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (self->reported()) return;
            if (ec == bhttp::error::body_limit)
              return self->fail("the answer is larger than " +
                                std::to_string(self->request_.options.bodyLimit) + " bytes");
            if (ec) return self->fail("cannot read the answer: " + ec.message());
            auto& res = self->parser_->get();
            // Handed over before the connection is closed, so that a slow close does not turn
            // an answer into a timeout.
            self->finish(nullptr, ClientReply{static_cast<int>(res.result_int()),
                                              std::string(res[bhttp::field::content_type]),
                                              std::move(res.body())});
            self->closeGracefully();
          });
    });
  }

  void closeGracefully() {
    if (!secure_) return close();
    // Many servers close without their close_notify: not an error here. The timer still bounds
    // the wait.
    secure_->async_shutdown([self = shared_from_this()](beast::error_code) { self->close(); });
  }

  // Ends whatever is pending: its handlers run with an error and find the call reported.
  void close() {
    timer_.cancel();
    resolver_.cancel();
    if (!plain_ && !secure_) return;
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }

  void fail(const std::string& what) {
    close();
    if (reported()) return;
    finish(std::make_exception_ptr(
               std::runtime_error(request_.method + " " + request_.url + ": " + what)),
           {});
  }

  // The callback runs once; the call leaves the client's list after it returns, so that a
  // client being destroyed waits for it, and for any call it starts.
  void finish(std::exception_ptr error, ClientReply reply) {
    Client::Done done = std::move(done_);
    done_ = nullptr;
    try {
      done(std::move(error), std::move(reply));
    } catch (const std::exception& e) {
      log::error("http.client_callback_failed", {{"url", request_.url}, {"error", e.what()}});
    } catch (...) {
      log::error("http.client_callback_failed", {{"url", request_.url}});
    }
    std::lock_guard lock(shared_->mutex);
    shared_->calls.erase(shared_from_this());
    if (shared_->calls.empty()) shared_->idle.notify_all();
  }

  Strand strand_;
  tcp::resolver resolver_;
  net::steady_timer timer_;
  std::shared_ptr<Shared> shared_;
  ClientRequest request_;
  Client::Done done_;  // empty once called
  Target target_;
  std::vector<tcp::endpoint> endpoints_;
  std::shared_ptr<net::ssl::context> tlsContext_;  // outlives the stream that uses it
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure_;
  bhttp::request<bhttp::string_body> message_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
};

}  // namespace

struct Client::Impl {
  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  std::unique_ptr<net::io_context> ioc = std::make_unique<net::io_context>();
  // Keeps the threads running while no call is pending.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
};

Client::Client(int threads) : impl_(std::make_unique<Impl>()) {
  impl_->work.emplace(impl_->ioc->get_executor());
  for (int i = 0; i < std::max(1, threads); ++i)
    impl_->threads.emplace_back([ioc = impl_->ioc.get()] { ioc->run(); });
}

Client::~Client() {
  auto& shared = *impl_->shared;
  std::vector<std::shared_ptr<Call>> live;
  {
    std::lock_guard lock(shared.mutex);
    shared.closing = true;
    live.assign(shared.calls.begin(), shared.calls.end());
  }
  for (auto& call : live) net::post(call->strand(), [call] { call->abort(); });
  live.clear();
  {
    // Calls started meanwhile by callbacks see the client closing and end at once.
    std::unique_lock lock(shared.mutex);
    shared.idle.wait(lock, [&] { return shared.calls.empty(); });
  }
  impl_->work.reset();
  impl_->ioc->stop();
  for (auto& t : impl_->threads) t.join();
  // A host name lookup still under way would hold up the caller until it ends: the io_context
  // is left to a thread of its own to be destroyed. The calls it still holds have reported.
  if (shared.lookups > 0)
    std::thread([ioc = std::move(impl_->ioc)]() mutable { ioc.reset(); }).detach();
}

void Client::fetch(ClientRequest request, Done done) {
  if (!done) throw std::invalid_argument("Client::fetch needs a callback");
  auto call =
      std::make_shared<Call>(*impl_->ioc, impl_->shared, std::move(request), std::move(done));
  {
    std::lock_guard lock(impl_->shared->mutex);
    impl_->shared->calls.insert(call);
  }
  net::post(call->strand(), [call] { call->start(); });
}

// A client of its own for each call: its thread is never the caller's, whichever thread calls.
ClientReply fetch(const std::string& method, const std::string& url, const std::string& body,
                  const std::string& contentType, const ClientOptions& options) {
  std::promise<ClientReply> promise;
  auto reply = promise.get_future();
  Client client;
  client.fetch({method, url, body, contentType, {}, options},
               [&promise](std::exception_ptr error, ClientReply r) {
                 if (error)
                   promise.set_exception(std::move(error));
                 else
                   promise.set_value(std::move(r));
               });
  return reply.get();
}

}  // namespace onceonly::http
