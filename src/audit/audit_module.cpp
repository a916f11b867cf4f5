// The audit module: the trail of every write made through the API, read by auditors.
#include "api/module.h"
#include "api/routes.h"
#include "audit/audit.h"

namespace onceonly::audit {
void addRoutes(api::Routes& api, api::Context& ctx);

api::Module module() {
  api::Module m;
  m.name = "audit";
  m.scopes = {"audit:read"};
  m.start = [](api::Startup& s) { s.services.add(std::make_unique<Trail>(s.db)); };
  m.routes = addRoutes;
  return m;
}

}  // namespace onceonly::audit
