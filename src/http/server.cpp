#include "http/server.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "http/pipeline.h"
#include "http/problem.h"
#include "http/url.h"

namespace onceonly::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

class Session;

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  std::uint16_t boundPort = 0;
  std::atomic<bool> stopping{false};
  bool started = false;
  bool stopped = false;

  // Live sessions, so stop() can reach them. Guarded by mutex. Declared before the io_context
  // so that sessions still queued in it at destruction find them alive.
  std::mutex mutex;
  std::condition_variable drained;
  std::map<Session*, std::weak_ptr<Session>> sessions;

  net::io_context ioc;
  // Keeps the I/O threads running while a connection has no socket operation pending (its
  // request is on the worker pool).
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::unique_ptr<net::thread_pool> workers;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<std::thread> ioThreads;

  // Deferred responses not handed over yet. They hold their session, and so the io_context,
  // which must outlive them: stop() waits for them.
  int deferred = 0;  // GUARDED_BY mutex

  Impl(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}
  void deferredStarted() {
    std::lock_guard lock(mutex);
    ++deferred;
  }
  void deferredEnded() {
    std::lock_guard lock(mutex);
    if (--deferred == 0) drained.notify_all();
  }
  void accept();
  void add(const std::shared_ptr<Session>& s);
  void remove(Session* s);
};

namespace {

// One TCP connection. Lives as long as an asynchronous operation holds its shared_ptr. All its
// members are touched only on its strand, except the handler run on the worker pool, which gets
// a copy of the request and hands back a response by posting to the strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& server)
      : stream_(std::move(socket)), server_(server) {}

  ~Session() { server_.remove(this); }

  void run() {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    peer_ = ec ? std::string() : ep.address().to_string();
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->waitForRequest(); });
  }

  // Called from stop() on any thread.
  void shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->busy_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.close();
      }
    });
  }

 private:
  // Between requests the connection may idle for idleTimeout; once the first byte arrives the
  // whole request must arrive within readTimeout.
  void waitForRequest() {
    if (closing_) return close();
    if (buffer_.size() > 0) return readRequest();
    stream_.expires_after(std::chrono::seconds(server_.options.idleTimeoutSeconds));
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->close();
                              self->buffer_.commit(n);
                              self->readRequest();
                            });
  }

  void readRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.headerLimit));
    parser_->body_limit(server_.options.bodyLimit);
    stream_.expires_after(std::chrono::seconds(server_.options.readTimeoutSeconds));
    if (!server_.options.isUpload)
      return bhttp::async_read(
          stream_, buffer_, *parser_,
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
    // The header first: an upload may carry a larger body. Beast checks a Content-Length
    // against the limit as it reads the header, so the header is read under the larger limit
    // and the smaller one applied here to what is not an upload.
    parser_->body_limit(std::max(server_.options.bodyLimit, server_.options.uploadLimit));
    bhttp::async_read_header(
        stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec) return self->onRead(ec);
          const auto& options = self->server_.options;
          const auto& head = self->parser_->get();
          const bool upload = options.isUpload(head.method_string(), head.target());
          const std::size_t limit = upload ? options.uploadLimit : options.bodyLimit;
          if (auto length = self->parser_->content_length(); length && *length > limit)
            return self->reject(413, "body.too_large", {{"limit", std::to_string(limit)}});
          self->parser_->body_limit(limit);
          if (upload)
            self->stream_.expires_after(std::chrono::seconds(options.readTimeoutSeconds * 8));
          bhttp::async_read(self->stream_, self->buffer_, *self->parser_,
                            [self](beast::error_code ec2, std::size_t) { self->onRead(ec2); });
        });
  }

  void onRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset)
      return close();
    // A client that starts a request and does not finish it in time is cut off (the stream
    // has already closed the socket).
    if (ec == beast::error::timeout) return close();
    if (ec == bhttp::error::body_limit) {
      const auto& head = parser_->get();
      const bool upload =
          server_.options.isUpload && server_.options.isUpload(head.method_string(), head.target());
      return reject(413, "body.too_large",
                    {{"limit", std::to_string(upload ? server_.options.uploadLimit
                                                     : server_.options.bodyLimit)}});
    }
    if (ec == bhttp::error::header_limit)
      return reject(431, "header.too_large",
                    {{"limit", std::to_string(server_.options.headerLimit)}});
    if (ec) return reject(400, "request.malformed", {{"reason", ec.message()}});

    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto [it, inserted] = req.headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += ", " + std::string(field.value());
    }
    req.keepAlive = msg.keep_alive();
    req.body = std::move(msg.body());
    req.peerIp = peer_;
    req.clientIp = peer_;
    req.received = std::chrono::steady_clock::now();
    busy_ = true;
    net::post(*server_.workers, [self = shared_from_this(), req = std::move(req)]() mutable {
      Response res;
      try {
        res = self->server_.handler(req);
      } catch (const std::exception& e) {
        res = failed(req.requestId, req.lang, req.path, e.what());
      } catch (...) {
        res = failed(req.requestId, req.lang, req.path, "unknown exception");
      }
      const bool keep = req.keepAlive;
      const bool head = req.method == "HEAD";
      if (!res.later) return self->answer(std::move(res), keep, head);
      // The worker is free again; the response is written when it is handed over.
      auto ticket = std::make_shared<Deferred>(self, keep, head, req);
      auto respond = [ticket](const std::exception_ptr& error, Response r) {
        ticket->answer(error, std::move(r));
      };
      try {
        res.later(respond);
      } catch (const std::exception& e) {
        respond(nullptr, failed(req.requestId, req.lang, req.path, e.what()));
      } catch (...) {
        respond(nullptr, failed(req.requestId, req.lang, req.path, "unknown exception"));
      }
    });
  }

  // One deferred response, shared by every copy of its Respond. It counts as pending on the
  // server until the last copy is gone and its hold on the session with it, so the server never
  // stops its I/O threads while something can still reach the session. A response dropped
  // unanswered is answered with a 500.
  class Deferred {
   public:
    Deferred(std::shared_ptr<Session> session, bool keep, bool head, const Request& req)
        : session_(std::move(session)),
          server_(session_->server_),
          keep_(keep),
          head_(head),
          id_(req.requestId),
          lang_(req.lang),
          path_(req.path) {
      server_.deferredStarted();
    }
    Deferred(const Deferred&) = delete;
    Deferred& operator=(const Deferred&) = delete;
    ~Deferred() {
      if (!answered_.exchange(true))
        session_->answer(failed(id_, lang_, path_, "a deferred response was never handed over"),
                         keep_, head_);
      session_.reset();
      server_.deferredEnded();
    }
    void answer(const std::exception_ptr& error, Response r) {
      if (answered_.exchange(true)) return;  // once only
      if (error) r = failed(id_, lang_, path_, "a deferred response failed");
      session_->answer(std::move(r), keep_, head_);
    }

   private:
    std::shared_ptr<Session> session_;
    Server::Impl& server_;
    const bool keep_, head_;
    const std::string id_;
    const i18n::Lang lang_;
    const std::string path_;
    std::atomic<bool> answered_{false};
  };

  static Response failed(const std::string& requestId, i18n::Lang lang, const std::string& path,
                         const std::string& what) {
    log::error("http.handler_failed", {{"error", what}, {"request_id", requestId}});
    return problemResponse(500, "internal", {{"request_id", requestId}}, lang, path, requestId);
  }

  void answer(Response res, bool keep, bool head) {
    net::post(stream_.get_executor(),
              [self = shared_from_this(), res = std::move(res), keep, head]() mutable {
                self->write(std::move(res), keep, head);
              });
  }

  void reject(int status, const std::string& code, Params params = {}) {
    // Answered before a request exists: it still gets an id for the logs and the usual headers.
    std::string id = newRequestId();
    params.emplace("request_id", id);
    Response res = problemResponse(status, code, params, i18n::Lang::En, "", id);
    addSecurityHeaders(res);
    res.setHeader("X-Request-Id", id);
    log::info("http.rejected",
              {{"request_id", id}, {"status", status}, {"code", code}, {"client", peer_}});
    write(std::move(res), false, false);
  }

  // A response to HEAD carries the headers, Content-Length included, that GET would, and no body
  // (RFC 9110 §9.3.2).
  void write(Response res, bool keepAlive, bool head) {
    busy_ = false;
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(11);
    out->result(static_cast<unsigned>(res.status));
    out->set(bhttp::field::server, "onceonly");
    if (!res.body.empty() || res.status != 204)
      out->set(bhttp::field::content_type, res.contentType);
    for (auto& [name, value] : res.headers) out->insert(name, value);
    out->body() = std::move(res.body);
    out->keep_alive(keepAlive && !closing_ && !server_.stopping);
    out->prepare_payload();
    if (head) out->body().clear();  // after the length is set from it
    stream_.expires_after(std::chrono::seconds(server_.options.readTimeoutSeconds));
    bhttp::async_write(stream_, *out,
                       [self = shared_from_this(), out](beast::error_code ec, std::size_t) {
                         if (ec || !out->keep_alive()) return self->close();
                         self->waitForRequest();
                       });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server::Impl& server_;
  std::string peer_;
  bool busy_ = false;
  bool closing_ = false;
};

}  // namespace

void Server::Impl::add(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(mutex);
  sessions.emplace(s.get(), s);
}

void Server::Impl::remove(Session* s) {
  std::lock_guard lock(mutex);
  sessions.erase(s);
  if (sessions.empty()) drained.notify_all();
}

void Server::Impl::accept() {
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping) return;
    if (!ec) {
      auto s = std::make_shared<Session>(std::move(socket), *this);
      add(s);
      s->run();
    } else if (ec == net::error::operation_aborted) {
      return;
    } else {
      // Out of file descriptors or similar: back off instead of spinning on the error.
      log::warn("http.accept_failed", {{"error", ec.message()}});
      auto timer = std::make_shared<net::steady_timer>(ioc, std::chrono::milliseconds(100));
      timer->async_wait([this, timer](beast::error_code) {
        if (!stopping) accept();
      });
      return;
    }
    accept();
  });
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  stop();
}

void Server::start() {
  auto& o = impl_->options;
  beast::error_code ec;
  auto address = net::ip::make_address(o.host, ec);
  if (ec) throw std::runtime_error("listen: '" + o.host + "' is not an IP address");
  tcp::endpoint ep(address, o.port);
  auto acc = std::make_unique<tcp::acceptor>(impl_->ioc);
  acc->open(ep.protocol(), ec);
  if (!ec) acc->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc->bind(ep, ec);
  if (!ec) acc->listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("listen: cannot listen on " + o.host + ":" + std::to_string(o.port) +
                             ": " + ec.message());
  impl_->boundPort = acc->local_endpoint().port();
  impl_->acceptor = std::move(acc);
  impl_->workers = std::make_unique<net::thread_pool>(static_cast<std::size_t>(o.workerThreads));
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->accept();
  for (int i = 0; i < o.ioThreads; ++i) impl_->ioThreads.emplace_back([this] { impl_->ioc.run(); });
  impl_->started = true;
}

std::uint16_t Server::port() const {
  return impl_->boundPort;
}

void Server::stop() {
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopping = true;
  net::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor->close(ec);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& [p, w] : impl_->sessions)
      if (auto s = w.lock()) live.push_back(s);
  }
  for (auto& s : live) s->shutdown();
  live.clear();
  {
    std::unique_lock lock(impl_->mutex);
    impl_->drained.wait_for(lock, std::chrono::seconds(impl_->options.shutdownGraceSeconds),
                            [this] { return impl_->sessions.empty(); });
  }
  impl_->workers->join();
  {
    // Each is answered in the end (the ledger always tells its writers, and a response dropped
    // unanswered is answered with a 500); until then its session needs the I/O threads. Then
    // the answers just posted are written, as in-flight requests' are above.
    std::unique_lock lock(impl_->mutex);
    impl_->drained.wait(lock, [this] { return impl_->deferred == 0; });
    impl_->drained.wait_for(lock, std::chrono::seconds(impl_->options.shutdownGraceSeconds),
                            [this] { return impl_->sessions.empty(); });
  }
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->ioThreads) t.join();
}

void Server::runUntilSignalled() {
  net::io_context signalsIo;
  net::signal_set signals(signalsIo, SIGINT, SIGTERM);
  signals.async_wait([](beast::error_code, int sig) {
    log::info("server.stopping", {{"signal", sig}});
  });
  signalsIo.run();
  stop();
}

}  // namespace onceonly::http
