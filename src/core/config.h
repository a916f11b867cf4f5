// Server configuration. Sources, later ones winning: built-in defaults, a TOML file, ONCEONLY_*
// environment variables, command-line flags. validate() runs at start-up and names the first
// bad setting, so a broken configuration never reaches the first request.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace onceonly {

// A setting a module declares (api::Module::settings), named `<module>_<key>` in a file, the
// environment (ONCEONLY_<MODULE>_<KEY>) and flags; in a file also `key` in the module's table
// ([ledger] origin = ...). `check` throws ConfigError naming the setting when a value is bad.
struct ModuleSetting {
  std::string name;
  std::string defaultValue;
  std::function<void(const std::string& value)> check;
};
// Declares module settings for every Config of the process (the modules do, before any is
// loaded); declaring one name twice is a std::logic_error unless it is the same default.
void declareSettings(const std::vector<ModuleSetting>& settings);
// A number setting's check: an integer from lo to hi.
std::function<void(const std::string&)> numberFrom(const std::string& name, int lo, int hi);

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
  std::size_t uploadLimit = std::size_t{64} * 1024 * 1024;  // bodies of file uploads
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
  // PEM file of CA certificates trusted, beside the system's, for outgoing https:// calls
  // (witnesses, connectors): a government's own CA.
  std::string tlsCaFile;
  std::string passwordCost = "interactive";  // "interactive", "moderate" or "min" (tests only)
  bool secureCookies = false;                // set the Secure flag; on behind TLS
  bool trustProxy = false;                   // take the client address from X-Forwarded-For
  // Not a setting: the server signs checkpoints on a timer and indexes the ledger's lookups in
  // the background; the command-line tools turn this off and do only what they were asked.
  bool backgroundWork = true;

  // The modules' settings as given, by name; the others have their declared default.
  std::map<std::string, std::string> moduleSettings;
  // A module's setting: as given, or its default. std::logic_error for an undeclared name.
  std::string setting(const std::string& name) const;
  int settingNumber(const std::string& name) const;  // a setting declared with numberFrom()
  // Gives a module setting (tests and tools); checkModuleSettings() checks it.
  void set(const std::string& name, const std::string& value) { moduleSettings[name] = value; }

  // Settings derived from others.
  std::string effectiveDatabaseUrl() const;
  std::string effectiveKeysDir() const;
  int effectiveIoThreads() const;
  int effectiveWorkerThreads() const;
};

// Throws ConfigError for a module setting given that no module declares, or whose value its
// check refuses (loadConfig checks what it reads; this also covers Config::set()).
void checkModuleSettings(const Config& c);

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
