// The HTTP/1.1 client (Boost.Beast) for the platform's own outgoing calls: the log asking
// witnesses for cosignatures, the command line fetching checkpoints and proofs, the exchange
// calling departments' systems. http:// and https:// (TLS 1.2 or later, the server's
// certificate checked against the system's trust store and the URL's host name). One deadline
// bounds the whole call, so a server that takes the connection and never answers cannot hold up
// the caller.
//
// Client runs calls on a thread of its own without blocking it while they wait, so one thread
// carries many calls at once; fetch() below is the same call for callers that can wait.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace onceonly::http {

struct ClientReply {
  int status = 0;
  std::string contentType;
  std::string body;
};

struct ClientOptions {
  int timeoutSeconds = 10;  // resolve, connect, send and receive together (at least 1)
  std::size_t bodyLimit = std::size_t{8} * 1024 * 1024;  // larger answers are refused
  std::string caFile;  // PEM certificates trusted beside the system's (a government's own CA)
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  std::string body;
  // Sent with a body, and with any POST or PUT.
  std::string contentType = "text/plain; charset=utf-8";
  // Sent as given (Signature, Content-Digest, Date...); one replaces Host or User-Agent.
  std::vector<std::pair<std::string, std::string>> headers;
  ClientOptions options;
};

class Client {
 public:
  // error is null with a reply (any HTTP status is a reply), or a std::runtime_error naming the
  // method and URL when the URL is malformed, the server cannot be reached, its certificate is
  // not trusted for that host, the answer is over the body limit or does not arrive in time, or
  // the client is destroyed first.
  using Done = std::function<void(std::exception_ptr error, ClientReply reply)>;

  // threads: how many run the calls (at least one); one carries many calls at once.
  explicit Client(int threads = 1);
  // Ends the calls in flight (their callbacks get an error), waits for the callbacks running,
  // and joins the threads. Not from one of its own callbacks.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Returns at once; done is called exactly once, on one of the client's threads, so it must
  // not block for long: it holds that thread. Safe from any thread, callbacks included.
  // Throws std::invalid_argument when done is empty.
  void fetch(ClientRequest request, Done done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The same call, waiting for it: returns the reply or throws what Client reports. Works from any
// thread, a Client's callbacks included (it holds that thread meanwhile).
ClientReply fetch(const std::string& method, const std::string& url, const std::string& body = "",
                  const std::string& contentType = "text/plain; charset=utf-8",
                  const ClientOptions& options = {});

}  // namespace onceonly::http
