// A small blocking HTTP/1.1 client over a real loopback socket, for end-to-end tests. It can
// send arbitrary bytes so tests can speak malformed HTTP on purpose.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace onceonly::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool closed = false;  // the server closed the connection after this reply
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  ~HttpClient();
  // Sends raw bytes and reads one response.
  HttpReply raw(const std::string& bytes);
  HttpReply request(const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {});
  void sendOnly(const std::string& bytes);
  // A reply to HEAD has headers only, whatever its Content-Length says.
  HttpReply readReply(bool head = false);
  // True when the server has closed the connection (reads EOF within timeoutMs).
  bool waitClosed(int timeoutMs);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onceonly::testing
