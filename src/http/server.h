// The asynchronous HTTP/1.1 server (Boost.Beast). It owns the sockets and nothing else: a
// complete request is handed to the application Handler on a worker pool (so database calls
// never block the I/O threads), and its Response is written back on the connection's strand.
//
// Limits: header and body size (answered 431 / 413 and the connection closed), a deadline for
// each request to arrive (read timeout) and for an idle keep-alive connection (idle timeout).
// stop() is graceful: it stops accepting, closes idle connections, lets in-flight requests
// finish and answer (with Connection: close), then returns.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/http.h"

namespace onceonly::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (tests)
  std::size_t bodyLimit = std::size_t{1024} * 1024;
  // Requests for which `isUpload(method, target)` holds (file uploads) may carry bodies up to
  // uploadLimit instead.
  std::size_t uploadLimit = std::size_t{64} * 1024 * 1024;
  std::function<bool(std::string_view method, std::string_view target)> isUpload = nullptr;
  std::size_t headerLimit = std::size_t{16} * 1024;
  int readTimeoutSeconds = 15;
  int idleTimeoutSeconds = 60;
  int ioThreads = 1;
  int workerThreads = 4;
  int shutdownGraceSeconds = 30;
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();  // stops if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the threads; throws std::runtime_error when the address is unusable.
  void start();
  std::uint16_t port() const;  // the bound port
  void stop();
  // Blocks until SIGINT or SIGTERM, then stops gracefully.
  void runUntilSignalled();

  struct Impl;  // opaque; public so the connection code in server.cpp can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace onceonly::http
