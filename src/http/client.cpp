#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <stdexcept>

namespace onceonly::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

struct Target {
  std::string host, port, path;
};

Target parseUrl(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) throw std::runtime_error("'" + url + "' is not an http:// URL");
  std::string rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Target t{authority, "80", slash == std::string::npos ? "/" : rest.substr(slash)};
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

}  // namespace

ClientReply fetch(const std::string& method, const std::string& url, const std::string& body,
                  const std::string& contentType, ClientOptions options) {
  Target t = parseUrl(url);
  try {
    net::io_context ioc;
    net::ip::tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(options.timeoutSeconds));
    stream.connect(resolver.resolve(t.host, t.port));
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
    ClientReply reply{static_cast<int>(res.result_int()),
                      std::string(res[bhttp::field::content_type]), std::move(res.body())};
    beast::error_code ec;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    return reply;
  } catch (const std::exception& e) {
    throw std::runtime_error(method + " " + url + ": " + e.what());
  }
}

}  // namespace onceonly::http
