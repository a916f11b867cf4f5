// The certificates' routes: types (anyone reads them), issuing and changes of status (the
// issuing department's approvers, each on the ledger), the holder's wallet (their certificates,
// the QR code, an SD-JWT bound to the wallet's key), and what any verifier needs without an
// account: the issuers' keys, the status lists and verification.
#include "api/json_body.h"
#include "api/routes.h"
#include "catalog/catalog.h"
#include "core/encoding.h"
#include "core/i18n.h"
#include "core/time.h"
#include "credentials/credentials.h"
#include "credentials/jose.h"
#include "credentials/qr.h"
#include "crypto/crypto.h"
#include "identity/authz.h"
#include "ledger/log.h"
#include "ledger/merkle.h"
#include "store/store.h"

namespace onceonly::credentials {

using api::Access;
using api::AuditNote;
using api::Context;
using api::JsonBody;
using api::QueryParams;
using identity::Principal;
using nlohmann::json;

namespace {

const Access kTypeEditors = Access::staff({"org_admin", "approver"});
const Access kIssuers = Access::staff({"approver"});
const Access kIssuedReaders = Access::staff({"approver", "org_admin", "auditor"});

Credentials& credentials(Context& ctx) {
  return ctx.services.get<Credentials>();
}

const std::string& department(const Principal& p) {
  if (!p.orgId) throw forbidden("credentials.no_department");
  return *p.orgId;
}

// Only the issuing department's approvers issue, revoke and suspend.
void requireIssuer(const Principal& p, const std::string& issuerOrgId) {
  if (p.orgId != issuerOrgId || !identity::authz::hasRole(p, "approver"))
    throw forbidden("credentials.not_issuer");
}

std::string ownPseudonym(Context& ctx, const Principal& p) {
  auto self = ctx.identity().findAccount(p.accountId);
  if (!self) throw unauthenticated();
  return self->pseudonym;
}

json orgNames(Context& ctx, const std::string& orgId, json into) {
  if (auto o = ctx.identity().findOrg(orgId)) {
    into["issuer_name_zh"] = o->nameZh;
    into["issuer_name_en"] = o->nameEn;
  }
  return into;
}

json namedType(Context& ctx, const CredentialType& t) {
  return orgNames(ctx, t.issuerOrgId, typeToJson(t));
}

json receiptOf(Context& ctx, const std::string& leafHash) {
  auto leaf = ledger::hashFromBase64(leafHash);
  auto index = leaf ? ctx.ledger().indexOf(*leaf) : std::nullopt;
  if (!index) return {{"index", nullptr}, {"leaf_hash", leafHash}, {"url", nullptr}};
  return {{"index", *index},
          {"leaf_hash", leafHash},
          {"url", "/api/v1/ledger/receipts/" + std::to_string(*index)}};
}

// A certificate as its holder or its issuer sees it; staff also see who issued and changed it.
// The receipt is looked up unless the caller knows it is not on the ledger yet (a certificate
// being issued: looking for a leaf that is not there costs a search of the whole log).
json credentialJson(Context& ctx, const Credential& c, const std::optional<CredentialType>& t,
                    bool staff, bool receipt = true) {
  auto& creds = credentials(ctx);
  json j = {{"id", c.id},
            {"type_id", c.typeId},
            {"issuer_org_id", c.issuerOrgId},
            {"subject_masked", c.subjectMasked},
            {"claims", c.claims},
            {"valid_from", c.validFrom},
            {"valid_until", c.validUntil ? json(*c.validUntil) : json()},
            {"issued_at", c.issuedAt},
            {"status", c.state(nowRfc3339())},
            {"status_reason", c.statusReason ? json(*c.statusReason) : json()},
            {"status_changed_at", c.statusChangedAt ? json(*c.statusChangedAt) : json()},
            {"status_list", {{"id", c.statusListId}, {"index", c.statusIndex}}},
            {"jwt", c.jwt},
            {"verify_url", creds.verifyUrl(c.jwt)},
            {"receipt", receipt ? receiptOf(ctx, c.leafHash) : json()}};
  if (t) {
    j["type_code"] = t->code;
    j["type_name_zh"] = t->nameZh;
    j["type_name_en"] = t->nameEn;
    j["subject_kind"] = t->subjectKind;
    j["resource_id"] = t->resourceId ? json(*t->resourceId) : json();
    auto tj = typeToJson(*t);
    j["fields"] = tj["fields"];
    j["layout"] = tj["layout"];
  }
  if (staff) {
    j["issued_by"] = c.issuedBy;
    j["status_changed_by"] = c.statusChangedBy ? json(*c.statusChangedBy) : json();
  }
  return orgNames(ctx, c.issuerOrgId, std::move(j));
}

// Types by id, read once per list.
class TypeCache {
 public:
  explicit TypeCache(Credentials& c) : c_(c) {}
  const std::optional<CredentialType>& of(const std::string& id) {
    auto [it, fresh] = types_.try_emplace(id);
    if (fresh) it->second = c_.findType(id);
    return it->second;
  }

 private:
  Credentials& c_;
  std::map<std::string, std::optional<CredentialType>> types_;
};

// The certificate if the caller is its holder or staff of its issuing department.
Credential visible(Context& ctx, const Principal& p, const std::string& id, bool holderOnly) {
  auto c = credentials(ctx).find(id);
  if (!c) throw notFound("certificate", id);
  const bool person = p.kind == "citizen" || p.kind == "company";
  if (person) {
    if (c->holderPseudonym != ownPseudonym(ctx, p)) throw notFound("certificate", id);
    return *c;
  }
  if (holderOnly) throw forbidden("credentials.not_holder");
  if (!identity::authz::seesAllDepartments(p) && p.orgId != c->issuerOrgId)
    throw notFound("certificate", id);
  return *c;
}

json jwks(const std::vector<IssuerKey>& keys) {
  json a = json::array();
  for (const auto& k : keys) a.push_back(jose::publicJwk(k.publicKey, k.kid));
  return {{"keys", a}};
}

http::Response cacheable(http::Response res, int seconds) {
  res.setHeader("Cache-Control", "public, max-age=" + std::to_string(seconds));
  return res;
}

std::vector<FieldDef> fieldsFrom(JsonBody& body) {
  std::vector<FieldDef> out;
  auto a = body.array("fields", true);
  if (!a) return out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const auto& f = (*a)[i];
    const std::string at = "/fields/" + std::to_string(i);
    if (!f.is_object()) {
      body.errors().add(FieldLocation::Body, at, "field.type", {{"type", "object"}});
      continue;
    }
    FieldDef d;
    for (auto it = f.begin(); it != f.end(); ++it) {
      const auto& k = it.key();
      std::string member = at;
      member.append("/").append(k);
      if (k == "required") {
        if (!it->is_boolean())
          body.errors().add(FieldLocation::Body, at + "/required", "field.type",
                            {{"type", "boolean"}});
        else
          d.required = it->get<bool>();
      } else if (k == "name" || k == "type" || k == "label_zh" || k == "label_en") {
        if (!it->is_string()) {
          body.errors().add(FieldLocation::Body, member, "field.type", {{"type", "string"}});
          continue;
        }
        auto v = it->get<std::string>();
        (k == "name" ? d.name : k == "type" ? d.type : k == "label_zh" ? d.labelZh : d.labelEn) = v;
      } else {
        body.errors().add(FieldLocation::Body, member, "field.unknown");
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

json verdictJson(Context& ctx, const Verdict& v, i18n::Lang lang) {
  json checks = json::array();
  for (const auto& c : v.checks) {
    const std::string code = c.result == "fail"   ? "credentials.reason." + c.reason
                             : c.result == "pass" ? "credentials.pass." + c.name
                                                  : "credentials.skipped";
    checks.push_back({{"name", c.name},
                      {"result", c.result},
                      {"reason", c.reason.empty() ? json() : json(c.reason)},
                      {"detail", i18n::message(code, {}, lang)}});
  }
  json credential = nullptr;
  if (!v.issuerOrgId.empty()) {
    auto& creds = credentials(ctx);
    credential = {{"issuer", {{"org_id", v.issuerOrgId}, {"url", creds.issuerUrl(v.issuerOrgId)}}},
                  {"claims", v.claims}};
    if (auto o = ctx.identity().findOrg(v.issuerOrgId)) {
      credential["issuer"]["name_zh"] = o->nameZh;
      credential["issuer"]["name_en"] = o->nameEn;
    }
    const auto& p = v.payload;
    for (const char* name : {"validFrom", "validUntil"})
      if (p.contains(name))
        credential[name == std::string("validFrom") ? "valid_from" : "valid_until"] = p[name];
    // The type: from the SD-JWT's vct, or the credential's own record (by its id).
    std::optional<CredentialType> t;
    if (p.contains("vct") && p["vct"].is_string()) {
      const auto prefix = creds.typeUrl("");
      const auto vct = p["vct"].get<std::string>();
      if (vct.rfind(prefix, 0) == 0) t = creds.findType(vct.substr(prefix.size()));
    } else if (p.contains("id") && p["id"].is_string()) {
      const auto prefix = creds.credentialUrl("");
      const auto id = p["id"].get<std::string>();
      if (id.rfind(prefix, 0) == 0 && crypto::looksLikeId(id.substr(prefix.size()), "crd")) {
        credential["id"] = id.substr(prefix.size());
        if (auto typeId = creds.typeIdOf(id.substr(prefix.size()))) t = creds.findType(*typeId);
      }
    }
    if (p.contains("exp") && !credential.contains("valid_until") && p["exp"].is_number_integer())
      credential["valid_until"] =
          toRfc3339(Clock::time_point(std::chrono::seconds(p["exp"].get<std::int64_t>())));
    if (p.contains("nbf") && !credential.contains("valid_from") && p["nbf"].is_number_integer())
      credential["valid_from"] =
          toRfc3339(Clock::time_point(std::chrono::seconds(p["nbf"].get<std::int64_t>())));
    if (t && t->issuerOrgId == v.issuerOrgId) {
      auto tj = typeToJson(*t);
      credential["type_code"] = t->code;
      credential["type_name_zh"] = t->nameZh;
      credential["type_name_en"] = t->nameEn;
      credential["subject_kind"] = t->subjectKind;
      credential["fields"] = tj["fields"];
      credential["layout"] = tj["layout"];
    }
  }
  return {{"valid", v.valid},
          {"format", v.format.empty() ? json() : json(v.format)},
          {"reason", v.reason.empty() ? json() : json(v.reason)},
          {"checks", checks},
          {"credential", credential}};
}

}  // namespace

// The catalog entry of a certificate type: the holder is the subject, every field personal,
// shared on conditions and only with the holder's consent.
catalog::ResourceInput resourceFor(const CredentialType& t) {
  catalog::ResourceInput in;
  std::string code = "CERT-";
  for (char ch : t.code)
    code += ch == '_' ? '-' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  in.code = code.substr(0, 64);
  in.nameZh = t.nameZh + "（电子证照）";
  in.nameEn = t.nameEn + " (electronic certificate)";
  in.descriptionZh = "持证人当前有效的" + t.nameZh + "，经持证人同意后共享，无需再提交复印件。";
  in.descriptionEn =
      "The holder's current " + t.nameEn + ", shared with the holder's consent instead of a copy.";
  in.subjectKind = t.subjectKind;
  in.sharing = "conditional";
  in.openClass = "closed";
  in.updateFrequency = "realtime";
  in.source = "credential";
  in.consentRequired = true;
  std::vector<catalog::Field> fields;
  for (const auto& f : t.fields) {
    catalog::Field cf;
    cf.name = f.name;
    cf.type = f.type;
    cf.descriptionZh = f.labelZh;
    cf.descriptionEn = f.labelEn;
    cf.sensitivity = "personal";
    fields.push_back(std::move(cf));
  }
  in.fields = std::move(fields);
  return in;
}

void addRoutes(api::Routes& api, Context& ctx) {
  // ----- what a verifier needs, without an account -------------------------------------------

  api.publicRead("/.well-known/jwks.json", [&ctx](http::Request& req) {
    QueryParams(req, {}, false).finish();
    return cacheable(http::Response::json(200, jwks(credentials(ctx).allKeys())), 300);
  });

  auto issuer = [&ctx](const std::string& orgId) {
    auto org = ctx.identity().findOrg(orgId);
    if (!org) throw notFound("issuer", orgId);
    // A department that has not issued yet has no key: an empty set, not an unknown issuer.
    return std::pair{*org, credentials(ctx).keys(orgId)};
  };
  api.publicRead("/api/v1/credentials/issuers/{org_id}", [&ctx, issuer](http::Request& req) {
    QueryParams(req, {}, false).finish();
    auto [org, keys] = issuer(req.param("org_id"));
    return cacheable(
        http::Response::json(200, {{"issuer", credentials(ctx).issuerUrl(org.id)},
                                   {"org_id", org.id},
                                   {"name_zh", org.nameZh},
                                   {"name_en", org.nameEn},
                                   {"jwks_uri", credentials(ctx).issuerUrl(org.id) + "/jwks.json"},
                                   {"jwks", jwks(keys)}}),
        300);
  });
  api.publicRead("/api/v1/credentials/issuers/{org_id}/jwks.json", [issuer](http::Request& req) {
    QueryParams(req, {}, false).finish();
    return cacheable(http::Response::json(200, jwks(issuer(req.param("org_id")).second)), 300);
  });
  // SD-JWT VC issuer metadata: the issuer URL's path after /.well-known/jwt-vc-issuer.
  api.publicRead("/.well-known/jwt-vc-issuer/api/v1/credentials/issuers/{org_id}",
                 [&ctx, issuer](http::Request& req) {
                   QueryParams(req, {}, false).finish();
                   auto [org, keys] = issuer(req.param("org_id"));
                   return cacheable(
                       http::Response::json(200, {{"issuer", credentials(ctx).issuerUrl(org.id)},
                                                  {"jwks", jwks(keys)}}),
                       300);
                 });

  api.publicRead("/api/v1/credentials/types", [&ctx](http::Request& req) {
    QueryParams qp(req, {"issuer_org_id", "subject_kind"});
    TypeFilter f;
    f.issuerOrgId = qp.get("issuer_org_id");
    f.subjectKind = qp.oneOf("subject_kind", kSubjectKinds);
    auto q = qp.list(Credentials::typeSorting());
    qp.finish();
    return http::Response::json(
        200, api::pageJson(credentials(ctx).types(f, q),
                           [&ctx](const CredentialType& t) { return namedType(ctx, t); }));
  });

  api.publicRead("/api/v1/credentials/types/{id}", [&ctx](http::Request& req) {
    QueryParams(req, {}, false).finish();
    auto t = credentials(ctx).findType(req.param("id"));
    if (!t) throw notFound("certificate type", req.param("id"));
    return http::Response::json(200, namedType(ctx, *t));
  });

  // The status lists: public, the same for every verifier, so that fetching one tells nothing
  // about which certificate is checked.
  api.publicRead("/api/v1/credentials/status/{list_id}/{purpose}", [&ctx](http::Request& req) {
    QueryParams(req, {}, false).finish();
    const auto purpose = req.param("purpose");
    auto list = credentials(ctx).statusList(req.param("list_id"), purpose);
    if (!list) throw notFound("status list", req.param("list_id") + "/" + purpose);
    return cacheable(
        http::Response::text(
            200, *list, purpose == "token" ? "application/statuslist+jwt" : "application/vc+jwt"),
        60);
  });

  api.publicCompute("/api/v1/credentials/verify", [&ctx](http::Request& req) {
    JsonBody body(req);
    auto presented = body.text("credential", true);
    VerifyOptions o;
    o.audience = body.text("audience");
    o.nonce = body.text("nonce");
    body.finish();
    auto v = credentials(ctx).verify(*presented, o);
    return http::Response::json(200, verdictJson(ctx, v, req.lang));
  });

  // ----- types and keys -------------------------------------------------------------------------

  api.write("POST", "/api/v1/credentials/types", kTypeEditors, "credentials.type.create",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              JsonBody body(req);
              CredentialType t;
              t.code = body.text("code", true).value_or("");
              t.nameZh = body.text("name_zh", true).value_or("");
              t.nameEn = body.text("name_en", true).value_or("");
              t.subjectKind = body.text("subject_kind", true).value_or("");
              if (auto d = body.integer("validity_days", false, 1, 36500))
                t.validityDays = static_cast<int>(*d);
              t.fields = fieldsFrom(body);
              if (auto layout = body.object("layout")) t.layout = *layout;
              Credentials::checkType(t, body.errors());
              body.finish();
              t.issuerOrgId = department(p);
              t.createdBy = p.accountId;
              auto made = credentials(ctx).defineType(std::move(t));
              n.targetType = "credential_type";
              n.targetId = made.id;
              auto res = http::Response::json(201, namedType(ctx, made));
              res.setHeader("Location", "/api/v1/credentials/types/" + made.id);
              return res;
            });

  // Declares a type as a catalog resource of its department, so that other departments fetch
  // holders' certificates through the exchange (under a grant, with the holder's consent)
  // instead of asking for a copy.
  api.write("POST", "/api/v1/credentials/types/{id}/resource",
            Access::staff({"data_officer", "org_admin"}), "credentials.type.declare_resource",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              n.targetType = "credential_type";
              n.targetId = req.param("id");
              auto t = credentials(ctx).findType(req.param("id"));
              if (!t) throw notFound("certificate type", req.param("id"));
              if (p.orgId != t->issuerOrgId) throw forbidden("credentials.not_department");
              if (t->resourceId) throw conflict("credentials.resource_declared");
              auto made = ctx.services.get<catalog::Catalog>().create(t->issuerOrgId,
                                                                      resourceFor(*t), p.accountId);
              credentials(ctx).linkResource(t->id, made.id);
              auto c = ctx.db.connect();
              ctx.ledger().queue(c, catalog::changeEntry(made, "catalog.resource.created"));
              t->resourceId = made.id;
              n.detail["resource"] = made.id;
              return http::Response::json(201, namedType(ctx, *t));
            });

  auto keysOf = [&ctx](const Principal& p, const std::string& orgId, const std::string& role) {
    auto org = ctx.identity().findOrg(orgId);
    if (!org) throw notFound("organisation", orgId);
    if (!identity::authz::roleReaches(p, role, org->path) &&
        !(role != "org_admin" && p.orgId == orgId))
      throw forbidden("credentials.not_department");
    return *org;
  };
  api.read("/api/v1/credentials/issuers/{org_id}/keys",
           Access::staff({"org_admin", "approver", "auditor"}),
           [&ctx, keysOf](http::Request& req, const Principal& p) {
             QueryParams(req, {}, false).finish();
             const auto orgId = req.param("org_id");
             if (!identity::authz::seesAllDepartments(p))
               keysOf(p, orgId, p.roles.count("org_admin") ? "org_admin" : "approver");
             json items = json::array();
             for (const auto& k : credentials(ctx).keys(orgId))
               items.push_back({{"kid", k.kid},
                                {"jwk", jose::publicJwk(k.publicKey, k.kid)},
                                {"created_at", k.createdAt},
                                {"retired_at", k.retiredAt ? json(*k.retiredAt) : json()}});
             return http::Response::json(200, {{"items", items}});
           });

  api.write("POST", "/api/v1/credentials/issuers/{org_id}/keys", Access::staff({"org_admin"}),
            "credentials.key.rotate",
            [&ctx, keysOf](http::Request& req, const Principal& p, AuditNote& n) {
              const auto orgId = req.param("org_id");  // no body: rotating needs nothing more
              keysOf(p, orgId, "org_admin");
              auto k = credentials(ctx).rotate(orgId);
              n.targetType = "issuer_key";
              n.targetId = k.kid;
              auto c = ctx.db.connect();
              ctx.ledger().queue(c, {{"type", "credentials.key_rotated"},
                                     {"issuer", orgId},
                                     {"kid", k.kid},
                                     {"jwk", jose::publicJwk(k.publicKey, k.kid)},
                                     {"at", k.createdAt}});
              return http::Response::json(201, {{"kid", k.kid},
                                                {"jwk", jose::publicJwk(k.publicKey, k.kid)},
                                                {"created_at", k.createdAt},
                                                {"retired_at", nullptr}});
            });

  // ----- issuing and status ---------------------------------------------------------------------

  api.write("POST", "/api/v1/credentials", kIssuers, "credentials.issue",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              JsonBody body(req);
              IssueInput in;
              in.typeId = body.text("type_id", true).value_or("");
              in.subject = body.text("subject", true).value_or("");
              if (auto claims = body.object("claims", true)) in.claims = *claims;
              in.validFrom = body.text("valid_from");
              in.validUntil = body.text("valid_until");
              auto t = in.typeId.empty() ? std::nullopt : credentials(ctx).findType(in.typeId);
              if (!in.typeId.empty() && !t)
                body.errors().add(FieldLocation::Body, "/type_id", "field.not_found",
                                  {{"resource", "certificate type"}, {"id", in.typeId}});
              if (t) credentials(ctx).checkIssue(*t, in, body.errors());
              body.finish();
              requireIssuer(p, t->issuerOrgId);
              n.targetType = "credential_type";
              n.targetId = t->id;
              // The answer waits for the issuance's ledger entry, whose group commit makes this
              // write durable too: no sync of its own.
              ctx.db.deferUnitDurability();
              auto c = ctx.db.connect();
              auto issued = credentials(ctx).issue(c, *t, in, p.accountId);
              n.targetType = "credential";
              n.targetId = issued.credential.id;
              n.detail["type"] = t->code;
              auto shown = credentialJson(ctx, issued.credential, t, true, false);
              return api::onceOnLedger(
                  ctx, {issued.ledgerEntry}, [shown](const std::vector<ledger::Receipt>& r) {
                    auto body = shown;
                    body["receipt"] = {
                        {"index", r.at(0).index},
                        {"leaf_hash", ledger::hashToBase64(r.at(0).leafHash)},
                        {"url", "/api/v1/ledger/receipts/" + std::to_string(r.at(0).index)}};
                    auto res = http::Response::json(201, body);
                    res.setHeader("Location",
                                  "/api/v1/credentials/" + body["id"].get<std::string>());
                    return res;
                  });
            });

  api.read("/api/v1/credentials", kIssuedReaders, [&ctx](http::Request& req, const Principal& p) {
    QueryParams qp(req, {"issuer_org_id", "type_id", "status"});
    CredentialFilter f;
    f.issuerOrgId = qp.get("issuer_org_id");
    f.typeId = qp.get("type_id");
    f.status = qp.oneOf("status", kStatuses);
    auto q = qp.list(Credentials::credentialSorting());
    qp.finish();
    if (!identity::authz::seesAllDepartments(p)) f.issuerOrgId = department(p);
    TypeCache types(credentials(ctx));
    return http::Response::json(
        200, api::pageJson(credentials(ctx).list(f, q), [&](const Credential& c) {
          return credentialJson(ctx, c, types.of(c.typeId), true);
        }));
  });

  api.read("/api/v1/credentials/mine", Access::people(),
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams qp(req, {"status", "type_id"});
             CredentialFilter f;
             f.status = qp.oneOf("status", kStatuses);
             f.typeId = qp.get("type_id");
             auto q = qp.list(Credentials::credentialSorting());
             qp.finish();
             f.holderPseudonym = ownPseudonym(ctx, p);
             TypeCache types(credentials(ctx));
             return http::Response::json(
                 200, api::pageJson(credentials(ctx).list(f, q), [&](const Credential& c) {
                   return credentialJson(ctx, c, types.of(c.typeId), false);
                 }));
           });

  api.read("/api/v1/credentials/{id}", kIssuedReaders.orPeople(),
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams(req, {}, false).finish();
             auto c = visible(ctx, p, req.param("id"), false);
             return http::Response::json(
                 200,
                 credentialJson(ctx, c, credentials(ctx).findType(c.typeId), p.kind == "staff"));
           });

  api.read("/api/v1/credentials/{id}/qr.svg", Access::people(),
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams(req, {}, false).finish();
             auto c = visible(ctx, p, req.param("id"), true);
             std::string svg;
             try {
               svg = qrSvg(credentials(ctx).verifyUrl(c.jwt),
                           i18n::message("credentials.qr_title", {}, req.lang));
             } catch (const std::invalid_argument&) {
               throw conflict("credentials.qr_too_long");  // download the certificate instead
             }
             auto res = http::Response::text(200, svg, "image/svg+xml");
             res.setHeader("Cache-Control", "private, no-store");
             return res;
           });

  // The wallet's own copy for selective disclosure, bound to the key the wallet keeps.
  api.write(
      "POST", "/api/v1/credentials/{id}/sd-jwt", Access::people(), "credentials.sd_jwt",
      [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
        n.targetType = "credential";
        n.targetId = req.param("id");
        JsonBody body(req);
        auto jwk = body.object("holder_jwk", true);
        std::optional<crypto::Ed25519PublicKey> key;
        if (jwk) {
          key = jose::publicKeyFromJwk(*jwk);
          if (!key) body.errors().add(FieldLocation::Body, "/holder_jwk", "credentials.holder_jwk");
        }
        body.finish();
        auto c = visible(ctx, p, req.param("id"), true);
        // Only a valid certificate is shown: a revoked one gets no fresh copy to present.
        if (const auto state = c.state(nowRfc3339()); state != "valid")
          throw conflict("credentials.not_valid", {{"status", state}});
        auto t = credentials(ctx).findType(c.typeId);
        if (!t) throw notFound("certificate type", c.typeId);
        auto sd = credentials(ctx).sdJwt(c, *t, *key);
        json disclosures = json::array();
        for (const auto& [name, encoded] : sd.disclosures)
          disclosures.push_back(
              {{"name", name}, {"value", c.claims.value(name, json())}, {"disclosure", encoded}});
        return http::Response::json(200, {{"sd_jwt", sd.sdJwt}, {"disclosures", disclosures}});
      });

  api.write("POST", "/api/v1/credentials/{id}/status", kIssuers, "credentials.status",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              n.targetType = "credential";
              n.targetId = req.param("id");
              JsonBody body(req);
              auto action = body.text("action", true);
              auto reason = body.text("reason", true);
              if (action && *action != "revoke" && *action != "suspend" && *action != "reinstate")
                body.errors().add(FieldLocation::Body, "/action", "field.enum",
                                  {{"allowed", "revoke, suspend, reinstate"}});
              if (reason && !lengthWithin(*reason, 2, 500))
                body.errors().add(FieldLocation::Body, "/reason", "field.length",
                                  {{"min", "2"}, {"max", "500"}});
              body.finish();
              auto existing = credentials(ctx).find(req.param("id"));
              if (!existing) throw notFound("certificate", req.param("id"));
              requireIssuer(p, existing->issuerOrgId);
              auto changed =
                  credentials(ctx).changeStatus(existing->id, *action, *reason, p.accountId);
              n.detail["action"] = *action;
              auto c = ctx.db.connect();
              ctx.ledger().queue(c, changed.ledgerEntry);
              return http::Response::json(
                  200, credentialJson(ctx, changed.credential,
                                      credentials(ctx).findType(changed.credential.typeId), true));
            });
}

}  // namespace onceonly::credentials
