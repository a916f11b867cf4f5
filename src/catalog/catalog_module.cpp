// The catalog module: the shared data catalog, browsed by all staff and kept by each
// department's data officers.
#include "api/module.h"
#include "api/routes.h"
#include "catalog/catalog.h"
#include "catalog/hosted.h"
#include "ledger/log.h"

namespace onceonly::catalog {

void addRoutes(api::Routes& api, api::Context& ctx);
void addRecordRoutes(api::Routes& api, api::Context& ctx);
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
      {"catalog.source_credential",
       "Certificates become a resource by declaring their type as one, not by hand.",
       "电子证照须通过将证照类型登记为资源来编目，不能手工创建。"},
      {"catalog.not_hosted",
       "The records of {code} are served by its department's connector, not kept here.",
       "{code} 的数据由其部门的前置接口提供，不在平台存放。"},
      {"catalog.no_subject",
       "{code} is about no one: its records are loaded as a whole file, not one by one.",
       "{code} 不涉及具体主体：其数据须整体上传文件，不能逐条写入。"},
      {"catalog.upload_type",
       "Send records as text/csv, application/json or application/x-ndjson (not {given}).",
       "请以 text/csv、application/json 或 application/x-ndjson 格式上传数据（而非 {given}）。"},
      {"record.subject", "not a valid subject: {reason}", "主体标识无效：{reason}"},
  };
  m.start = [](api::Startup& s) {
    s.services.add(std::make_unique<Catalog>(s.db));
    // A load's rows and its ledger entry commit together: anyone can tell later which file
    // (by its digest) a department loaded, and when.
    auto& ledger = s.services.get<ledger::Log>();
    s.services.add(
        std::make_unique<Records>(s.db, s.keys, [&ledger](store::Connection& c, const Load& l) {
          ledger.queue(c, {{"type", "catalog.records.loaded"},
                           {"resource", l.resourceId},
                           {"load", l.id},
                           {"rows", l.rowsTotal},
                           {"digest", l.digest},
                           {"at", *l.finishedAt}});
        }));
  };
  m.routes = [](api::Routes& api, api::Context& ctx) {
    addRoutes(api, ctx);
    addRecordRoutes(api, ctx);
  };
  m.seedDemo = seedDemo;
  return m;
}

}  // namespace onceonly::catalog
