#include "api/application.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "api/module.h"
#include "api/routes.h"
#include "crypto/crypto.h"
#include "demo/demo.h"
#include "http/metrics.h"
#include "http/pipeline.h"
#include "http/static_files.h"
#include "identity/identity.h"
#include "identity/roles.h"
#include "ledger/log.h"
#include "store/scheduler.h"
#include "store/store.h"

namespace onceonly::api {

namespace {

// What a module declares before any of them starts: its messages, roles and token scopes.
void declare(const Module& m) {
  for (const auto& s : m.settings)
    if (s.name.rfind(m.name + "_", 0) != 0)
      throw std::logic_error("setting " + s.name + " of module " + m.name + " is not named " +
                             m.name + "_…");
  declareSettings(m.settings);
  i18n::addMessages(m.messages);
  identity::declareRoles(m.roles);
  identity::declareScopes(m.scopes);
}

std::vector<EmbeddedFile> migrationsOf(const std::vector<Module>& modules) {
  std::vector<EmbeddedFile> out;
  for (const auto& m : modules)
    for (const auto& f : m.files)
      if (f.name.ends_with(".sql")) out.push_back(f);
  return out;
}

// The application's own OpenAPI document with each module's paths and components merged in.
// Each operation also says who may call it (x-access), from the route table.
std::string mergedOpenApi(const std::vector<Module>& modules,
                          const std::vector<RouteInfo>& routes) {
  auto doc = nlohmann::json::parse(openApiDocument());
  for (const auto& m : modules) {
    for (const auto& f : m.files) {
      if (f.name != "openapi.json") continue;
      const auto part = nlohmann::json::parse(f.content);
      const auto paths = part.value("paths", nlohmann::json::object());
      const auto components = part.value("components", nlohmann::json::object());
      const auto tags = part.value("tags", nlohmann::json::array());
      for (const auto& [path, item] : paths.items()) {
        if (doc["paths"].contains(path))
          throw std::logic_error("OpenAPI path " + path + " of module " + m.name +
                                 " is described twice");
        doc["paths"][path] = item;
      }
      for (const auto& [section, entries] : components.items())
        for (const auto& [name, value] : entries.items()) {
          auto& slot = doc["components"][section][name];
          if (!slot.is_null() && slot != value)
            // NOLINTNEXTLINE(performance-inefficient-string-concatenation): thrown once
            throw std::logic_error("OpenAPI component " + section + "/" + name + " of module " +
                                   m.name + " differs from one described before");
          slot = value;
        }
      for (const auto& tag : tags) doc["tags"].push_back(tag);
    }
  }
  for (const auto& r : routes) {
    std::string method = r.method;
    for (auto& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto path = doc["paths"].find(r.pattern);
    if (path == doc["paths"].end() || !path->contains(method)) continue;  // a coverage test
    (*path)[method]["x-access"] = r.access.describe();
  }
  return doc.dump(2);
}

}  // namespace

std::vector<EmbeddedFile> migrationFiles() {
  return migrationsOf(modules());
}

struct Application::Impl {
  Config config;
  std::vector<Module> modules;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<crypto::KeyRing> keys;
  // Destroyed before the database and keys they use, and after the routes that use them.
  Services services;
  // Stopped (destroyed) before the services its jobs use.
  std::unique_ptr<store::Scheduler> scheduler;
  http::Router router;
  std::vector<RouteInfo> routes;
  std::string openApi;
  http::Metrics metrics;
  std::unique_ptr<http::StaticFiles> staticFiles;
  std::unique_ptr<http::Pipeline> pipeline;
  std::unique_ptr<Context> context;  // routes hold references into it
};

Application::Application(Config config, std::vector<Module> extra)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  const Config& c = impl_->config;
  impl_->modules = modules();
  for (auto& m : extra) impl_->modules.push_back(std::move(m));
  for (const auto& m : impl_->modules) declare(m);
  checkModuleSettings(c);

  std::filesystem::create_directories(c.dataDir);
  impl_->db = store::Database::open(c.effectiveDatabaseUrl(), c.dbPoolSize);
  impl_->db->migrate(migrationsOf(impl_->modules));
  impl_->keys =
      std::make_unique<crypto::KeyRing>(crypto::KeyRing::loadOrCreate(c.effectiveKeysDir()));
  impl_->scheduler = std::make_unique<store::Scheduler>(*impl_->db);
  Startup startup{c, *impl_->db, *impl_->keys, impl_->services, *impl_->scheduler};
  for (const auto& m : impl_->modules)
    if (m.start) m.start(startup);

  impl_->context = std::make_unique<Context>(
      Context{c, *impl_->db, impl_->metrics, *impl_->keys, impl_->services});
  Routes routes(impl_->router, *impl_->context, impl_->routes);
  routes.setModule("system");
  if (!c.staticDir.empty()) impl_->staticFiles = std::make_unique<http::StaticFiles>(c.staticDir);
  addSystemRoutes(routes, *impl_->context, impl_->openApi, impl_->staticFiles.get());
  for (const auto& m : impl_->modules) {
    if (!m.routes) continue;
    routes.setModule(m.name);
    m.routes(routes, *impl_->context);
  }
  if (impl_->router.routes().size() != impl_->routes.size())
    throw std::logic_error("a route was added without declaring who may call it");
  impl_->openApi = mergedOpenApi(impl_->modules, impl_->routes);

  impl_->pipeline = std::make_unique<http::Pipeline>(
      impl_->router, impl_->metrics,
      http::PipelineOptions{c.trustProxy, c.rateLimitPerSecond, c.rateLimitBurst},
      impl_->staticFiles.get());
  if (c.backgroundWork) impl_->scheduler->start();
}

Application::~Application() = default;

bool Application::isUpload(std::string_view method, std::string_view target) {
  const auto path = target.substr(0, target.find('?'));
  constexpr std::string_view kLoads = "/loads";
  return method == "POST" && path.size() > kLoads.size() &&
         path.substr(path.size() - kLoads.size()) == kLoads;
}

http::Response Application::handle(http::Request& req) {
  return impl_->pipeline->handle(req);
}
const http::Router& Application::router() const {
  return impl_->router;
}
const std::vector<RouteInfo>& Application::routes() const {
  return impl_->routes;
}
const std::string& Application::openApi() const {
  return impl_->openApi;
}
store::Database& Application::database() {
  return *impl_->db;
}
Services& Application::services() {
  return impl_->services;
}

store::Scheduler& Application::scheduler() {
  return *impl_->scheduler;
}
const Config& Application::config() const {
  return impl_->config;
}
identity::Identity& Application::identity() {
  return impl_->services.get<identity::Identity>();
}
ledger::Log& Application::ledger() {
  return impl_->services.get<ledger::Log>();
}

demo::SeedResult Application::seedDemo(bool activity) {
  // Each module adds to what those before it seeded, and may read it (the demo citizens).
  demo::SeedResult result;
  for (const auto& m : impl_->modules) {
    if (!m.seedDemo) continue;
    DemoSeeding seeding{impl_->config, *impl_->db, impl_->services, result, *impl_->keys, activity};
    m.seedDemo(seeding);
  }
  return result;
}

}  // namespace onceonly::api
