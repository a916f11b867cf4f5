// The catalog module: the shared data catalog, browsed by all staff and kept by each
// department's data officers.
#include "api/module.h"
#include "api/routes.h"
#include "catalog/catalog.h"

namespace onceonly::catalog {

void addRoutes(api::Routes& api, api::Context& ctx);
void seedDemo(api::DemoSeeding& d);

api::Module module() {
  api::Module m;
  m.name = "catalog";
  m.scopes = {"catalog:read"};
  m.messages = {
      {"catalog.code_taken", "A data resource with the code {code} is already in the catalog.",
       "目录中已有编码为 {code} 的数据资源。"},
      {"catalog.version_conflict",
       "The resource changed meanwhile: you edited version {given}, it is now at version "
       "{current}. Reload it and apply your change again.",
       "该资源已被他人修改：您编辑的是第 {given} 版，当前为第 {current} 版。请重新加载后再修改。"},
      {"catalog.not_own_department",
       "Only the data officers of the department that holds a resource may change it.",
       "只有持有该资源的部门的数据专员可以修改它。"},
      {"catalog.field_twice", "the field name {name} is used twice", "字段名 {name} 重复"},
      {"catalog.masking_not_personal",
       "only personal or sensitive fields are masked: set sensitivity first",
       "只有个人或敏感字段需要脱敏：请先设置敏感级别"},
      {"catalog.personal_without_subject",
       "a resource about no one holds no personal data: give it a subject kind",
       "没有主体的资源不应包含个人数据：请设置主体类型"},
  };
  m.start = [](api::Startup& s) { s.services.add(std::make_unique<Catalog>(s.db)); };
  m.routes = addRoutes;
  m.seedDemo = seedDemo;
  return m;
}

}  // namespace onceonly::catalog
