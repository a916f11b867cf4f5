// The demo catalog: the resources the departments of Lanshan (QH-LS) hold, on the terms a real
// government would share them.
#include <filesystem>
#include <fstream>

#include "api/module.h"
#include "catalog/catalog.h"
#include "catalog/hosted.h"
#include "demo/demo.h"
#include "identity/identity.h"

namespace onceonly::catalog {
namespace {

Field field(const char* name, const char* type, const char* zh, const char* en,
            const char* sensitivity = "internal", const char* masking = "none") {
  Field f;
  f.name = name;
  f.type = type;
  f.descriptionZh = zh;
  f.descriptionEn = en;
  f.sensitivity = sensitivity;
  f.masking = masking;
  return f;
}

struct DemoResource {
  const char* dept;
  const char* code;
  const char* zh;
  const char* en;
  const char* subject;
  const char* sharing;
  const char* open;
  const char* frequency;
  std::vector<Field> fields;
  const char* connector = nullptr;  // served by the department's own system there
};

// Where the demo's connector (scripts/run.sh starts it) answers for the tax bureau.
constexpr const char* kDemoConnector = "http://127.0.0.1:8091/records";

std::vector<DemoResource> demoResources() {
  const auto name = field("name", "string", "姓名", "Name", "personal", "name");
  const auto id = field("resident_id", "string", "公民身份号码", "Resident ID number", "sensitive",
                        "id_number");
  const auto company = field("company_name", "string", "企业名称", "Company name", "public");
  const auto usc =
      field("credit_code", "string", "统一社会信用代码", "Unified social credit code", "public");
  return {
      {"PSB",
       "QH-LS-PSB-RESIDENT",
       "居民身份信息",
       "Resident identity",
       "person",
       "conditional",
       "closed",
       "realtime",
       {id, name, field("birth_date", "date", "出生日期", "Date of birth", "personal", "all"),
        field("address", "string", "住址", "Address", "personal", "all")}},
      {"PSB",
       "QH-LS-PSB-HOUSEHOLD",
       "户籍信息",
       "Household registration",
       "person",
       "conditional",
       "closed",
       "daily",
       {id, name,
        field("household_head", "boolean", "是否户主", "Head of household", "personal", "none"),
        field("registered_address", "string", "户籍地址", "Registered address", "personal",
              "all")}},
      {"CAB",
       "QH-LS-CAB-MARRIAGE",
       "婚姻登记信息",
       "Marriage registration",
       "person",
       "conditional",
       "closed",
       "daily",
       {id, name, field("spouse_name", "string", "配偶姓名", "Spouse's name", "personal", "name"),
        field("registered_on", "date", "登记日期", "Registered on")}},
      {"HC",
       "QH-LS-HC-BIRTH",
       "出生医学证明信息",
       "Birth medical certificate",
       "person",
       "conditional",
       "closed",
       "daily",
       {id, field("child_name", "string", "新生儿姓名", "Child's name", "personal", "name"),
        field("born_on", "date", "出生日期", "Born on", "personal", "none"),
        field("hospital", "string", "出生医院", "Hospital")}},
      {"HRSS",
       "QH-LS-HRSS-SOCIAL-INSURANCE",
       "社会保险缴纳记录",
       "Social insurance payments",
       "person",
       "conditional",
       "closed",
       "monthly",
       {id, name, field("months_paid", "integer", "累计缴费月数", "Months paid", "personal"),
        field("last_paid_on", "date", "最近缴费日期", "Last paid on", "personal")}},
      {"NRB",
       "QH-LS-NRB-REAL-ESTATE",
       "不动产登记信息",
       "Real-estate ownership",
       "person",
       "conditional",
       "closed",
       "daily",
       {id, name, field("certificate_no", "string", "不动产权证号", "Certificate number"),
        field("floor_area", "decimal", "建筑面积", "Floor area (m²)", "personal")}},
      {"AMR",
       "QH-LS-AMR-BUSINESS-LICENCE",
       "营业执照信息",
       "Business licence",
       "company",
       "unconditional",
       "open",
       "realtime",
       {usc, company,
        field("legal_representative", "string", "法定代表人", "Legal representative", "personal",
              "name"),
        field("registered_on", "date", "成立日期", "Registered on", "public")}},
      {"TAX",
       "QH-LS-TAX-CLEARANCE",
       "完税情况",
       "Tax clearance",
       "company",
       "unconditional",
       "closed",
       "monthly",
       {usc, company, field("in_arrears", "boolean", "是否欠税", "In arrears", "internal")}},
      {"AMR",
       "QH-LS-AMR-CREDIT",
       "企业信用记录",
       "Company credit record",
       "company",
       "unconditional",
       "conditional",
       "daily",
       {usc, field("serious_dishonesty", "boolean", "是否列入严重失信名单",
                   "On the list of serious dishonesty", "public")}},
      {"TAX",
       "QH-LS-TAX-INCOME",
       "个人所得税纳税记录",
       "Individual income tax",
       "person",
       "conditional",
       "closed",
       "yearly",
       {id, name, field("tax_year", "integer", "纳税年度", "Tax year", "internal"),
        field("annual_income", "decimal", "年度收入", "Annual income", "sensitive", "all"),
        field("tax_paid", "decimal", "已缴税额", "Tax paid", "personal", "all")},
       kDemoConnector},
      {"PSB",
       "QH-LS-PSB-VEHICLE",
       "机动车登记信息",
       "Motor vehicle registration",
       "person",
       "conditional",
       "closed",
       "daily",
       {id, name, field("plate_no", "string", "号牌号码", "Plate number", "personal", "all"),
        field("vehicle_type", "string", "车辆类型", "Vehicle type"),
        field("registered_on", "date", "注册日期", "Registered on")}},
      {"CAB",
       "QH-LS-CAB-SUBSISTENCE",
       "最低生活保障对象信息",
       "Minimum subsistence allowance recipients",
       "person",
       "conditional",
       "closed",
       "monthly",
       {id, name,
        field("monthly_allowance", "decimal", "月保障金额", "Monthly allowance", "sensitive",
              "all"),
        field("granted_on", "date", "认定日期", "Granted on", "personal")}},
      {"CAB",
       "QH-LS-CAB-DISABILITY",
       "残疾人证信息",
       "Disability certificate",
       "person",
       "conditional",
       "closed",
       "daily",
       {id, name, field("category", "string", "残疾类别", "Category", "sensitive", "all"),
        field("grade", "integer", "残疾等级", "Grade", "sensitive", "all")}},
      {"HC",
       "QH-LS-HC-VACCINATION",
       "预防接种记录",
       "Vaccination record",
       "person",
       "conditional",
       "closed",
       "daily",
       {id, name, field("doses", "integer", "接种剂次", "Doses", "personal"),
        field("last_dose_on", "date", "最近接种日期", "Last dose on", "personal")}},
      {"HRSS",
       "QH-LS-HRSS-EMPLOYMENT",
       "就业登记信息",
       "Employment registration",
       "person",
       "conditional",
       "closed",
       "monthly",
       {id, name, field("employer", "string", "就业单位", "Employer", "personal"),
        field("employed_since", "date", "就业日期", "Employed since", "personal")}},
      {"AMR",
       "QH-LS-AMR-FOOD-PERMIT",
       "食品经营许可信息",
       "Food business permit",
       "company",
       "unconditional",
       "open",
       "daily",
       {usc, company, field("permit_no", "string", "许可证编号", "Permit number", "public"),
        field("valid_until", "date", "有效期至", "Valid until", "public")}},
      {"NRB",
       "QH-LS-NRB-LAND-PLAN",
       "国土空间规划分区",
       "Land-use planning zones",
       "none",
       "unconditional",
       "open",
       "yearly",
       {field("zone", "string", "分区", "Zone", "public"),
        field("area_km2", "decimal", "面积（平方公里）", "Area (km²)", "public")}},
      {"HC",
       "QH-LS-HC-INSTITUTIONS",
       "医疗机构名录",
       "Medical institutions",
       "none",
       "unconditional",
       "open",
       "monthly",
       {field("institution", "string", "机构名称", "Institution", "public"),
        field("beds", "integer", "床位数", "Beds", "public")}},
      {"TAX",
       "QH-LS-TAX-REVENUE-STATS",
       "税收收入统计",
       "Tax revenue statistics",
       "none",
       "conditional",
       "conditional",
       "monthly",
       {field("month", "string", "月份", "Month", "public"),
        field("revenue", "decimal", "税收收入（万元）", "Revenue (10k yuan)", "internal")}},
      {"GSC",
       "QH-LS-GSC-SERVICE-STATS",
       "政务服务办件统计",
       "Service statistics",
       "none",
       "unconditional",
       "open",
       "monthly",
       {field("month", "string", "月份", "Month", "public"),
        field("applications", "integer", "办件量", "Applications", "public")}},
  };
}

}  // namespace

namespace {

// A plausible value of a demo record: the subject's own identifiers and name where a field asks
// for them, something of the field's type otherwise.
nlohmann::json demoValue(const Field& f, const demo::Credential& who, std::size_t n) {
  const std::string name = who.who.substr(0, who.who.find(' '));
  const std::string person = who.kind == "company" ? "陈静" : name;
  if (f.name == "resident_id" || f.name == "credit_code") return who.subject;
  if (f.name == "name" || f.name == "legal_representative") return person;
  if (f.name == "company_name") return who.who.substr(0, who.who.find(' '));
  if (f.name == "birth_date")  // from the resident ID: YYYYMMDD at positions 7 to 14
    return who.subject.substr(6, 4) + "-" + who.subject.substr(10, 2) + "-" +
           who.subject.substr(12, 2);
  if (f.name == "address" || f.name == "registered_address")
    return "岚山市青石路 " + std::to_string(10 + n * 7) + " 号";
  if (f.name == "spouse_name") return n % 2 ? "赵敏" : "孙丽";
  if (f.name == "child_name") return person.substr(0, 3) + "小宝";
  if (f.name == "hospital") return "岚山市人民医院";
  if (f.name == "certificate_no") return "岚山不动产权第 2026" + std::to_string(1000 + n) + " 号";
  if (f.name == "tax_year") return std::int64_t{2025};
  if (f.name == "annual_income") return std::to_string(96000 + n * 18500);
  if (f.name == "tax_paid") return std::to_string(1080 + n * 655) + ".5";
  if (f.type == "integer") return static_cast<std::int64_t>(24 + n * 13);
  if (f.type == "decimal") return std::to_string(80 + n * 9) + ".5";
  if (f.type == "boolean")
    return n % 2 == 0 && f.name != "in_arrears" && f.name != "serious_dishonesty";
  if (f.type == "date") return "20" + std::to_string(15 + n) + "-0" + std::to_string(3 + n) + "-18";
  return f.descriptionZh;
}

// The tax bureau's own data, which the platform does not hold: a CSV file that the demo's
// `onceonly connector` serves (<data_dir>/demo-connector/<code>.csv, keyed by resident_id).
void writeConnectorData(api::DemoSeeding& d, const Resource& r) {
  const auto dir = std::filesystem::path(d.config.dataDir) / "demo-connector";
  std::filesystem::create_directories(dir);
  std::ofstream out(dir / (r.code + ".csv"), std::ios::trunc);
  for (std::size_t i = 0; i < r.fields.size(); ++i) out << (i ? "," : "") << r.fields[i].name;
  out << "\n";
  std::size_t n = 0;
  for (const auto& who : d.result.credentials) {
    if (who.kind != "citizen") continue;
    for (std::size_t i = 0; i < r.fields.size(); ++i) {
      auto v = demoValue(r.fields[i], who, n);
      out << (i ? "," : "") << (v.is_string() ? v.get<std::string>() : v.dump());
    }
    out << "\n";
    ++n;
  }
}

// Records of the hosted resources about the demo citizens and companies, so that the exchange
// has something to answer with.
void seedRecords(api::DemoSeeding& d, const Resource& r) {
  if (r.source == "connector") return writeConnectorData(d, r);
  auto& records = d.services.get<Records>();
  if (r.subjectKind == "none" || records.count(r.id) > 0) return;
  std::size_t n = 0;
  for (const auto& who : d.result.credentials) {
    if (who.subject.empty() || (who.kind == "company") != (r.subjectKind == "company")) continue;
    nlohmann::json values = nlohmann::json::object();
    for (const auto& f : r.fields) values[f.name] = demoValue(f, who, n);
    records.upsert(r, who.subject, values);
    ++n;
  }
}

}  // namespace

void seedDemo(api::DemoSeeding& d) {
  auto& catalog = d.services.get<Catalog>();
  auto& identity = d.services.get<identity::Identity>();
  for (const auto& r : demoResources()) {
    auto org = identity.findOrgByCode(std::string("QH-LS-") + r.dept);
    if (!org) continue;                             // the identity demo was not seeded
    if (auto found = catalog.findByCode(r.code)) {  // seeded before
      seedRecords(d, *found);
      continue;
    }
    ResourceInput in;
    in.code = r.code;
    in.nameZh = r.zh;
    in.nameEn = r.en;
    in.descriptionZh = std::string(r.zh) + "（岚山市演示数据）";
    in.descriptionEn = std::string(r.en) + " (Lanshan demo data)";
    in.subjectKind = r.subject;
    in.sharing = r.sharing;
    in.openClass = r.open;
    in.updateFrequency = r.frequency;
    in.source = r.connector ? "connector" : "hosted";
    if (r.connector) in.connectorUrl = std::optional<std::string>(r.connector);
    in.fields = r.fields;
    seedRecords(d, catalog.create(org->id, in, "demo"));
    d.result.created = true;
  }
}

}  // namespace onceonly::catalog
