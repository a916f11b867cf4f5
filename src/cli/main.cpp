// The onceonly command: one binary for the server and its operations.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "api/application.h"
#include "core/config.h"
#include "core/log.h"
#include "http/server.h"
#include "store/store.h"

#ifndef ONCEONLY_VERSION
#define ONCEONLY_VERSION "0.0.0"
#endif

namespace {

using onceonly::Config;

// Flags every subcommand shares; each overrides the setting of the same name.
struct CommonFlags {
  std::string configFile;
  std::map<std::string, std::string> values;

  void attach(CLI::App* cmd) {
    cmd->add_option("--config", configFile, "TOML configuration file (or ONCEONLY_CONFIG)");
    for (const char* name : {"listen", "database_url", "data_dir", "keys_dir", "static_dir",
                             "log_level", "log_json", "body_limit", "password_cost"}) {
      std::string flag = std::string("--") + name;
      for (auto& c : flag)
        if (c == '_') c = '-';
      cmd->add_option_function<std::string>(
          flag, [this, name](const std::string& v) { values[name] = v; },
          std::string("overrides the '") + name + "' setting");
    }
  }

  Config load() const {
    auto env = onceonly::processEnvironment();
    std::optional<std::string> file;
    if (!configFile.empty()) {
      file = configFile;
    } else if (auto it = env.find("ONCEONLY_CONFIG"); it != env.end()) {
      file = it->second;
    }
    Config c = onceonly::loadConfig(file, env, values);
    onceonly::log::init(c.logLevel, c.logJson);
    return c;
  }
};

int serve(const Config& config) {
  onceonly::api::Application app(config);
  onceonly::http::ServerOptions o;
  o.host = config.listenHost;
  o.port = config.listenPort;
  o.bodyLimit = config.bodyLimit;
  o.headerLimit = config.headerLimit;
  o.readTimeoutSeconds = config.readTimeoutSeconds;
  o.idleTimeoutSeconds = config.idleTimeoutSeconds;
  o.ioThreads = config.ioThreads;
  o.workerThreads = config.workerThreads;
  onceonly::http::Server server(o, [&app](onceonly::http::Request& r) { return app.handle(r); });
  server.start();
  onceonly::log::info("server.listening",
                      {{"address", config.listenHost + ":" + std::to_string(server.port())},
                       {"version", ONCEONLY_VERSION}});
  server.runUntilSignalled();
  onceonly::log::info("server.stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"onceonly: the one-network government service platform"};
  cli.require_subcommand(1);

  CommonFlags common;
  auto* serveCmd = cli.add_subcommand("serve", "Apply migrations and run the HTTP server");
  common.attach(serveCmd);

  auto* migrateCmd = cli.add_subcommand("migrate", "Apply pending database migrations");
  common.attach(migrateCmd);

  std::string backupTarget;
  auto* backupCmd = cli.add_subcommand(
      "backup", "Copy a live SQLite database consistently (PostgreSQL: use pg_dump)");
  common.attach(backupCmd);
  backupCmd->add_option("target", backupTarget, "File to write")->required();

  auto* versionCmd = cli.add_subcommand("version", "Print the version");

  CLI11_PARSE(cli, argc, argv);

  try {
    if (versionCmd->parsed()) {
      std::cout << "onceonly " << ONCEONLY_VERSION << "\n";
      return 0;
    }
    if (serveCmd->parsed()) return serve(common.load());
    if (migrateCmd->parsed()) {
      Config c = common.load();
      std::filesystem::create_directories(c.dataDir);
      auto db = onceonly::store::Database::open(c.effectiveDatabaseUrl(), 1);
      int n = db->migrate();
      std::cout << "migrations applied: " << n << ", schema version " << db->schemaVersion()
                << "\n";
      return 0;
    }
    if (backupCmd->parsed()) {
      Config c = common.load();
      auto path = onceonly::store::sqlitePath(c.effectiveDatabaseUrl());
      if (!path) {
        std::cerr << "backup: the database is PostgreSQL; use pg_dump (see docs/operations.md)\n";
        return 2;
      }
      onceonly::store::backupSqlite(*path, backupTarget);
      std::cout << "backup written to " << backupTarget << "\n";
      return 0;
    }
  } catch (const onceonly::ConfigError& e) {
    std::cerr << "configuration error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
