// The demo's service guide: thirty service items of the Lanshan City departments, most of whose
// materials are fetched from the demo catalog or taken from the wallet rather than asked for,
// and three "one thing" packages: open a restaurant, have a baby, buy a home.
#include "demo/demo.h"
#include <random>
#include "api/module.h"

#include "catalog/catalog.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "exchange/exchange.h"
#include "identity/identity.h"
#include "services/applications.h"
#include "services/services.h"

namespace onceonly::services {

void checkReferences(api::Services& services, const ServiceItem& s, FieldErrors& e);

namespace {

using nlohmann::json;

json fetched(const char* code, const char* zh, const char* en, const char* resource,
             std::vector<std::string> fields) {
  return {{"code", code},
          {"name_zh", zh},
          {"name_en", en},
          {"source", "resource"},
          {"resource_code", resource},
          {"fields", fields}};
}

json certificate(const char* code, const char* zh, const char* en, const char* type) {
  return {{"code", code},
          {"name_zh", zh},
          {"name_en", en},
          {"source", "certificate"},
          {"credential_type", type}};
}

json form(const char* code, const char* zh, const char* en, json fields) {
  return {{"code", code},
          {"name_zh", zh},
          {"name_en", en},
          {"source", "form"},
          {"form_fields", std::move(fields)}};
}

json field(const char* name, const char* type, const char* zh, const char* en,
           bool required = true) {
  return {
      {"name", name}, {"type", type}, {"label_zh", zh}, {"label_en", en}, {"required", required}};
}

json upload(const char* code, const char* zh, const char* en, bool core = true,
            std::vector<std::string> types = {"application/pdf", "image/jpeg", "image/png"}) {
  return {{"code", code},       {"name_zh", zh},         {"name_en", en},
          {"source", "upload"}, {"upload_types", types}, {"max_bytes", 1024 * 1024},
          {"core", core}};
}

const json kResident = fetched("identity", "居民身份信息", "Resident identity",
                               "QH-LS-PSB-RESIDENT", {"name", "resident_id", "birth_date"});
const json kHousehold =
    fetched("household", "户籍信息", "Household registration", "QH-LS-PSB-HOUSEHOLD",
            {"name", "household_head", "registered_address"});
const json kLicence =
    certificate("business_licence", "营业执照", "Business licence", "business_licence");
const json kLicenceRecord =
    fetched("licence_record", "营业执照登记信息", "Business licence record",
            "QH-LS-AMR-BUSINESS-LICENCE", {"credit_code", "company_name", "legal_representative"});
const json kTaxes =
    fetched("taxes", "完税情况", "Taxes settled", "QH-LS-TAX-CLEARANCE", {"in_arrears"});

struct DemoItem {
  const char* code;
  const char* dept;
  const char* zh;
  const char* en;
  const char* kind;
  const char* subject;
  int statutory, promised, visits;
  std::int64_t feeCents;
  std::vector<std::string> channels, lifeEvents, themes;
  std::vector<json> materials;
  std::vector<std::string> certificates;
  std::vector<const char*> alsoDeciding;  // departments deciding beside the responsible one
  const char* legalBasis;
  bool allowsDeficiency = false;
};

const std::vector<std::string> kBoth = {"online", "window"};
const std::vector<std::string> kOnline = {"online"};
const std::vector<std::string> kWindow = {"window"};

std::vector<DemoItem> demoItems() {
  return {
      // Public security
      {"QH-LS-PSB-BIRTH-HUKOU",
       "PSB",
       "新生儿入户",
       "Household registration of a newborn",
       "registration",
       "person",
       20,
       5,
       0,
       0,
       kBoth,
       {"birth"},
       {"family", "public_security"},
       {kHousehold,
        fetched("birth", "出生医学证明信息", "Birth medical record", "QH-LS-HC-BIRTH",
                {"child_name", "born_on", "hospital"}),
        form("child", "新生儿信息", "The child",
             json::array({field("child_name", "string", "新生儿姓名", "Child's name")}))},
       {},
       {},
       "《中华人民共和国户口登记条例》第七条"},
      {"QH-LS-PSB-ID-RENEWAL",
       "PSB",
       "居民身份证换领",
       "Renewal of a resident identity card",
       "certificate",
       "person",
       60,
       15,
       1,
       2000,
       kBoth,
       {},
       {"public_security"},
       {kResident, upload("photo", "证件照片", "Photograph", true, {"image/jpeg", "image/png"})},
       {},
       {},
       "《中华人民共和国居民身份证法》第十一条"},
      {"QH-LS-PSB-HUKOU-MOVE",
       "PSB",
       "购房落户",
       "Household move on buying a home",
       "registration",
       "person",
       20,
       5,
       0,
       0,
       kBoth,
       {"housing"},
       {"housing", "public_security"},
       {kHousehold, fetched("property", "不动产登记信息", "Real-estate record",
                            "QH-LS-NRB-REAL-ESTATE", {"certificate_no", "floor_area"})},
       {},
       {},
       "《岚山市户籍管理规定》第十二条"},
      {"QH-LS-PSB-VEHICLE-REG",
       "PSB",
       "机动车注册登记",
       "Registration of a motor vehicle",
       "registration",
       "person",
       5,
       1,
       1,
       0,
       kWindow,
       {"vehicle"},
       {"transport"},
       {kResident, upload("invoice", "购车发票", "Purchase invoice"),
        upload("inspection", "车辆查验记录", "Vehicle inspection record")},
       {},
       {},
       "《机动车登记规定》第十六条"},
      {"QH-LS-PSB-NO-CRIME",
       "PSB",
       "无犯罪记录证明开具",
       "Certificate of no criminal record",
       "certificate",
       "person",
       7,
       3,
       0,
       0,
       kOnline,
       {"employment"},
       {"public_security"},
       {kResident, form("use", "用途", "Purpose of use",
                        json::array({field("purpose", "string", "证明用途", "What it is for")}))},
       {},
       {},
       "《关于建立犯罪人员犯罪记录制度的意见》"},
      // Market regulation
      {"QH-LS-AMR-COMPANY-REG",
       "AMR",
       "企业设立登记",
       "Registration of a new company",
       "registration",
       "company",
       15,
       1,
       0,
       0,
       kBoth,
       {"business_start"},
       {"enterprise"},
       {form("company", "企业信息", "The company",
             json::array(
                 {field("company_name", "string", "企业名称", "Company name"),
                  field("company_type", "string", "企业类型", "Type of company"),
                  field("legal_representative", "string", "法定代表人", "Legal representative"),
                  field("registered_capital", "string", "注册资本", "Registered capital"),
                  field("business_scope", "string", "经营范围", "Business scope"),
                  field("address", "string", "住所", "Address")})),
        upload("articles", "公司章程", "Articles of association", true, {"application/pdf"})},
       {"business_licence"},
       {},
       "《中华人民共和国市场主体登记管理条例》第十九条"},
      {"QH-LS-AMR-FOOD-PERMIT",
       "AMR",
       "食品经营许可",
       "Food business permit",
       "licence",
       "company",
       20,
       10,
       0,
       0,
       kBoth,
       {"business_start"},
       {"enterprise", "health"},
       {kLicence,
        form("premises", "经营场所与业态", "Premises and business",
             json::array({field("premises", "string", "经营场所", "Premises"),
                          field("main_business", "string", "主体业态", "Main business"),
                          field("scope", "string", "经营项目", "Scope")})),
        upload("floor_plan", "经营场所平面图", "Floor plan of the premises", false),
        upload("health_certificates", "从业人员健康证明", "Staff health certificates")},
       {"food_business_permit"},
       {"HC"},
       "《食品经营许可和备案管理办法》第十五条",
       true},
      {"QH-LS-AMR-COMPANY-CHANGE",
       "AMR",
       "企业变更登记",
       "Change of a company's registration",
       "registration",
       "company",
       15,
       1,
       0,
       0,
       kBoth,
       {"business_operation"},
       {"enterprise"},
       {kLicence, form("change", "变更事项", "What changes",
                       json::array({field("item", "string", "变更事项", "Item changed"),
                                    field("new_value", "string", "变更后内容", "New value")}))},
       {"business_licence"},
       {},
       "《中华人民共和国市场主体登记管理条例》第二十四条"},
      {"QH-LS-AMR-COMPANY-CLOSE",
       "AMR",
       "企业注销登记",
       "Closing a company",
       "registration",
       "company",
       20,
       3,
       0,
       0,
       kBoth,
       {"business_operation"},
       {"enterprise"},
       {kLicence,
        fetched("taxes", "完税情况", "Taxes settled", "QH-LS-TAX-CLEARANCE", {"in_arrears"}),
        upload("resolution", "注销决议", "Resolution to close", true, {"application/pdf"})},
       {},
       {"TAX"},
       "《中华人民共和国市场主体登记管理条例》第三十一条"},
      {"QH-LS-AMR-SOLE-TRADER",
       "AMR",
       "个体工商户登记",
       "Registration of a sole trader",
       "registration",
       "person",
       15,
       1,
       0,
       0,
       kBoth,
       {"business_start"},
       {"enterprise"},
       {kResident, form("shop", "经营信息", "The business",
                        json::array({field("shop_name", "string", "字号名称", "Trade name"),
                                     field("premises", "string", "经营场所", "Premises")}))},
       {},
       {},
       "《促进个体工商户发展条例》第八条"},
      // Taxation
      {"QH-LS-TAX-NEW-TAXPAYER",
       "TAX",
       "新办纳税人涉税事项",
       "Tax registration of a new business",
       "registration",
       "company",
       5,
       1,
       0,
       0,
       kOnline,
       {"business_start"},
       {"tax", "enterprise"},
       {kLicenceRecord},
       {},
       {},
       "《中华人民共和国税收征收管理法》第十五条"},
      {"QH-LS-TAX-CLEARANCE-CERT",
       "TAX",
       "开具无欠税证明",
       "Tax clearance certificate",
       "certificate",
       "company",
       5,
       1,
       0,
       0,
       kOnline,
       {"business_operation"},
       {"tax"},
       {kLicence,
        fetched("taxes", "完税情况", "Taxes settled", "QH-LS-TAX-CLEARANCE", {"in_arrears"})},
       {"tax_clearance"},
       {},
       "《国家税务总局关于开具无欠税证明有关事项的公告》"},
      {"QH-LS-TAX-IIT-REFUND",
       "TAX",
       "个人所得税综合所得汇算退税",
       "Income tax refund",
       "benefit",
       "person",
       20,
       10,
       0,
       0,
       kOnline,
       {"employment"},
       {"tax"},
       {kResident, fetched("income", "个人所得税纳税记录", "Income tax record", "QH-LS-TAX-INCOME",
                           {"tax_year", "tax_paid"})},
       {},
       {},
       "《中华人民共和国个人所得税法》第十一条"},
      {"QH-LS-TAX-DEED-TAX",
       "TAX",
       "契税申报",
       "Deed tax return on buying a home",
       "filing",
       "person",
       5,
       1,
       0,
       0,
       kBoth,
       {"housing"},
       {"tax", "housing"},
       {kResident,
        upload("contract", "不动产买卖合同", "Sale contract", true, {"application/pdf"})},
       {},
       {},
       "《中华人民共和国契税法》第九条"},
      // Human resources and social security
      {"QH-LS-HRSS-EMPLOYER-REG",
       "HRSS",
       "单位社会保险登记",
       "Social insurance registration of an employer",
       "registration",
       "company",
       5,
       1,
       0,
       0,
       kOnline,
       {"business_start"},
       {"social_security", "enterprise"},
       {kLicenceRecord, kTaxes},
       {},
       {},
       "《中华人民共和国社会保险法》第五十七条"},
      {"QH-LS-HRSS-UNEMPLOYMENT",
       "HRSS",
       "失业保险金申领",
       "Unemployment benefit",
       "benefit",
       "person",
       20,
       5,
       0,
       0,
       kOnline,
       {"employment"},
       {"employment", "social_security"},
       {kResident,
        fetched("employment", "就业登记信息", "Employment record", "QH-LS-HRSS-EMPLOYMENT",
                {"employer", "employed_since"}),
        fetched("contributions", "社会保险缴纳记录", "Social insurance contributions",
                "QH-LS-HRSS-SOCIAL-INSURANCE", {"months_paid"})},
       {},
       {},
       "《失业保险条例》第十四条"},
      {"QH-LS-HRSS-PENSION",
       "HRSS",
       "基本养老金申领",
       "Old-age pension",
       "benefit",
       "person",
       20,
       10,
       0,
       0,
       kBoth,
       {"retirement"},
       {"social_security"},
       {kResident, fetched("contributions", "社会保险缴纳记录", "Social insurance contributions",
                           "QH-LS-HRSS-SOCIAL-INSURANCE", {"months_paid"})},
       {},
       {},
       "《中华人民共和国社会保险法》第十六条"},
      {"QH-LS-HRSS-MATERNITY",
       "HRSS",
       "生育津贴申领",
       "Maternity allowance",
       "benefit",
       "person",
       20,
       7,
       0,
       0,
       kOnline,
       {"birth"},
       {"social_security", "family"},
       {kResident,
        fetched("birth", "出生医学证明信息", "Birth medical record", "QH-LS-HC-BIRTH",
                {"child_name", "born_on"}),
        fetched("contributions", "社会保险缴纳记录", "Social insurance contributions",
                "QH-LS-HRSS-SOCIAL-INSURANCE", {"months_paid"})},
       {},
       {},
       "《中华人民共和国社会保险法》第五十六条"},
      // Civil affairs
      {"QH-LS-CAB-MARRIAGE-REG",
       "CAB",
       "结婚登记",
       "Marriage registration",
       "registration",
       "person",
       1,
       1,
       1,
       0,
       kWindow,
       {"marriage"},
       {"civil_affairs", "family"},
       {kResident, kHousehold,
        form("spouse", "配偶信息", "The spouse",
             json::array(
                 {field("spouse_name", "string", "配偶姓名", "Spouse's name"),
                  field("spouse_id_number", "string", "配偶身份证号", "Spouse's ID number")}))},
       {"marriage_certificate"},
       {},
       "《婚姻登记条例》第五条"},
      {"QH-LS-CAB-SUBSISTENCE",
       "CAB",
       "最低生活保障申请",
       "Minimum living allowance",
       "benefit",
       "person",
       30,
       20,
       0,
       0,
       kBoth,
       {"social_assistance"},
       {"civil_affairs"},
       {kHousehold,
        fetched("income", "个人所得税纳税记录", "Income tax record", "QH-LS-TAX-INCOME",
                {"tax_year", "tax_paid"}),
        fetched("property", "不动产登记信息", "Real-estate record", "QH-LS-NRB-REAL-ESTATE",
                {"certificate_no", "floor_area"}),
        fetched("vehicles", "机动车登记信息", "Vehicles", "QH-LS-PSB-VEHICLE", {"plate_no"})},
       {},
       {},
       "《社会救助暂行办法》第十一条"},
      {"QH-LS-CAB-DISABILITY-ALLOWANCE",
       "CAB",
       "残疾人两项补贴",
       "Disability allowances",
       "benefit",
       "person",
       20,
       10,
       0,
       0,
       kBoth,
       {"social_assistance"},
       {"civil_affairs", "health"},
       {kResident, fetched("disability", "残疾人证信息", "Disability card", "QH-LS-CAB-DISABILITY",
                           {"category", "grade"})},
       {},
       {},
       "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》"},
      {"QH-LS-CAB-FUNERAL-AID",
       "CAB",
       "惠民殡葬补贴",
       "Funeral allowance",
       "benefit",
       "person",
       20,
       5,
       0,
       0,
       kBoth,
       {"death"},
       {"civil_affairs"},
       {kHousehold, upload("death_certificate", "死亡医学证明", "Medical certificate of death")},
       {},
       {},
       "《殡葬管理条例》"},
      // Health
      {"QH-LS-HC-BIRTH-CERT",
       "HC",
       "出生医学证明签发",
       "Birth medical certificate",
       "certificate",
       "person",
       10,
       1,
       0,
       0,
       kBoth,
       {"birth"},
       {"health", "family"},
       {kResident, fetched("birth", "出生医学证明信息", "Birth medical record", "QH-LS-HC-BIRTH",
                           {"child_name", "born_on", "hospital"})},
       {"birth_medical_certificate"},
       {},
       "《中华人民共和国母婴保健法》第二十三条"},
      {"QH-LS-HC-VACCINATION-BOOK",
       "HC",
       "预防接种证办理",
       "Vaccination record book",
       "certificate",
       "person",
       5,
       1,
       0,
       0,
       kBoth,
       {"birth"},
       {"health"},
       {fetched("vaccination", "预防接种记录", "Vaccination record", "QH-LS-HC-VACCINATION",
                {"doses", "last_dose_on"})},
       {},
       {},
       "《中华人民共和国疫苗管理法》第四十七条"},
      {"QH-LS-HC-CLINIC-FILING",
       "HC",
       "诊所执业备案",
       "Filing of a clinic",
       "filing",
       "company",
       20,
       5,
       1,
       0,
       kBoth,
       {"business_start"},
       {"health", "enterprise"},
       {kLicence, upload("staff", "医师执业证书", "Physicians' licences"),
        upload("premises", "诊所平面布局图", "Layout of the clinic")},
       {},
       {},
       "《诊所备案管理暂行办法》第五条"},
      {"QH-LS-HC-MATERNAL-BOOK",
       "HC",
       "母子健康手册建档",
       "Mother and child health record",
       "registration",
       "person",
       5,
       1,
       0,
       0,
       kOnline,
       {"birth"},
       {"health", "family"},
       {kResident},
       {},
       {},
       "《孕产期保健工作管理办法》"},
      // Natural resources
      {"QH-LS-NRB-TRANSFER",
       "NRB",
       "不动产转移登记",
       "Transfer of real-estate ownership",
       "registration",
       "person",
       30,
       5,
       0,
       0,
       kBoth,
       {"housing"},
       {"housing"},
       {kResident,
        fetched("property", "不动产登记信息", "Real-estate record", "QH-LS-NRB-REAL-ESTATE",
                {"certificate_no", "floor_area"}),
        fetched("marriage", "婚姻登记信息", "Marriage record", "QH-LS-CAB-MARRIAGE",
                {"spouse_name", "registered_on"}),
        upload("contract", "不动产买卖合同", "Sale contract", true, {"application/pdf"})},
       {"real_estate_ownership"},
       {"TAX"},
       "《不动产登记暂行条例》第二十条"},
      {"QH-LS-NRB-MORTGAGE",
       "NRB",
       "不动产抵押登记",
       "Registration of a mortgage",
       "registration",
       "person",
       30,
       3,
       0,
       0,
       kBoth,
       {"housing"},
       {"housing"},
       {kResident,
        fetched("property", "不动产登记信息", "Real-estate record", "QH-LS-NRB-REAL-ESTATE",
                {"certificate_no", "floor_area"}),
        upload("loan_contract", "借款及抵押合同", "Loan and mortgage contract", true,
               {"application/pdf"})},
       {},
       {},
       "《不动产登记暂行条例》第十四条"},
      {"QH-LS-NRB-FIRST-REG",
       "NRB",
       "不动产首次登记",
       "First registration of real estate",
       "registration",
       "company",
       30,
       10,
       1,
       8000,
       kWindow,
       {"housing"},
       {"housing", "enterprise"},
       {kLicence, upload("survey", "不动产测绘报告", "Survey report", true, {"application/pdf"})},
       {},
       {},
       "《不动产登记暂行条例》第十四条"},
      // The service centre
      {"QH-LS-GSC-HOUSING-FUND",
       "GSC",
       "住房公积金提取（购房）",
       "Housing fund withdrawal for a home",
       "benefit",
       "person",
       5,
       1,
       0,
       0,
       kBoth,
       {"housing"},
       {"housing"},
       {kResident, fetched("property", "不动产登记信息", "Real-estate record",
                           "QH-LS-NRB-REAL-ESTATE", {"certificate_no"})},
       {},
       {},
       "《住房公积金管理条例》第二十四条"},
  };
}

struct DemoPackage {
  const char* code;
  const char* zh;
  const char* en;
  const char* descZh;
  const char* descEn;
  std::vector<const char*> items;
  std::vector<std::string> lifeEvents;
};

const DemoPackage kPackages[] = {
    {"open_restaurant",
     "开办餐馆一件事",
     "Open a restaurant",
     "营业执照、食品经营许可、税务登记和单位社保登记一次申请、一次办结。",
     "Business licence, food business permit, tax and social insurance registration in one "
     "application.",
     {"QH-LS-AMR-COMPANY-REG", "QH-LS-AMR-FOOD-PERMIT", "QH-LS-TAX-NEW-TAXPAYER",
      "QH-LS-HRSS-EMPLOYER-REG"},
     {"business_start"}},
    {"have_a_baby",
     "出生一件事",
     "Have a baby",
     "出生医学证明、新生儿入户、预防接种证和生育津贴一次办理。",
     "Birth certificate, household registration, vaccination book and maternity allowance at "
     "once.",
     {"QH-LS-HC-BIRTH-CERT", "QH-LS-PSB-BIRTH-HUKOU", "QH-LS-HC-VACCINATION-BOOK",
      "QH-LS-HRSS-MATERNITY"},
     {"birth"}},
    {"buy_a_home",
     "购房一件事",
     "Buy a home",
     "不动产转移登记、契税申报、公积金提取和购房落户一次申请。",
     "Transfer registration, deed tax, housing fund withdrawal and household move in one "
     "application.",
     {"QH-LS-NRB-TRANSFER", "QH-LS-TAX-DEED-TAX", "QH-LS-GSC-HOUSING-FUND", "QH-LS-PSB-HUKOU-MOVE"},
     {"housing"}},
};

// The official 2026 calendar of public holidays and the weekend days worked instead (the State
// Council's notice on the 2026 holidays).
json calendar2026() {
  json holidays = json::array();
  auto range = [&](unsigned month, unsigned from, unsigned to) {
    for (unsigned day = from; day <= to; ++day)
      holidays.push_back(Date(2026, month, day).toString());
  };
  range(1, 1, 3);    // New Year
  range(2, 15, 23);  // Spring Festival
  range(4, 4, 6);    // Qingming
  range(5, 1, 5);    // Labour Day
  range(6, 19, 21);  // Dragon Boat Festival
  range(9, 25, 27);  // Mid-Autumn Festival
  range(10, 1, 7);   // National Day
  return {{"holidays", holidays},
          {"working_days",
           {"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}}};
}

// Approvers of the departments deciding the demo's items (the identity demo has one at market
// regulation, the certificates demo one at civil affairs).
const char* const kApprovers[][2] = {{"psb.approver", "QH-LS-PSB"}, {"hc.approver", "QH-LS-HC"},
                                     {"tax.approver", "QH-LS-TAX"}, {"hrss.approver", "QH-LS-HRSS"},
                                     {"nrb.approver", "QH-LS-NRB"}, {"gsc.approver", "QH-LS-GSC"}};

// The one window: the government service centre receives applications and gathers their
// materials, under grants for the purpose "one_window_service" of every resource the items
// fetch (fields in clear: the application needs them); the market regulator's credit record
// decides acceptance with deficiencies; the 2026 calendar counts the working days.
void seedOffice(api::DemoSeeding& d) {
  auto& identity = d.services.get<identity::Identity>();
  auto& catalog = d.services.get<catalog::Catalog>();
  auto& ex = d.services.get<exchange::Exchange>();
  auto& apps = d.services.get<Applications>();
  auto& guide = d.services.get<ServiceCatalog>();
  auto window = identity.findOrgByCode("QH-LS-GSC");
  if (!window) return;

  for (const auto& [username, org] : kApprovers) {
    d.result.credentials.push_back(
        {"staff", "username", username, demo::kDemoPassword, std::string("approver at ") + org});
    auto o = identity.findOrgByCode(org);
    if (!o) continue;
    identity::NewAccount a;
    a.kind = "staff";
    a.username = username;
    a.displayName = std::string(org).substr(6) + " 审批人 Approver";
    a.password = demo::kDemoPassword;
    a.roles = {"approver"};
    a.orgId = o->id;
    try {
      identity.createAccount(a);
      ++d.result.accounts;
    } catch (const Error& e) {
      if (e.status() != 409) throw;  // made by an earlier seeding
    }
  }

  if (apps.settings().windowOrgId) return;  // seeded before
  ServiceSettings conf;
  conf.windowOrgId = window->id;
  if (auto credit = catalog.findByCode("QH-LS-AMR-CREDIT")) conf.creditResourceId = credit->id;
  apps.saveSettings(conf, "demo");
  apps.setCalendarYear(2026, calendar2026(), "demo");

  std::map<std::string, std::set<std::string>> wanted;  // resource code → fields
  ListQuery all;
  all.limit = 200;
  for (const auto& item : guide.list({}, all).items)
    for (const auto& m : item.materials)
      if (m.source == "resource") wanted[m.resourceCode].insert(m.fields.begin(), m.fields.end());
  if (auto credit = catalog.findByCode("QH-LS-AMR-CREDIT"))
    wanted[credit->code].insert(conf.creditField);
  for (const auto& [code, fields] : wanted) {
    auto r = catalog.findByCode(code);
    if (!r || r->orgId == window->id || r->sharing == "not_shared") continue;
    // A grant the window holds for this purpose already (the exchange demo's) stays as it is.
    exchange::Filter mine;
    mine.orgId = window->id;
    mine.side = "requester";
    mine.resourceId = r->id;
    ListQuery some;
    some.limit = 50;
    const auto now = nowRfc3339();
    const auto held = ex.grants(mine, some).items;
    if (std::any_of(held.begin(), held.end(), [&](const exchange::Grant& g) {
          return g.purpose == "one_window_service" && g.state(now) == "active";
        }))
      continue;
    exchange::RequestInput in;
    in.resourceId = r->id;
    in.fields.assign(fields.begin(), fields.end());
    for (const auto& f : r->fields)
      if (fields.count(f.name) && f.masking != "none") in.unmask.push_back(f.name);
    in.purpose = "one_window_service";
    in.legalBasis =
        "《优化营商环境条例》第三十五条；《国务院关于加快推进政务服务标准化规范化便利化的指导意见"
        "》";
    in.serviceItems = "一网通办：申请材料免提交";
    in.durationDays = 3650;
    auto made = ex.request(window->id, in, "demo");
    if (!made.second) {
      exchange::Decision yes;
      yes.grant = true;
      ex.decide(made.first.id, yes, "demo");
    }
  }
}

// Three months of decided applications (September to November 2026) by the demo's citizens and
// companies, so that the figures and dashboards have something to show: most online, most
// materials fetched, most decided within the promised limit, most rated well. Deterministic.
void seedHistory(api::DemoSeeding& d) {
  auto& identity = d.services.get<identity::Identity>();
  auto& apps = d.services.get<Applications>();
  auto& guide = d.services.get<ServiceCatalog>();
  ListQuery any;
  any.limit = 1;
  if (apps.list({}, any).total > 0) return;  // seeded before
  ListQuery all;
  all.limit = 200;
  std::vector<identity::Account> citizens, companies;
  for (const char* kind : {"citizen", "company"}) {
    identity::AccountFilter f;
    f.kind = kind;
    for (auto& a : identity.listAccounts(f, all).items)
      (a.kind == "company" ? companies : citizens).push_back(std::move(a));
  }
  if (citizens.empty() || companies.empty()) return;
  std::map<std::string, std::string> subjectOf;
  for (const auto& a : citizens) subjectOf[a.id] = identity.revealResidentId(a.id).value_or("");
  for (const auto& a : companies) subjectOf[a.id] = a.creditCode.value_or("");
  const auto items = guide.list({}, all).items;
  const auto cal = apps.calendar();
  std::mt19937 rng(20261203);
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  const Date first(2026, 9, 1), last(2026, 11, 30);
  for (Date day = first; day <= last; day = day.addDays(1)) {
    if (!cal.isWorkingDay(day)) continue;
    const int count = 6 + static_cast<int>(pick(7));
    for (int n = 0; n < count; ++n) {
      const auto& item = items[pick(items.size())];
      const bool company = item.subjectKind == "company";
      const auto& who =
          company ? companies[pick(companies.size())] : citizens[pick(citizens.size())];
      Application a;
      a.id = crypto::newId("apl");
      std::string tail = a.id.substr(4, 6);
      for (auto& ch : tail)
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
      std::string compact = day.toString();
      compact.erase(std::remove(compact.begin(), compact.end(), '-'), compact.end());
      a.number = "YW-";
      a.number.append(compact).append("-").append(tail);
      a.itemIds = {item.id};
      a.leadOrgId = item.orgId;
      for (const auto& st : item.stages)
        for (const auto& org : st.orgIds)
          if (std::find(a.orgIds.begin(), a.orgIds.end(), org) == a.orgIds.end())
            a.orgIds.push_back(org);
      a.applicantAccountId = who.id;
      a.applicantKind = who.kind;
      a.subjectPseudonym = who.pseudonym;
      a.subjectSealed = d.keys.encrypt(subjectOf[who.id]);
      a.subjectMasked = company ? subjectOf[who.id] : who.residentIdMasked.value_or("");
      a.applicantName = company ? who.companyName.value_or(who.displayName) : who.displayName;
      const bool online =
          std::find(item.channels.begin(), item.channels.end(), "online") != item.channels.end() &&
          (item.channels.size() == 1 || chance(0.78));
      a.channel = online ? "online" : "window";
      a.createdBy = who.id;
      a.visits = online ? item.visits : std::max(item.visits, 1);
      a.statutoryDays = item.statutoryDays;
      a.promisedDays = item.promisedDays;
      for (const auto& m : item.materials) {
        std::string state = "uploaded";
        if (m.source == "resource") state = chance(0.93) ? "fetched" : "uploaded";
        if (m.source == "certificate") state = chance(0.9) ? "wallet" : "uploaded";
        if (m.source == "form") state = "form";
        a.materials.push_back({{"code", m.code},
                               {"name_zh", m.nameZh},
                               {"name_en", m.nameEn},
                               {"source", m.source},
                               {"core", m.core},
                               {"items", {item.code}},
                               {"state", state},
                               {"refused", false}});
      }
      const auto at = day.toString() + "T0" + std::to_string(1 + pick(8)) + ":" +
                      std::to_string(10 + pick(50)) + ":00.000Z";
      a.submittedAt = a.acceptedAt = at;
      a.createdAt = at;
      a.dueOn = cal.addWorkingDays(day, a.promisedDays).toString();
      a.statutoryDueOn = cal.addWorkingDays(day, a.statutoryDays).toString();
      // Most within the promise, some late; a few refused.
      const int promised = std::max(1, a.promisedDays);
      int used = static_cast<int>(pick(static_cast<std::size_t>(promised))) + 1;
      if (chance(0.1)) used = promised + 1 + static_cast<int>(pick(3));
      const auto decidedOn = cal.addWorkingDays(day, used);
      if (decidedOn > Date(2026, 12, 2)) {
        a.status = "in_review";
        a.updatedAt = at;
      } else {
        a.status = chance(0.06) ? "rejected" : "approved";
        if (a.status == "rejected") a.reason = "材料与实际情况不符";
        a.decidedAt = decidedOn.toString() + "T08:30:00.000Z";
        a.workingDays = used;
        a.updatedAt = *a.decidedAt;
      }
      std::optional<int> score;
      if (a.decidedAt && chance(0.7)) {
        const double x = std::uniform_real_distribution<double>(0, 1)(rng);
        score = x < 0.6 ? 5 : x < 0.85 ? 4 : x < 0.93 ? 3 : x < 0.97 ? 2 : 1;
      }
      apps.addDecided(a, score, a.decidedAt.value_or(at));
    }
  }
}

}  // namespace

void seedDemo(api::DemoSeeding& d) {
  auto& identity = d.services.get<identity::Identity>();
  auto& catalog = d.services.get<ServiceCatalog>();
  auto lanshan = identity.findOrgByCode("QH-LS");
  if (!lanshan) return;
  if (catalog.findByCode("QH-LS-CAB-MARRIAGE-REG")) {  // seeded before
    seedOffice(d);
    if (d.activity) seedHistory(d);
    return;
  }
  for (const auto& i : demoItems()) {
    auto org = identity.findOrgByCode(std::string("QH-LS-") + i.dept);
    if (!org) continue;
    json stages = json::array(
        {{{"name_zh", "受理审查"}, {"name_en", "Review"}, {"org_ids", json::array({org->id})}}});
    for (const char* also : i.alsoDeciding)
      if (auto other = identity.findOrgByCode(std::string("QH-LS-") + also))
        stages[0]["org_ids"].push_back(other->id);
    json doc = {{"code", i.code},
                {"name_zh", i.zh},
                {"name_en", i.en},
                {"kind", i.kind},
                {"subject_kind", i.subject},
                {"legal_basis", i.legalBasis},
                {"statutory_days", i.statutory},
                {"promised_days", i.promised},
                {"fee_cents", i.feeCents},
                {"channels", i.channels},
                {"visits", i.visits},
                {"life_events", i.lifeEvents},
                {"themes", i.themes},
                {"materials", i.materials},
                {"certificates", i.certificates},
                {"stages", stages},
                {"allows_deficiency", i.allowsDeficiency}};
    FieldErrors e;
    auto item = itemFromJson(doc, e);
    checkReferences(d.services, item, e);
    e.throwIfAny();  // the demo's own data: a mistake here is a bug
    item.orgId = org->id;
    item.level = org->level;
    item.createdBy = "demo";
    catalog.create(std::move(item));
  }
  for (const auto& p : kPackages) {
    Package pkg;
    pkg.code = p.code;
    pkg.nameZh = p.zh;
    pkg.nameEn = p.en;
    pkg.descriptionZh = p.descZh;
    pkg.descriptionEn = p.descEn;
    for (const char* code : p.items)
      if (auto item = catalog.findByCode(code)) pkg.itemIds.push_back(item->id);
    pkg.lifeEvents = p.lifeEvents;
    pkg.createdBy = "demo";
    catalog.createPackage(std::move(pkg));
  }
  seedOffice(d);
  if (d.activity) seedHistory(d);
  d.result.created = true;
}

}  // namespace onceonly::services
