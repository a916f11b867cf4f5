// The services module: the one-window service guide (service items and "one thing" packages).
#include "api/module.h"
#include "api/routes.h"
#include "services/services.h"

namespace onceonly::services {

void addRoutes(api::Routes& api, api::Context& ctx);
void seedDemo(api::DemoSeeding& d);

api::Module module() {
  api::Module m;
  m.name = "services";
  m.messages = {
      {"services.promise_beyond_law",
       "The promised time limit may not exceed the statutory one ({statutory} working days).",
       "承诺时限不得超过法定时限（{statutory} 个工作日）。"},
      {"services.no_optional_material",
       "Acceptance with deficiencies needs at least one material that is not core.",
       "容缺受理至少需要一项非核心材料。"},
      {"services.no_such_field", "{code} has no field {field}.", "{code} 没有字段 {field}。"},
      {"services.not_own_department",
       "Only an administrator of the department (or above it) adds its service items.",
       "只有该部门（或其上级）的管理员可以添加办事事项。"},
  };
  m.start = [](api::Startup& s) { s.services.add(std::make_unique<ServiceCatalog>(s.db)); };
  m.routes = addRoutes;
  m.seedDemo = seedDemo;
  return m;
}

}  // namespace onceonly::services
