#include "api/application.h"

#include <filesystem>
#include <fstream>

#include "api/routes.h"
#include "audit/audit.h"
#include "crypto/crypto.h"
#include "http/client.h"
#include "http/metrics.h"
#include "http/pipeline.h"
#include "http/static_files.h"
#include "identity/identity.h"
#include "ledger/log.h"
#include "store/store.h"

namespace onceonly::api {

namespace {

ledger::LogOptions ledgerOptions(const Config& c) {
  ledger::LogOptions o;
  o.origin = c.ledgerOrigin;
  o.checkpointSeconds = c.ledgerCheckpointSeconds;
  o.background = c.backgroundWork && c.ledgerCheckpointSeconds > 0;
  o.indexInBackground = c.backgroundWork;
  try {
    o.witnesses = ledger::parseWitnessList(c.ledgerWitnesses);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("setting 'ledger_witnesses': ") + e.what());
  }
  if (static_cast<std::size_t>(c.ledgerWitnessQuorum) > o.witnesses.size())
    throw ConfigError("setting 'ledger_witness_quorum': " + std::to_string(c.ledgerWitnessQuorum) +
                      " is more than the " + std::to_string(o.witnesses.size()) +
                      " witnesses configured");
  o.quorum = static_cast<std::size_t>(c.ledgerWitnessQuorum);
  if (!c.tlsCaFile.empty() && !std::ifstream(c.tlsCaFile))
    throw ConfigError("setting 'tls_ca_file': cannot read " + c.tlsCaFile);
  o.post = [caFile = c.tlsCaFile](const std::string& url, const std::string& body) {
    auto r = http::fetch("POST", url, body, "text/plain; charset=utf-8",
                         {5, std::size_t{64} * 1024, caFile});
    return ledger::WitnessReply{r.status, r.contentType, r.body};
  };
  return o;
}

}  // namespace

struct Application::Impl {
  Config config;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<crypto::KeyRing> keys;
  std::unique_ptr<identity::Identity> identity;
  std::unique_ptr<audit::Trail> trail;
  std::unique_ptr<ledger::Log> ledger;
  std::unique_ptr<Endpoints> endpoints;
  http::Router router;
  http::Metrics metrics;
  std::unique_ptr<http::StaticFiles> staticFiles;
  std::unique_ptr<http::Pipeline> pipeline;
  std::unique_ptr<Context> context;  // routes hold references into it
};

Application::Application(Config config) : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  const Config& c = impl_->config;
  std::filesystem::create_directories(c.dataDir);
  impl_->db = store::Database::open(c.effectiveDatabaseUrl(), c.dbPoolSize);
  impl_->db->migrate();
  impl_->keys =
      std::make_unique<crypto::KeyRing>(crypto::KeyRing::loadOrCreate(c.effectiveKeysDir()));
  identity::IdentityOptions io;
  io.passwordCost = c.passwordCost;
  io.sessionTtlMinutes = c.sessionTtlMinutes;
  io.principalCacheSeconds = c.authCacheSeconds;
  impl_->identity = std::make_unique<identity::Identity>(*impl_->db, *impl_->keys, io);
  impl_->trail = std::make_unique<audit::Trail>(*impl_->db);
  impl_->ledger = std::make_unique<ledger::Log>(
      *impl_->db, ledger::loadOrCreateLogKey(c.effectiveKeysDir(), c.ledgerOrigin),
      ledgerOptions(c));
  impl_->context =
      std::make_unique<Context>(Context{c, *impl_->db, impl_->metrics, *impl_->identity,
                                        *impl_->trail, *impl_->ledger, *impl_->keys});
  impl_->endpoints = std::make_unique<Endpoints>(impl_->router, *impl_->context);
  addSystemRoutes(impl_->router, *impl_->context);
  addIdentityRoutes(*impl_->endpoints, *impl_->context);
  addAuditRoutes(*impl_->endpoints, *impl_->context);
  addLedgerRoutes(impl_->router, *impl_->endpoints, *impl_->context);
  if (!c.staticDir.empty()) impl_->staticFiles = std::make_unique<http::StaticFiles>(c.staticDir);
  impl_->pipeline = std::make_unique<http::Pipeline>(
      impl_->router, impl_->metrics,
      http::PipelineOptions{c.trustProxy, c.rateLimitPerSecond, c.rateLimitBurst},
      impl_->staticFiles.get());
}

Application::~Application() = default;

http::Response Application::handle(http::Request& req) {
  return impl_->pipeline->handle(req);
}
const http::Router& Application::router() const {
  return impl_->router;
}
store::Database& Application::database() {
  return *impl_->db;
}
const Config& Application::config() const {
  return impl_->config;
}

identity::Identity& Application::identity() {
  return *impl_->identity;
}
ledger::Log& Application::ledger() {
  return *impl_->ledger;
}

}  // namespace onceonly::api
