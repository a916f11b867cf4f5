// The identity module: the organisation tree, accounts, sign-in, tokens; the demo government's
// organisations and people.
#include "api/module.h"
#include "api/routes.h"
#include "core/config.h"
#include "demo/demo.h"
#include "identity/identity.h"
#include "identity/roles.h"

namespace onceonly::identity {
void addRoutes(api::Routes& api, api::Context& ctx);

}  // namespace onceonly::identity

namespace onceonly::demo {
SeedResult seedIdentity(identity::Identity& id);
}

namespace onceonly::identity {

api::Module module() {
  api::Module m;
  m.name = "identity";
  m.messages = {
      {"org.has_dependents", "The organisation still has child organisations or accounts.",
       "该组织下仍有下级组织或账户。"},
      {"org.parent_level", "A {level} cannot be placed under a {parent_level}.",
       "{level} 不能隶属于 {parent_level}。"},
      {"org.cycle", "An organisation cannot be moved under itself.", "组织不能移动到其自身之下。"},
      {"account.self", "You cannot disable or delete your own account.",
       "不能停用或删除自己的账户。"},
  };
  m.roles = foundationRoles();
  m.scopes = {"orgs:read", "orgs:write", "accounts:read", "accounts:write"};
  m.start = [](api::Startup& s) {
    IdentityOptions io;
    io.passwordCost = s.config.passwordCost;
    io.sessionTtlMinutes = s.config.sessionTtlMinutes;
    io.principalCacheSeconds = s.config.authCacheSeconds;
    s.services.add(std::make_unique<Identity>(s.db, s.keys, io));
  };
  m.routes = addRoutes;
  m.seedDemo = [](api::DemoSeeding& d) {
    d.result = demo::seedIdentity(d.services.get<Identity>());
  };
  return m;
}

}  // namespace onceonly::identity
