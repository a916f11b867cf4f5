// The exchange's routes: sharing requests and their decisions, grants, queries (each access on
// the ledger before anything is shown, answered with its receipt), "who looked at my data",
// consent and the statistics.
#include <chrono>
#include <map>

#include "api/json_body.h"
#include "api/routes.h"
#include "catalog/catalog.h"
#include "catalog/records.h"
#include "core/encoding.h"
#include "core/log.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "exchange/asking.h"
#include "exchange/connectors.h"
#include "exchange/exchange.h"
#include "identity/authz.h"
#include "ledger/log.h"
#include "store/store.h"

namespace onceonly::exchange {

using api::Access;
using api::AuditNote;
using api::Context;
using api::JsonBody;
using api::QueryParams;
using identity::Principal;

namespace {

// Data officers ask for other departments' data and decide on requests for their own.
const Access kOfficer = Access::staff({"data_officer"});
// Who may see requests, grants and accesses (their own department's; auditors all).
const Access kOversee = Access::staff({"data_officer", "org_admin", "auditor"}, "exchange:read");
// Grants are also read by those who query under them, to choose one.
const Access kGrantReaders =
    Access::staff({"clerk", "approver", "data_officer", "org_admin", "auditor"}, "exchange:read");
// An access's outcomes, as lists filter by them.
const std::vector<std::string> kOutcomes = {"served", "refused", "not_found", "unavailable"};
// Who may query a record: staff doing casework, and machine clients of a department.
const Access kQuery =
    Access::staff({"clerk", "approver", "data_officer", "exchange_client"}, "exchange:query");

Exchange& exchange(Context& ctx) {
  return ctx.services.get<Exchange>();
}

const std::string& department(const Principal& p) {
  if (!p.orgId) throw forbidden("exchange.no_department");
  return *p.orgId;
}

// A party to a request or grant: its holder or its requester (or someone who sees all).
void requireParty(const Principal& p, const std::string& owner, const std::string& requester) {
  if (identity::authz::seesAllDepartments(p)) return;
  if (p.orgId != owner && p.orgId != requester) throw forbidden("exchange.not_party");
}

void requireOwner(const Principal& p, const std::string& owner) {
  if (identity::authz::isPlatformAdmin(p)) return;
  if (p.orgId != owner) throw forbidden("exchange.not_owner");
}

std::vector<std::string> textList(JsonBody& body, const std::string& name, bool required) {
  std::vector<std::string> out;
  auto a = body.array(name, required);
  if (!a) return out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    if (!(*a)[i].is_string()) {
      body.errors().add(FieldLocation::Body, "/" + name + "/" + std::to_string(i), "field.type",
                        {{"type", "string"}});
      continue;
    }
    out.push_back((*a)[i].get<std::string>());
  }
  return out;
}

// The role an access is recorded under: what the person it concerns is shown.
nlohmann::json receiptJson(const ledger::Receipt& r) {
  return {{"index", r.index},
          {"leaf_hash", ledger::hashToBase64(r.leafHash)},
          {"tree_size", r.treeSize},
          {"root", ledger::hashToBase64(r.root)},
          {"url", "/api/v1/ledger/receipts/" + std::to_string(r.index)}};
}

nlohmann::json answerJson(const Outcome& o) {
  const auto& a = *o.answer;
  return {{"access_id", o.access.id},
          {"resource_id", a.resource.id},
          {"resource_code", a.resource.code},
          {"grant_id", a.grant.id},
          {"purpose", o.access.purpose},
          {"fields", a.fields},
          {"values", a.values}};
}

Query queryFrom(JsonBody& body) {
  Query q;
  q.resourceId = body.text("resource_id", true).value_or("");
  q.subject = body.text("subject", true).value_or("");
  q.purpose = body.text("purpose", true).value_or("");
  q.application = body.text("application");
  if (body.has("fields")) q.fields = textList(body, "fields", false);
  return q;
}

// The subject's own accesses as the person sees them: departments by name, the receipt to check.
// A consent as the person reads it: who asks, and for which resource, by name.
nlohmann::json namedConsentJson(Context& ctx, const Consent& c) {
  auto j = consentToJson(c);
  if (auto org = ctx.identity().findOrg(c.requesterOrgId)) {
    j["requester_org_name_zh"] = org->nameZh;
    j["requester_org_name_en"] = org->nameEn;
  }
  if (c.resourceId) {
    if (auto r = ctx.services.get<catalog::Catalog>().find(*c.resourceId)) {
      j["resource_code"] = r->code;
      j["resource_name_zh"] = r->nameZh;
      j["resource_name_en"] = r->nameEn;
    }
  }
  return j;
}

nlohmann::json accessJson(Context& ctx, const Accessed& a, bool forSubject) {
  auto orgName = [&ctx](const std::string& id) -> nlohmann::json {
    auto o = ctx.identity().findOrg(id);
    if (!o) return {{"id", id}};
    return {{"id", id}, {"name_zh", o->nameZh}, {"name_en", o->nameEn}};
  };
  nlohmann::json receipt = nullptr;
  if (auto leaf = ledger::hashFromBase64(a.leafHash)) {
    if (auto index = ctx.ledger().indexOf(*leaf))
      receipt = {{"index", *index},
                 {"leaf_hash", a.leafHash},
                 {"url", "/api/v1/ledger/receipts/" + std::to_string(*index)}};
    else
      receipt = {{"index", nullptr}, {"leaf_hash", a.leafHash}, {"url", nullptr}};
  }
  nlohmann::json j = {{"id", a.id},
                      {"at", a.at},
                      {"resource_id", a.resourceId},
                      {"resource_code", a.resourceCode},
                      {"owner", orgName(a.ownerOrgId)},
                      {"requester", orgName(a.requesterOrgId)},
                      {"accessor_role", a.accessorRole},
                      {"fields", a.fields},
                      {"purpose", a.purpose},
                      {"application", a.application ? nlohmann::json(*a.application) : nullptr},
                      {"outcome", a.outcome},
                      {"reason", a.reason ? nlohmann::json(*a.reason) : nullptr},
                      {"receipt", receipt}};
  if (auto r = ctx.services.get<catalog::Catalog>().find(a.resourceId)) {
    j["resource_name_zh"] = r->nameZh;
    j["resource_name_en"] = r->nameEn;
  }
  if (!forSubject) {  // departments see who did it; the person sees the department and role
    j["accessor_id"] = a.accessorId;
    j["grant_id"] = a.grantId ? nlohmann::json(*a.grantId) : nullptr;
    j["latency_micros"] = a.latencyMicros;
  }
  return j;
}

std::string ownPseudonym(Context& ctx, const Principal& p) {
  auto self = ctx.identity().findAccount(p.accountId);
  if (!self) throw unauthenticated();
  return self->pseudonym;
}

void ledgerDecision(Context& ctx, const SharingRequest& r, const std::optional<Grant>& g,
                    const std::string& type) {
  auto c = ctx.db.connect();
  ctx.ledger().queue(c, {{"type", type},
                         {"request", r.id},
                         {"resource", r.resourceId},
                         {"owner", r.ownerOrgId},
                         {"requester", r.requesterOrgId},
                         {"purpose", r.purpose},
                         {"status", r.status},
                         {"grant", g ? nlohmann::json(g->id) : nlohmann::json()},
                         {"fields", commaList(g ? g->fields : r.fields)},
                         {"unmask", commaList(g ? g->unmask : r.unmask)},
                         {"expires_at", g ? nlohmann::json(g->expiresAt) : nlohmann::json()},
                         {"at", r.decidedAt.value_or(r.requestedAt)}});
}

nlohmann::json decidedJson(const std::pair<SharingRequest, std::optional<Grant>>& d) {
  auto j = requestToJson(d.first);
  j["grant"] = d.second ? grantToJson(*d.second, nowRfc3339()) : nlohmann::json();
  return j;
}

}  // namespace

void addRoutes(api::Routes& api, Context& ctx) {
  // ----- sharing requests and grants ------------------------------------------------------

  api.write(
      "POST", "/api/v1/exchange/requests", kOfficer, "exchange.request.create",
      [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
        JsonBody body(req);
        RequestInput in;
        in.resourceId = body.text("resource_id", true).value_or("");
        in.fields = textList(body, "fields", true);
        in.unmask = textList(body, "unmask", false);
        in.purpose = body.text("purpose", true).value_or("");
        in.legalBasis = body.text("legal_basis", true).value_or("");
        in.serviceItems = body.text("service_items").value_or("");
        in.durationDays = static_cast<int>(
            body.integer("duration_days", false, 1, Exchange::kMaxDurationDays).value_or(365));
        exchange(ctx).checkRequest(in, body.errors());
        body.finish();
        auto made = exchange(ctx).request(department(p), in, p.accountId);
        n.targetType = "sharing_request";
        n.targetId = made.first.id;
        n.detail["resource"] = made.first.resourceId;
        n.detail["status"] = made.first.status;
        ledgerDecision(ctx, made.first, made.second,
                       made.second ? "exchange.granted" : "exchange.requested");
        auto res = http::Response::json(201, decidedJson(made));
        res.setHeader("Location", "/api/v1/exchange/requests/" + made.first.id);
        return res;
      });

  api.read("/api/v1/exchange/requests", kOversee, [&ctx](http::Request& req, const Principal& p) {
    QueryParams qp(req, {"org_id", "side", "resource_id", "status"});
    Filter f;
    f.orgId = qp.get("org_id");
    f.side = qp.oneOf("side", {"holder", "requester"});
    f.resourceId = qp.get("resource_id");
    f.status = qp.oneOf("status", {"pending", "granted", "refused", "withdrawn"});
    auto q = qp.list(Exchange::requestSorting());
    qp.finish();
    if (!identity::authz::seesAllDepartments(p))
      f.orgId = department(p);                  // a department sees its own side of the exchange
    if (f.side && !f.orgId) f.orgId = p.orgId;  // a side is always some department's
    return http::Response::json(200, api::pageJson(exchange(ctx).requests(f, q), requestToJson));
  });

  api.read("/api/v1/exchange/requests/{id}", kOversee,
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams(req, {}, false).finish();
             auto r = exchange(ctx).findRequest(req.param("id"));
             if (!r) throw notFound("sharing request", req.param("id"));
             requireParty(p, r->ownerOrgId, r->requesterOrgId);
             std::optional<Grant> g;
             if (r->grantId) g = exchange(ctx).findGrant(*r->grantId);
             return http::Response::json(200, decidedJson({*r, g}));
           });

  // The holding department's data officer grants (all or fewer fields, a shorter time) or
  // refuses with a reason.
  api.write("POST", "/api/v1/exchange/requests/{id}/decision", kOfficer, "exchange.request.decide",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              n.targetType = "sharing_request";
              n.targetId = req.param("id");
              JsonBody body(req);
              auto decision = body.text("decision", true);
              Decision d;
              if (body.has("fields")) d.fields = textList(body, "fields", false);
              if (body.has("unmask")) d.unmask = textList(body, "unmask", false);
              if (auto days = body.integer("duration_days", false, 1, Exchange::kMaxDurationDays))
                d.durationDays = static_cast<int>(*days);
              d.reason = body.text("reason");
              if (decision && *decision != "grant" && *decision != "refuse")
                body.errors().add(FieldLocation::Body, "/decision", "field.enum",
                                  {{"allowed", "grant, refuse"}});
              body.finish();
              d.grant = *decision == "grant";
              auto r = exchange(ctx).findRequest(req.param("id"));
              if (!r) throw notFound("sharing request", req.param("id"));
              requireOwner(p, r->ownerOrgId);
              auto decided = exchange(ctx).decide(r->id, d, p.accountId);
              n.detail["decision"] = *decision;
              ledgerDecision(ctx, decided.first, decided.second,
                             d.grant ? "exchange.granted" : "exchange.refused");
              return http::Response::json(200, decidedJson(decided));
            });

  api.read("/api/v1/exchange/grants", kGrantReaders,
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams qp(req, {"org_id", "side", "resource_id", "state"});
             Filter f;
             f.orgId = qp.get("org_id");
             f.side = qp.oneOf("side", {"holder", "requester"});
             f.resourceId = qp.get("resource_id");
             f.status = qp.oneOf("state", {"active", "expired", "revoked"});
             auto q = qp.list(Exchange::grantSorting());
             qp.finish();
             if (!identity::authz::seesAllDepartments(p)) f.orgId = department(p);
             if (f.side && !f.orgId) f.orgId = p.orgId;
             const std::string now = nowRfc3339();
             return http::Response::json(
                 200, api::pageJson(exchange(ctx).grants(f, q),
                                    [&now](const Grant& g) { return grantToJson(g, now); }));
           });

  api.read("/api/v1/exchange/grants/{id}", kGrantReaders,
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams(req, {}, false).finish();
             auto g = exchange(ctx).findGrant(req.param("id"));
             if (!g) throw notFound("grant", req.param("id"));
             requireParty(p, g->ownerOrgId, g->requesterOrgId);
             return http::Response::json(200, grantToJson(*g, nowRfc3339()));
           });

  api.write("POST", "/api/v1/exchange/grants/{id}/revocation", kOfficer, "exchange.grant.revoke",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              n.targetType = "grant";
              n.targetId = req.param("id");
              JsonBody body(req);
              auto reason = body.text("reason", true);
              body.finish();
              auto g = exchange(ctx).findGrant(req.param("id"));
              if (!g) throw notFound("grant", req.param("id"));
              requireOwner(p, g->ownerOrgId);
              auto revoked = exchange(ctx).revoke(g->id, *reason, p.accountId);
              auto c = ctx.db.connect();
              ctx.ledger().queue(c, {{"type", "exchange.revoked"},
                                     {"grant", revoked.id},
                                     {"resource", revoked.resourceId},
                                     {"owner", revoked.ownerOrgId},
                                     {"requester", revoked.requesterOrgId},
                                     {"at", *revoked.revokedAt}});
              return http::Response::json(200, grantToJson(revoked, nowRfc3339()));
            });

  // ----- queries ---------------------------------------------------------------------------

  api.write("POST", "/api/v1/exchange/queries", kQuery, "exchange.query",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              JsonBody body(req);
              Query q = queryFrom(body);
              body.finish();
              n.targetType = "data_resource";
              n.targetId = q.resourceId;
              Outcome o = ask(ctx.services, ctx.keys, p, q);
              n.detail["access"] = o.access.id;
              n.detail["outcome"] = o.access.outcome;
              if (o.refusal) {
                // The refusal stands although this write fails: on the record, and on the
                // ledger for the person it concerns.
                ctx.db.transactionApart([&](store::Connection& c) {
                  exchange(ctx).record(c, o.access);
                  ctx.ledger().queue(c, ledgerEntry(o.access));
                });
                throw *o.refusal;
              }
              // The answer waits for the access's ledger entry, whose group commit makes this
              // write durable too: no sync of its own.
              ctx.db.deferUnitDurability();
              auto c = ctx.db.connect();
              exchange(ctx).record(c, o.access);
              auto shown = answerJson(o);
              return api::onceOnLedger(ctx, {ledgerEntry(o.access)},
                                       [shown](const std::vector<ledger::Receipt>& receipts) {
                                         auto body = shown;
                                         body["receipt"] = receiptJson(receipts.at(0));
                                         return http::Response::json(200, body);
                                       });
            });

  // Up to 1,000 subjects of one resource at once: each answered or refused on its own, each
  // access on the ledger.
  api.write("POST", "/api/v1/exchange/queries/batch", kQuery, "exchange.query_batch",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              JsonBody body(req);
              Query base;
              base.resourceId = body.text("resource_id", true).value_or("");
              base.purpose = body.text("purpose", true).value_or("");
              base.application = body.text("application");
              if (body.has("fields")) base.fields = textList(body, "fields", false);
              auto subjects = textList(body, "subjects", true);
              if (subjects.empty() || subjects.size() > Exchange::kMaxBatch)
                body.errors().add(FieldLocation::Body, "/subjects", "field.length",
                                  {{"min", "1"}, {"max", std::to_string(Exchange::kMaxBatch)}});
              body.finish();
              n.targetType = "data_resource";
              n.targetId = base.resourceId;
              n.detail["subjects"] = subjects.size();
              auto r = ctx.services.get<catalog::Catalog>().find(base.resourceId);
              if (!r)
                throw invalidField(FieldLocation::Body, "/resource_id", "field.not_found",
                                   {{"resource", "data resource"}, {"id", base.resourceId}});
              // A malformed subject fails the whole batch before anything is looked at.
              FieldErrors bad;
              for (std::size_t i = 0; i < subjects.size(); ++i)
                if (auto why = catalog::checkSubject(r->subjectKind, subjects[i]))
                  bad.add(FieldLocation::Body, "/subjects/" + std::to_string(i), "record.subject",
                          {{"reason", *why}});
              bad.throwIfAny();
              std::vector<Outcome> outcomes;
              std::vector<nlohmann::json> entries;
              for (const auto& s : subjects) {
                Query q = base;
                q.subject = s;
                outcomes.push_back(ask(ctx.services, ctx.keys, p, q));
                entries.push_back(ledgerEntry(outcomes.back().access));
              }
              ctx.db.deferUnitDurability();  // durable with the entries' group commit, as above
              auto c = ctx.db.connect();
              for (const auto& o : outcomes) exchange(ctx).record(c, o.access);
              nlohmann::json results = nlohmann::json::array();
              for (const auto& o : outcomes) {
                if (o.answer) {
                  results.push_back(answerJson(o));
                  results.back()["outcome"] = "served";
                } else {
                  results.push_back({{"access_id", o.access.id},
                                     {"outcome", o.access.outcome},
                                     {"problem",
                                      {{"code", o.refusal->code()},
                                       {"status", o.refusal->status()},
                                       {"detail", o.refusal->what()}}}});
                }
              }
              return api::onceOnLedger(ctx, std::move(entries),
                                       [results](const std::vector<ledger::Receipt>& receipts) {
                                         auto items = results;
                                         for (std::size_t i = 0; i < items.size(); ++i)
                                           items[i]["receipt"] = receiptJson(receipts.at(i));
                                         return http::Response::json(200, {{"items", items}});
                                       });
            });

  // ----- who looked, consent -----------------------------------------------------------------

  // Every access to the caller's own data (a citizen's, or a company's for its users), newest
  // first, with the receipt that proves it is on the ledger.
  api.read("/api/v1/exchange/accesses/mine", Access::people(),
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams qp(req, {"outcome"});
             AccessFilter f;
             f.outcome = qp.oneOf("outcome", kOutcomes);
             auto q = qp.list(Exchange::accessSorting());
             qp.finish();
             f.subjectPseudonym = ownPseudonym(ctx, p);
             return http::Response::json(
                 200, api::pageJson(exchange(ctx).accesses(f, q),
                                    [&ctx](const auto& a) { return accessJson(ctx, a, true); }));
           });

  // A department's accesses, as holder or requester; auditors see all.
  api.read("/api/v1/exchange/accesses", kOversee, [&ctx](http::Request& req, const Principal& p) {
    QueryParams qp(req, {"org_id", "resource_id", "outcome"});
    AccessFilter f;
    f.orgId = qp.get("org_id");
    f.resourceId = qp.get("resource_id");
    f.outcome = qp.oneOf("outcome", kOutcomes);
    auto q = qp.list(Exchange::accessSorting());
    qp.finish();
    if (!identity::authz::seesAllDepartments(p)) f.orgId = department(p);
    return http::Response::json(
        200, api::pageJson(exchange(ctx).accesses(f, q),
                           [&ctx](const auto& a) { return accessJson(ctx, a, false); }));
  });

  api.read("/api/v1/exchange/consents/mine", Access::people(),
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams qp(req, {});
             auto q = qp.list(Exchange::consentSorting());
             qp.finish();
             return http::Response::json(
                 200, api::pageJson(exchange(ctx).consents(ownPseudonym(ctx, p), q),
                                    [&ctx](const Consent& c) { return namedConsentJson(ctx, c); }));
           });

  // A standing consent: this department may use my data for this purpose.
  api.write("POST", "/api/v1/exchange/consents", Access::people(), "exchange.consent.give",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              JsonBody body(req);
              auto org = body.text("requester_org_id", true);
              auto purpose = body.text("purpose", true);
              auto resource = body.text("resource_id");
              body.finish();
              if (!ctx.identity().findOrg(*org))
                throw invalidField(FieldLocation::Body, "/requester_org_id", "field.not_found",
                                   {{"resource", "organisation"}, {"id", *org}});
              auto c = exchange(ctx).giveConsent(ownPseudonym(ctx, p), *org, resource, *purpose);
              n.targetType = "consent";
              n.targetId = c.id;
              return http::Response::json(201, namedConsentJson(ctx, c));
            });

  // give or refuse a pending consent; withdraw a given one.
  api.write("POST", "/api/v1/exchange/consents/{id}/decision", Access::people(),
            "exchange.consent.decide",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              n.targetType = "consent";
              n.targetId = req.param("id");
              JsonBody body(req);
              auto action = body.text("decision", true);
              if (action && *action != "give" && *action != "refuse" && *action != "withdraw")
                body.errors().add(FieldLocation::Body, "/decision", "field.enum",
                                  {{"allowed", "give, refuse, withdraw"}});
              body.finish();
              auto c = exchange(ctx).decideConsent(req.param("id"), ownPseudonym(ctx, p), *action);
              n.detail["decision"] = *action;
              return http::Response::json(200, namedConsentJson(ctx, c));
            });

  // The departments' exchange signing keys, as a JWK Set: what a connector trusts.
  api.publicRead("/api/v1/exchange/keys", [&ctx](http::Request& req) {
    QueryParams(req, {}, false).finish();
    nlohmann::json keys = nlohmann::json::array();
    identity::OrgFilter all;
    ListQuery q;
    q.limit = kMaxLimit;
    q.sort = identity::Identity::orgSorting().columns.front();
    q.descending = identity::Identity::orgSorting().defaultDescending;
    for (;;) {
      auto page = ctx.identity().listOrgs(all, q);
      for (const auto& o : page.items) keys.push_back(departmentJwk(ctx.keys, o.id));
      if (!page.nextCursor || !decodeCursor(*page.nextCursor, q)) break;
    }
    auto res = http::Response::json(200, {{"keys", keys}});
    res.setHeader("Cache-Control", "public, max-age=300");
    return res;
  });

  // ----- statistics --------------------------------------------------------------------------

  api.read("/api/v1/exchange/statistics", kOversee, [&ctx](http::Request& req, const Principal&) {
    QueryParams qp(req, {"from", "to"}, false);
    auto from = qp.get("from").value_or("0000");
    auto to = qp.get("to").value_or("9999");
    qp.finish();
    // Compared as text with the stored times, so written the way they are stored.
    for (auto [name, value] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
      if (*value == "0000" || *value == "9999") continue;
      auto t = parseRfc3339(*value);
      if (!t)
        throw invalidField(FieldLocation::Query, name, "field.type", {{"type", "RFC 3339 time"}});
      *value = toRfc3339(*t);
    }
    auto& catalog = ctx.services.get<catalog::Catalog>();
    std::map<std::string, std::optional<catalog::Resource>> resources;
    nlohmann::json items = nlohmann::json::array();
    for (const auto& s : exchange(ctx).statistics(from, to)) {
      auto [it, fresh] = resources.try_emplace(s.resourceId);
      if (fresh) it->second = catalog.find(s.resourceId);
      nlohmann::json item = {
          {"owner_org_id", s.ownerOrgId}, {"requester_org_id", s.requesterOrgId},
          {"resource_id", s.resourceId},  {"requests", s.requests},
          {"grants", s.grants},           {"queries", s.queries},
          {"refusals", s.refusals},       {"mean_latency_micros", s.meanLatencyMicros}};
      if (it->second) {
        item["resource_code"] = it->second->code;
        item["resource_name_zh"] = it->second->nameZh;
        item["resource_name_en"] = it->second->nameEn;
      }
      items.push_back(std::move(item));
    }
    nlohmann::json days = nlohmann::json::array();
    for (const auto& d : exchange(ctx).dailyAccesses(from, to))
      days.push_back({{"day", d.day},
                      {"served", d.served},
                      {"refused", d.refused},
                      {"not_found", d.notFound},
                      {"unavailable", d.unavailable}});
    return http::Response::json(200,
                                {{"from", from}, {"to", to}, {"items", items}, {"days", days}});
  });
}

}  // namespace onceonly::exchange
