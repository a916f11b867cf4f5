// The service guide's routes: anyone browses and searches service items and packages (by life
// event, theme, department, level, kind and text) and reads an item with its materials and
// where each comes from; an org_admin adds items of its departments, checked against the
// organisation tree, the data catalog and the certificate types.
#include "api/json_body.h"
#include "api/routes.h"
#include "catalog/catalog.h"
#include "credentials/credentials.h"
#include "identity/authz.h"
#include "services/services.h"

namespace onceonly::services {

using api::Access;
using api::AuditNote;
using api::Context;
using api::JsonBody;
using api::QueryParams;
using identity::Principal;
using nlohmann::json;

// What the item names in other modules exists: the stages' departments, each fetched material's
// resource and fields, each certificate type. Field errors with the item document's pointers.
void checkReferences(api::Services& services, const ServiceItem& s, FieldErrors& e) {
  auto& identity = services.get<identity::Identity>();
  auto& catalog = services.get<catalog::Catalog>();
  auto& creds = services.get<credentials::Credentials>();
  for (std::size_t i = 0; i < s.stages.size(); ++i)
    for (std::size_t j = 0; j < s.stages[i].orgIds.size(); ++j)
      if (!identity.findOrg(s.stages[i].orgIds[j]))
        e.add(FieldLocation::Body, "/stages/" + std::to_string(i) + "/org_ids/" + std::to_string(j),
              "field.not_found", {{"resource", "organisation"}, {"id", s.stages[i].orgIds[j]}});
  for (std::size_t i = 0; i < s.materials.size(); ++i) {
    const auto& m = s.materials[i];
    const std::string at = "/materials/" + std::to_string(i);
    if (m.source == "resource" && !m.resourceCode.empty()) {
      auto r = catalog.findByCode(m.resourceCode);
      if (!r) {
        e.add(FieldLocation::Body, at + "/resource_code", "field.not_found",
              {{"resource", "data resource"}, {"id", m.resourceCode}});
        continue;
      }
      for (std::size_t k = 0; k < m.fields.size(); ++k)
        if (std::none_of(r->fields.begin(), r->fields.end(),
                         [&](const catalog::Field& f) { return f.name == m.fields[k]; }))
          e.add(FieldLocation::Body, at + "/fields/" + std::to_string(k), "services.no_such_field",
                {{"code", m.resourceCode}, {"field", m.fields[k]}});
    }
    if (m.source == "certificate" && !m.credentialType.empty() &&
        !creds.findTypeByCode(m.credentialType))
      e.add(FieldLocation::Body, at + "/credential_type", "field.not_found",
            {{"resource", "certificate type"}, {"id", m.credentialType}});
  }
  for (std::size_t i = 0; i < s.certificates.size(); ++i)
    if (!creds.findTypeByCode(s.certificates[i]))
      e.add(FieldLocation::Body, "/certificates/" + std::to_string(i), "field.not_found",
            {{"resource", "certificate type"}, {"id", s.certificates[i]}});
}

namespace {

ServiceCatalog& guide(Context& ctx) {
  return ctx.services.get<ServiceCatalog>();
}

json orgRef(Context& ctx, const std::string& id) {
  auto o = ctx.identity().findOrg(id);
  if (!o) return {{"id", id}};
  return {{"id", id}, {"code", o->code}, {"name_zh", o->nameZh}, {"name_en", o->nameEn}};
}

// An item as the guide shows it: its department and the stages' departments by name, and for
// each material the resource or certificate type it comes from by name.
json namedItem(Context& ctx, const ServiceItem& s, bool detail) {
  auto j = itemToJson(s);
  j["org"] = orgRef(ctx, s.orgId);
  if (!detail) return j;
  for (auto& st : j["stages"]) {
    json orgs = json::array();
    for (const auto& id : st["org_ids"]) orgs.push_back(orgRef(ctx, id.get<std::string>()));
    st["orgs"] = orgs;
  }
  auto& catalog = ctx.services.get<catalog::Catalog>();
  auto& creds = ctx.services.get<credentials::Credentials>();
  for (auto& m : j["materials"]) {
    if (m["source"] == "resource") {
      if (auto r = catalog.findByCode(m["resource_code"].get<std::string>())) {
        m["resource"] = {{"id", r->id},
                         {"name_zh", r->nameZh},
                         {"name_en", r->nameEn},
                         {"org", orgRef(ctx, r->orgId)}};
      }
    } else if (m["source"] == "certificate") {
      if (auto t = creds.findTypeByCode(m["credential_type"].get<std::string>()))
        m["credential"] = {{"id", t->id},
                           {"name_zh", t->nameZh},
                           {"name_en", t->nameEn},
                           {"org", orgRef(ctx, t->issuerOrgId)}};
    }
  }
  json certs = json::array();
  for (const auto& code : s.certificates)
    if (auto t = creds.findTypeByCode(code))
      certs.push_back(
          {{"code", code}, {"id", t->id}, {"name_zh", t->nameZh}, {"name_en", t->nameEn}});
  j["issues"] = certs;
  return j;
}

}  // namespace

void addRoutes(api::Routes& api, Context& ctx) {
  api.publicRead("/api/v1/services/items", [&ctx](http::Request& req) {
    QueryParams qp(req,
                   {"org_id", "level", "kind", "subject_kind", "life_event", "theme", "channel"});
    ItemFilter f;
    f.orgId = qp.get("org_id");
    f.level = qp.oneOf("level", identity::kOrgLevels);
    f.kind = qp.oneOf("kind", kKinds);
    f.subjectKind = qp.oneOf("subject_kind", {"person", "company"});
    f.lifeEvent = qp.oneOf("life_event", kLifeEvents);
    f.theme = qp.oneOf("theme", kThemes);
    f.channel = qp.oneOf("channel", kChannels);
    auto q = qp.list(ServiceCatalog::itemSorting());
    qp.finish();
    return http::Response::json(
        200, api::pageJson(guide(ctx).list(f, q),
                           [&ctx](const ServiceItem& s) { return namedItem(ctx, s, false); }));
  });

  api.publicRead("/api/v1/services/items/{id}", [&ctx](http::Request& req) {
    QueryParams(req, {}, false).finish();
    auto s = guide(ctx).find(req.param("id"));
    if (!s) throw notFound("service item", req.param("id"));
    return http::Response::json(200, namedItem(ctx, *s, true));
  });

  // The words the guide filters by, each with its names: kinds, channels, life events, themes.
  api.publicRead("/api/v1/services/vocabulary", [](http::Request& req) {
    QueryParams(req, {}, false).finish();
    auto res = http::Response::json(200, {{"kinds", kKinds},
                                          {"channels", kChannels},
                                          {"life_events", kLifeEvents},
                                          {"themes", kThemes},
                                          {"material_sources", kMaterialSources},
                                          {"upload_types", kUploadTypes}});
    res.setHeader("Cache-Control", "public, max-age=3600");
    return res;
  });

  api.write("POST", "/api/v1/services/items", Access::staff({"org_admin"}), "services.item.create",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              JsonBody body(req);  // checks the media type, the JSON and duplicate members
              auto orgId = body.text("org_id");
              FieldErrors e;
              json doc = json::parse(req.body);
              doc.erase("org_id");
              auto s = itemFromJson(doc, e);
              checkReferences(ctx.services, s, e);
              e.throwIfAny();
              const std::string owner = orgId.value_or(p.orgId.value_or(""));
              auto org = ctx.identity().findOrg(owner);
              if (!org)
                throw invalidField(FieldLocation::Body, "/org_id", "field.not_found",
                                   {{"resource", "organisation"}, {"id", owner}});
              if (!identity::authz::isPlatformAdmin(p) &&
                  !identity::authz::roleReaches(p, "org_admin", org->path))
                throw forbidden("services.not_own_department");
              s.orgId = org->id;
              s.level = org->level;
              s.createdBy = p.accountId;
              auto made = guide(ctx).create(std::move(s));
              n.targetType = "service_item";
              n.targetId = made.id;
              auto res = http::Response::json(201, namedItem(ctx, made, true));
              res.setHeader("Location", "/api/v1/services/items/" + made.id);
              return res;
            });

  api.publicRead("/api/v1/services/packages", [&ctx](http::Request& req) {
    QueryParams qp(req, {"life_event"});
    auto lifeEvent = qp.oneOf("life_event", kLifeEvents);
    auto q = qp.list(ServiceCatalog::packageSorting());
    qp.finish();
    return http::Response::json(200,
                                api::pageJson(guide(ctx).packages(lifeEvent, q), packageToJson));
  });

  api.publicRead("/api/v1/services/packages/{id}", [&ctx](http::Request& req) {
    QueryParams(req, {}, false).finish();
    auto p = guide(ctx).findPackage(req.param("id"));
    if (!p) throw notFound("package", req.param("id"));
    auto j = packageToJson(*p);
    json items = json::array();
    for (const auto& id : p->itemIds)
      if (auto s = guide(ctx).find(id)) items.push_back(namedItem(ctx, *s, true));
    j["items"] = items;
    return http::Response::json(200, j);
  });
}

}  // namespace onceonly::services
