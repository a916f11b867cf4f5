#include "http/client.h"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

namespace onceonly::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct Target {
  std::string host, port, path;
  bool tls = false;
};

Target parseUrl(const std::string& url) {
  const bool tls = url.rfind("https://", 0) == 0;
  if (!tls && url.rfind("http://", 0) != 0)
    throw std::runtime_error("'" + url + "' is not an http:// or https:// URL");
  std::string rest = url.substr(tls ? 8 : 7);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Target t{authority, tls ? "443" : "80", slash == std::string::npos ? "/" : rest.substr(slash),
           tls};
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    t.host = authority.substr(0, colon);
    t.port = authority.substr(colon + 1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(t.port.data(), t.port.data() + t.port.size(), port);
    if (ec != std::errc() || p != t.port.data() + t.port.size() || port == 0 || port > 65535)
      throw std::runtime_error("'" + url + "' has no valid port");
  }
  if (t.host.size() > 1 && t.host.front() == '[' && t.host.back() == ']')
    t.host = t.host.substr(1, t.host.size() - 2);
  if (t.host.empty() || t.host.find('@') != std::string::npos)
    throw std::runtime_error("'" + url + "' has no valid host");
  return t;
}

// One request and its answer over a connected stream (plain TCP or TLS).
template <class Stream>
net::awaitable<ClientReply> exchange(Stream& stream, const std::string& method, const Target& t,
                                     const std::string& body, const std::string& contentType,
                                     const ClientOptions& options) {
  bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), t.path, 11);
  req.set(bhttp::field::host, t.host);
  req.set(bhttp::field::user_agent, "onceonly");
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.set(bhttp::field::content_type, contentType);
    req.body() = body;
    req.prepare_payload();
  }
  co_await bhttp::async_write(stream, req, net::use_awaitable);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options.bodyLimit);
  co_await bhttp::async_read(stream, buffer, parser, net::use_awaitable);
  auto& res = parser.get();
  co_return ClientReply{static_cast<int>(res.result_int()),
                        std::string(res[bhttp::field::content_type]), std::move(res.body())};
}

// Where a call leaves its answer: set as soon as the answer is read, before the connection is
// closed, so that a slow close does not turn an answer into a timeout.
struct Outcome {
  std::optional<ClientReply> reply;
  std::exception_ptr error;
};

// The whole call, from resolving the host to the last byte of the answer. The server must show
// a certificate for the URL's host that chains to the system's trust store, or to the CAs in
// options.caFile (a government's own CA). Everything is taken by value: a call cut short may be
// destroyed after fetch() has returned (see there).
net::awaitable<void> call(std::string method, Target t, std::string body, std::string contentType,
                          ClientOptions options, std::shared_ptr<Outcome> out) {
  auto executor = co_await net::this_coro::executor;
  net::ip::tcp::resolver resolver(executor);
  auto endpoints = co_await resolver.async_resolve(t.host, t.port, net::use_awaitable);
  if (!t.tls) {
    beast::tcp_stream stream(executor);
    co_await stream.async_connect(endpoints, net::use_awaitable);
    out->reply = co_await exchange(stream, method, t, body, contentType, options);
    beast::error_code ec;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    co_return;
  }
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.set_options(net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
  ctx.set_default_verify_paths();
  if (!options.caFile.empty()) ctx.load_verify_file(options.caFile);
  ctx.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(executor, ctx);
  stream.set_verify_callback(net::ssl::host_name_verification(t.host));
  // Server Name Indication, so that a server with several names picks the right certificate.
  // RFC 6066 §3 allows host names only: an address literal is not sent.
  beast::error_code notAddress;
  net::ip::make_address(t.host, notAddress);
  if (notAddress && !SSL_set_tlsext_host_name(stream.native_handle(), t.host.c_str()))
    throw std::runtime_error("cannot name the TLS server " + t.host);
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, net::use_awaitable);
  co_await stream.async_handshake(net::ssl::stream_base::client, net::use_awaitable);
  out->reply = co_await exchange(stream, method, t, body, contentType, options);
  beast::error_code ec;
  // Many servers close without their close_notify: not an error here.
  co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
}

}  // namespace

// Beast's stream timeouts only bound asynchronous operations, so the call runs as a coroutine
// on its own io_context, and run_for() bounds all of it: resolving, connecting, the handshake
// and the exchange. A call cut short is left to a thread of its own to be destroyed: destroying
// the io_context waits for a host name lookup still under way (getaddrinfo cannot be
// interrupted), and the caller should not.
ClientReply fetch(const std::string& method, const std::string& url, const std::string& body,
                  const std::string& contentType, const ClientOptions& options) {
  Target t = parseUrl(url);
  auto out = std::make_shared<Outcome>();
  auto ioc = std::make_shared<net::io_context>();
  net::co_spawn(*ioc, call(method, t, body, contentType, options, out),
                [out](const std::exception_ptr& e) {
                  if (e) out->error = e;
                });
  const int seconds = std::max(1, options.timeoutSeconds);
  ioc->run_for(std::chrono::seconds(seconds));
  if (!ioc->stopped()) std::thread([ioc = std::move(ioc)]() mutable { ioc.reset(); }).detach();
  if (out->reply) return std::move(*out->reply);
  try {
    if (out->error) std::rethrow_exception(out->error);
  } catch (const std::exception& e) {
    throw std::runtime_error(method + " " + url + ": " + e.what());
  }
  throw std::runtime_error(method + " " + url + ": no answer within " + std::to_string(seconds) +
                           " s");
}

}  // namespace onceonly::http
