// Server configuration. Sources, later ones winning: built-in defaults, a TOML file, ONCEONLY_*
// environment variables, command-line flags. validate() runs at start-up and names the first
// bad setting, so a broken configuration never reaches the first request.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace onceonly {

struct Config {
  std::string listenHost = "127.0.0.1";
  std::uint16_t listenPort = 8080;
  std::string dataDir = "data";
  std::string databaseUrl;  // empty: sqlite:///<dataDir>/onceonly.db
  std::string keysDir;      // empty: <dataDir>/keys
  std::string staticDir;    // empty: no static files beyond the start page
  std::string logLevel = "info";
  bool logJson = false;
  std::size_t bodyLimit = std::size_t{1024} * 1024;
  std::size_t headerLimit = std::size_t{16} * 1024;
  int readTimeoutSeconds = 15;  // a whole request must arrive within this
  int idleTimeoutSeconds = 60;  // keep-alive connections idle longer are closed
  // 0: one per CPU core. Measured on 2 cores, threads beyond the core count only add context
  // switches (docs/benchmarks.md); with PostgreSQL over a network, more workers can overlap
  // queries.
  int ioThreads = 0;
  int workerThreads = 0;  // handlers (and so database calls) run here, not on I/O threads
  int dbPoolSize = 8;
  double rateLimitPerSecond = 200;  // sustained requests per client address
  int rateLimitBurst = 400;
  int sessionTtlMinutes = 8 * 60;
  int authCacheSeconds = 5;
  std::string ledgerOrigin = "onceonly.localhost/ledger";  // checkpoint origin and log key name
  // How often a checkpoint is signed (and sent to witnesses) when the tree grew; 0: only on
  // demand and when the latest checkpoint is read.
  int ledgerCheckpointSeconds = 10;
  // Witnesses asked to cosign each checkpoint: "<url> <vkey>, ..." (c2sp.org/tlog-witness).
  std::string ledgerWitnesses;
  int ledgerWitnessQuorum = 0;  // cosignatures that make a checkpoint witnessed; 0: all
  // PEM file of CA certificates trusted, beside the system's, for outgoing https:// calls
  // (witnesses): a government's own CA.
  std::string tlsCaFile;
  std::string passwordCost = "interactive";  // "interactive", "moderate" or "min" (tests only)
  bool secureCookies = false;                // set the Secure flag; on behind TLS
  bool trustProxy = false;                   // take the client address from X-Forwarded-For
  // Not a setting: the server signs checkpoints on a timer and indexes the ledger's lookups in
  // the background; the command-line tools turn this off and do only what they were asked.
  bool backgroundWork = true;

  // Settings derived from others.
  std::string effectiveDatabaseUrl() const;
  std::string effectiveKeysDir() const;
  int effectiveIoThreads() const;
  int effectiveWorkerThreads() const;
};

// Environment, as name → value, so tests need not touch the process environment.
using Environment = std::map<std::string, std::string>;
Environment processEnvironment();

// Flags given on the command line, by setting name (e.g. "listen", "database_url").
using Overrides = std::map<std::string, std::string>;

// Throws ConfigError naming the setting at fault.
Config loadConfig(const std::optional<std::string>& file, const Environment& env,
                  const Overrides& flags);

// "HOST:PORT", the host an IPv6 address in brackets or not; throws ConfigError naming `setting`
// when it is not that or the port is not 0-65535.
std::pair<std::string, std::uint16_t> parseHostPort(const std::string& setting,
                                                    const std::string& value);

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace onceonly
