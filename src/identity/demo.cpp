#include "demo/demo.h"

#include <map>

#include "core/error.h"
#include "identity/identity.h"

namespace onceonly::demo {
namespace {

struct Dept {
  const char* suffix;
  const char* zh;
  const char* en;
  const char* kind;
};

const Dept kDepartments[] = {
    {"PSB", "公安局", "Public Security Bureau", "department"},
    {"AMR", "市场监督管理局", "Administration for Market Regulation", "department"},
    {"CAB", "民政局", "Civil Affairs Bureau", "department"},
    {"HRSS", "人力资源和社会保障局", "Human Resources and Social Security Bureau", "department"},
    {"NRB", "自然资源局", "Natural Resources Bureau", "department"},
    {"HC", "卫生健康委员会", "Health Commission", "department"},
    {"TAX", "税务局", "Taxation Bureau", "department"},
    {"GSC", "政务服务中心", "Government Service Centre", "service_centre"},
};

struct Gov {
  const char* code;
  const char* parent;
  const char* level;
  const char* zh;
  const char* en;
};

// A fictional province: 2 cities, 3 counties, 4 townships.
const Gov kGovernments[] = {
    {"QH", nullptr, "province", "清河省", "Qinghe Province"},
    {"QH-LS", "QH", "city", "岚山市", "Lanshan City"},
    {"QH-BY", "QH", "city", "白云市", "Baiyun City"},
    {"QH-LS-SX", "QH-LS", "county", "松溪县", "Songxi County"},
    {"QH-LS-HT", "QH-LS", "county", "禾田县", "Hetian County"},
    {"QH-BY-JK", "QH-BY", "county", "镜口县", "Jingkou County"},
    {"QH-LS-SX-QS", "QH-LS-SX", "township", "青石镇", "Qingshi Town"},
    {"QH-LS-SX-LX", "QH-LS-SX", "township", "柳溪乡", "Liuxi Township"},
    {"QH-LS-HT-DP", "QH-LS-HT", "township", "东坪镇", "Dongping Town"},
    {"QH-BY-JK-NW", "QH-BY-JK", "township", "南湾镇", "Nanwan Town"},
};

std::string residentId(const std::string& first17) {
  return first17 + identity::residentIdCheckDigit(first17);
}

std::string creditCode(const std::string& first17) {
  return first17 + identity::creditCodeCheckChar(first17);
}

}  // namespace

SeedResult seedIdentity(identity::Identity& id) {
  SeedResult out;
  std::map<std::string, std::string> orgIds;  // code → id
  if (!id.findOrgByCode("QH")) {
    out.created = true;
    for (const auto& g : kGovernments) {
      identity::OrgFields f;
      f.code = g.code;
      f.nameZh = g.zh;
      f.nameEn = g.en;
      f.level = g.level;
      f.kind = "government";
      if (g.parent) f.parentId = std::optional<std::string>(orgIds.at(g.parent));
      auto gov = id.createOrg(f);
      orgIds[g.code] = gov.id;
      ++out.orgs;
      for (const auto& d : kDepartments) {
        identity::OrgFields df;
        df.code = std::string(g.code) + "-" + d.suffix;
        df.nameZh = std::string(g.zh) + d.zh;
        df.nameEn = std::string(g.en) + " " + d.en;
        df.level = g.level;
        df.kind = d.kind;
        df.parentId = std::optional<std::string>(gov.id);
        orgIds[*df.code] = id.createOrg(df).id;
        ++out.orgs;
      }
    }
  }

  struct Staff {
    const char* username;
    const char* name;
    const char* org;
    std::set<std::string> roles;
  };
  const Staff staff[] = {
      {"admin", "平台管理员 Platform Admin", "QH-GSC", {"platform_admin"}},
      {"auditor", "审计员 Auditor", "QH", {"auditor"}},
      {"orgadmin", "岚山市管理员 Lanshan Org Admin", "QH-LS", {"org_admin"}},
      {"clerk", "窗口办事员 Window Clerk", "QH-LS-GSC", {"clerk"}},
      {"approver", "审批人 Approver", "QH-LS-AMR", {"approver"}},
      {"dataofficer", "数据专员 Data Officer", "QH-LS-PSB", {"data_officer"}},
      {"dispatcher", "派单员 Dispatcher", "QH-LS-GSC", {"dispatcher"}},
      {"county.clerk", "松溪县办事员 Songxi Clerk", "QH-LS-SX-GSC", {"clerk"}},
  };
  struct Citizen {
    const char* name;
    const char* first17;
  };
  const Citizen citizens[] = {
      {"张伟 Zhang Wei", "44030519850312001"},
      {"王芳 Wang Fang", "44030519920708002"},
      {"李娜 Li Na", "44030619780115003"},
      {"刘洋 Liu Yang", "44030720010921004"},
  };
  struct Company {
    const char* username;
    const char* person;
    const char* company;
    const char* first17;
  };
  const Company companies[] = {
      {"qingshi.tea", "陈静 Chen Jing", "岚山青石茶业有限公司 Lanshan Qingshi Tea Co., Ltd.",
       "91440305MA5F3K2L1"},
      {"baiyun.logistics", "周强 Zhou Qiang", "白云物流有限公司 Baiyun Logistics Co., Ltd.",
       "91440306MA5G7P8Q2"},
  };

  if (out.created) {
    for (const auto& s : staff) {
      identity::NewAccount a;
      a.kind = "staff";
      a.username = s.username;
      a.displayName = s.name;
      a.password = kDemoPassword;
      a.roles = s.roles;
      a.orgId = id.findOrgByCode(s.org)->id;
      id.createAccount(a);
      ++out.accounts;
    }
    for (const auto& c : citizens) {
      identity::NewAccount a;
      a.kind = "citizen";
      a.displayName = c.name;
      a.residentId = residentId(c.first17);
      a.password = kDemoPassword;
      id.createAccount(a);
      ++out.accounts;
    }
    for (const auto& c : companies) {
      identity::NewAccount a;
      a.kind = "company";
      a.username = c.username;
      a.displayName = c.person;
      a.companyName = c.company;
      a.creditCode = creditCode(c.first17);
      a.password = kDemoPassword;
      id.createAccount(a);
      ++out.accounts;
    }
  }
  for (const auto& s : staff) {
    std::string roles;
    for (const auto& r : s.roles) roles += r;
    out.credentials.push_back(
        {"staff", "username", s.username, kDemoPassword, roles + " at " + s.org});
  }
  for (const auto& c : citizens)
    out.credentials.push_back({"citizen", "resident_id", residentId(c.first17), kDemoPassword,
                               c.name, residentId(c.first17)});
  for (const auto& c : companies)
    out.credentials.push_back({"company", "username", c.username, kDemoPassword,
                               std::string(c.company) + " (" + creditCode(c.first17) + ")",
                               creditCode(c.first17)});
  return out;
}

}  // namespace onceonly::demo
