// Applications through the API on SQLite and PostgreSQL: "open a restaurant" for the demo
// company from start to rating (materials fetched through the exchange and taken from the
// wallet, uploads, the one-time notice and its correction, acceptance with a deficiency after
// a credit check, departments deciding in parallel, certificates in the wallet that verify, the
// fetches in "who looked at my data"); a rejection and the rectification of a poor rating; the
// calendar; and every way of acting out of turn.
#include <gtest/gtest.h>

#include <set>

#include "core/calendar.h"
#include "support/api_harness.h"

namespace onceonly::services {
namespace {

using nlohmann::json;
using onceonly::testing::ApiHarness;
using onceonly::testing::Backend;
using onceonly::testing::Reply;

const std::string kPdf = "%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8) + "not really an image";

class ApplicationsApiTest : public ::testing::TestWithParam<Backend> {
 protected:
  ApiHarness h{GetParam()};

  std::string packageId(const std::string& code) {
    auto r = h.as("anonymous", "GET", "/api/v1/services/packages");
    for (const auto& p : r.json["items"])
      if (p["code"] == code) return p["id"];
    ADD_FAILURE() << "no package " << code;
    return "";
  }

  std::string itemId(const std::string& code) {
    auto r = h.as("anonymous", "GET", "/api/v1/services/items?q=" + code);
    for (const auto& i : r.json["items"])
      if (i["code"] == code) return i["id"];
    ADD_FAILURE() << "no item " << code;
    return "";
  }

  std::string typeId(const std::string& code) {
    auto r = h.as("anonymous", "GET", "/api/v1/credentials/types?limit=100");
    for (const auto& t : r.json["items"])
      if (t["code"] == code) return t["id"];
    ADD_FAILURE() << "no certificate type " << code;
    return "";
  }

  Reply upload(const std::string& who, const std::string& app, const std::string& material,
               const std::string& type, const std::string& bytes) {
    return h.call("PUT",
                  "/api/v1/services/applications/" + app + "/materials/" + material + "/file",
                  bytes, {{"authorization", "Bearer " + h.token(who)}, {"content-type", type}});
  }

  static const json& material(const json& app, const std::string& code) {
    for (const auto& m : app["materials"])
      if (m["code"] == code) return m;
    static const json none;
    ADD_FAILURE() << "no material " << code;
    return none;
  }

  static std::set<std::string> pointers(const Reply& r) {
    std::set<std::string> out;
    for (const auto& e : r.json["errors"]) out.insert(e["pointer"]);
    return out;
  }

  static std::vector<std::string> types(const json& list, const char* key) {
    std::vector<std::string> out;
    for (const auto& e : list) out.push_back(e[key]);
    return out;
  }

  std::string path(const std::string& app, const std::string& tail = "") {
    return "/api/v1/services/applications/" + app + tail;
  }
};

TEST_P(ApplicationsApiTest, OpenARestaurantFromApplyingOnceToRatingIt) {
  // The company holds a business licence already: the package takes it from the wallet.
  auto licence = h.as("approver", "POST", "/api/v1/credentials",
                      {{"type_id", typeId("business_licence")},
                       {"subject", "91440305MA5F3K2L13"},
                       {"claims",
                        {{"company_name", "岚山青石茶业有限公司"},
                         {"credit_code", "91440305MA5F3K2L13"},
                         {"company_type", "有限责任公司"},
                         {"legal_representative", "陈静"},
                         {"registered_capital", "100 万元"},
                         {"established_on", "2019-04-18"},
                         {"business_scope", "茶叶销售"},
                         {"address", "岚山市青石路 1 号"}}}});
  ASSERT_EQ(licence.status, 201) << licence.body;

  auto started = h.as("company", "POST", "/api/v1/services/applications",
                      {{"package_id", packageId("open_restaurant")}});
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string app = started.json["id"];
  const std::string number = started.json["number"];
  EXPECT_EQ(started.json["status"], "draft");
  EXPECT_EQ(started.json["channel"], "online");
  EXPECT_EQ(started.json["items"].size(), 4u);

  // The preview: two records fetched through the exchange, each with its department and the
  // receipt of its ledger entry; the licence from the wallet; the rest to provide.
  auto shown = h.as("company", "GET", path(app));
  ASSERT_EQ(shown.status, 200) << shown.body;
  const auto& record = material(shown.json, "licence_record");
  EXPECT_EQ(record["state"], "fetched") << record;
  EXPECT_EQ(record["values"]["credit_code"], "91440305MA5F3K2L13");
  EXPECT_EQ(record["from_org"]["code"], "QH-LS-AMR");
  EXPECT_TRUE(record["receipt"]["url"].is_string()) << record;
  EXPECT_EQ(record["items"].size(), 2u);  // asked by two items, fetched once
  EXPECT_EQ(material(shown.json, "taxes")["state"], "fetched");
  EXPECT_EQ(material(shown.json, "business_licence")["state"], "wallet");
  EXPECT_EQ(material(shown.json, "business_licence")["credential_id"], licence.json["id"]);
  for (const char* code : {"company", "premises", "articles", "health_certificates", "floor_plan"})
    EXPECT_EQ(material(shown.json, code)["state"], "missing") << code;

  // Submitting now names every core material missing, and the non-core one without commitment.
  auto early = h.as("company", "POST", path(app, "/submit"), json::object());
  EXPECT_EQ(early.status, 400);
  EXPECT_EQ(pointers(early), (std::set<std::string>{
                                 "/materials/company", "/materials/premises", "/materials/articles",
                                 "/materials/health_certificates", "/materials/floor_plan"}));
  EXPECT_EQ(h.as("company", "POST", path(app, "/rating"), {{"score", 5}}).status, 409);

  // Forms are checked against their fields.
  auto badForm = h.as("company", "PUT", path(app, "/forms/premises"),
                      {{"values", {{"premises", 7}, {"colour", "red"}}}});
  EXPECT_EQ(badForm.status, 400);
  EXPECT_EQ(pointers(badForm), (std::set<std::string>{"/values/premises", "/values/main_business",
                                                      "/values/scope", "/values/colour"}));
  ASSERT_EQ(h.as("company", "PUT", path(app, "/forms/premises"),
                 {{"values",
                   {{"premises", "岚山市青石路 8 号一层"},
                    {"main_business", "餐饮服务"},
                    {"scope", "热食类食品制售"}}}})
                .status,
            200);
  ASSERT_EQ(h.as("company", "PUT", path(app, "/forms/company"),
                 {{"values",
                   {{"company_name", "岚山青石茶业有限公司"},
                    {"company_type", "有限责任公司"},
                    {"legal_representative", "陈静"},
                    {"registered_capital", "100 万元"},
                    {"business_scope", "茶叶销售；餐饮服务"},
                    {"address", "岚山市青石路 1 号"}}}})
                .status,
            200);

  // Uploads: the declared type must be accepted and the content must be of that type.
  EXPECT_EQ(upload("company", app, "articles", "text/plain", "hello").status, 400);
  auto disguised = upload("company", app, "articles", "application/pdf", kPng);
  EXPECT_EQ(disguised.status, 400);
  EXPECT_EQ(disguised.json["code"], "services.upload_content") << disguised.body;
  EXPECT_EQ(upload("company", app, "articles", "image/png", kPng).json["code"],
            "services.upload_type");
  EXPECT_EQ(upload("company", app, "health_certificates", "application/pdf", "").status, 400);
  auto large = upload("company", app, "health_certificates", "application/pdf",
                      kPdf + std::string(1024 * 1024, ' '));  // past the item's limit
  EXPECT_EQ(large.json["code"], "services.upload_size") << large.body;
  EXPECT_EQ(upload("company", app, "licence_record", "application/pdf", kPdf).status, 409);
  ASSERT_EQ(upload("company", app, "articles", "application/pdf", kPdf).status, 200);
  ASSERT_EQ(upload("company", app, "health_certificates", "image/png", kPng).status, 200);

  // The applicant refuses the fetched tax record and uploads it instead.
  auto refused = h.as("company", "POST", path(app, "/materials/taxes/refuse"));
  ASSERT_EQ(refused.status, 200) << refused.body;
  EXPECT_EQ(material(refused.json, "taxes")["state"], "missing");
  EXPECT_FALSE(material(refused.json, "taxes").contains("values"));
  ASSERT_EQ(upload("company", app, "taxes", "application/pdf", kPdf).status, 200);

  // The floor plan (not core) is left for later against a signed commitment.
  EXPECT_EQ(pointers(h.as("company", "POST", path(app, "/submit"), json::object())),
            (std::set<std::string>{"/materials/floor_plan"}));
  auto submitted = h.as("company", "POST", path(app, "/submit"), {{"commitment", true}});
  ASSERT_EQ(submitted.status, 200) << submitted.body;
  EXPECT_EQ(submitted.json["status"], "submitted");
  EXPECT_EQ(submitted.json["deficiencies"], json::array({"floor_plan"}));
  const std::string due = submitted.json["clock"]["due_on"];
  EXPECT_TRUE(submitted.json["clock"]["state"] == "on_time" ||
              submitted.json["clock"]["state"] == "due_soon");
  EXPECT_EQ(h.as("company", "PUT", path(app, "/forms/premises"),
                 {{"values", {{"premises", "x"}, {"main_business", "y"}, {"scope", "z"}}}})
                .status,
            409);

  // Only the window's clerks return or accept it.
  EXPECT_EQ(h.as("company", "POST", path(app, "/accept")).status, 403);
  EXPECT_EQ(h.as("county.clerk", "POST", path(app, "/accept")).json["code"], "services.not_window");
  // The one-time notice: everything to correct at once.
  EXPECT_EQ(h.as("clerk", "POST", path(app, "/notice"), {{"items", json::array()}}).status, 400);
  auto notice = h.as("clerk", "POST", path(app, "/notice"),
                     {{"items", {{{"material", "articles"}, {"reason", "未签字盖章"}}}},
                      {"note", "请补正后重新提交"}});
  ASSERT_EQ(notice.status, 200) << notice.body;
  EXPECT_EQ(notice.json["status"], "returned");
  EXPECT_EQ(notice.json["clock"]["state"], "stopped");
  EXPECT_EQ(material(notice.json, "articles")["correction"], "未签字盖章");
  EXPECT_EQ(h.as("clerk", "POST", path(app, "/accept")).json["code"], "services.state");

  auto uncorrected = h.as("company", "POST", path(app, "/submit"), {{"commitment", true}});
  EXPECT_EQ(pointers(uncorrected), (std::set<std::string>{"/materials/articles"}));
  ASSERT_EQ(upload("company", app, "articles", "application/pdf", kPdf + "signed").status, 200);
  auto again = h.as("company", "POST", path(app, "/submit"), {{"commitment", true}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_GE(again.json["clock"]["due_on"].get<std::string>(), due);
  EXPECT_EQ(h.as("clerk", "POST", path(app, "/notice"),
                 {{"items", {{{"material", "premises"}, {"reason", "again"}}}}})
                .json["code"],
            "services.notice_given");

  // Accepted with the deficiency after the credit record shows no serious dishonesty.
  auto accepted = h.as("clerk", "POST", path(app, "/accept"));
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json["status"], "in_review");
  std::map<std::string, std::vector<std::string>> tasksOf;  // department code → task ids
  for (const auto& t : accepted.json["tasks"]) {
    EXPECT_EQ(t["status"], "open");
    EXPECT_TRUE(t["due_on"].is_string());
    tasksOf[t["org"]["code"]].push_back(t["id"]);
  }
  EXPECT_EQ(tasksOf["QH-LS-AMR"].size(), 2u);  // company registration and the food permit
  EXPECT_EQ(tasksOf["QH-LS-HC"].size(), 1u);   // the food permit's parallel health review
  EXPECT_EQ(tasksOf["QH-LS-TAX"].size(), 1u);
  EXPECT_EQ(tasksOf["QH-LS-HRSS"].size(), 1u);

  // Each department sees its own queue and decides its own tasks only.
  auto queue = h.as("hc.approver", "GET", "/api/v1/services/tasks?status=open");
  ASSERT_EQ(queue.status, 200) << queue.body;
  ASSERT_EQ(queue.json["items"].size(), 1u);
  EXPECT_EQ(queue.json["items"][0]["application_number"], number);
  const std::string amrTask = tasksOf["QH-LS-AMR"][0];
  EXPECT_EQ(
      h.as("hc.approver", "POST", "/api/v1/services/tasks/" + amrTask + "/approve").json["code"],
      "services.not_your_task");
  EXPECT_EQ(h.as("clerk", "POST", "/api/v1/services/tasks/" + amrTask + "/approve").status, 403);
  EXPECT_EQ(
      h.as("approver", "POST", "/api/v1/services/tasks/" + amrTask + "/reject", json::object())
          .status,
      400);  // a rejection needs its reason
  ASSERT_EQ(h.as("approver", "POST", "/api/v1/services/tasks/" + amrTask + "/approve",
                 {{"comment", "符合条件"}})
                .status,
            200);
  EXPECT_EQ(h.as("approver", "POST", "/api/v1/services/tasks/" + amrTask + "/approve").json["code"],
            "services.task_decided");
  ASSERT_EQ(
      h.as("hc.approver", "POST", "/api/v1/services/tasks/" + tasksOf["QH-LS-HC"][0] + "/approve")
          .status,
      200);
  ASSERT_EQ(
      h.as("tax.approver", "POST", "/api/v1/services/tasks/" + tasksOf["QH-LS-TAX"][0] + "/approve")
          .status,
      200);
  ASSERT_EQ(h.as("hrss.approver", "POST",
                 "/api/v1/services/tasks/" + tasksOf["QH-LS-HRSS"][0] + "/approve")
                .status,
            200);
  auto pending = h.as("company", "GET", path(app));
  EXPECT_EQ(pending.json["status"], "in_review");
  auto decided =
      h.as("approver", "POST", "/api/v1/services/tasks/" + tasksOf["QH-LS-AMR"][1] + "/approve");
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(decided.json["status"], "approved");
  ASSERT_EQ(decided.json["credential_ids"].size(), 2u);  // business licence, food permit
  EXPECT_TRUE(decided.json["clock"]["working_days"].is_number_integer());

  // The certificates are in the wallet and verify.
  for (const auto& id : decided.json["credential_ids"]) {
    auto c = h.as("company", "GET", "/api/v1/credentials/" + id.get<std::string>());
    ASSERT_EQ(c.status, 200) << c.body;
    auto v =
        h.as("anonymous", "POST", "/api/v1/credentials/verify", {{"credential", c.json["jwt"]}});
    ASSERT_EQ(v.status, 200) << v.body;
    EXPECT_EQ(v.json["valid"], true) << v.body;
  }
  auto permit = h.as("company", "GET",
                     "/api/v1/credentials/" + decided.json["credential_ids"][1].get<std::string>());
  EXPECT_EQ(permit.json["claims"]["premises"], "岚山市青石路 8 号一层") << permit.body;
  EXPECT_EQ(permit.json["claims"]["permit_no"], number + "-2");

  // Rated once.
  EXPECT_EQ(h.as("company", "POST", path(app, "/rating"), {{"score", 6}}).status, 400);
  EXPECT_EQ(h.as("company2", "POST", path(app, "/rating"), {{"score", 5}}).status, 404);
  ASSERT_EQ(
      h.as("company", "POST", path(app, "/rating"), {{"score", 5}, {"comment", "很方便"}}).status,
      201);
  EXPECT_EQ(h.as("company", "POST", path(app, "/rating"), {{"score", 4}}).json["code"],
            "services.rated");
  auto reviews = h.as("anonymous", "GET",
                      "/api/v1/services/reviews?item_id=" + itemId("QH-LS-AMR-FOOD-PERMIT"));
  EXPECT_EQ(reviews.json["total"], 1);
  EXPECT_EQ(reviews.json["counts"][4], 1);
  EXPECT_EQ(h.count("service_rectifications"), 0);

  // The figures count it: one application, decided, online, rated 5.
  auto figures = h.as("anonymous", "GET", "/api/v1/services/figures?by=item");
  ASSERT_EQ(figures.status, 200) << figures.body;
  EXPECT_EQ(figures.json["total"]["applications"], 1);
  EXPECT_EQ(figures.json["total"]["decided"], 1);
  EXPECT_EQ(figures.json["total"]["online_share"], 1.0);
  EXPECT_EQ(figures.json["total"]["satisfaction"], 1.0);
  EXPECT_EQ(figures.json["total"]["materials"], 8);
  EXPECT_EQ(figures.json["total"]["materials_fetched"], 2);  // the licence record and the wallet's
  EXPECT_EQ(figures.json["groups"].size(), 4u);
  bool permitSeen = false;
  for (const auto& g : figures.json["groups"])
    if (g["code"] == "QH-LS-AMR-FOOD-PERMIT") {
      permitSeen = true;
      EXPECT_EQ(g["applications"], 1);
      EXPECT_DOUBLE_EQ(g["compression"].get<double>(), 0.5);  // 20 statutory, 10 promised
    }
  EXPECT_TRUE(permitSeen);
  auto byDepartment = h.as("anonymous", "GET", "/api/v1/services/figures?by=department");
  EXPECT_EQ(byDepartment.json["groups"].size(), 3u);  // AMR, TAX, HRSS lead their items
  EXPECT_EQ(
      h.as("anonymous", "GET", "/api/v1/services/figures?from=2026-12-31&to=2026-01-01").status,
      400);
  EXPECT_EQ(h.as("anonymous", "GET", "/api/v1/services/figures?by=planet").status, 400);

  // The history, and a message at each step.
  auto done = h.as("company", "GET", path(app));
  EXPECT_EQ(types(done.json["history"], "type"),
            (std::vector<std::string>{"started", "form_filled", "form_filled", "file_uploaded",
                                      "file_uploaded", "material_refused", "file_uploaded",
                                      "submitted", "returned", "file_uploaded", "resubmitted",
                                      "accepted", "task_approved", "task_approved", "task_approved",
                                      "task_approved", "task_approved", "approved", "rated"}));
  EXPECT_EQ(done.json["rating"]["score"], 5);
  auto messages = h.as("company", "GET", "/api/v1/services/messages/mine?limit=50");
  ASSERT_EQ(messages.status, 200) << messages.body;
  auto kinds = types(messages.json["items"], "kind");
  EXPECT_EQ(kinds, (std::vector<std::string>{"approved", "accepted", "resubmitted", "returned",
                                             "submitted", "started"}));
  EXPECT_EQ(messages.json["unread"], 6);
  ASSERT_EQ(h.as("company", "POST",
                 "/api/v1/services/messages/" + messages.json["items"][0]["id"].get<std::string>() +
                     "/read")
                .status,
            204);
  EXPECT_EQ(h.as("company", "GET", "/api/v1/services/messages/mine").json["unread"], 5);

  // The company sees every fetch for its application in "who looked at my data".
  auto looked = h.as("company", "GET", "/api/v1/exchange/accesses/mine?limit=50");
  std::multiset<std::string> fetched;
  for (const auto& a : looked.json["items"])
    if (a["application"] == number) fetched.insert(a["resource_code"].get<std::string>());
  EXPECT_EQ(fetched, (std::multiset<std::string>{"QH-LS-AMR-BUSINESS-LICENCE",
                                                 "QH-LS-TAX-CLEARANCE", "QH-LS-AMR-CREDIT"}));

  // Another company sees none of it; the departments do.
  EXPECT_EQ(h.as("company2", "GET", path(app)).status, 404);
  EXPECT_EQ(h.as("hc.approver", "GET", path(app)).status, 200);
  EXPECT_EQ(h.as("cab.approver", "GET", path(app)).status, 404);
  auto mine = h.as("company", "GET", "/api/v1/services/applications/mine");
  EXPECT_EQ(mine.json["total"], 1);
  EXPECT_EQ(mine.json["items"][0]["status"], "approved");
}

TEST_P(ApplicationsApiTest, ARejectionEndsItAndAPoorRatingOpensACase) {
  auto started = h.as("clerk", "POST", "/api/v1/services/applications",
                      {{"item_id", itemId("QH-LS-HRSS-UNEMPLOYMENT")},
                       {"applicant", {{"resident_id", "44030519850312001X"}}}});
  ASSERT_EQ(started.status, 409) << started.body;  // an online-only item
  EXPECT_EQ(started.json["code"], "services.channel");
  EXPECT_EQ(h.as("clerk", "POST", "/api/v1/services/applications",
                 {{"item_id", itemId("QH-LS-PSB-ID-RENEWAL")},
                  {"applicant", {{"resident_id", "110101199003070000"}}}})
                .status,
            400);  // no such account
  started = h.as("clerk", "POST", "/api/v1/services/applications",
                 {{"item_id", itemId("QH-LS-PSB-ID-RENEWAL")},
                  {"applicant", {{"resident_id", "44030519850312001X"}}}});
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string app = started.json["id"];
  EXPECT_EQ(started.json["channel"], "window");
  EXPECT_EQ(started.json["visits"], 1);
  EXPECT_EQ(material(started.json, "identity")["state"], "fetched");
  // Applying for a company's item as a citizen is refused.
  EXPECT_EQ(h.as("citizen", "POST", "/api/v1/services/applications",
                 {{"item_id", itemId("QH-LS-AMR-FOOD-PERMIT")}})
                .json["code"],
            "services.wrong_applicant");

  // The clerk uploads the photograph and submits for the citizen, who follows it.
  ASSERT_EQ(upload("clerk", app, "photo", "image/png", kPng).status, 200);
  ASSERT_EQ(h.as("clerk", "POST", path(app, "/submit")).status, 200);
  EXPECT_EQ(h.as("citizen", "GET", path(app)).json["status"], "submitted");
  EXPECT_EQ(h.as("citizen2", "GET", path(app)).status, 404);
  ASSERT_EQ(h.as("clerk", "POST", path(app, "/accept")).status, 200);

  auto tasks = h.as("psb.approver", "GET", "/api/v1/services/tasks?status=open");
  ASSERT_EQ(tasks.json["items"].size(), 1u);
  const std::string task = tasks.json["items"][0]["id"];
  auto rejected = h.as("psb.approver", "POST", "/api/v1/services/tasks/" + task + "/reject",
                       {{"reason", "照片不符合要求"}});
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(rejected.json["status"], "rejected");
  EXPECT_EQ(rejected.json["reason"], "照片不符合要求");
  EXPECT_TRUE(rejected.json["credential_ids"].empty());
  EXPECT_EQ(
      h.as("psb.approver", "POST", "/api/v1/services/tasks/" + task + "/approve").json["code"],
      "services.task_decided");
  EXPECT_EQ(h.as("citizen", "POST", path(app, "/withdraw")).json["code"], "services.state");

  // A rating of 1 opens a case for the department, which replies and follows up.
  ASSERT_EQ(
      h.as("citizen", "POST", path(app, "/rating"), {{"score", 1}, {"comment", "太慢"}}).status,
      201);
  auto cases = h.as("psb.approver", "GET", "/api/v1/services/rectifications?status=open");
  ASSERT_EQ(cases.status, 200) << cases.body;
  ASSERT_EQ(cases.json["items"].size(), 1u);
  const std::string id = cases.json["items"][0]["id"];
  EXPECT_EQ(cases.json["items"][0]["score"], 1);
  EXPECT_EQ(h.as("hc.approver", "GET", "/api/v1/services/rectifications").json["total"], 0);
  EXPECT_EQ(h.as("hc.approver", "POST", "/api/v1/services/rectifications/" + id + "/reply",
                 {{"reply", "x"}})
                .status,
            403);
  EXPECT_EQ(h.as("psb.approver", "POST", "/api/v1/services/rectifications/" + id + "/close",
                 {{"follow_up", "x"}})
                .json["code"],
            "services.case_state");
  ASSERT_EQ(h.as("psb.approver", "POST", "/api/v1/services/rectifications/" + id + "/reply",
                 {{"reply", "已说明照片要求，可预约现场拍照"}})
                .status,
            200);
  auto closed = h.as("psb.approver", "POST", "/api/v1/services/rectifications/" + id + "/close",
                     {{"follow_up", "申请人已重新办理"}});
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(closed.json["status"], "closed");
  auto kinds =
      types(h.as("citizen", "GET", "/api/v1/services/messages/mine").json["items"], "kind");
  EXPECT_EQ(kinds, (std::vector<std::string>{"rectification_closed", "rectification_replied",
                                             "rectification_opened", "rejected", "accepted",
                                             "submitted", "started"}));
}

TEST_P(ApplicationsApiTest, TheCalendarCountsSpringFestivalAndItsMakeUpDays) {
  auto year = h.as("anonymous", "GET", "/api/v1/services/calendar/2026");
  ASSERT_EQ(year.status, 200) << year.body;
  EXPECT_EQ(year.json["holidays"].size(), 33u);
  auto cal = WorkingCalendar::fromJson(
      {{"holidays", year.json["holidays"]}, {"working_days", year.json["working_days"]}});
  // Friday 13 February: the next working day is Saturday the 14th (worked instead), then the
  // holiday runs to Monday the 23rd.
  EXPECT_EQ(cal.addWorkingDays(Date(2026, 2, 13), 1), Date(2026, 2, 14));
  EXPECT_EQ(cal.addWorkingDays(Date(2026, 2, 13), 2), Date(2026, 2, 24));
  EXPECT_EQ(cal.addWorkingDays(Date(2026, 2, 13), 5), Date(2026, 2, 27));
  EXPECT_EQ(cal.addWorkingDays(Date(2026, 2, 13), 6), Date(2026, 2, 28));  // a Saturday worked

  EXPECT_EQ(h.as("anonymous", "GET", "/api/v1/services/calendar/26").status, 400);
  EXPECT_EQ(h.as("clerk", "PUT", "/api/v1/services/calendar/2027",
                 {{"holidays", json::array()}, {"working_days", json::array()}})
                .status,
            403);
  auto wrong = h.as("admin", "PUT", "/api/v1/services/calendar/2027",
                    {{"holidays", {"2027-01-01", "2026-12-31"}}, {"working_days", json::array()}});
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(pointers(wrong), (std::set<std::string>{"/holidays/1"}));
  EXPECT_EQ(h.as("admin", "PUT", "/api/v1/services/calendar/2027",
                 {{"holidays", {"2027-01-01"}}, {"working_days", {"2027-01-05"}}})
                .json["code"],
            "services.calendar");  // a Tuesday cannot be made a working day
  auto ok = h.as("admin", "PUT", "/api/v1/services/calendar/2027",
                 {{"holidays", {"2027-01-01"}}, {"working_days", json::array()}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json["holidays"], json::array({"2027-01-01"}));
  EXPECT_EQ(h.as("anonymous", "GET", "/api/v1/services/calendar/2026").json["holidays"].size(),
            33u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApplicationsApiTest,
                         ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::services
