// A module as the application sees it: everything one capability adds to the platform, declared
// in one place. Application walks the module list (src/CMakeLists.txt, ONCEONLY_MODULES) and, for
// each module in order, applies its migrations, learns its messages, roles and token scopes,
// starts its services, registers its routes, merges its part of the OpenAPI document, and seeds
// its part of the demo government. Adding a module touches its own folder, its tests and that
// list; nothing else.
//
// A module's folder holds its domain code (which knows neither HTTP nor SQL text beyond its
// store calls), its routes (HTTP translated into calls on the domain), `migrations/NNNN_*.sql`
// (version numbers are one sequence across all modules; the application refuses two modules
// claiming the same one) and `openapi.json` (`paths` and `components` merged into the document).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "api/access.h"
#include "core/config.h"
#include "core/embedded.h"
#include "core/i18n.h"
#include "identity/roles.h"

namespace onceonly {}
namespace onceonly::store {
class Database;
class Scheduler;
}  // namespace onceonly::store
namespace onceonly::crypto {
class KeyRing;
}
namespace onceonly::demo {
struct SeedResult;
}

namespace onceonly::api {

// The services the modules have started, by type: a module's start() adds its own, and later
// modules (and route handlers) find them with get<T>(). Destroyed in reverse order of adding, so
// a service may use those added before it until it is gone.
class Services {
 public:
  Services() = default;
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;
  ~Services();

  template <class T>
  T& add(std::unique_ptr<T> service) {
    T& ref = *service;
    if (!byType_.emplace(std::type_index(typeid(T)), &ref).second)
      throw std::logic_error(std::string("a service of this type was added twice: ") +
                             typeid(T).name());
    owned_.push_back(std::make_unique<Owned<T>>(std::move(service)));
    return ref;
  }
  template <class T>
  T* find() const {
    auto it = byType_.find(std::type_index(typeid(T)));
    return it == byType_.end() ? nullptr : static_cast<T*>(it->second);
  }
  // Throws std::logic_error when no module started one: a module used another listed after it.
  template <class T>
  T& get() const {
    if (T* s = find<T>()) return *s;
    throw std::logic_error(std::string("no module provides the service ") + typeid(T).name());
  }

 private:
  struct Holder {
    virtual ~Holder() = default;
  };
  template <class T>
  struct Owned : Holder {
    explicit Owned(std::unique_ptr<T> p) : ptr(std::move(p)) {}
    std::unique_ptr<T> ptr;
  };
  std::vector<std::unique_ptr<Holder>> owned_;
  std::unordered_map<std::type_index, void*> byType_;
};

// What a module's start() gets: the configuration, the database (migrated), the key ring and
// the services of the modules before it.
struct Startup {
  const Config& config;
  store::Database& db;
  const crypto::KeyRing& keys;
  Services& services;
  // Jobs on a schedule, run on one node at a time; they start once every module has started
  // (when the configuration asks for background work) and stop before any service goes.
  store::Scheduler& scheduler;
};

// What a module's demo seeding gets; it adds its sign-in details and counts to `result`, which
// holds what the modules before it seeded (the demo citizens and companies among them).
// Seeding is idempotent: a module that finds its demo data there changes nothing.
struct DemoSeeding {
  const Config& config;
  store::Database& db;
  Services& services;
  demo::SeedResult& result;
  const crypto::KeyRing& keys;
  // Also some activity, as if the demo government had been at work (queries of a citizen's
  // data, with their ledger entries): for `onceonly seed-demo`, not for tests that count.
  bool activity;
};

class Routes;
struct Context;

struct Module {
  std::string name;
  // Embedded files of the module's folder: migrations/*.sql and openapi.json (filled in by the
  // generated module list; a module sets them itself only when it is not on the list).
  std::vector<EmbeddedFile> files;
  std::vector<i18n::Message> messages;
  std::vector<identity::Role> roles;
  std::vector<std::string> scopes;  // API token scopes the module's routes ask for
  // Its section of the configuration: settings named <module>_<key> (see ModuleSetting).
  std::vector<ModuleSetting> settings;
  std::function<void(Startup&)> start;
  std::function<void(Routes&, Context&)> routes;
  std::function<void(DemoSeeding&)> seedDemo;
};

// The modules of this build, in the order they start (generated from ONCEONLY_MODULES).
const std::vector<Module>& modules();

// Every module's migration files (store::Database::migrate orders them and refuses two modules
// claiming one version).
std::vector<EmbeddedFile> migrationFiles();

}  // namespace onceonly::api
