// The catalog's routes: staff browse and search every department's resources; a department's
// data officers create and change its own, each change a new version and a ledger entry.
#include "api/json_body.h"
#include "api/routes.h"
#include "catalog/catalog.h"
#include "catalog/hosted.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "identity/authz.h"
#include "ledger/log.h"
#include "store/store.h"

namespace onceonly::catalog {

using api::Access;
using api::AuditNote;
using api::Context;
using api::JsonBody;
using api::QueryParams;
using identity::Principal;

namespace {

// Every staff member browses the catalog; machine clients with the scope catalog:read too.
const Access kBrowse = Access::staff(
    {"clerk", "approver", "data_officer", "dispatcher", "org_admin", "auditor"}, "catalog:read");
const Access kKeep = Access::staff({"data_officer"});

Catalog& catalog(Context& ctx) {
  return ctx.services.get<Catalog>();
}

ResourceInput inputFrom(JsonBody& body) {
  ResourceInput in;
  in.code = body.text("code");
  in.nameZh = body.text("name_zh");
  in.nameEn = body.text("name_en");
  in.descriptionZh = body.text("description_zh");
  in.descriptionEn = body.text("description_en");
  in.subjectKind = body.text("subject_kind");
  in.sharing = body.text("sharing");
  in.openClass = body.text("open_class");
  in.updateFrequency = body.text("update_frequency");
  in.source = body.text("source");
  if (body.has("connector_url")) in.connectorUrl = body.nullableText("connector_url");
  in.consentRequired = body.boolean("consent_required");
  if (auto fields = body.array("fields")) in.fields = fieldsFromJson(*fields, body.errors());
  return in;
}

// The resource's new version on the ledger, in the write's own transaction: anyone can later
// tell what a department declared, and when.
void onLedger(Context& ctx, const Resource& r, const std::string& type) {
  auto c = ctx.db.connect();
  ctx.ledger().queue(c, changeEntry(r, type));
}

// A resource whose records are certificates is made by declaring the certificate type as one
// (POST /api/v1/credentials/types/{id}/resource), never by hand: it would have no type behind it.
void refuseCredentialSource(const ResourceInput& in, FieldErrors& e) {
  if (in.source == "credential") e.add(FieldLocation::Body, "/source", "catalog.source_credential");
}

// The resource a data officer of its department (or the platform admin) works on.
Resource ownResource(Context& ctx, const Principal& p, const std::string& id) {
  auto r = catalog(ctx).find(id);
  if (!r) throw notFound("data resource", id);
  if (!identity::authz::isPlatformAdmin(p) && p.orgId != r->orgId)
    throw forbidden("catalog.not_own_department");
  return *r;
}

UploadFormat uploadFormat(const http::Request& req) {
  auto type = req.header("content-type").value_or("");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (type == "text/csv") return UploadFormat::csv;
  if (type == "application/json") return UploadFormat::json;
  if (type == "application/x-ndjson") return UploadFormat::ndjson;
  throw Error(415, "catalog.upload_type", {{"given", type.empty() ? "none" : type}});
}

// A page of the catalog as the request's filters and paging ask.
Page<Resource> listResources(Context& ctx, const http::Request& req) {
  QueryParams qp(req,
                 {"org_id", "subject_kind", "sharing", "open_class", "source", "field", "within"});
  ResourceFilter f;
  f.orgId = qp.get("org_id");
  f.subjectKind = qp.oneOf("subject_kind", kSubjectKinds);
  f.sharing = qp.oneOf("sharing", kSharing);
  f.openClass = qp.oneOf("open_class", kOpenClasses);
  f.source = qp.oneOf("source", kSources);
  f.field = qp.get("field");
  auto q = qp.list(Catalog::sorting());
  std::optional<std::string> within = qp.get("within");
  qp.finish();
  if (within) {  // resources of a government and everything under it
    auto org = ctx.identity().findOrg(*within);
    if (!org)
      throw invalidField(FieldLocation::Query, "within", "field.not_found",
                         {{"resource", "organisation"}, {"id", *within}});
    f.withinPath = org->path;
  }
  return catalog(ctx).list(f, q);
}

void note(AuditNote& n, const Resource& r) {
  n.targetType = "data_resource";
  n.targetId = r.id;
  n.detail["code"] = r.code;
  n.detail["version"] = r.version;
}

}  // namespace

void addRoutes(api::Routes& api, Context& ctx) {
  api.read("/api/v1/catalog/resources", kBrowse, [&ctx](http::Request& req, const Principal&) {
    return http::Response::json(200, api::pageJson(listResources(ctx, req), resourceToJson));
  });

  api.read("/api/v1/catalog/resources/{id}", kBrowse, [&ctx](http::Request& req, const Principal&) {
    QueryParams(req, {}, false).finish();
    auto r = catalog(ctx).find(req.param("id"));
    if (!r) throw notFound("data resource", req.param("id"));
    return http::Response::json(200, resourceToJson(*r));
  });

  // The same catalog for everyone, signed in or not, as governments publish their data resource
  // catalogs: what each department holds and on what terms it shares it, with the department's
  // names; without the internal address of a department's connector.
  auto publicJson = [&ctx](const Resource& r) {
    auto j = resourceToJson(r);
    j.erase("connector_url");
    if (auto org = ctx.identity().findOrg(r.orgId)) {
      j["org_name_zh"] = org->nameZh;
      j["org_name_en"] = org->nameEn;
    }
    return j;
  };
  api.publicRead("/api/v1/catalog/public/resources", [&ctx, publicJson](http::Request& req) {
    return http::Response::json(200, api::pageJson(listResources(ctx, req), publicJson));
  });
  api.publicRead("/api/v1/catalog/public/resources/{id}", [&ctx, publicJson](http::Request& req) {
    QueryParams(req, {}, false).finish();
    auto r = catalog(ctx).find(req.param("id"));
    if (!r) throw notFound("data resource", req.param("id"));
    return http::Response::json(200, publicJson(*r));
  });

  api.read("/api/v1/catalog/resources/{id}/versions", kBrowse,
           [&ctx](http::Request& req, const Principal&) {
             QueryParams(req, {}, false).finish();
             const auto& id = req.param("id");
             if (!catalog(ctx).find(id)) throw notFound("data resource", id);
             nlohmann::json items = nlohmann::json::array();
             for (const auto& v : catalog(ctx).versions(id))
               items.push_back({{"version", v.version},
                                {"changed_by", v.changedBy},
                                {"changed_at", v.changedAt},
                                {"resource", resourceToJson(v.resource)}});
             return http::Response::json(200, {{"items", items}});
           });

  // A data officer lists resources for their own department; the platform admin names one.
  api.write("POST", "/api/v1/catalog/resources", kKeep, "catalog.resource.create",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              JsonBody body(req);
              auto orgId = body.text("org_id");
              auto in = inputFrom(body);
              refuseCredentialSource(in, body.errors());
              checkInput(in, true, body.errors());  // reported with the body's own problems
              body.finish();
              std::string owner;
              if (identity::authz::isPlatformAdmin(p)) {
                if (!orgId) throw invalidField(FieldLocation::Body, "/org_id", "field.required");
                if (!ctx.identity().findOrg(*orgId))
                  throw invalidField(FieldLocation::Body, "/org_id", "field.not_found",
                                     {{"resource", "organisation"}, {"id", *orgId}});
                owner = *orgId;
              } else {
                if (!p.orgId) throw forbidden("catalog.not_own_department");
                if (orgId && *orgId != *p.orgId) throw forbidden("catalog.not_own_department");
                owner = *p.orgId;
              }
              auto r = catalog(ctx).create(owner, in, p.accountId);
              note(n, r);
              onLedger(ctx, r, "catalog.resource.created");
              auto res = http::Response::json(201, resourceToJson(r));
              res.setHeader("Location", "/api/v1/catalog/resources/" + r.id);
              return res;
            });

  // Changes need the version the change was made to: two officers never overwrite each other.
  api.write("PATCH", "/api/v1/catalog/resources/{id}", kKeep, "catalog.resource.update",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              const auto& id = req.param("id");
              n.targetType = "data_resource";
              n.targetId = id;
              JsonBody body(req);
              auto version = body.integer("version", true, 1, 1000000000);
              auto in = inputFrom(body);
              refuseCredentialSource(in, body.errors());
              checkInput(in, false, body.errors());
              body.finish();
              auto current = catalog(ctx).find(id);
              if (!current) throw notFound("data resource", id);
              if (!identity::authz::isPlatformAdmin(p) && p.orgId != current->orgId)
                throw forbidden("catalog.not_own_department");
              auto r = catalog(ctx).update(id, static_cast<int>(*version), in, p.accountId);
              note(n, r);
              onLedger(ctx, r, "catalog.resource.updated");
              return http::Response::json(200, resourceToJson(r));
            });
}

void addRecordRoutes(api::Routes& api, Context& ctx) {
  auto& records = ctx.services.get<Records>();

  // One record, keyed by its subject: written anew, or replacing the subject's earlier one.
  api.write(
      "POST", "/api/v1/catalog/resources/{id}/records", kKeep, "catalog.record.upsert",
      [&ctx, &records](http::Request& req, const Principal& p, AuditNote& n) {
        n.targetType = "data_resource";
        n.targetId = req.param("id");
        JsonBody body(req);
        auto subject = body.text("subject", true);
        auto values = body.object("values", true);
        body.finish();
        auto r = ownResource(ctx, p, req.param("id"));
        const bool fresh = records.upsert(r, *subject, *values);
        n.detail["created"] = fresh;  // never the subject or the values
        return http::Response::json(fresh ? 201 : 200, {{"resource_id", r.id}, {"created", fresh}});
      });

  // A file of records, checked and loaded in the background: 202 and where to follow it.
  api.write("POST", "/api/v1/catalog/resources/{id}/loads", kKeep, "catalog.records.load",
            [&ctx, &records](http::Request& req, const Principal& p, AuditNote& n) {
              n.targetType = "data_resource";
              n.targetId = req.param("id");
              QueryParams(req, {}, false).finish();
              const auto format = uploadFormat(req);
              auto r = ownResource(ctx, p, req.param("id"));
              if (req.body.empty()) throw invalidField(FieldLocation::Body, "", "field.required");
              auto load = records.startLoad(r, format, std::move(req.body), p.accountId);
              n.detail["load"] = load.id;
              n.detail["digest"] = load.digest;
              auto res = http::Response::json(202, loadToJson(load));
              res.setHeader("Location", "/api/v1/catalog/resources/" + r.id + "/loads/" + load.id);
              return res;
            });

  api.read("/api/v1/catalog/resources/{id}/loads", kKeep,
           [&ctx, &records](http::Request& req, const Principal& p) {
             QueryParams(req, {}, false).finish();
             auto r = ownResource(ctx, p, req.param("id"));
             nlohmann::json items = nlohmann::json::array();
             for (const auto& l : records.loads(r.id)) items.push_back(loadToJson(l));
             return http::Response::json(200, {{"items", items}, {"records", records.count(r.id)}});
           });

  api.read("/api/v1/catalog/resources/{id}/loads/{load_id}", kKeep,
           [&ctx, &records](http::Request& req, const Principal& p) {
             QueryParams(req, {}, false).finish();
             auto r = ownResource(ctx, p, req.param("id"));
             auto load = records.load(req.param("load_id"));
             if (!load || load->resourceId != r.id) throw notFound("load", req.param("load_id"));
             return http::Response::json(200, loadToJson(*load));
           });
}

}  // namespace onceonly::catalog
