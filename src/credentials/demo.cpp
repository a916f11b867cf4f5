// The demo's certificates: the types the Lanshan City departments issue, an approver at the
// civil affairs bureau, and a few certificates already in the wallets of the first citizen
// (identity summary, household register extract) and the first company (business licence),
// each issuance on the ledger as the API would put it there, and the marriage certificate and
// business licence declared as catalog resources (these with the demo's activity only).
#include "demo/demo.h"
#include "api/module.h"
#include "catalog/catalog.h"
#include "credentials/credentials.h"
#include "identity/identity.h"
#include "ledger/log.h"
#include "store/store.h"

namespace onceonly::credentials {

catalog::ResourceInput resourceFor(const CredentialType& t);

namespace {

using nlohmann::json;

struct DemoType {
  const char* code;
  const char* org;
  const char* zh;
  const char* en;
  const char* subjectKind;
  int validityDays;  // 0: until revoked
  std::vector<FieldDef> fields;
  const char* noteZh;
  const char* noteEn;
};

FieldDef f(const char* name, const char* type, const char* zh, const char* en,
           bool required = true) {
  return {name, type, zh, en, required};
}

const std::vector<DemoType>& demoTypes() {
  static const std::vector<DemoType> kTypes = {
      {"resident_identity_summary",
       "QH-LS-PSB",
       "居民身份信息摘要",
       "Resident identity summary",
       "person",
       3650,
       {f("name", "string", "姓名", "Name"), f("id_number", "string", "公民身份号码", "ID number"),
        f("sex", "string", "性别", "Sex"), f("birth_date", "date", "出生日期", "Date of birth"),
        f("over_18", "boolean", "已满18周岁", "Over 18"),
        f("address", "string", "住址", "Address")},
       "本摘要由公安机关依据户籍登记信息出具。",
       "Issued by the public security bureau from the household registration."},
      {"household_register_extract",
       "QH-LS-PSB",
       "户籍登记信息摘录",
       "Household register extract",
       "person",
       90,
       {f("name", "string", "姓名", "Name"), f("id_number", "string", "公民身份号码", "ID number"),
        f("household_head", "string", "户主姓名", "Head of household"),
        f("relation_to_head", "string", "与户主关系", "Relation to the head"),
        f("address", "string", "户籍地址", "Registered address"),
        f("registered_on", "date", "登记日期", "Registered on")},
       "自签发之日起90日内有效。",
       "Valid for 90 days from issue."},
      {"business_licence",
       "QH-LS-AMR",
       "营业执照",
       "Business licence",
       "company",
       0,
       {f("company_name", "string", "名称", "Name"),
        f("credit_code", "string", "统一社会信用代码", "Unified social credit code"),
        f("company_type", "string", "类型", "Type"),
        f("legal_representative", "string", "法定代表人", "Legal representative"),
        f("registered_capital", "string", "注册资本", "Registered capital"),
        f("established_on", "date", "成立日期", "Established on"),
        f("business_scope", "string", "经营范围", "Business scope"),
        f("address", "string", "住所", "Address")},
       "国家企业信用信息公示系统可查询登记信息。",
       "Registration details are public in the national enterprise credit system."},
      {"food_business_permit",
       "QH-LS-AMR",
       "食品经营许可证",
       "Food business permit",
       "company",
       1825,
       {f("company_name", "string", "经营者名称", "Operator"),
        f("credit_code", "string", "统一社会信用代码", "Unified social credit code"),
        f("permit_no", "string", "许可证编号", "Permit number"),
        f("premises", "string", "经营场所", "Premises"),
        f("main_business", "string", "主体业态", "Main business"),
        f("scope", "string", "经营项目", "Scope")},
       "有效期五年。",
       "Valid for five years."},
      {"marriage_certificate",
       "QH-LS-CAB",
       "结婚证",
       "Marriage certificate",
       "person",
       0,
       {f("holder_name", "string", "持证人", "Holder"),
        f("holder_id_number", "string", "持证人身份证号", "Holder's ID number"),
        f("spouse_name", "string", "配偶姓名", "Spouse"),
        f("spouse_id_number", "string", "配偶身份证号", "Spouse's ID number"),
        f("registered_on", "date", "登记日期", "Registered on"),
        f("certificate_no", "string", "结婚证字号", "Certificate number")},
       "婚姻登记机关：岚山市民政局。",
       "Registered by the Lanshan City Civil Affairs Bureau."},
      {"birth_medical_certificate",
       "QH-LS-HC",
       "出生医学证明",
       "Birth medical certificate",
       "person",
       0,
       {f("child_name", "string", "新生儿姓名", "Child's name"), f("sex", "string", "性别", "Sex"),
        f("birth_date", "date", "出生日期", "Date of birth"),
        f("birth_place", "string", "出生地点", "Place of birth"),
        f("mother_name", "string", "母亲姓名", "Mother"),
        f("father_name", "string", "父亲姓名", "Father", false),
        f("certificate_no", "string", "出生医学证明编号", "Certificate number")},
       "",
       ""},
      {"real_estate_ownership",
       "QH-LS-NRB",
       "不动产权证书",
       "Real-estate ownership certificate",
       "person",
       0,
       {f("owner_name", "string", "权利人", "Owner"),
        f("certificate_no", "string", "不动产权证号", "Certificate number"),
        f("location", "string", "坐落", "Location"),
        f("area_sqm", "integer", "面积（平方米）", "Area (m²)"), f("use", "string", "用途", "Use"),
        f("share", "string", "共有情况", "Ownership share")},
       "",
       ""},
      {"tax_clearance",
       "QH-LS-TAX",
       "无欠税证明",
       "Tax clearance certificate",
       "company",
       90,
       {f("taxpayer_name", "string", "纳税人名称", "Taxpayer"),
        f("taxpayer_id", "string", "纳税人识别号", "Taxpayer ID"),
        f("as_of", "date", "截至日期", "As of"),
        f("certificate_no", "string", "证明编号", "Certificate number")},
       "经查询税收征管信息系统，截至上述日期未发现有欠税情形。",
       "The tax administration system shows no tax owed as of the date above."},
  };
  return kTypes;
}

struct DemoIssue {
  const char* type;
  const char* holderKind;  // citizen or company: the first of the demo's
  json claims;
};

}  // namespace

void seedDemo(api::DemoSeeding& d) {
  auto& identity = d.services.get<identity::Identity>();
  auto& creds = d.services.get<Credentials>();
  auto& ledger = d.services.get<ledger::Log>();
  if (!identity.findOrgByCode("QH-LS-CAB")) return;  // the identity demo was not seeded

  identity::NewAccount a;
  a.kind = "staff";
  a.username = "cab.approver";
  a.displayName = "民政局审批人 Civil Affairs Approver";
  a.password = demo::kDemoPassword;
  a.roles = {"approver"};
  a.orgId = identity.findOrgByCode("QH-LS-CAB")->id;
  try {
    identity.createAccount(a);
    ++d.result.accounts;
    d.result.created = true;
  } catch (const Error& e) {
    if (e.status() != 409) throw;  // made by an earlier seeding
  }
  d.result.credentials.push_back(
      {"staff", "username", "cab.approver", demo::kDemoPassword, "approver at QH-LS-CAB"});

  if (creds.findTypeByCode("marriage_certificate")) return;  // seeded before
  for (const auto& dt : demoTypes()) {
    auto org = identity.findOrgByCode(dt.org);
    if (!org) continue;
    CredentialType t;
    t.code = dt.code;
    t.issuerOrgId = org->id;
    t.nameZh = dt.zh;
    t.nameEn = dt.en;
    t.subjectKind = dt.subjectKind;
    if (dt.validityDays > 0) t.validityDays = dt.validityDays;
    t.fields = dt.fields;
    t.layout = {{"title_zh", dt.zh}, {"title_en", dt.en}};
    if (*dt.noteZh) t.layout["note_zh"] = dt.noteZh;
    if (*dt.noteEn) t.layout["note_en"] = dt.noteEn;
    t.createdBy = "demo";
    creds.defineType(t);
  }
  d.result.created = true;
  // Certificates already in wallets are the government at work, like the exchange's looks.
  if (!d.activity) return;

  std::string citizen, company;
  for (const auto& c : d.result.credentials) {
    if (c.kind == "citizen" && citizen.empty()) citizen = c.subject;
    if (c.kind == "company" && company.empty()) company = c.subject;
  }
  const std::vector<DemoIssue> issues = {
      {"resident_identity_summary",
       "citizen",
       {{"name", "张伟"},
        {"id_number", citizen},
        {"sex", "男"},
        {"birth_date", "1985-03-12"},
        {"over_18", true},
        {"address", "清河省岚山市松溪县青石镇溪桥路 18 号"}}},
      {"household_register_extract",
       "citizen",
       {{"name", "张伟"},
        {"id_number", citizen},
        {"household_head", "张伟"},
        {"relation_to_head", "户主"},
        {"address", "清河省岚山市松溪县青石镇溪桥路 18 号"},
        {"registered_on", "2003-09-01"}}},
      {"business_licence",
       "company",
       {{"company_name", "岚山青石茶业有限公司"},
        {"credit_code", company},
        {"company_type", "有限责任公司（自然人投资或控股）"},
        {"legal_representative", "陈静"},
        {"registered_capital", "人民币伍佰万元整"},
        {"established_on", "2019-04-22"},
        {"business_scope", "茶叶种植、加工及销售；预包装食品销售"},
        {"address", "清河省岚山市松溪县青石镇茶园路 6 号"}}},
  };
  // Two types other departments may fetch through the exchange, with the holder's consent.
  auto& catalog = d.services.get<catalog::Catalog>();
  for (const char* code : {"marriage_certificate", "business_licence"}) {
    auto t = creds.findTypeByCode(code);
    if (!t) continue;
    auto made = catalog.create(t->issuerOrgId, resourceFor(*t), "demo");
    creds.linkResource(t->id, made.id);
  }
  for (const auto& i : issues) {
    const auto& subject = std::string(i.holderKind) == "citizen" ? citizen : company;
    auto t = creds.findTypeByCode(i.type);
    if (!t || subject.empty()) continue;
    IssueInput in;
    in.typeId = t->id;
    in.subject = subject;
    in.claims = i.claims;
    FieldErrors errors;
    creds.checkIssue(*t, in, errors);
    errors.throwIfAny();
    d.db.transaction([&](store::Connection& c) {
      auto issued = creds.issue(c, *t, in, "demo");
      ledger.queue(c, issued.ledgerEntry);
    });
  }
}

}  // namespace onceonly::credentials
