// A small blocking HTTP/1.1 client (Boost.Beast) for the platform's own outgoing calls: the log
// asking witnesses for cosignatures, the command line fetching checkpoints and proofs. http://
// and https:// (TLS 1.2 or later, the server's certificate checked against the system's trust
// store and the URL's host name). One deadline bounds the whole call, so a witness that takes
// the connection and never answers cannot hold up the log.
#pragma once

#include <string>

namespace onceonly::http {

struct ClientReply {
  int status = 0;
  std::string contentType;
  std::string body;
};

struct ClientOptions {
  int timeoutSeconds = 10;                               // connect, send and receive together
  std::size_t bodyLimit = std::size_t{8} * 1024 * 1024;  // larger answers are refused
  std::string caFile;  // PEM certificates trusted beside the system's (a government's own CA)
};

// Throws std::runtime_error naming the URL when it is malformed, the server cannot be reached,
// its certificate is not trusted for that host, or the answer does not arrive in time. Any HTTP
// status is a reply, not an error.
ClientReply fetch(const std::string& method, const std::string& url, const std::string& body = "",
                  const std::string& contentType = "text/plain; charset=utf-8",
                  const ClientOptions& options = {});

}  // namespace onceonly::http
