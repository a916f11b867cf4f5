// The platform's side of the connector protocol (docs/exchange.md): records of resources that a
// department serves from its own system are fetched from its connector with a request signed
// for the department that asks (RFC 9421, Ed25519, covering the method, authority, path,
// Content-Digest and Date, with a nonce), within a deadline, behind a circuit breaker, and the
// answer is checked against the fields the catalog declares.
//
// Each department signs with its own key, derived from the platform's key ring (nothing to
// store or lose); GET /api/v1/exchange/keys publishes the public halves as a JWK Set, which a
// connector takes as its trust anchor.
//
// Threads: shared; fetch() is called from request threads and waits for its answer.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/ed25519.h"
#include "exchange/exchange.h"

namespace onceonly::http {
class Client;
}

namespace onceonly::exchange {

struct ConnectorOptions {
  int timeoutSeconds = 3;
  int failuresToOpen = 5;  // consecutive failures that open a connector's circuit
  int openSeconds = 30;    // how long it stays open before one call may try again
  std::string caFile;
};

// A department's exchange signing key and its key id ("exchange-" and the organisation id).
crypto::Ed25519Key departmentKey(const crypto::KeyRing& keys, const std::string& orgId);
std::string departmentKeyId(const std::string& orgId);
// The JWK of a department's public key: {"kty":"OKP","crv":"Ed25519","kid","x","use":"sig"}.
nlohmann::json departmentJwk(const crypto::KeyRing& keys, const std::string& orgId);

class Connectors : public Source {
 public:
  Connectors(const crypto::KeyRing& keys, ConnectorOptions options);
  ~Connectors() override;

  // Throws Error 502 exchange.source_unavailable (unreachable, timed out, an error status, the
  // circuit open) or exchange.source_answer (not the declared shape); nullopt on 404.
  std::optional<nlohmann::json> fetch(const catalog::Resource& r, const std::string& requesterOrgId,
                                      const std::string& subject,
                                      const std::vector<std::string>& fields) override;

 private:
  struct Circuit {
    int failures = 0;
    std::chrono::steady_clock::time_point openUntil{};
  };
  // Whether a call may go to this URL now (a closed circuit, or an open one whose time is up).
  bool admit(const std::string& url);
  void outcome(const std::string& url, bool ok);

  const crypto::KeyRing& keys_;
  ConnectorOptions options_;
  std::unique_ptr<http::Client> client_;
  std::mutex mutex_;
  std::map<std::string, Circuit> circuits_;  // GUARDED_BY mutex_
};

}  // namespace onceonly::exchange
