// The onceonly command: one binary for the server and its operations.
#include <CLI/CLI.hpp>

#include <arpa/inet.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <tuple>

#include "api/application.h"
#include "api/module.h"
#include "connector/connector.h"
#include "core/config.h"
#include "core/error.h"
#include "core/log.h"
#include "demo/demo.h"
#include "http/client.h"
#include "http/server.h"
#include "identity/identity.h"
#include "ledger/log.h"
#include "ledger/witness.h"
#include "ledger/witness_service.h"
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
    for (const char* name :
         {"listen", "database_url", "data_dir", "keys_dir", "static_dir", "log_level", "log_json",
          "body_limit", "upload_limit", "password_cost"}) {
      std::string flag = std::string("--") + name;
      for (auto& c : flag)
        if (c == '_') c = '-';
      cmd->add_option_function<std::string>(
          flag, [this, name](const std::string& v) { values[name] = v; },
          std::string("overrides the '") + name + "' setting");
    }
  }

  // `serving`: the server; the other commands do no background work.
  Config load(bool serving = false) const {
    auto env = onceonly::processEnvironment();
    std::optional<std::string> file;
    if (!configFile.empty()) {
      file = configFile;
    } else if (auto it = env.find("ONCEONLY_CONFIG"); it != env.end()) {
      file = it->second;
    }
    for (const auto& m : onceonly::api::modules()) onceonly::declareSettings(m.settings);
    Config c = onceonly::loadConfig(file, env, values);
    c.backgroundWork = serving;
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
  o.uploadLimit = config.uploadLimit;
  o.isUpload = onceonly::api::Application::isUpload;
  o.headerLimit = config.headerLimit;
  o.readTimeoutSeconds = config.readTimeoutSeconds;
  o.idleTimeoutSeconds = config.idleTimeoutSeconds;
  o.ioThreads = config.effectiveIoThreads();
  o.workerThreads = config.effectiveWorkerThreads();
  onceonly::http::Server server(o, [&app](onceonly::http::Request& r) { return app.handle(r); });
  server.start();
  onceonly::log::info("server.listening",
                      {{"address", config.listenHost + ":" + std::to_string(server.port())},
                       {"version", ONCEONLY_VERSION}});
  // Without secure_cookies the session cookie also travels over plain HTTP. That is right on a
  // loopback address (development, or a TLS proxy on the same host) and worth a word anywhere
  // else: other machines reach this server, and a browser that does so without TLS sends the
  // session in clear.
  const bool loopback = [&host = config.listenHost] {
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host.c_str(), &v6) == 1)
      return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
    return false;
  }();
  if (!config.secureCookies && !loopback)
    onceonly::log::warn(
        "server.cookies_not_secure",
        {{"address", config.listenHost},
         {"hint",
          "session cookies lack the Secure flag on a non-loopback address; serve over TLS (or "
          "behind a TLS proxy) and set secure_cookies = true"}});
  server.runUntilSignalled();
  onceonly::log::info("server.stopped");
  return 0;
}

int seedDemo(const Config& config) {
  onceonly::api::Application app(config);
  auto result = app.seedDemo(true);
  if (result.created)
    std::cout << "Demo government created: " << result.orgs << " organisations, " << result.accounts
              << " accounts.\n";
  else
    std::cout << "Demo government already present; nothing changed.\n";
  std::cout << "\nSign in with POST /api/v1/sessions, for example:\n"
            << "  curl -s -X POST http://" << config.listenHost << ":" << config.listenPort
            << "/api/v1/sessions -H 'Content-Type: application/json' \\\n"
            << "       -d '{\"username\":\"clerk\",\"password\":\"" << onceonly::demo::kDemoPassword
            << "\"}'\n\n";
  std::cout << "Demo accounts (password for all: " << onceonly::demo::kDemoPassword << "):\n";
  for (const auto& c : result.credentials)
    std::cout << "  " << c.kind << "\t" << c.signInWith << "=" << c.identifier << "\t" << c.who
              << "\n";
  return 0;
}

struct AdminFlags {
  std::string username;
  std::string displayName = "Platform Admin";
  std::string orgCode;
  std::string orgNameZh;
  std::string orgNameEn;
};

int createAdmin(const Config& config, const AdminFlags& f) {
  // The password comes from the environment or standard input, never from the command line,
  // where other users of the machine could read it.
  std::string password;
  if (const char* env = std::getenv("ONCEONLY_ADMIN_PASSWORD")) {
    password = env;
  } else {
    std::cerr << "Password for " << f.username << ": ";
    std::getline(std::cin, password);
  }
  onceonly::api::Application app(config);
  auto& id = app.identity();
  auto org = id.findOrgByCode(f.orgCode);
  if (!org) {
    if (f.orgNameZh.empty() || f.orgNameEn.empty()) {
      std::cerr << "create-admin: there is no organisation with code " << f.orgCode
                << "; give --org-name-zh and --org-name-en to create it as a province\n";
      return 2;
    }
    onceonly::identity::OrgFields of;
    of.code = f.orgCode;
    of.nameZh = f.orgNameZh;
    of.nameEn = f.orgNameEn;
    of.level = "province";
    of.kind = "government";
    org = id.createOrg(of);
  }
  onceonly::identity::NewAccount a;
  a.kind = "staff";
  a.username = f.username;
  a.displayName = f.displayName;
  a.password = password;
  a.orgId = org->id;
  a.roles = {"platform_admin"};
  auto account = id.createAccount(a);
  std::cout << "platform admin " << f.username << " created (" << account.id << ") in " << org->code
            << "\n";
  return 0;
}

// Recomputes the ledger from its stored entries and checks every signed checkpoint; exits 1
// and names the first entry that does not match.
int ledgerVerify(const Config& config) {
  onceonly::api::Application app(config);
  auto report = app.ledger().verify();
  if (report.ok) {
    std::cout << "ledger ok: " << report.size << " entries, " << report.checkpoints
              << " signed checkpoints verified\n";
    return 0;
  }
  std::cout << "ledger NOT ok at entry " << report.firstBadIndex.value_or(0) << ": "
            << report.problem << "\n";
  return 1;
}

int ledgerCheckpoint(const Config& config) {
  onceonly::api::Application app(config);
  auto& log = app.ledger();
  auto outcomes = log.requestCosignatures();
  if (outcomes.empty()) log.signCheckpoint();
  for (const auto& o : outcomes)
    std::cerr << (o.cosigned ? "cosigned by " : "NOT cosigned by ") << o.witness
              << (o.cosigned ? "" : ": " + o.problem) << "\n";
  auto latest = log.checkpoints(std::nullopt, 1, false);
  std::cout << log.checkpoint(latest.at(0).size).value_or("");
  return 0;
}

struct ProveFlags {
  std::uint64_t index = 0;
  std::optional<std::uint64_t> size;
  std::string url;  // a server's base URL; empty: the local database
  std::string caFile;
};

std::string withoutSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// GETs a URL and insists on 200. caFile: CA certificates trusted beside the system's.
std::string download(const std::string& url, const std::string& caFile) {
  onceonly::http::ClientOptions options;
  options.caFile = caFile;
  auto r = onceonly::http::fetch("GET", url, "", "", options);
  if (r.status != 200)
    throw std::runtime_error("GET " + url + " answered " + std::to_string(r.status) + ": " +
                             r.body.substr(0, 300));
  return r.body;
}

// A file's text, a URL's body, or standard input for "-".
std::string readSource(const std::string& source, const std::string& caFile) {
  if (source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0)
    return download(source, caFile);
  std::stringstream buffer;
  if (source == "-") {
    buffer << std::cin.rdbuf();
  } else {
    std::ifstream in(source, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + source);
    buffer << in.rdbuf();
  }
  return buffer.str();
}

// Prints a receipt for one entry: from this platform's database, or from a server by URL.
int ledgerProve(const CommonFlags& common, const ProveFlags& f) {
  nlohmann::json receipt;
  if (!f.url.empty()) {
    std::string target = withoutSlash(f.url) + "/api/v1/ledger/receipts/" + std::to_string(f.index);
    if (f.size) target += "?size=" + std::to_string(*f.size);
    receipt =
        onceonly::ledger::ReceiptProof::fromJson(nlohmann::json::parse(download(target, f.caFile)))
            .toJson();
  } else {
    onceonly::api::Application app(common.load());
    auto r = app.ledger().receipt(f.index, f.size, onceonly::ledger::Log::SignNow::yes);
    if (!r) {
      std::cerr << "prove: there is no entry " << f.index
                << (f.size ? " in a checkpoint of size " + std::to_string(*f.size) : "") << "\n";
      return 1;
    }
    receipt = r->toJson();
  }
  std::cout << receipt.dump(2) << "\n";
  return 0;
}

struct CheckFlags {
  std::string receipt;
  std::string logKey;
  std::vector<std::string> witnesses;
  std::size_t quorum = 0;
  std::string checkpoint;  // file or URL of the checkpoint to check against
  std::string entry;       // file holding the entry's text
  std::string url;         // a server's base URL: also check the log still holds the entry
  std::string caFile;
};

// Exits 0 when the receipt (and, with --url, the log) holds, 1 when it does not, and 2 when it
// could not be checked: arguments that are wrong, a receipt or checkpoint that cannot be read,
// a server that cannot be reached.
int checkReceiptCommand(const CheckFlags& f) {
  using namespace onceonly::ledger;
  auto log = Verifier::parse(f.logKey);
  if (!log || log->type() != KeyType::Note) {
    std::cerr << "check-receipt: --log-key is not a log verifier key\n";
    return 2;
  }
  TrustPolicy policy{*log, {}, f.quorum};
  for (const auto& w : f.witnesses) {
    auto v = Verifier::parse(w);
    if (!v || v->type() != KeyType::Cosignature) {
      std::cerr << "check-receipt: '" << w << "' is not a witness verifier key\n";
      return 2;
    }
    policy.witnesses.push_back(*v);  // a key named twice counts once (checkReceipt)
  }
  if (policy.quorum > policy.witnesses.size()) {
    std::cerr << "check-receipt: --quorum is more than the witnesses named\n";
    return 2;
  }
  ReceiptProof receipt;
  std::optional<std::string> entry;
  try {
    receipt = ReceiptProof::fromJson(nlohmann::json::parse(readSource(f.receipt, f.caFile)));
    if (!f.checkpoint.empty()) receipt.checkpoint = readSource(f.checkpoint, f.caFile);
    if (!f.entry.empty()) entry = readSource(f.entry, f.caFile);
  } catch (const std::exception& e) {
    std::cerr << "check-receipt: cannot read the receipt: " << e.what() << "\n";
    return 2;
  }
  auto check = checkReceipt(receipt, policy, entry);
  if (!check.ok) {
    std::cout << "receipt NOT ok: " << check.problem << "\n";
    return 1;
  }
  std::cout << "receipt ok: entry " << receipt.index << " is in the tree of size "
            << receipt.treeSize << " signed by " << log->name();
  for (const auto& w : check.cosignedBy) std::cout << ", cosigned by " << w;
  std::cout << "\n";
  if (f.url.empty()) return 0;
  const std::string base = withoutSlash(f.url) + "/api/v1/ledger/";
  ReceiptCheck still;
  try {
    still = checkLogStillHolds(
        receipt, policy, [&](const std::string& path) { return download(base + path, f.caFile); });
  } catch (const std::exception& e) {
    std::cerr << "check-receipt: " << e.what() << "\n";
    return 2;
  }
  if (!still.ok) {
    std::cout << "log NOT ok: " << still.problem << "\n";
    return 1;
  }
  std::cout << "log ok: its checkpoint of size " << still.newerSize << " still holds the entry\n";
  return 0;
}

struct WitnessFlags {
  std::string name;
  std::string dir;
  std::string listen = "127.0.0.1:7380";
  std::vector<std::string> logs;
  std::string logLevel = "info";
  bool printKey = false;
};

// A department's witness: its own key and state in its own directory, its own HTTP listener.
int witness(const WitnessFlags& f) {
  onceonly::log::init(f.logLevel, false);
  std::filesystem::create_directories(f.dir);
  auto dir = std::filesystem::path(f.dir);
  auto key = onceonly::ledger::loadOrCreateKeyFile((dir / "witness.skey").string(), f.name,
                                                   onceonly::ledger::KeyType::Cosignature);
  if (f.printKey) {
    std::cout << key.verifier().vkey() << "\n";
    return 0;
  }
  // "VKEY" for a log whose origin is its key's name, "VKEY ORIGIN" for one whose origin differs
  // (a key string holds no space; an origin may).
  std::vector<onceonly::ledger::FollowedLog> logs;
  for (const auto& given : f.logs) {
    const auto space = given.find(' ');
    const std::string v = given.substr(0, space);
    auto parsed = onceonly::ledger::Verifier::parse(v);
    if (!parsed || parsed->type() != onceonly::ledger::KeyType::Note) {
      std::cerr << "witness: '" << v << "' is not a log's verifier key\n";
      return 2;
    }
    std::string origin = space == std::string::npos ? parsed->name() : given.substr(space + 1);
    if (origin.empty()) {
      std::cerr << "witness: '" << given << "' names an empty origin\n";
      return 2;
    }
    logs.push_back({std::move(origin), *parsed});
  }
  if (logs.empty()) {
    std::cerr << "witness: name at least one log to follow with --log <vkey>\n";
    return 2;
  }
  onceonly::ledger::Witness w(key, logs, (dir / "state.json").string());
  onceonly::ledger::WitnessService service(w);
  onceonly::http::ServerOptions o;
  std::tie(o.host, o.port) = onceonly::parseHostPort("--listen", f.listen);
  // Notes may carry 16 signatures or more, post-quantum ones of nearly 5 kB each
  // (c2sp.org/signed-note), besides a consistency proof of at most 63 hashes.
  o.bodyLimit = std::size_t{256} * 1024;
  o.ioThreads = 1;
  o.workerThreads = 2;
  onceonly::http::Server server(
      o, [&service](onceonly::http::Request& r) { return service.handle(r); });
  server.start();
  onceonly::log::info("witness.listening",
                      {{"address", o.host + ":" + std::to_string(server.port())},
                       {"vkey", key.verifier().vkey()},
                       {"logs", f.logs.size()}});
  server.runUntilSignalled();
  return 0;
}

struct ConnectorFlags {
  std::string listen = "127.0.0.1:8091";
  std::string path = "/records";
  std::string resource;
  std::string csv, database, table, key = "subject";
  std::string trust, trustUrl;
  int trustWaitSeconds = 60;
  std::string logLevel = "info";
};

// The platform's keys, from a JWK Set file, or from the platform itself (waiting for it to
// come up: scripts/run.sh starts both together).
onceonly::connector::TrustedKeys trustedKeys(const ConnectorFlags& f) {
  if (!f.trust.empty()) return onceonly::connector::loadTrustedKeys(f.trust);
  for (int waited = 0;; ++waited) {
    try {
      auto reply = onceonly::http::fetch("GET", f.trustUrl);
      if (reply.status == 200) return onceonly::connector::parseTrustedKeys(reply.body);
      if (waited >= f.trustWaitSeconds)
        throw std::runtime_error("the platform answered " + std::to_string(reply.status));
    } catch (const std::runtime_error& e) {
      if (waited >= f.trustWaitSeconds)
        throw std::runtime_error("cannot read the platform's keys from " + f.trustUrl + ": " +
                                 e.what());
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

// A department's connector: its own data behind the exchange's signed requests.
int connector(const ConnectorFlags& f) {
  onceonly::log::init(f.logLevel, false);
  if (f.csv.empty() == f.database.empty()) {
    std::cerr << "connector: give either --csv FILE or --database URL --table T\n";
    return 2;
  }
  if (f.trust.empty() == f.trustUrl.empty()) {
    std::cerr << "connector: give either --trust FILE or --trust-url URL (the platform's "
                 "/api/v1/exchange/keys)\n";
    return 2;
  }
  std::unique_ptr<onceonly::connector::DataSource> data;
  if (!f.csv.empty()) {
    data = onceonly::connector::csvSource(f.csv, f.key);
  } else {
    if (f.table.empty()) {
      std::cerr << "connector: --database needs --table\n";
      return 2;
    }
    data = onceonly::connector::databaseSource(f.database, f.table, f.key);
  }
  onceonly::connector::Options options;
  options.path = f.path;
  if (!f.resource.empty()) options.resource = f.resource;
  auto keys = trustedKeys(f);
  const auto trusted = keys.size();
  onceonly::connector::Connector c(options, std::move(keys), std::move(data));
  onceonly::http::ServerOptions o;
  std::tie(o.host, o.port) = onceonly::parseHostPort("--listen", f.listen);
  o.bodyLimit = std::size_t{64} * 1024;
  o.ioThreads = 1;
  o.workerThreads = 4;
  onceonly::http::Server server(o, [&c](onceonly::http::Request& r) { return c.handle(r); });
  server.start();
  onceonly::log::info("connector.listening",
                      {{"address", o.host + ":" + std::to_string(server.port())},
                       {"path", f.path},
                       {"trusted_keys", trusted}});
  server.runUntilSignalled();
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

  auto* seedCmd = cli.add_subcommand(
      "seed-demo", "Create the demo government (idempotent) and print its sign-in details");
  common.attach(seedCmd);

  AdminFlags admin;
  auto* adminCmd = cli.add_subcommand(
      "create-admin",
      "Create a platform administrator (password from ONCEONLY_ADMIN_PASSWORD or standard input)");
  common.attach(adminCmd);
  adminCmd->add_option("--username", admin.username, "Sign-in name")->required();
  adminCmd->add_option("--display-name", admin.displayName, "Name shown to others");
  adminCmd->add_option("--org-code", admin.orgCode, "Code of the administrator's organisation")
      ->required();
  adminCmd->add_option("--org-name-zh", admin.orgNameZh,
                       "Chinese name, to create the organisation as a province");
  adminCmd->add_option("--org-name-en", admin.orgNameEn,
                       "English name, to create the organisation as a province");

  auto* ledgerCmd = cli.add_subcommand("ledger", "Work with the verifiable ledger");
  ledgerCmd->require_subcommand(1);
  auto* ledgerVerifyCmd = ledgerCmd->add_subcommand(
      "verify", "Recompute the tree from the stored entries and check every signed checkpoint");
  common.attach(ledgerVerifyCmd);
  auto* ledgerCheckpointCmd =
      ledgerCmd->add_subcommand("checkpoint", "Sign a checkpoint of the current tree and print it");
  common.attach(ledgerCheckpointCmd);

  ProveFlags prove;
  auto* ledgerProveCmd = ledgerCmd->add_subcommand(
      "prove", "Print a receipt (inclusion proof against a signed checkpoint) for one entry");
  common.attach(ledgerProveCmd);
  ledgerProveCmd->add_option("--index", prove.index, "The entry's index")->required();
  ledgerProveCmd->add_option("--size", prove.size,
                             "A checkpoint's tree size (default: the first "
                             "checkpoint that covers the entry)");
  ledgerProveCmd->add_option("--url", prove.url,
                             "Ask this server (base URL) instead of the local database");
  ledgerProveCmd->add_option("--ca-file", prove.caFile,
                             "PEM CA certificates to trust for https:// beside the system's");

  CheckFlags check;
  auto* ledgerCheckCmd = ledgerCmd->add_subcommand(
      "check-receipt", "Verify a receipt offline; with --url, also that the log still holds it");
  ledgerCheckCmd->add_option("receipt", check.receipt, "Receipt file, URL, or - for stdin")
      ->required();
  ledgerCheckCmd->add_option("--log-key", check.logKey, "The log's verifier key")->required();
  ledgerCheckCmd->add_option("--witness", check.witnesses, "A witness's verifier key (repeat)");
  ledgerCheckCmd->add_option("--quorum", check.quorum,
                             "Cosignatures needed from the named witnesses");
  ledgerCheckCmd->add_option("--checkpoint", check.checkpoint,
                             "Check against this checkpoint (file or URL) instead of the "
                             "receipt's own");
  ledgerCheckCmd->add_option("--entry", check.entry, "File with the entry's text");
  ledgerCheckCmd->add_option("--url", check.url, "The log server's base URL");
  ledgerCheckCmd->add_option("--ca-file", check.caFile,
                             "PEM CA certificates to trust for https:// beside the system's");

  auto* ledgerKeyCmd =
      ledgerCmd->add_subcommand("key", "Print the log's verifier key (made on first use)");
  common.attach(ledgerKeyCmd);

  WitnessFlags witnessFlags;
  auto* witnessCmd = cli.add_subcommand(
      "witness", "Run a witness that cosigns a log's checkpoints (c2sp.org/tlog-witness)");
  witnessCmd->add_option("--name", witnessFlags.name, "Witness name, e.g. finance.gov.example/w")
      ->required();
  witnessCmd->add_option("--dir", witnessFlags.dir, "Directory for the key and the state file")
      ->required();
  witnessCmd->add_option("--listen", witnessFlags.listen, "host:port to serve on");
  witnessCmd->add_option("--log", witnessFlags.logs,
                         "Verifier key of a log to follow, then its origin when that is not the "
                         "key's name: 'VKEY' or 'VKEY ORIGIN' (repeat)");
  witnessCmd->add_option("--log-level", witnessFlags.logLevel, "trace … error");
  witnessCmd->add_flag("--print-key", witnessFlags.printKey,
                       "Print the witness's verifier key and exit");

  ConnectorFlags connectorFlags;
  auto* connectorCmd = cli.add_subcommand(
      "connector", "Serve a department's own data to the exchange, to signed requests only");
  connectorCmd->add_option("--listen", connectorFlags.listen, "host:port to serve on");
  connectorCmd->add_option("--path", connectorFlags.path, "The path requests come to");
  connectorCmd->add_option("--resource", connectorFlags.resource,
                           "Answer only for this catalog resource code");
  connectorCmd->add_option("--csv", connectorFlags.csv, "A CSV file with a header row");
  connectorCmd->add_option("--database", connectorFlags.database,
                           "sqlite:///path.db or postgresql://… URL of the department's database");
  connectorCmd->add_option("--table", connectorFlags.table, "The table holding the records");
  connectorCmd->add_option("--key", connectorFlags.key,
                           "The column holding the subject (resident ID or credit code)");
  connectorCmd->add_option("--trust", connectorFlags.trust,
                           "The platform's keys: a JWK Set file (GET /api/v1/exchange/keys)");
  connectorCmd->add_option("--trust-url", connectorFlags.trustUrl,
                           "The platform's keys, read at start from this URL");
  connectorCmd->add_option("--trust-wait", connectorFlags.trustWaitSeconds,
                           "Seconds to wait for --trust-url to answer");
  connectorCmd->add_option("--log-level", connectorFlags.logLevel, "trace … error");

  auto* versionCmd = cli.add_subcommand("version", "Print the version");

  CLI11_PARSE(cli, argc, argv);

  try {
    if (versionCmd->parsed()) {
      std::cout << "onceonly " << ONCEONLY_VERSION << "\n";
      return 0;
    }
    if (serveCmd->parsed()) return serve(common.load(true));
    if (migrateCmd->parsed()) {
      Config c = common.load();
      std::filesystem::create_directories(c.dataDir);
      auto db = onceonly::store::Database::open(c.effectiveDatabaseUrl(), 1);
      int n = db->migrate(onceonly::api::migrationFiles());
      std::cout << "migrations applied: " << n << ", schema version " << db->schemaVersion()
                << "\n";
      return 0;
    }
    if (seedCmd->parsed()) return seedDemo(common.load());
    if (ledgerVerifyCmd->parsed()) return ledgerVerify(common.load());
    if (ledgerCheckpointCmd->parsed()) return ledgerCheckpoint(common.load());
    if (ledgerProveCmd->parsed()) return ledgerProve(common, prove);
    if (ledgerCheckCmd->parsed()) return checkReceiptCommand(check);
    if (ledgerKeyCmd->parsed()) {
      Config c = common.load();
      std::cout << onceonly::ledger::loadOrCreateLogKey(c.effectiveKeysDir(),
                                                        c.setting("ledger_origin"))
                       .verifier()
                       .vkey()
                << "\n";
      return 0;
    }
    if (witnessCmd->parsed()) return witness(witnessFlags);
    if (connectorCmd->parsed()) return connector(connectorFlags);
    if (adminCmd->parsed()) return createAdmin(common.load(), admin);
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
  } catch (const onceonly::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  } catch (const onceonly::ConfigError& e) {
    std::cerr << "configuration error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
