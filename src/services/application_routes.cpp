// The routes of applications: the applicant (or a window clerk for them) starts one and sees what
// was filled in, fills in forms, refuses and uploads, submits; the window returns it once or
// accepts it; each department's approvers decide their tasks; the applicant follows it, reads
// its messages and rates it; poor ratings are cases the department answers. Also the settings
// and the working-day calendar a platform_admin maintains.
#include <mutex>
#include <unordered_map>

#include "api/json_body.h"
#include "api/routes.h"
#include "catalog/catalog.h"
#include "identity/authz.h"
#include "ledger/log.h"
#include "services/applications.h"
#include "services/figures.h"
#include "services/services.h"
#include "store/store.h"

namespace onceonly::services {

using api::Access;
using api::AuditNote;
using api::Context;
using api::JsonBody;
using api::QueryParams;
using identity::Principal;
using nlohmann::json;

namespace {

const Access kWindow = Access::staff({"clerk"});
const Access kDeciders = Access::staff({"approver"});
const Access kStaffReaders = Access::staff({"clerk", "approver", "org_admin", "auditor"});
const Access kCaseHandlers = Access::staff({"approver", "org_admin"});

Applications& applications(Context& ctx) {
  return ctx.services.get<Applications>();
}

json orgRef(Context& ctx, const std::string& id) {
  auto o = ctx.identity().findOrg(id);
  if (!o) return {{"id", id}};
  return {{"id", id}, {"code", o->code}, {"name_zh", o->nameZh}, {"name_en", o->nameEn}};
}

// Where the fetches' ledger entries landed, once known (an entry's index never changes): finding
// a leaf in the log costs a search of its part not yet indexed, which every answer showing an
// application's receipts would otherwise repeat. Bounded: emptied when full, then found again.
class ReceiptIndexes {
 public:
  std::optional<std::uint64_t> find(const std::string& leaf) {
    std::lock_guard lock(mutex_);
    auto it = known_.find(leaf);
    if (it == known_.end()) return std::nullopt;
    return it->second;
  }
  void remember(const std::string& leaf, std::uint64_t index) {
    std::lock_guard lock(mutex_);
    if (known_.size() >= kMax) known_.clear();
    known_[leaf] = index;
  }

 private:
  static constexpr std::size_t kMax = 200000;
  std::mutex mutex_;
  std::unordered_map<std::string, std::uint64_t> known_;  // GUARDED_BY mutex_
};

ReceiptIndexes& receiptIndexes() {
  static ReceiptIndexes indexes;
  return indexes;
}

json receiptOf(Context& ctx, const std::string& leafHash) {
  auto leaf = ledger::hashFromBase64(leafHash);
  if (!leaf) return nullptr;
  auto index = receiptIndexes().find(leafHash);
  if (!index) {
    index = ctx.ledger().indexOf(*leaf);
    if (index) receiptIndexes().remember(leafHash, *index);
  }
  if (!index) return {{"index", nullptr}, {"leaf_hash", leafHash}, {"url", nullptr}};
  return {{"index", *index},
          {"leaf_hash", leafHash},
          {"url", "/api/v1/ledger/receipts/" + std::to_string(*index)}};
}

// The application as its pages show it: the items and departments by name, each filled-in
// material's source department and receipt (unless the caller adds the receipts itself), and
// (detail) its tasks and history.
json shown(Context& ctx, const Application& a, bool detail, bool receipts = true) {
  auto& apps = applications(ctx);
  const auto cal = apps.calendar();
  const auto today = apps.today();
  auto j = applicationToJson(a, today, cal);
  json items = json::array();
  for (const auto& s : apps.itemsOf(a))
    items.push_back({{"id", s.id},
                     {"code", s.code},
                     {"name_zh", s.nameZh},
                     {"name_en", s.nameEn},
                     {"org", orgRef(ctx, s.orgId)},
                     {"certificates", s.certificates},
                     {"allows_deficiency", s.allowsDeficiency}});
  j["items"] = items;
  if (a.packageId)
    if (auto pkg = ctx.services.get<ServiceCatalog>().findPackage(*a.packageId))
      j["package"] = {
          {"id", pkg->id}, {"code", pkg->code}, {"name_zh", pkg->nameZh}, {"name_en", pkg->nameEn}};
  j["lead_org"] = orgRef(ctx, a.leadOrgId);
  if (!detail) {
    j.erase("materials");
    return j;
  }
  for (auto& m : j["materials"]) {
    if (m.contains("from_org_id")) m["from_org"] = orgRef(ctx, m["from_org_id"].get<std::string>());
    if (receipts && m.contains("leaf_hash"))
      m["receipt"] = receiptOf(ctx, m["leaf_hash"].get<std::string>());
  }
  json tasks = json::array();
  for (const auto& t : apps.tasksOf(a.id)) {
    auto tj = taskToJson(t, today, cal);
    tj["org"] = orgRef(ctx, t.orgId);
    tasks.push_back(tj);
  }
  j["tasks"] = tasks;
  json history = json::array();
  for (const auto& e : apps.history(a.id)) history.push_back(eventToJson(e));
  j["history"] = history;
  if (auto r = apps.rating(a.id))
    j["rating"] = {{"score", r->score},
                   {"comment", r->comment ? json(*r->comment) : json()},
                   {"rated_at", r->ratedAt}};
  else
    j["rating"] = nullptr;
  return j;
}

Application visible(Context& ctx, const Principal& p, const std::string& id) {
  auto a = applications(ctx).find(id);
  if (!a || !applications(ctx).visibleTo(*a, p)) throw notFound("application", id);
  return *a;
}

http::Response answer(Context& ctx, const Application& a, int status = 200) {
  return http::Response::json(status, shown(ctx, a, true));
}

std::string mediaTypeOf(const http::Request& req) {
  auto type = req.header("content-type").value_or("");
  if (auto semi = type.find(';'); semi != std::string::npos) type.resize(semi);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (auto& ch : type)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return type;
}

json settingsJson(const ServiceSettings& s) {
  auto n = [](const std::optional<std::string>& v) { return v ? json(*v) : json(); };
  return {{"window_org_id", n(s.windowOrgId)},
          {"credit_resource_id", n(s.creditResourceId)},
          {"credit_field", s.creditField}};
}

int yearParam(const http::Request& req) {
  const auto text = req.param("year");
  if (text.size() != 4 ||
      !std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) ||
      text[0] == '0')
    throw invalidField(FieldLocation::Path, "year", "field.range",
                       {{"min", "1000"}, {"max", "9999"}});
  return std::stoi(text);
}

}  // namespace

void addApplicationRoutes(api::Routes& api, Context& ctx) {
  // ----- settings and the calendar ------------------------------------------------------------

  api.read("/api/v1/services/settings", Access::staff({"platform_admin"}),
           [&ctx](http::Request& req, const Principal&) {
             QueryParams(req, {}, false).finish();
             return http::Response::json(200, settingsJson(applications(ctx).settings()));
           });

  api.write(
      "PUT", "/api/v1/services/settings", Access::staff({"platform_admin"}),
      "services.settings.update", [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
        JsonBody body(req);
        ServiceSettings s;
        if (auto v = body.nullableText("window_org_id")) s.windowOrgId = *v;
        if (auto v = body.nullableText("credit_resource_id")) s.creditResourceId = *v;
        if (auto v = body.text("credit_field")) s.creditField = *v;
        if (s.windowOrgId && !ctx.identity().findOrg(*s.windowOrgId))
          body.errors().add(FieldLocation::Body, "/window_org_id", "field.not_found",
                            {{"resource", "organisation"}, {"id", *s.windowOrgId}});
        if (s.creditResourceId) {
          auto r = ctx.services.get<catalog::Catalog>().find(*s.creditResourceId);
          if (!r)
            body.errors().add(FieldLocation::Body, "/credit_resource_id", "field.not_found",
                              {{"resource", "data resource"}, {"id", *s.creditResourceId}});
          else if (std::none_of(r->fields.begin(), r->fields.end(), [&](const catalog::Field& f) {
                     return f.name == s.creditField && f.type == "boolean";
                   }))
            body.errors().add(FieldLocation::Body, "/credit_field", "services.no_such_field",
                              {{"code", r->code}, {"field", s.creditField}});
        }
        body.finish();
        applications(ctx).saveSettings(s, p.accountId);
        n.targetType = "service_settings";
        return http::Response::json(200, settingsJson(applications(ctx).settings()));
      });

  api.publicRead("/api/v1/services/calendar/{year}", [&ctx](http::Request& req) {
    QueryParams(req, {}, false).finish();
    return http::Response::json(200, applications(ctx).calendarYear(yearParam(req)));
  });

  api.write("PUT", "/api/v1/services/calendar/{year}", Access::staff({"platform_admin"}),
            "services.calendar.update",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              const int year = yearParam(req);
              JsonBody body(req);
              json days = json::object();
              if (auto h = body.array("holidays", true)) days["holidays"] = *h;
              if (auto w = body.array("working_days", true)) days["working_days"] = *w;
              body.finish();
              applications(ctx).setCalendarYear(year, days, p.accountId);
              n.targetType = "calendar";
              n.targetId = std::to_string(year);
              return http::Response::json(200, applications(ctx).calendarYear(year));
            });

  // ----- applying -------------------------------------------------------------------------------

  api.write(
      "POST", "/api/v1/services/applications", kWindow.orPeople(), "services.application.start",
      [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
        JsonBody body(req);
        auto itemId = body.text("item_id");
        auto packageId = body.text("package_id");
        auto channel = body.text("channel");
        auto applicant = body.object("applicant");
        if (itemId.has_value() == packageId.has_value())
          body.errors().add(FieldLocation::Body, "/item_id", "services.item_or_package");
        if (channel && *channel != "online" && *channel != "window")
          body.errors().add(FieldLocation::Body, "/channel", "field.enum",
                            {{"allowed", "online, window"}});
        std::optional<identity::Account> who;
        if (p.kind == "staff") {
          // A clerk at the window applies for a person or company who has an account.
          if (!applicant) {
            body.errors().add(FieldLocation::Body, "/applicant", "field.required");
          } else {
            const bool rid = applicant->contains("resident_id");
            if (rid == applicant->contains("credit_code") || applicant->size() != 1 ||
                !applicant->begin()->is_string()) {
              body.errors().add(FieldLocation::Body, "/applicant", "services.one_identifier");
            } else {
              who = ctx.identity().findAccountBySubject(rid ? "citizen" : "company",
                                                        applicant->begin()->get<std::string>());
              if (!who) body.errors().add(FieldLocation::Body, "/applicant", "services.no_account");
            }
          }
        } else {
          if (applicant)
            body.errors().add(FieldLocation::Body, "/applicant", "services.applicant_is_you");
          who = ctx.identity().findAccount(p.accountId);
        }
        std::vector<ServiceItem> items;
        auto& guide = ctx.services.get<ServiceCatalog>();
        if (itemId) {
          if (auto s = guide.find(*itemId))
            items.push_back(*s);
          else
            body.errors().add(FieldLocation::Body, "/item_id", "field.not_found",
                              {{"resource", "service item"}, {"id", *itemId}});
        }
        if (packageId) {
          if (auto pkg = guide.findPackage(*packageId)) {
            for (const auto& id : pkg->itemIds)
              if (auto s = guide.find(id)) items.push_back(*s);
          } else {
            body.errors().add(FieldLocation::Body, "/package_id", "field.not_found",
                              {{"resource", "package"}, {"id", *packageId}});
          }
        }
        body.finish();
        if (!who) throw unauthenticated();
        const std::string via = channel.value_or(p.kind == "staff" ? "window" : "online");
        for (const auto& s : items)
          if (std::find(s.channels.begin(), s.channels.end(), via) == s.channels.end())
            throw conflict("services.channel", {{"code", s.code}, {"channel", via}});
        // The answer waits for the fetches' ledger entries, whose group commit makes this write
        // durable too, and shows each fetched material with its receipt.
        ctx.db.deferUnitDurability();
        auto c = ctx.db.connect();
        std::vector<json> entries;
        auto a = applications(ctx).start(c, items, packageId, *who, p, via, entries);
        n.targetType = "application";
        n.targetId = a.id;
        n.detail["number"] = a.number;
        auto made = shown(ctx, a, true, false);  // its entries are not on the ledger yet
        return api::onceOnLedger(
            ctx, std::move(entries), [made](const std::vector<ledger::Receipt>& receipts) {
              auto out = made;
              std::size_t k = 0;
              for (auto& m : out["materials"])
                if (m.contains("access_id") && k < receipts.size()) {
                  const auto& r = receipts[k++];
                  receiptIndexes().remember(ledger::hashToBase64(r.leafHash), r.index);
                  m["receipt"] = {{"index", r.index},
                                  {"leaf_hash", ledger::hashToBase64(r.leafHash)},
                                  {"url", "/api/v1/ledger/receipts/" + std::to_string(r.index)}};
                }
              auto res = http::Response::json(201, out);
              res.setHeader("Location",
                            "/api/v1/services/applications/" + out["id"].get<std::string>());
              return res;
            });
      });

  api.read("/api/v1/services/applications/mine", Access::people(),
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams qp(req, {"status"});
             ApplicationFilter f;
             f.status = qp.oneOf("status", kApplicationStatuses);
             auto q = qp.list(Applications::sorting());
             qp.finish();
             f.applicantAccountId = p.accountId;
             return http::Response::json(
                 200, api::pageJson(applications(ctx).list(f, q),
                                    [&](const Application& a) { return shown(ctx, a, false); }));
           });

  // Staff queues: the window's applications to accept, a department's to decide; overdue
  // first when sorted by due date.
  api.read("/api/v1/services/applications", kStaffReaders,
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams qp(req, {"status", "org_id", "item_id", "overdue"});
             ApplicationFilter f;
             f.status = qp.oneOf("status", kApplicationStatuses);
             f.orgId = qp.get("org_id");
             f.itemId = qp.get("item_id");
             f.overdueOnly = qp.oneOf("overdue", {"true", "false"}) == "true";
             auto q = qp.list(Applications::sorting());
             qp.finish();
             if (!identity::authz::seesAllDepartments(p)) {
               if (!p.orgId) throw forbidden("services.no_department");
               // The window that receives applications sees them all; a department its own.
               if (applications(ctx).settings().windowOrgId != p.orgId || f.orgId)
                 if (!f.orgId || *f.orgId != *p.orgId) f.orgId = *p.orgId;
             }
             return http::Response::json(
                 200, api::pageJson(applications(ctx).list(f, q),
                                    [&](const Application& a) { return shown(ctx, a, false); }));
           });

  api.read("/api/v1/services/applications/{id}", kStaffReaders.orPeople(),
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams(req, {}, false).finish();
             return answer(ctx, visible(ctx, p, req.param("id")));
           });

  api.read("/api/v1/services/applications/{id}/files/{file_id}", kStaffReaders.orPeople(),
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams(req, {}, false).finish();
             auto a = visible(ctx, p, req.param("id"));
             auto f = applications(ctx).file(a.id, req.param("file_id"));
             if (!f) throw notFound("file", req.param("file_id"));
             auto res = http::Response::text(200, f->content, f->mediaType);
             res.setHeader("Content-Disposition", "attachment; filename=\"" + f->id + "\"");
             res.setHeader("X-Content-Type-Options", "nosniff");
             return res;
           });

  api.write("PUT", "/api/v1/services/applications/{id}/forms/{code}", kWindow.orPeople(),
            "services.application.form",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              JsonBody body(req);
              auto values = body.object("values", true);
              body.finish();
              auto a = applications(ctx).fillForm(req.param("id"), req.param("code"), *values, p);
              n.targetType = "application";
              n.targetId = a.id;
              n.detail["material"] = req.param("code");
              return answer(ctx, a);
            });

  api.write("POST", "/api/v1/services/applications/{id}/materials/{code}/refuse",
            kWindow.orPeople(), "services.application.refuse",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              auto a = applications(ctx).refuse(req.param("id"), req.param("code"), p);
              n.targetType = "application";
              n.targetId = a.id;
              n.detail["material"] = req.param("code");
              return answer(ctx, a);
            });

  // The file is the request body, its type the Content-Type.
  api.write("PUT", "/api/v1/services/applications/{id}/materials/{code}/file", kWindow.orPeople(),
            "services.application.upload",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              auto a = applications(ctx).upload(req.param("id"), req.param("code"),
                                                mediaTypeOf(req), req.body, p);
              n.targetType = "application";
              n.targetId = a.id;
              n.detail["material"] = req.param("code");
              n.detail["size"] = req.body.size();
              return answer(ctx, a);
            });

  api.write("POST", "/api/v1/services/applications/{id}/submit", kWindow.orPeople(),
            "services.application.submit",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              bool commitment = false;
              if (!req.body.empty()) {
                JsonBody body(req);
                commitment = body.boolean("commitment").value_or(false);
                body.finish();
              }
              auto a = applications(ctx).submit(req.param("id"), commitment, p);
              n.targetType = "application";
              n.targetId = a.id;
              return answer(ctx, a);
            });

  api.write("POST", "/api/v1/services/applications/{id}/withdraw", kWindow.orPeople(),
            "services.application.withdraw",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              auto a = applications(ctx).withdraw(req.param("id"), p);
              n.targetType = "application";
              n.targetId = a.id;
              return answer(ctx, a);
            });

  // ----- the window -----------------------------------------------------------------------------

  api.write("POST", "/api/v1/services/applications/{id}/notice", kWindow,
            "services.application.notice",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              JsonBody body(req);
              auto items = body.array("items", true);
              auto note = body.text("note").value_or("");
              body.finish();
              auto a = applications(ctx).giveNotice(req.param("id"), *items, note, p);
              n.targetType = "application";
              n.targetId = a.id;
              n.detail["materials"] = items->size();
              return answer(ctx, a);
            });

  api.write("POST", "/api/v1/services/applications/{id}/accept", kWindow,
            "services.application.accept",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              auto c = ctx.db.connect();
              auto a = applications(ctx).accept(c, req.param("id"), p);
              n.targetType = "application";
              n.targetId = a.id;
              return answer(ctx, a);
            });

  // ----- the departments ------------------------------------------------------------------------

  api.read("/api/v1/services/tasks", Access::staff({"approver", "org_admin", "auditor"}),
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams qp(req, {"status", "org_id", "application_id"});
             TaskFilter f;
             f.status = qp.oneOf("status", {"open", "approved", "rejected", "cancelled"});
             f.orgId = qp.get("org_id");
             f.applicationId = qp.get("application_id");
             auto q = qp.list(Applications::taskSorting());
             qp.finish();
             if (!identity::authz::seesAllDepartments(p)) f.orgId = p.orgId.value_or("-");
             auto& apps = applications(ctx);
             const auto cal = apps.calendar();
             const auto today = apps.today();
             auto& guide = ctx.services.get<ServiceCatalog>();
             return http::Response::json(200, api::pageJson(apps.tasks(f, q), [&](const Task& t) {
                                           auto j = taskToJson(t, today, cal);
                                           j["org"] = orgRef(ctx, t.orgId);
                                           if (auto s = guide.find(t.itemId))
                                             j["item"] = {{"id", s->id},
                                                          {"code", s->code},
                                                          {"name_zh", s->nameZh},
                                                          {"name_en", s->nameEn}};
                                           return j;
                                         }));
           });

  auto decideRoute = [&ctx](bool approve) {
    return [&ctx, approve](http::Request& req, const Principal& p, AuditNote& n) {
      std::optional<std::string> comment;
      if (!req.body.empty()) {
        JsonBody body(req);
        comment = body.text(approve ? "comment" : "reason", !approve);
        body.finish();
      } else if (!approve) {
        throw invalidField(FieldLocation::Body, "/reason", "field.required");
      }
      n.targetType = "task";
      n.targetId = req.param("id");
      auto c = ctx.db.connect();
      auto a = applications(ctx).decideTask(c, req.param("id"), approve, comment, p);
      n.detail["application"] = a.id;
      n.detail["status"] = a.status;
      return answer(ctx, a);
    };
  };
  api.write("POST", "/api/v1/services/tasks/{id}/approve", kDeciders, "services.task.approve",
            decideRoute(true));
  api.write("POST", "/api/v1/services/tasks/{id}/reject", kDeciders, "services.task.reject",
            decideRoute(false));

  // ----- messages, ratings, rectification -------------------------------------------------------

  api.read("/api/v1/services/messages/mine", Access::people(),
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams qp(req, {"unread"});
             const bool unread = qp.oneOf("unread", {"true", "false"}) == "true";
             auto q = qp.list(Applications::messageSorting());
             qp.finish();
             auto& apps = applications(ctx);
             auto body = api::pageJson(apps.messages(p.accountId, unread, q), messageToJson);
             body["unread"] = apps.unread(p.accountId);
             return http::Response::json(200, body);
           });

  api.write("POST", "/api/v1/services/messages/{id}/read", Access::people(),
            "services.message.read", [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              applications(ctx).markRead(p.accountId, req.param("id"));
              n.targetType = "message";
              n.targetId = req.param("id");
              return http::Response::noContent();
            });

  api.write(
      "POST", "/api/v1/services/applications/{id}/rating", Access::people(),
      "services.application.rate", [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
        JsonBody body(req);
        auto score = body.integer("score", true, 1, 5);
        auto comment = body.text("comment");
        body.finish();
        auto r = applications(ctx).rate(req.param("id"), static_cast<int>(*score), comment, p);
        n.targetType = "application";
        n.targetId = r.applicationId;
        n.detail["score"] = r.score;
        return http::Response::json(201, {{"application_id", r.applicationId},
                                          {"score", r.score},
                                          {"comment", comment ? json(*comment) : json()},
                                          {"channel", r.channel},
                                          {"rated_at", r.ratedAt}});
      });

  // Review statistics, public per item and per department.
  api.publicRead("/api/v1/services/reviews", [&ctx](http::Request& req) {
    QueryParams qp(req, {"item_id", "org_id"}, false);
    auto itemId = qp.get("item_id");
    auto orgId = qp.get("org_id");
    qp.finish();
    auto counts = applications(ctx).ratingCounts(itemId, orgId);
    std::int64_t total = 0, satisfied = 0, sum = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      total += counts[i];
      sum += counts[i] * static_cast<std::int64_t>(i + 1);
      if (i >= 3) satisfied += counts[i];
    }
    return http::Response::json(
        200,
        {{"item_id", itemId ? json(*itemId) : json()},
         {"org_id", orgId ? json(*orgId) : json()},
         {"counts", counts},
         {"total", total},
         {"average", total ? json(static_cast<double>(sum) / static_cast<double>(total)) : json()},
         {"satisfaction",
          total ? json(static_cast<double>(satisfied) / static_cast<double>(total)) : json()}});
  });

  // Performance over a period of submission dates (default: the last twelve months), per item,
  // department or level, and month by month: public, as the figures of a public service are.
  api.publicRead("/api/v1/services/figures", [&ctx](http::Request& req) {
    QueryParams qp(req, {"from", "to", "by"}, false);
    auto& apps = applications(ctx);
    const auto today = apps.today();
    FieldErrors e;
    auto date = [&](const char* name, Date fallback) {
      auto text = qp.get(name);
      if (!text) return fallback;
      auto d = Date::parse(*text);
      if (!d) e.add(FieldLocation::Query, name, "field.date");
      return d.value_or(fallback);
    };
    const auto to = date("to", today);
    const auto from = date("from", to.addDays(-365));
    const auto by = qp.oneOf("by", {"item", "department", "level"}).value_or("department");
    qp.finish();
    if (to < from) e.add(FieldLocation::Query, "from", "services.period");
    if (to.sysDays() - from.sysDays() > std::chrono::days(3660))
      e.add(FieldLocation::Query, "from", "services.period");
    e.throwIfAny();
    auto& guide = ctx.services.get<ServiceCatalog>();
    auto report = performance(ctx.db, guide, from, to, by, today,
                              [&apps](const std::string& at) { return apps.localDate(at); });
    json groups = json::array();
    for (const auto& f : report.groups) {
      auto g = f.toJson();
      if (by == "item") {
        if (auto s = guide.find(f.key)) {
          g["code"] = s->code;
          g["name_zh"] = s->nameZh;
          g["name_en"] = s->nameEn;
          g["org"] = orgRef(ctx, s->orgId);
        }
      } else if (by == "department") {
        auto o = orgRef(ctx, f.key);
        g["code"] = o.value("code", "");
        g["name_zh"] = o.value("name_zh", "");
        g["name_en"] = o.value("name_en", "");
      }
      groups.push_back(g);
    }
    json months = json::array();
    for (const auto& f : report.months) months.push_back(f.toJson());
    auto res = http::Response::json(200, {{"from", report.from},
                                          {"to", report.to},
                                          {"by", report.by},
                                          {"total", report.total.toJson()},
                                          {"groups", groups},
                                          {"months", months}});
    res.setHeader("Cache-Control", "public, max-age=60");
    return res;
  });

  api.read("/api/v1/services/rectifications", kCaseHandlers,
           [&ctx](http::Request& req, const Principal& p) {
             QueryParams qp(req, {"status", "org_id"});
             auto status = qp.oneOf("status", {"open", "replied", "closed"});
             auto orgId = qp.get("org_id");
             auto q = qp.list(Applications::rectificationSorting());
             qp.finish();
             if (!identity::authz::seesAllDepartments(p)) orgId = p.orgId.value_or("-");
             return http::Response::json(
                 200, api::pageJson(applications(ctx).rectifications(orgId, status, q),
                                    rectificationToJson));
           });

  api.write("POST", "/api/v1/services/rectifications/{id}/reply", kCaseHandlers,
            "services.rectification.reply",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              JsonBody body(req);
              auto text = body.text("reply", true);
              body.finish();
              auto r = applications(ctx).reply(req.param("id"), *text, p);
              n.targetType = "rectification";
              n.targetId = r.id;
              return http::Response::json(200, rectificationToJson(r));
            });

  api.write("POST", "/api/v1/services/rectifications/{id}/close", kCaseHandlers,
            "services.rectification.close",
            [&ctx](http::Request& req, const Principal& p, AuditNote& n) {
              JsonBody body(req);
              auto text = body.text("follow_up", true);
              body.finish();
              auto r = applications(ctx).close(req.param("id"), *text, p);
              n.targetType = "rectification";
              n.targetId = r.id;
              return http::Response::json(200, rectificationToJson(r));
            });
}

}  // namespace onceonly::services
