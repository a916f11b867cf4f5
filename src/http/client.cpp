#include "http/client.h"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <stdexcept>

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
ClientReply exchange(Stream& stream, const std::string& method, const Target& t,
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
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options.bodyLimit);
  bhttp::read(stream, buffer, parser);
  auto& res = parser.get();
  return ClientReply{static_cast<int>(res.result_int()),
                     std::string(res[bhttp::field::content_type]), std::move(res.body())};
}

// The server must show a certificate for the URL's host that chains to the system's trust
// store, or to the CAs in options.caFile (a government's own CA).
ClientReply fetchTls(net::io_context& ioc, const net::ip::tcp::resolver::results_type& endpoints,
                     const std::string& method, const Target& t, const std::string& body,
                     const std::string& contentType, const ClientOptions& options) {
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.set_options(net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
  ctx.set_default_verify_paths();
  if (!options.caFile.empty()) ctx.load_verify_file(options.caFile);
  ctx.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  stream.set_verify_callback(net::ssl::host_name_verification(t.host));
  // Server Name Indication, so that a server with several names picks the right certificate.
  if (!SSL_set_tlsext_host_name(stream.native_handle(), t.host.c_str()))
    throw std::runtime_error("cannot name the TLS server " + t.host);
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_after(std::chrono::seconds(options.timeoutSeconds));
  tcp.connect(endpoints);
  stream.handshake(net::ssl::stream_base::client);
  ClientReply reply = exchange(stream, method, t, body, contentType, options);
  beast::error_code ec;
  stream.shutdown(ec);  // many servers close without their close_notify: not an error here
  return reply;
}

}  // namespace

ClientReply fetch(const std::string& method, const std::string& url, const std::string& body,
                  const std::string& contentType, const ClientOptions& options) {
  Target t = parseUrl(url);
  try {
    net::io_context ioc;
    net::ip::tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(t.host, t.port);
    if (t.tls) return fetchTls(ioc, endpoints, method, t, body, contentType, options);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(options.timeoutSeconds));
    stream.connect(endpoints);
    ClientReply reply = exchange(stream, method, t, body, contentType, options);
    beast::error_code ec;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    return reply;
  } catch (const std::exception& e) {
    throw std::runtime_error(method + " " + url + ": " + e.what());
  }
}

}  // namespace onceonly::http
