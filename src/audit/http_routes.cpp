#include "api/routes.h"
#include "core/error.h"
#include "core/time.h"
#include "identity/authz.h"

namespace onceonly::audit {

void addRoutes(api::Routes& api, api::Context& ctx) {
  api.read("/api/v1/audit-events", api::Access::staff({"auditor"}, "audit:read"),
           [&ctx](http::Request& req, const identity::Principal& p) {
             auto scope = identity::authz::auditScope(p);
             api::QueryParams qp(
                 req, {"actor_id", "org_id", "action", "outcome", "target_id", "from", "to"});
             Filter f;
             f.actorId = qp.get("actor_id");
             f.orgId = qp.get("org_id");
             f.action = qp.get("action");
             f.outcome = qp.oneOf("outcome", {"success", "failure"});
             f.targetId = qp.get("target_id");
             FieldErrors errors;
             for (const char* name : {"from", "to"}) {
               auto v = qp.get(name);
               if (!v) continue;
               auto t = parseRfc3339(*v);
               if (!t)
                 errors.add(FieldLocation::Query, name, "field.pattern",
                            {{"pattern", "RFC 3339, e.g. 2026-11-01T00:00:00Z"}});
               else
                 (std::string(name) == "from" ? f.from : f.to) = toRfc3339(*t);
             }
             auto q = qp.list(Trail::sorting());
             qp.finish();
             errors.throwIfAny();
             f.withinPath = scope;
             auto page = ctx.trail().list(f, q);
             return http::Response::json(
                 200, api::pageJson(page, [](const Event& e) {
                   auto opt = [](const std::optional<std::string>& v) {
                     return v ? nlohmann::json(*v) : nlohmann::json();
                   };
                   nlohmann::json detail = e.detail
                                               ? nlohmann::json::parse(*e.detail, nullptr, false)
                                               : nlohmann::json();
                   return nlohmann::json{{"id", e.id},
                                         {"occurred_at", e.occurredAt},
                                         {"actor_id", opt(e.actorId)},
                                         {"actor_kind", opt(e.actorKind)},
                                         {"actor_label", opt(e.actorLabel)},
                                         {"org_id", opt(e.orgId)},
                                         {"action", e.action},
                                         {"target_type", opt(e.targetType)},
                                         {"target_id", opt(e.targetId)},
                                         {"method", e.method},
                                         {"path", e.path},
                                         {"status", e.status},
                                         {"outcome", e.outcome},
                                         {"request_id", e.requestId},
                                         {"client_ip", opt(e.clientIp)},
                                         {"detail", detail}};
                 }));
           });
}

}  // namespace onceonly::audit
