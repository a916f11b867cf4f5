#include "core/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>

extern char** environ;

namespace onceonly {
namespace {

template <class T>
T parseNumber(const std::string& name, const std::string& v, T lo, T hi);

}  // namespace

std::pair<std::string, std::uint16_t> parseHostPort(const std::string& setting,
                                                    const std::string& value) {
  auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw ConfigError("setting '" + setting + "': '" + value +
                      "' is not HOST:PORT, e.g. 127.0.0.1:8080");
  std::string host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return {host, parseNumber<std::uint16_t>(setting, value.substr(colon + 1), 0, 65535)};
}

namespace {

// Each setting knows how to take a string (environment, flag) and a TOML node (file).
struct Setting {
  std::string_view name;
  std::function<void(Config&, const std::string&)> set;
};

template <class T>
T parseNumber(const std::string& name, const std::string& v, T lo, T hi) {
  T out{};
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || out < lo || out > hi) {
    throw ConfigError("setting '" + name + "': '" + v + "' is not a number between " +
                      std::to_string(lo) + " and " + std::to_string(hi));
  }
  return out;
}

double parseDouble(const std::string& name, const std::string& v, double lo, double hi) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || d < lo || d > hi) {
    throw ConfigError("setting '" + name + "': '" + v + "' is not a number between " +
                      std::to_string(lo) + " and " + std::to_string(hi));
  }
  return d;
}

bool parseBool(const std::string& name, const std::string& v) {
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  throw ConfigError("setting '" + name + "': '" + v + "' is not true or false");
}

void parseListen(Config& c, const std::string& v) {
  std::tie(c.listenHost, c.listenPort) = parseHostPort("listen", v);
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> kSettings = {
      {"listen", parseListen},
      {"data_dir", [](Config& c, const std::string& v) { c.dataDir = v; }},
      {"database_url", [](Config& c, const std::string& v) { c.databaseUrl = v; }},
      {"keys_dir", [](Config& c, const std::string& v) { c.keysDir = v; }},
      {"static_dir", [](Config& c, const std::string& v) { c.staticDir = v; }},
      {"log_level", [](Config& c, const std::string& v) { c.logLevel = v; }},
      {"log_json", [](Config& c, const std::string& v) { c.logJson = parseBool("log_json", v); }},
      {"body_limit",
       [](Config& c, const std::string& v) {
         c.bodyLimit = parseNumber<std::size_t>("body_limit", v, 1024, 1024UL * 1024 * 1024);
       }},
      {"upload_limit",
       [](Config& c, const std::string& v) {
         c.uploadLimit = parseNumber<std::size_t>("upload_limit", v, 1024, 4096UL * 1024 * 1024);
       }},
      {"header_limit",
       [](Config& c, const std::string& v) {
         c.headerLimit =
             parseNumber<std::size_t>("header_limit", v, 1024, std::size_t{1024} * 1024);
       }},
      {"read_timeout_seconds",
       [](Config& c, const std::string& v) {
         c.readTimeoutSeconds = parseNumber<int>("read_timeout_seconds", v, 1, 3600);
       }},
      {"idle_timeout_seconds",
       [](Config& c, const std::string& v) {
         c.idleTimeoutSeconds = parseNumber<int>("idle_timeout_seconds", v, 1, 3600);
       }},
      {"io_threads",
       [](Config& c, const std::string& v) {
         c.ioThreads = parseNumber<int>("io_threads", v, 0, 64);
       }},
      {"worker_threads",
       [](Config& c, const std::string& v) {
         c.workerThreads = parseNumber<int>("worker_threads", v, 0, 256);
       }},
      {"db_pool_size",
       [](Config& c, const std::string& v) {
         c.dbPoolSize = parseNumber<int>("db_pool_size", v, 1, 256);
       }},
      {"rate_limit_per_second",
       [](Config& c, const std::string& v) {
         c.rateLimitPerSecond = parseDouble("rate_limit_per_second", v, 0.01, 1e9);
       }},
      {"rate_limit_burst",
       [](Config& c, const std::string& v) {
         c.rateLimitBurst = parseNumber<int>("rate_limit_burst", v, 1, 1000000000);
       }},
      {"session_ttl_minutes",
       [](Config& c, const std::string& v) {
         c.sessionTtlMinutes = parseNumber<int>("session_ttl_minutes", v, 1, 60 * 24 * 90);
       }},
      {"auth_cache_seconds",
       [](Config& c, const std::string& v) {
         c.authCacheSeconds = parseNumber<int>("auth_cache_seconds", v, 0, 300);
       }},
      {"password_cost", [](Config& c, const std::string& v) { c.passwordCost = v; }},
      {"tls_ca_file", [](Config& c, const std::string& v) { c.tlsCaFile = v; }},
      {"secure_cookies",
       [](Config& c, const std::string& v) { c.secureCookies = parseBool("secure_cookies", v); }},
      {"trust_proxy",
       [](Config& c, const std::string& v) { c.trustProxy = parseBool("trust_proxy", v); }},
  };
  return kSettings;
}

std::mutex& declaredMutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, ModuleSetting>& declared() {
  static std::map<std::string, ModuleSetting> d;
  return d;
}

std::optional<ModuleSetting> declaredSetting(const std::string& name) {
  std::lock_guard lock(declaredMutex());
  auto it = declared().find(name);
  if (it == declared().end()) return std::nullopt;
  return it->second;
}

// Sets one setting by name: a core one, or a module's (checked now).
bool setByName(Config& c, const std::string& name, const std::string& value) {
  for (const auto& s : settings())
    if (s.name == name) {
      s.set(c, value);
      return true;
    }
  auto m = declaredSetting(name);
  if (!m) return false;
  if (m->check) m->check(value);
  c.moduleSettings[name] = value;
  return true;
}

std::string tomlValueAsString(const std::string& key, const toml::node& node) {
  if (auto s = node.value<std::string>()) return *s;
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
  if (node.is_floating_point()) return std::to_string(*node.value<double>());
  if (auto* array = node.as_array()) {
    std::string joined;
    for (const auto& item : *array) {
      auto s = item.value<std::string>();
      if (!s) throw ConfigError("setting '" + key + "': expected an array of strings");
      joined += (joined.empty() ? "" : ", ") + *s;
    }
    return joined;
  }
  throw ConfigError("setting '" + key + "': expected a string, number, boolean or array");
}

void validate(const Config& c) {
  static const std::vector<std::string> kLevels = {"trace", "debug", "info",
                                                   "warn",  "error", "off"};
  if (std::find(kLevels.begin(), kLevels.end(), c.logLevel) == kLevels.end())
    throw ConfigError("setting 'log_level': '" + c.logLevel +
                      "' is not one of trace, debug, info, warn, error, off");
  if (c.passwordCost != "interactive" && c.passwordCost != "moderate" && c.passwordCost != "min")
    throw ConfigError("setting 'password_cost': '" + c.passwordCost +
                      "' is not one of interactive, moderate, min");
  if (c.dataDir.empty()) throw ConfigError("setting 'data_dir': must not be empty");
  auto url = c.effectiveDatabaseUrl();
  if (url.rfind("sqlite://", 0) != 0 && url.rfind("postgresql://", 0) != 0 &&
      url.rfind("postgres://", 0) != 0)
    throw ConfigError("setting 'database_url': '" + url +
                      "' must start with sqlite:// or postgresql://");
  if (url.rfind("sqlite://", 0) == 0 && url.size() <= std::string("sqlite://").size())
    throw ConfigError(
        "setting 'database_url': a sqlite URL needs a path, e.g. sqlite:///var/lib/onceonly.db");
  if (c.listenHost.empty()) throw ConfigError("setting 'listen': the host is empty");
}

}  // namespace

void declareSettings(const std::vector<ModuleSetting>& settings) {
  std::lock_guard lock(declaredMutex());
  for (const auto& s : settings) {
    auto [it, added] = declared().emplace(s.name, s);
    if (!added && it->second.defaultValue != s.defaultValue)
      throw std::logic_error("setting " + s.name + " is declared twice");
  }
}

std::function<void(const std::string&)> numberFrom(const std::string& name, int lo, int hi) {
  return [name, lo, hi](const std::string& v) { parseNumber<int>(name, v, lo, hi); };
}

std::string Config::setting(const std::string& name) const {
  auto m = declaredSetting(name);
  if (!m) throw std::logic_error("setting " + name + " was never declared");
  auto it = moduleSettings.find(name);
  return it == moduleSettings.end() ? m->defaultValue : it->second;
}

int Config::settingNumber(const std::string& name) const {
  return std::stoi(setting(name));  // checked by numberFrom() when given
}

void checkModuleSettings(const Config& c) {
  for (const auto& [name, value] : c.moduleSettings) {
    auto m = declaredSetting(name);
    if (!m) throw ConfigError("setting '" + name + "': no module has such a setting");
    if (m->check) m->check(value);
  }
}

std::string Config::effectiveDatabaseUrl() const {
  if (!databaseUrl.empty()) return databaseUrl;
  // sqlite:// followed by the path: three slashes for an absolute one.
  return "sqlite://" + dataDir + "/onceonly.db";
}

std::string Config::effectiveKeysDir() const {
  return keysDir.empty() ? dataDir + "/keys" : keysDir;
}

namespace {
int cores() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}
}  // namespace

int Config::effectiveIoThreads() const {
  return ioThreads > 0 ? ioThreads : cores();
}
int Config::effectiveWorkerThreads() const {
  return workerThreads > 0 ? workerThreads : cores();
}

Environment processEnvironment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    if (kv.substr(0, 9) != "ONCEONLY_") continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

Config loadConfig(const std::optional<std::string>& file, const Environment& env,
                  const Overrides& flags) {
  Config c;
  if (file) {
    toml::table table;
    try {
      table = toml::parse_file(*file);
    } catch (const toml::parse_error& e) {
      throw ConfigError("config file '" + *file + "': " + std::string(e.description()) +
                        " at line " + std::to_string(e.source().begin.line));
    }
    auto give = [&](const std::string& k, const toml::node& node) {
      if (!setByName(c, k, tomlValueAsString(k, node)))
        throw ConfigError("config file '" + *file + "': unknown setting '" + k + "'");
    };
    for (const auto& [key, node] : table) {
      std::string k(key.str());
      if (const auto* section = node.as_table()) {  // [ledger] origin = … is ledger_origin
        for (const auto& [inner, value] : *section) give(k + "_" + std::string(inner.str()), value);
        continue;
      }
      give(k, node);
    }
  }
  for (const auto& [name, value] : env) {
    if (name.rfind("ONCEONLY_", 0) != 0) continue;
    std::string k = name.substr(9);
    for (auto& ch : k) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (k == "config" || k.rfind("test_", 0) == 0) continue;  // not settings
    if (!setByName(c, k, value))  // NOLINTNEXTLINE(performance-inefficient-string-concatenation)
      throw ConfigError("environment variable " + name + ": unknown setting '" + k + "'");
  }
  for (const auto& [name, value] : flags) {
    if (!setByName(c, name, value)) throw ConfigError("flag --" + name + ": unknown setting");
  }
  validate(c);
  return c;
}

}  // namespace onceonly
