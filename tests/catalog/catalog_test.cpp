// The shared data catalog through the API: data officers list and change their department's
// resources (each change a version and a ledger entry), staff browse and search, bad input and
// other departments are refused and change nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "api/application.h"
#include "ledger/log.h"
#include "support/api_harness.h"

namespace onceonly::catalog {
namespace {

using onceonly::testing::ApiHarness;
using onceonly::testing::Backend;

nlohmann::json pensionResource(const std::string& code) {
  return {{"code", code},
          {"name_zh", "养老金领取信息"},
          {"name_en", "Pension payments"},
          {"description_zh", "按月发放的养老金"},
          {"subject_kind", "person"},
          {"sharing", "conditional"},
          {"open_class", "closed"},
          {"update_frequency", "monthly"},
          {"source", "hosted"},
          {"fields",
           {{{"name", "resident_id"},
             {"type", "string"},
             {"sensitivity", "sensitive"},
             {"masking", "id_number"}},
            {{"name", "monthly_amount"}, {"type", "decimal"}, {"sensitivity", "personal"}},
            {{"name", "status"}, {"type", "code"}, {"code_list", "pension_status"}}}}};
}

class CatalogTest : public ::testing::TestWithParam<Backend> {
 protected:
  ApiHarness h{GetParam()};

  std::vector<nlohmann::json> ledgerEntries(const std::string& type) {
    for (int i = 0; i < 400 && h.count("ledger_outbox") > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::vector<nlohmann::json> out;
    for (const auto& e : h.app().ledger().entries(0, 10000, std::nullopt)) {
      auto j = nlohmann::json::parse(e.text);
      if (j.value("type", "") == type) out.push_back(j);
    }
    return out;
  }
  std::string fieldCode(const testing::Reply& r, const std::string& pointer) {
    for (const auto& e : r.json["errors"])
      if (e.value("pointer", "") == pointer || e.value("parameter", "") == pointer)
        return e["code"];
    return "";
  }
};

TEST_P(CatalogTest, ADataOfficerListsAndChangesTheirDepartmentsResource) {
  auto made = h.as("dataofficer", "POST", "/api/v1/catalog/resources",
                   pensionResource("QH-LS-PSB-PENSION"));
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = made.json["id"];
  EXPECT_EQ(made.json["org_id"], h.idOfOrg("QH-LS-PSB"));  // the officer's own department
  EXPECT_EQ(made.json["version"], 1);
  EXPECT_EQ(made.json["fields"][0]["masking"], "id_number");
  EXPECT_EQ(made.json["fields"][1]["masking"], "none");

  auto changed = h.as("dataofficer", "PATCH", "/api/v1/catalog/resources/" + id,
                      {{"version", 1}, {"sharing", "unconditional"}, {"name_en", "Pensions"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json["version"], 2);
  EXPECT_EQ(changed.json["sharing"], "unconditional");
  EXPECT_EQ(changed.json["name_zh"], "养老金领取信息");  // what was not given stays

  // Someone who edited version 1 meanwhile is told, and changes nothing.
  auto stale = h.as("dataofficer", "PATCH", "/api/v1/catalog/resources/" + id,
                    {{"version", 1}, {"sharing", "not_shared"}});
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.json["code"], "catalog.version_conflict");

  auto versions = h.as("clerk", "GET", "/api/v1/catalog/resources/" + id + "/versions");
  ASSERT_EQ(versions.status, 200);
  ASSERT_EQ(versions.json["items"].size(), 2u);
  EXPECT_EQ(versions.json["items"][0]["version"], 2);
  EXPECT_EQ(versions.json["items"][1]["resource"]["sharing"], "conditional");

  // Both versions are on the ledger, with a digest of what was declared.
  auto created = ledgerEntries("catalog.resource.created");
  auto updated = ledgerEntries("catalog.resource.updated");
  ASSERT_EQ(updated.size(), 1u);
  EXPECT_EQ(updated[0]["resource"], id);
  EXPECT_EQ(updated[0]["version"], 2);
  bool found = false;
  for (const auto& e : created) found = found || e["resource"] == id;
  EXPECT_TRUE(found);
}

TEST_P(CatalogTest, StaffBrowseAndSearchInEitherLanguage) {
  // The demo catalog is there.
  auto all = h.as("clerk", "GET", "/api/v1/catalog/resources?limit=3");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_GE(all.json["total"], 10);
  EXPECT_EQ(all.json["items"].size(), 3u);
  ASSERT_TRUE(all.json["next_cursor"].is_string());
  auto next = h.as(
      "clerk", "GET",
      "/api/v1/catalog/resources?limit=3&cursor=" + all.json["next_cursor"].get<std::string>());
  ASSERT_EQ(next.status, 200);
  EXPECT_NE(next.json["items"][0]["id"], all.json["items"][0]["id"]);

  auto zh = h.as("auditor", "GET", "/api/v1/catalog/resources?q=%E5%A9%9A%E5%A7%BB");  // 婚姻
  ASSERT_EQ(zh.status, 200);
  ASSERT_EQ(zh.json["items"].size(), 1u);
  EXPECT_EQ(zh.json["items"][0]["code"], "QH-LS-CAB-MARRIAGE");
  auto en = h.as("auditor", "GET", "/api/v1/catalog/resources?q=licence");
  ASSERT_EQ(en.json["items"].size(), 1u);
  EXPECT_EQ(en.json["items"][0]["code"], "QH-LS-AMR-BUSINESS-LICENCE");

  // Three characters or more through the trigram index, in either language and any case;
  // a field's description counts too.
  auto search = [&](const std::string& q) {
    std::vector<std::string> codes;
    auto r = h.as("clerk", "GET", "/api/v1/catalog/resources?limit=200&q=" + q);
    EXPECT_EQ(r.status, 200) << r.body;
    for (const auto& item : r.json["items"]) codes.push_back(item["code"]);
    return codes;
  };
  EXPECT_EQ(search("%E5%87%BA%E7%94%9F%E5%8C%BB%E5%AD%A6"),  // 出生医学
            std::vector<std::string>{"QH-LS-HC-BIRTH"});
  EXPECT_EQ(search("HOUSEHOLD%20REG"), std::vector<std::string>{"QH-LS-PSB-HOUSEHOLD"});
  EXPECT_EQ(search("%E4%B8%8D%E5%8A%A8%E4%BA%A7%E6%9D%83%E8%AF%81%E5%8F%B7"),  // 不动产权证号
            std::vector<std::string>{"QH-LS-NRB-REAL-ESTATE"});
  EXPECT_EQ(search("%22quoted%22").size(), 0u);  // a quote is text, not FTS syntax
  EXPECT_EQ(search("zzzz").size(), 0u);

  auto byField = h.as("clerk", "GET", "/api/v1/catalog/resources?field=credit_code");
  EXPECT_EQ(byField.json["total"], 4);  // licence, tax clearance, credit record, food permit
  auto companies =
      h.as("clerk", "GET", "/api/v1/catalog/resources?subject_kind=company&sharing=unconditional");
  EXPECT_EQ(companies.json["total"], 4);
  auto psb = h.as("clerk", "GET", "/api/v1/catalog/resources?org_id=" + h.idOfOrg("QH-LS-PSB"));
  EXPECT_EQ(psb.json["total"], 3);  // resident, household, vehicle
  auto county = h.as("clerk", "GET", "/api/v1/catalog/resources?within=" + h.idOfOrg("QH-LS-SX"));
  EXPECT_EQ(county.json["total"], 0);

  auto bad = h.as("clerk", "GET", "/api/v1/catalog/resources?sharing=sometimes&sort=size");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(fieldCode(bad, "sharing"), "field.enum");
  EXPECT_EQ(fieldCode(bad, "sort"), "field.sort");
}

TEST_P(CatalogTest, AnyoneReadsThePublicCatalogWithoutConnectorAddresses) {
  // The staff catalog needs a sign-in; the public one does not, and pages the same way.
  EXPECT_EQ(h.call("GET", "/api/v1/catalog/resources").status, 401);
  auto page = h.call("GET", "/api/v1/catalog/public/resources?limit=5&q=QH-LS-TAX-INCOME");
  ASSERT_EQ(page.status, 200) << page.body;
  ASSERT_EQ(page.json["items"].size(), 1u);
  const auto& tax = page.json["items"][0];
  EXPECT_EQ(tax["code"], "QH-LS-TAX-INCOME");
  EXPECT_FALSE(tax.contains("connector_url"));
  EXPECT_EQ(tax["org_name_en"], "Lanshan City Taxation Bureau");
  EXPECT_EQ(tax["org_name_zh"], "岚山市税务局");
  EXPECT_FALSE(tax["fields"].empty());
  // Staff see where the connector is.
  auto staff = h.as("clerk", "GET", "/api/v1/catalog/resources/" + tax["id"].get<std::string>());
  EXPECT_TRUE(staff.json["connector_url"].is_string());
  auto one = h.call("GET", "/api/v1/catalog/public/resources/" + tax["id"].get<std::string>());
  ASSERT_EQ(one.status, 200);
  EXPECT_FALSE(one.json.contains("connector_url"));
  EXPECT_EQ(h.call("GET", "/api/v1/catalog/public/resources/res_nothere").status, 404);
  EXPECT_EQ(h.call("GET", "/api/v1/catalog/public/resources?sharing=sometimes").status, 400);
}

TEST_P(CatalogTest, BadResourcesAreExplainedAndChangeNothing) {
  const auto before = h.count("catalog_resources");
  auto body = pensionResource("bad code");
  body["fields"][2].erase("code_list");
  body["fields"].push_back({{"name", "resident_id"}, {"type", "string"}});
  body["fields"].push_back({{"name", "Notes"}, {"type", "text"}, {"colour", "red"}});
  body["fields"].push_back({{"name", "office"}, {"type", "string"}, {"masking", "all"}});
  body["sharing"] = "sometimes";
  auto r = h.as("dataofficer", "POST", "/api/v1/catalog/resources", body);
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(fieldCode(r, "/code"), "field.pattern");
  EXPECT_EQ(fieldCode(r, "/sharing"), "field.enum");
  EXPECT_EQ(fieldCode(r, "/fields/2/code_list"), "field.required");
  EXPECT_EQ(fieldCode(r, "/fields/3/name"), "catalog.field_twice");
  EXPECT_EQ(fieldCode(r, "/fields/4/name"), "field.pattern");
  EXPECT_EQ(fieldCode(r, "/fields/4/type"), "field.enum");
  EXPECT_EQ(fieldCode(r, "/fields/4/colour"), "field.unknown");
  EXPECT_EQ(fieldCode(r, "/fields/5/masking"), "catalog.masking_not_personal");
  EXPECT_EQ(h.count("catalog_resources"), before);

  auto none = pensionResource("QH-LS-PSB-NOBODY");
  none["subject_kind"] = "none";
  auto r2 = h.as("dataofficer", "POST", "/api/v1/catalog/resources", none);
  EXPECT_EQ(r2.status, 400);
  EXPECT_EQ(fieldCode(r2, "/fields/0/sensitivity"), "catalog.personal_without_subject");

  auto connector = pensionResource("QH-LS-PSB-REMOTE");
  connector["source"] = "connector";
  EXPECT_EQ(fieldCode(h.as("dataofficer", "POST", "/api/v1/catalog/resources", connector),
                      "/connector_url"),
            "field.required");

  auto taken = h.as("dataofficer", "POST", "/api/v1/catalog/resources",
                    pensionResource("QH-LS-PSB-RESIDENT"));
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.json["code"], "catalog.code_taken");
  EXPECT_EQ(h.count("catalog_resources"), before);
  EXPECT_EQ(h.count("catalog_resource_versions"), before);
}

// Who may do what, exactly; the generated walk covers these routes with every kind of caller
// too. A data officer of another department may read but not change a resource.
TEST_P(CatalogTest, OnlyTheHoldingDepartmentChangesAResource) {
  auto list = h.as("clerk", "GET", "/api/v1/catalog/resources?q=QH-LS-AMR-CREDIT");
  const std::string amr = list.json["items"][0]["id"];
  const std::string path = "/api/v1/catalog/resources/" + amr;
  const nlohmann::json change = {{"version", 1}, {"open_class", "open"}};
  EXPECT_EQ(h.as("anonymous", "GET", "/api/v1/catalog/resources").status, 401);
  EXPECT_EQ(h.as("citizen", "GET", "/api/v1/catalog/resources").status, 403);
  EXPECT_EQ(h.as("company", "GET", path).status, 403);
  for (const char* staff :
       {"clerk", "approver", "dataofficer", "dispatcher", "orgadmin", "auditor", "admin"})
    EXPECT_EQ(h.as(staff, "GET", path).status, 200) << staff;
  EXPECT_EQ(h.as("dataofficer", "PATCH", path, change).status, 403);  // PSB's, not AMR's
  EXPECT_EQ(h.as("orgadmin", "PATCH", path, change).status, 403);     // not a data officer
  EXPECT_EQ(
      h.as("clerk", "POST", "/api/v1/catalog/resources", pensionResource("QH-LS-GSC-X")).status,
      403);
  auto byAdmin = pensionResource("QH-LS-HRSS-PENSION");
  EXPECT_EQ(h.as("admin", "POST", "/api/v1/catalog/resources", byAdmin).status, 400);  // org_id?
  byAdmin["org_id"] = h.idOfOrg("QH-LS-HRSS");
  auto made = h.as("admin", "POST", "/api/v1/catalog/resources", byAdmin);
  EXPECT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(h.as("admin", "PATCH", path, change).status, 200);
  EXPECT_EQ(h.as("clerk", "GET", "/api/v1/catalog/resources/res_0000000000000000").status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogTest, ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::catalog
