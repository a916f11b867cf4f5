#include "audit/audit.h"

#include "core/time.h"
#include "crypto/crypto.h"
#include "store/list.h"
#include "store/store.h"

namespace onceonly::audit {
namespace {

store::Value opt(const std::optional<std::string>& v) {
  return v ? store::Value(*v) : store::Value(store::Null{});
}

constexpr const char* kColumns =
    "e.id, e.occurred_at, e.actor_id, e.actor_kind, e.actor_label, e.org_id, e.action, "
    "e.target_type, e.target_id, e.method, e.path, e.status, e.outcome, e.request_id, "
    "e.client_ip, e.detail";

}  // namespace

Event Trail::record(store::Connection& c, Event e) {
  e.id = crypto::newId("aud");
  e.occurredAt = nowRfc3339();
  c.exec(
      "INSERT INTO audit_events (id, occurred_at, actor_id, actor_kind, actor_label, org_id, "
      "action, target_type, target_id, method, path, status, outcome, request_id, client_ip, "
      "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {e.id, e.occurredAt, opt(e.actorId), opt(e.actorKind), opt(e.actorLabel), opt(e.orgId),
       e.action, opt(e.targetType), opt(e.targetId), e.method, e.path,
       static_cast<std::int64_t>(e.status), e.outcome, e.requestId, opt(e.clientIp),
       opt(e.detail)});
  return e;
}

namespace {

Event eventFromRow(const store::Row& r) {
  Event e;
  e.id = r.text("id");
  e.occurredAt = r.text("occurred_at");
  e.actorId = r.optText("actor_id");
  e.actorKind = r.optText("actor_kind");
  e.actorLabel = r.optText("actor_label");
  e.orgId = r.optText("org_id");
  e.action = r.text("action");
  e.targetType = r.optText("target_type");
  e.targetId = r.optText("target_id");
  e.method = r.text("method");
  e.path = r.text("path");
  e.status = static_cast<int>(r.integer("status"));
  e.outcome = r.text("outcome");
  e.requestId = r.text("request_id");
  e.clientIp = r.optText("client_ip");
  e.detail = r.optText("detail");
  return e;
}

// Newest first unless asked otherwise.
const store::SortColumns<Event>& eventSort() {
  static const store::SortColumns<Event> kColumns(
      {{"occurred_at", "e.occurred_at",
        [](const Event& e) { return nlohmann::json(e.occurredAt); }}},
      true);
  return kColumns;
}

}  // namespace

const Sorting& Trail::sorting() {
  return eventSort().sorting();
}

Page<Event> Trail::list(const Filter& f, ListQuery query) {
  std::string from = " FROM audit_events e";
  store::Where where;
  where.eq("e.actor_id", f.actorId);
  where.eq("e.org_id", f.orgId);
  where.eq("e.action", f.action);
  where.eq("e.outcome", f.outcome);
  where.eq("e.target_id", f.targetId);
  where.compare("e.occurred_at", ">=", f.from);
  where.compare("e.occurred_at", "<", f.to);
  if (f.withinPath) {
    from += " JOIN orgs o ON o.id = e.org_id";
    where.within("o.path", f.withinPath);
  }
  auto c = db_.connect();
  return store::fetchPage(c, kColumns, from, std::move(where), std::move(query), eventSort(),
                          "e.id", eventFromRow);
}

}  // namespace onceonly::audit
