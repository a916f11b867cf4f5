#include <chrono>

#include "api/json_body.h"
#include "api/routes.h"
#include "core/error.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "identity/authz.h"
#include "ledger/log.h"
#include "store/store.h"

namespace onceonly::identity {

using api::Access;
using api::AuditNote;
using api::Context;
using api::JsonBody;
using api::QueryParams;
using api::Routes;

namespace {

nlohmann::json orgJson(const identity::Org& o) {
  return {{"id", o.id},
          {"code", o.code},
          {"name_zh", o.nameZh},
          {"name_en", o.nameEn},
          {"level", o.level},
          {"kind", o.kind},
          {"parent_id", o.parentId ? nlohmann::json(*o.parentId) : nlohmann::json()},
          {"created_at", o.createdAt},
          {"updated_at", o.updatedAt}};
}

// The organisation tree is on the ledger, queued in the write's own transaction: whoever checks
// a certificate later can tell which departments existed, under which names, and when.
void ledgerOrg(Context& ctx, const std::string& type, const nlohmann::json& org) {
  auto c = ctx.db.connect();  // the write's unit of work
  ctx.ledger().queue(c, {{"type", type}, {"org", org}, {"at", nowRfc3339()}});
}

nlohmann::json accountJson(const identity::Account& a) {
  auto optJson = [](const std::optional<std::string>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
  };
  return {{"id", a.id},
          {"kind", a.kind},
          {"username", optJson(a.username)},
          {"display_name", a.displayName},
          {"resident_id_masked", optJson(a.residentIdMasked)},
          {"credit_code", optJson(a.creditCode)},
          {"company_name", optJson(a.companyName)},
          {"org_id", optJson(a.orgId)},
          {"roles", a.roles},
          {"status", a.status},
          {"created_at", a.createdAt},
          {"updated_at", a.updatedAt}};
}

std::string sessionCookie(const Context& ctx, const std::string& token, int maxAge) {
  std::string c = "oo_session=" + token +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(maxAge);
  if (ctx.config.secureCookies) c += "; Secure";
  return c;
}

// IDs in paths must look like IDs before they reach the database.
void checkId(const std::string& id, const char* prefix, const char* resource) {
  if (!crypto::looksLikeId(id, prefix)) throw notFound(resource, id);
}

std::string orgPathOf(Context& ctx, const std::optional<std::string>& orgId) {
  if (!orgId) return "";
  auto org = ctx.identity().findOrg(*orgId);
  return org ? org->path : "";
}

// The account if the principal may see it; 404 otherwise, so nothing leaks about others.
identity::Account visibleAccount(Context& ctx, const Principal& p, const std::string& id) {
  checkId(id, "acc", "account");
  auto a = ctx.identity().findAccount(id);
  if (!a || !authz::canSeeAccount(p, *a, orgPathOf(ctx, a->orgId))) throw notFound("account", id);
  return *a;
}

// Only the platform admin changes the organisation tree (it is public administrative data, read
// by everyone signed in).
const Access kManageOrgs = Access::staff({"platform_admin"}, "orgs:write");

// The organisation a write names, recorded for audit first so refused writes name their target
// too.
const std::string& orgToManage(const http::Request& req, AuditNote& note) {
  const auto& id = req.param("id");
  note.targetType = "org";
  note.targetId = id;
  checkId(id, "org", "organisation");
  return id;
}

nlohmann::json nodeJson(const identity::OrgNode& n) {
  auto j = orgJson(n.org);
  j["children"] = nlohmann::json::array();
  for (const auto& c : n.children) j["children"].push_back(nodeJson(c));
  return j;
}

nlohmann::json tokenJson(const identity::ApiToken& t) {
  return {{"id", t.id},
          {"account_id", t.accountId},
          {"name", t.name},
          {"scopes", t.scopes},
          {"created_at", t.createdAt},
          {"expires_at", t.expiresAt ? nlohmann::json(*t.expiresAt) : nlohmann::json()},
          {"revoked_at", t.revokedAt ? nlohmann::json(*t.revokedAt) : nlohmann::json()}};
}

identity::OrgFields orgFields(JsonBody& body, bool creating) {
  identity::OrgFields f;
  f.code = body.text("code", creating);
  f.nameZh = body.text("name_zh", creating);
  f.nameEn = body.text("name_en", creating);
  f.level = body.text("level", creating);
  f.kind = body.text("kind", creating);
  f.parentId = body.nullableText("parent_id");
  body.finish();
  return f;
}

}  // namespace

void addRoutes(Routes& api, Context& ctx) {
  // ----- sessions ---------------------------------------------------------------------------
  api.publicWrite(
      "POST", "/api/v1/sessions", "session.create", [&ctx](http::Request& req, AuditNote& note) {
        JsonBody body(req);
        auto username = body.text("username");
        auto residentId = body.text("resident_id");
        auto password = body.text("password", true);
        body.finish();
        if (username)
          note.detail["identifier"] = *username;
        else if (residentId)
          note.detail["identifier"] = identity::maskResidentId(*residentId);
        auto s = ctx.identity().signIn(username, residentId, *password, req.clientIp);
        note.actor = ctx.identity().authenticate(s.token);
        note.targetType = "account";
        note.targetId = s.account.id;
        auto res = http::Response::json(201, {{"token", s.token},
                                              {"token_type", "Bearer"},
                                              {"expires_at", s.expiresAt},
                                              {"csrf_token", csrfTokenFor(ctx, s.token)},
                                              {"account", accountJson(s.account)}});
        res.setHeader("Set-Cookie", sessionCookie(ctx, s.token, ctx.config.sessionTtlMinutes * 60));
        return res;
      });

  api.write("DELETE", "/api/v1/sessions/current", Access::signedIn(), "session.delete",
            [&ctx](http::Request&, const Principal& p, AuditNote& note) {
              note.targetType = "account";
              note.targetId = p.accountId;
              if (p.credential != "session") throw conflict("auth.not_a_session");
              ctx.identity().signOut(p);
              auto res = http::Response::noContent();
              res.setHeader("Set-Cookie", sessionCookie(ctx, "", 0));
              return res;
            });

  api.read("/api/v1/me", Access::signedIn(), [&ctx](http::Request& req, const Principal& p) {
    auto a = ctx.identity().findAccount(p.accountId);
    if (!a) throw unauthenticated("auth.invalid_token");
    auto j = accountJson(*a);
    if (a->orgId) {
      if (auto org = ctx.identity().findOrg(*a->orgId)) j["org"] = orgJson(*org);
    }
    j["credential"] = p.credential;
    if (p.scopes) j["scopes"] = *p.scopes;
    // A page that was reloaded finds its session's CSRF token here.
    if (p.credential == "session") j["csrf_token"] = csrfTokenFor(ctx, *api::presentedToken(req));
    return http::Response::json(200, j);
  });

  // ----- organisations ------------------------------------------------------------------------
  api.read(
      "/api/v1/orgs", Access::signedIn("orgs:read"), [&ctx](http::Request& req, const Principal&) {
        QueryParams qp(req, {"level", "kind", "parent_id", "within"});
        identity::OrgFilter f;
        f.level = qp.oneOf("level", identity::kOrgLevels);
        f.kind = qp.oneOf("kind", identity::kOrgKinds);
        f.parentId = qp.get("parent_id");
        f.within = qp.get("within");
        auto q = qp.list(identity::Identity::orgSorting());
        qp.finish();
        return http::Response::json(200, api::pageJson(ctx.identity().listOrgs(f, q), orgJson));
      });

  api.read("/api/v1/orgs/tree", Access::signedIn("orgs:read"),
           [&ctx](http::Request& req, const Principal&) {
             QueryParams qp(req, {"root", "depth"}, false);
             auto root = qp.get("root");
             auto depth = qp.integer("depth", 0, 32);
             qp.finish();
             if (root) checkId(*root, "org", "organisation");
             nlohmann::json items = nlohmann::json::array();
             for (const auto& n : ctx.identity().orgTree(root, depth)) items.push_back(nodeJson(n));
             return http::Response::json(200, {{"items", items}});
           });

  api.read("/api/v1/orgs/{id}", Access::signedIn("orgs:read"),
           [&ctx](http::Request& req, const Principal&) {
             const auto& id = req.param("id");
             checkId(id, "org", "organisation");
             return http::Response::json(200, orgJson(ctx.identity().getOrg(id)));
           });

  api.write("POST", "/api/v1/orgs", kManageOrgs, "org.create",
            [&ctx](http::Request& req, const Principal&, AuditNote& note) {
              JsonBody body(req);
              auto f = orgFields(body, true);
              auto org = ctx.identity().createOrg(f);
              note.targetType = "org";
              note.targetId = org.id;
              note.detail["code"] = org.code;
              ledgerOrg(ctx, "org.created", orgJson(org));
              auto res = http::Response::json(201, orgJson(org));
              res.setHeader("Location", "/api/v1/orgs/" + org.id);
              return res;
            });

  api.write("PATCH", "/api/v1/orgs/{id}", kManageOrgs, "org.update",
            [&ctx](http::Request& req, const Principal&, AuditNote& note) {
              const auto& id = orgToManage(req, note);
              JsonBody body(req);
              auto f = orgFields(body, false);
              auto org = orgJson(ctx.identity().updateOrg(id, f));
              ledgerOrg(ctx, "org.updated", org);
              return http::Response::json(200, org);
            });

  api.write("DELETE", "/api/v1/orgs/{id}", kManageOrgs, "org.delete",
            [&ctx](http::Request& req, const Principal&, AuditNote& note) {
              const auto& id = orgToManage(req, note);
              ctx.identity().deleteOrg(id);
              ledgerOrg(ctx, "org.deleted", {{"id", id}});
              return http::Response::noContent();
            });

  // ----- accounts -----------------------------------------------------------------------------
  api.read("/api/v1/accounts", Access::staff({"org_admin", "auditor"}, "accounts:read"),
           [&ctx](http::Request& req, const Principal& p) {
             auto scope = authz::accountListScope(p);
             QueryParams qp(req, {"kind", "org_id", "status", "role"});
             identity::AccountFilter f;
             f.kind = qp.oneOf("kind", identity::kAccountKinds);
             f.orgId = qp.get("org_id");
             f.status = qp.oneOf("status", {"active", "disabled"});
             f.role = qp.oneOf("role", roleNames());
             auto q = qp.list(identity::Identity::accountSorting());
             qp.finish();
             f.withinPath = scope;
             auto page = ctx.identity().listAccounts(f, q);
             return api::onceAccessRecorded(
                 ctx, p, page.items, "account.list",
                 http::Response::json(200, api::pageJson(page, accountJson)));
           });

  api.read("/api/v1/accounts/{id}", Access::signedIn("accounts:read"),
           [&ctx](http::Request& req, const Principal& p) {
             auto a = visibleAccount(ctx, p, req.param("id"));
             return api::onceAccessRecorded(ctx, p, {a}, "account.read",
                                            http::Response::json(200, accountJson(a)));
           });

  api.write("POST", "/api/v1/accounts", Access::staff({"org_admin", "clerk"}, "accounts:write"),
            "account.create", [&ctx](http::Request& req, const Principal& p, AuditNote& note) {
              JsonBody body(req);
              identity::NewAccount in;
              in.kind = body.text("kind", true).value_or("");
              in.username = body.text("username");
              in.displayName = body.text("display_name", true).value_or("");
              in.password = body.text("password");
              in.residentId = body.text("resident_id");
              in.creditCode = body.text("credit_code");
              in.companyName = body.text("company_name");
              in.orgId = body.text("org_id");
              in.roles = body.textSet("roles").value_or(std::set<std::string>{});
              body.finish();
              note.detail["kind"] = in.kind;
              if (in.username) note.detail["username"] = *in.username;
              if (in.residentId)
                note.detail["resident_id"] = identity::maskResidentId(*in.residentId);
              if (in.orgId) note.detail["org_id"] = *in.orgId;
              authz::requireCreateAccount(p, in, orgPathOf(ctx, in.orgId));
              auto a = ctx.identity().createAccount(in);
              note.targetType = "account";
              note.targetId = a.id;
              auto res = http::Response::json(201, accountJson(a));
              res.setHeader("Location", "/api/v1/accounts/" + a.id);
              return res;
            });

  api.write("PATCH", "/api/v1/accounts/{id}", Access::signedIn("accounts:write"), "account.update",
            [&ctx](http::Request& req, const Principal& p, AuditNote& note) {
              const auto& id = req.param("id");
              note.targetType = "account";
              note.targetId = id;
              auto a = visibleAccount(ctx, p, id);
              JsonBody body(req);
              identity::AccountChanges ch;
              ch.displayName = body.text("display_name");
              ch.status = body.text("status");
              ch.roles = body.textSet("roles");
              ch.password = body.text("password");
              auto currentPassword = body.text("current_password");
              body.finish();
              bool self = a.id == p.accountId;
              bool manager = authz::canManageAccount(p, a, orgPathOf(ctx, a.orgId));
              if (!manager) {
                // People may rename themselves and change their password, proving the old one.
                if (!self || ch.status || ch.roles) throw forbidden();
                if (ch.password && !currentPassword)
                  throw invalidField(FieldLocation::Body, "/current_password", "field.required");
                if (ch.password && !ctx.identity().checkPassword(a.id, *currentPassword))
                  throw invalidField(FieldLocation::Body, "/current_password",
                                     "auth.bad_credentials");
              }
              if (self && ch.status && *ch.status == "disabled") throw Error(409, "account.self");
              if (ch.roles && !authz::isPlatformAdmin(p) && ch.roles->count("platform_admin"))
                throw forbidden();
              if (ch.status) note.detail["status"] = *ch.status;
              if (ch.roles) note.detail["roles"] = *ch.roles;
              if (ch.password) note.detail["password_changed"] = true;
              return http::Response::json(200, accountJson(ctx.identity().updateAccount(id, ch)));
            });

  // ----- API tokens of machine accounts --------------------------------------------------------
  const Access manageTokens = Access::staff({"org_admin"}, "accounts:write");
  auto manageableMachine = [&ctx](const Principal& p, const std::string& id) {
    auto a = visibleAccount(ctx, p, id);
    if (!authz::canManageAccount(p, a, orgPathOf(ctx, a.orgId))) throw forbidden();
    return a;
  };

  api.read("/api/v1/accounts/{id}/tokens", manageTokens,
           [&ctx, manageableMachine](http::Request& req, const Principal& p) {
             auto a = manageableMachine(p, req.param("id"));
             nlohmann::json items = nlohmann::json::array();
             for (const auto& t : ctx.identity().listApiTokens(a.id)) items.push_back(tokenJson(t));
             return http::Response::json(200, {{"items", items}});
           });

  api.write("POST", "/api/v1/accounts/{id}/tokens", manageTokens, "token.create",
            [&ctx, manageableMachine](http::Request& req, const Principal& p, AuditNote& note) {
              note.targetType = "account";
              note.targetId = req.param("id");
              auto a = manageableMachine(p, req.param("id"));
              JsonBody body(req);
              auto name = body.text("name", true);
              auto scopes = body.textSet("scopes", true);
              auto ttl = body.integer("ttl_days", false, 1, 3650);
              body.finish();
              auto [token, secret] = ctx.identity().createApiToken(
                  a.id, *name, *scopes,
                  ttl ? std::optional<int>(static_cast<int>(*ttl)) : std::nullopt);
              note.detail["token_id"] = token.id;
              note.detail["scopes"] = token.scopes;
              auto j = tokenJson(token);
              j["token"] = secret;  // shown once
              return http::Response::json(201, j);
            });

  api.write("DELETE", "/api/v1/accounts/{id}/tokens/{token_id}", manageTokens, "token.revoke",
            [&ctx, manageableMachine](http::Request& req, const Principal& p, AuditNote& note) {
              note.targetType = "api_token";
              note.targetId = req.param("token_id");
              auto a = manageableMachine(p, req.param("id"));
              checkId(req.param("token_id"), "tok", "api token");
              ctx.identity().revokeApiToken(a.id, req.param("token_id"));
              return http::Response::noContent();
            });
}

}  // namespace onceonly::identity
