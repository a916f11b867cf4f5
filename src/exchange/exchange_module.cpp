// The exchange module: departments request, grant and use each other's data; people see every
// access to theirs and give or refuse consent.
#include "api/module.h"
#include "api/routes.h"
#include "catalog/hosted.h"
#include "exchange/connectors.h"
#include "exchange/exchange.h"

namespace onceonly::exchange {

void addRoutes(api::Routes& api, api::Context& ctx);
void seedDemo(api::DemoSeeding& d);

api::Module module() {
  api::Module m;
  m.name = "exchange";
  m.roles = {{"exchange_client", false}};
  m.scopes = {"exchange:read", "exchange:query"};
  m.messages = {
      {"exchange.not_shared", "{code} is not shared: it cannot be requested.",
       "{code} 不予共享，不能申请。"},
      {"exchange.own_resource", "{code} is your own department's: use it directly.",
       "{code} 是本部门的资源，可直接使用。"},
      {"exchange.no_such_field", "{code} has no field {field}", "{code} 没有字段 {field}"},
      {"exchange.unmask_not_asked", "{field} is not among the fields asked for",
       "{field} 不在所申请的字段中"},
      {"exchange.unmask_not_personal", "{field} is not personal: it is never masked",
       "{field} 不是个人字段，不会脱敏"},
      {"exchange.not_asked", "{field} was not asked for: a grant gives at most what was asked",
       "未申请 {field}：授权不能超出申请范围"},
      {"exchange.decided", "The request was decided already (it is {status}).",
       "该申请已处理（状态：{status}）。"},
      {"exchange.revoked_already", "The grant {id} was revoked already.", "授权 {id} 已被撤销。"},
      {"exchange.no_department", "Only staff of a department use the exchange.",
       "只有部门工作人员可以使用数据交换。"},
      {"exchange.not_party", "Only the departments party to it may see this.",
       "只有相关部门可以查看。"},
      {"exchange.not_owner", "Only the department holding the resource may decide on it.",
       "只有资源所属部门可以处理。"},
      {"exchange.no_grant", "Your department has no grant for {code}: request it first.",
       "本部门未获得 {code} 的共享授权，请先申请。"},
      {"exchange.purpose",
       "Your department's grant is for another purpose ({granted}), not {purpose}.",
       "本部门的授权用途为 {granted}，不包括 {purpose}。"},
      {"exchange.expired", "Your department's grant expired at {at}.",
       "本部门的授权已于 {at} 到期。"},
      {"exchange.revoked", "Your department's grant was revoked at {at}.",
       "本部门的授权已于 {at} 被撤销。"},
      {"exchange.fields_not_granted", "These fields are not granted: {fields}.",
       "以下字段未获授权：{fields}。"},
      {"exchange.consent_required",
       "This resource needs the consent of the person or company it is about; they have been "
       "asked.",
       "该资源须经数据主体同意后方可使用；已向其发送同意请求。"},
      {"exchange.consent_refused",
       "The person or company this is about refused consent for this purpose.",
       "数据主体已拒绝为此用途授权。"},
      {"exchange.consent_state", "This consent cannot be changed that way (it is {status}).",
       "该同意当前状态为 {status}，不能如此修改。"},
      {"exchange.no_record", "{code} holds no record of this subject.",
       "{code} 中没有该主体的记录。"},
      {"exchange.no_subject", "{code} is about no one: it is not queried by subject.",
       "{code} 不涉及具体主体，不能按主体查询。"},
      {"exchange.source_unavailable",
       "The system holding {code} could not be reached; try again later.",
       "{code} 的数据源暂时无法访问，请稍后再试。"},
      {"exchange.source_answer",
       "The system holding {code} gave an answer that does not fit: {reason}.",
       "{code} 的数据源返回了不符合目录的数据：{reason}。"},
  };
  m.settings = {
      {"exchange_connector_timeout_seconds", "3",
       numberFrom("exchange_connector_timeout_seconds", 1, 60)},
      {"exchange_connector_failures_to_open", "5",
       numberFrom("exchange_connector_failures_to_open", 1, 1000)},
      {"exchange_connector_open_seconds", "30",
       numberFrom("exchange_connector_open_seconds", 1, 3600)},
  };
  m.start = [](api::Startup& s) {
    ConnectorOptions o;
    o.timeoutSeconds = s.config.settingNumber("exchange_connector_timeout_seconds");
    o.failuresToOpen = s.config.settingNumber("exchange_connector_failures_to_open");
    o.openSeconds = s.config.settingNumber("exchange_connector_open_seconds");
    o.caFile = s.config.tlsCaFile;  // a government's own CA for https:// connectors
    auto& connectors = s.services.add(std::make_unique<Connectors>(s.keys, o));
    auto& ex = s.services.add(std::make_unique<Exchange>(
        s.db, s.services.get<catalog::Catalog>(), s.services.get<catalog::Records>(), s.keys));
    ex.setSource("connector", &connectors);
  };
  m.routes = addRoutes;
  m.seedDemo = seedDemo;
  return m;
}

}  // namespace onceonly::exchange
