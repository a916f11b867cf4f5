// The service guide through the API on SQLite and PostgreSQL: the demo's items and packages,
// browsing by life event, theme, department and text, an item's materials named by where they
// come from, and adding items: who may, and every way an item can be wrong.
#include <gtest/gtest.h>

#include <set>

#include "support/api_harness.h"

namespace onceonly::services {
namespace {

using nlohmann::json;
using onceonly::testing::ApiHarness;
using onceonly::testing::Backend;

class ServicesApiTest : public ::testing::TestWithParam<Backend> {
 protected:
  ApiHarness h{GetParam()};

  json item(const std::string& code) {
    auto r = h.as("anonymous", "GET", "/api/v1/services/items?q=" + code);
    EXPECT_EQ(r.status, 200) << r.body;
    for (const auto& i : r.json["items"])
      if (i["code"] == code)
        return h.as("anonymous", "GET", "/api/v1/services/items/" + i["id"].get<std::string>())
            .json;
    ADD_FAILURE() << "no item " << code;
    return {};
  }

  // A valid new item of the civil affairs bureau, to spoil one member at a time.
  json newItem() {
    return {{"org_id", h.idOfOrg("QH-LS-CAB")},
            {"code", "QH-LS-CAB-ADOPTION-REG"},
            {"name_zh", "收养登记"},
            {"name_en", "Adoption registration"},
            {"kind", "registration"},
            {"subject_kind", "person"},
            {"legal_basis", "《中国公民收养子女登记办法》"},
            {"statutory_days", 30},
            {"promised_days", 10},
            {"channels", {"window"}},
            {"visits", 1},
            {"life_events", {"birth"}},
            {"themes", {"family", "civil_affairs"}},
            {"materials",
             {{{"code", "identity"},
               {"name_zh", "居民身份信息"},
               {"name_en", "Resident identity"},
               {"source", "resource"},
               {"resource_code", "QH-LS-PSB-RESIDENT"},
               {"fields", {"name", "birth_date"}}},
              {{"code", "marriage"},
               {"name_zh", "结婚证"},
               {"name_en", "Marriage certificate"},
               {"source", "certificate"},
               {"credential_type", "marriage_certificate"},
               {"core", false}},
              {{"code", "home_visit"},
               {"name_zh", "家庭情况报告"},
               {"name_en", "Home report"},
               {"source", "upload"},
               {"upload_types", {"application/pdf"}},
               {"max_bytes", 1048576}}}},
            {"stages",
             {{{"name_zh", "审查"}, {"name_en", "Review"}, {"org_ids", {h.idOfOrg("QH-LS-CAB")}}}}},
            {"allows_deficiency", true}};
  }

  std::set<std::string> pointers(const onceonly::testing::Reply& r) {
    std::set<std::string> out;
    for (const auto& e : r.json["errors"]) out.insert(e["pointer"]);
    return out;
  }
};

TEST_P(ServicesApiTest, TheDemoGuideIsBrowsedByLifeEventThemeDepartmentAndText) {
  auto all = h.as("anonymous", "GET", "/api/v1/services/items?limit=200");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.json["total"], 30);
  auto birth = h.as("anonymous", "GET", "/api/v1/services/items?life_event=birth");
  std::set<std::string> codes;
  for (const auto& i : birth.json["items"]) codes.insert(i["code"]);
  EXPECT_EQ(codes, (std::set<std::string>{"QH-LS-PSB-BIRTH-HUKOU", "QH-LS-HRSS-MATERNITY",
                                          "QH-LS-HC-BIRTH-CERT", "QH-LS-HC-VACCINATION-BOOK",
                                          "QH-LS-HC-MATERNAL-BOOK"}));
  auto tax =
      h.as("anonymous", "GET",
           "/api/v1/services/items?org_id=" + h.idOfOrg("QH-LS-TAX") + "&subject_kind=company");
  EXPECT_EQ(tax.json["total"], 2);
  auto text = h.as("anonymous", "GET", "/api/v1/services/items?q=%E7%BB%93%E5%A9%9A");  // 结婚
  ASSERT_EQ(text.json["total"], 1);
  EXPECT_EQ(text.json["items"][0]["code"], "QH-LS-CAB-MARRIAGE-REG");
  EXPECT_EQ(text.json["items"][0]["org"]["code"], "QH-LS-CAB");
  EXPECT_EQ(h.as("anonymous", "GET", "/api/v1/services/items?life_event=moon_landing").status, 400);
  EXPECT_EQ(h.as("anonymous", "GET", "/api/v1/services/items?colour=red").status, 400);
  // Sorted by promised days, a page at a time.
  auto fast = h.as("anonymous", "GET", "/api/v1/services/items?sort=promised_days&limit=10");
  ASSERT_TRUE(fast.json["next_cursor"].is_string());
  EXPECT_EQ(fast.json["items"][0]["promised_days"], 1);
  auto next = h.as("anonymous", "GET",
                   "/api/v1/services/items?sort=promised_days&limit=10&cursor=" +
                       fast.json["next_cursor"].get<std::string>());
  EXPECT_EQ(next.json["items"].size(), 10u);
}

TEST_P(ServicesApiTest, AnItemNamesWhereEachMaterialComesFrom) {
  auto food = item("QH-LS-AMR-FOOD-PERMIT");
  EXPECT_EQ(food["promised_days"], 10);
  EXPECT_DOUBLE_EQ(food["compression"].get<double>(), 0.5);
  EXPECT_EQ(food["allows_deficiency"], true);
  ASSERT_EQ(food["stages"].size(), 1u);
  EXPECT_EQ(food["stages"][0]["orgs"].size(), 2u);  // market regulation and health, in parallel
  std::map<std::string, json> byCode;
  for (const auto& m : food["materials"]) byCode[m["code"]] = m;
  EXPECT_EQ(byCode["business_licence"]["source"], "certificate");
  EXPECT_EQ(byCode["business_licence"]["credential"]["name_en"], "Business licence");
  EXPECT_EQ(byCode["floor_plan"]["core"], false);
  EXPECT_EQ(food["issues"][0]["code"], "food_business_permit");
  auto transfer = item("QH-LS-NRB-TRANSFER");
  for (const auto& m : transfer["materials"]) {
    if (m["source"] == "resource") {
      EXPECT_TRUE(m["resource"]["name_zh"].is_string()) << m.dump();
    }
  }
}

TEST_P(ServicesApiTest, PackagesBundleTheirItems) {
  auto list = h.as("anonymous", "GET", "/api/v1/services/packages");
  ASSERT_EQ(list.json["total"], 3);
  auto birth = h.as("anonymous", "GET", "/api/v1/services/packages?life_event=business_start");
  ASSERT_EQ(birth.json["total"], 1);
  EXPECT_EQ(birth.json["items"][0]["code"], "open_restaurant");
  auto full = h.as("anonymous", "GET",
                   "/api/v1/services/packages/" + birth.json["items"][0]["id"].get<std::string>());
  ASSERT_EQ(full.json["items"].size(), 4u);
  EXPECT_EQ(full.json["items"][1]["code"], "QH-LS-AMR-FOOD-PERMIT");
  EXPECT_EQ(h.as("anonymous", "GET", "/api/v1/services/packages/pkg_0000000000000000").status, 404);
}

TEST_P(ServicesApiTest, AnAdministratorAddsItemsOfItsDepartments) {
  auto made = h.as("orgadmin", "POST", "/api/v1/services/items", newItem());
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json["org"]["code"], "QH-LS-CAB");
  EXPECT_EQ(made.json["level"], "city");
  EXPECT_EQ(h.as("orgadmin", "POST", "/api/v1/services/items", newItem()).json["code"],
            "conflict.duplicate");
  auto other = newItem();
  other["code"] = "QH-LS-CAB-OTHER";
  EXPECT_EQ(h.as("clerk", "POST", "/api/v1/services/items", other).status, 403);
  EXPECT_EQ(h.as("citizen", "POST", "/api/v1/services/items", other).status, 403);
  other["org_id"] = h.idOfOrg("QH-BY-CAB");  // another city: beyond Lanshan's administrator
  EXPECT_EQ(h.as("orgadmin", "POST", "/api/v1/services/items", other).json["code"],
            "services.not_own_department");
  EXPECT_EQ(h.as("anonymous", "GET", "/api/v1/services/items").json["total"], 31);
}

TEST_P(ServicesApiTest, EveryWayAnItemCanBeWrongIsReportedAtOnceAndNothingIsAdded) {
  auto bad = newItem();
  bad["promised_days"] = 40;                                   // beyond the statutory 30
  bad["channels"] = {"fax"};                                   // no such channel
  bad["materials"][0]["resource_code"] = "QH-LS-PSB-NOWHERE";  // no such resource
  bad["materials"][1]["credential_type"] = "moon_licence";     // no such certificate type
  bad["materials"][2]["upload_types"] = {"application/zip"};
  bad["materials"][2]["fields"] = {"x"};  // belongs to another source
  bad["stages"][0]["org_ids"] = {"org_0000000000000000"};
  bad["colour"] = "blue";
  auto r = h.as("orgadmin", "POST", "/api/v1/services/items", bad);
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(pointers(r),
            (std::set<std::string>{"/promised_days", "/channels/0", "/materials/0/resource_code",
                                   "/materials/1/credential_type", "/materials/2/upload_types/0",
                                   "/materials/2/fields", "/stages/0/org_ids/0", "/colour"}));
  auto field = newItem();
  field["materials"][0]["fields"] = {"name", "shoe_size"};
  EXPECT_EQ(pointers(h.as("orgadmin", "POST", "/api/v1/services/items", field)),
            (std::set<std::string>{"/materials/0/fields/1"}));
  auto strict = newItem();
  strict["materials"][1]["core"] = true;  // nothing optional left to accept missing
  EXPECT_EQ(pointers(h.as("orgadmin", "POST", "/api/v1/services/items", strict)),
            (std::set<std::string>{"/allows_deficiency"}));
  EXPECT_EQ(h.as("orgadmin", "POST", "/api/v1/services/items", json::array()).status, 400);
  EXPECT_EQ(h.count("service_items"), 30);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServicesApiTest,
                         ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::services
