// The demo exchange: data officers in two more departments, grants already in place for the
// window clerks and civil affairs, and one request waiting for the public security bureau's
// data officer. Like the rest of the demo it starts the ledger empty: what people do with it is
// what the ledger records.
#include "demo/demo.h"
#include "api/module.h"
#include "catalog/catalog.h"
#include "exchange/asking.h"
#include "exchange/exchange.h"
#include "identity/identity.h"
#include "ledger/log.h"
#include "store/store.h"

namespace onceonly::exchange {

namespace {

struct DemoRequest {
  const char* requester;  // department code
  const char* resource;   // resource code
  std::vector<std::string> fields, unmask;
  const char* purpose;
  const char* legalBasis;
  const char* serviceItems;
  // What the holder decided: grant these fields (empty: as asked), or leave pending.
  bool decide;
  std::vector<std::string> granted;
};

const DemoRequest kRequests[] = {
    {"QH-LS-GSC",
     "QH-LS-PSB-RESIDENT",
     {"resident_id", "name", "birth_date"},
     {"name"},
     "one_window_service",
     "《优化营商环境条例》第三十五条；《政务服务法》",
     "一窗受理：身份核验",
     true,
     {}},
    {"QH-LS-GSC",
     "QH-LS-AMR-BUSINESS-LICENCE",
     {"credit_code", "company_name", "legal_representative", "registered_on"},
     {},
     "one_window_service",
     "《优化营商环境条例》第三十五条",
     "一窗受理：企业开办",
     true,
     {}},
    {"QH-LS-CAB",
     "QH-LS-PSB-RESIDENT",
     {"resident_id", "name", "address"},
     {},
     "social_assistance_review",
     "《社会救助暂行办法》第十一条",
     "最低生活保障审核",
     true,
     {"resident_id", "name"}},
    {"QH-LS-GSC",
     "QH-LS-TAX-INCOME",
     {"name", "tax_year", "tax_paid"},
     {},
     "one_window_service",
     "《个人所得税法》第十五条",
     "一窗受理：个人纳税证明",
     true,
     {}},
    {"QH-LS-HRSS",
     "QH-LS-PSB-HOUSEHOLD",
     {"resident_id", "name", "household_head"},
     {},
     "pension_eligibility",
     "《社会保险法》第十六条",
     "城乡居民养老保险待遇资格认定",
     false,
     {}},
};

struct DemoOfficer {
  const char* username;
  const char* name;
  const char* org;
};

const DemoOfficer kOfficers[] = {
    {"cab.officer", "民政局数据专员 Civil Affairs Data Officer", "QH-LS-CAB"},
    {"hrss.officer", "人社局数据专员 HRSS Data Officer", "QH-LS-HRSS"},
};

// Who looked at the first demo citizen's data, so that "who looked at my data" has something to
// show from the start: two departments under their grants, and one without a grant, refused.
// Each access goes the way a query through the API goes, to the exchange's record and the
// ledger's outbox, which the server drains into the log when it starts.
struct DemoLook {
  const char* username;
  const char* resource;
  const char* purpose;
  const char* application;
};
const DemoLook kLooks[] = {
    {"clerk", "QH-LS-PSB-RESIDENT", "one_window_service", "YW-2026-000118"},
    {"cab.officer", "QH-LS-PSB-RESIDENT", "social_assistance_review", nullptr},
    {"hrss.officer", "QH-LS-PSB-HOUSEHOLD", "pension_eligibility", nullptr},
};

void lookAtTheCitizen(api::DemoSeeding& d, const std::string& subject) {
  auto& identity = d.services.get<identity::Identity>();
  auto& catalog = d.services.get<catalog::Catalog>();
  auto& ex = d.services.get<Exchange>();
  auto& ledger = d.services.get<ledger::Log>();
  for (const auto& look : kLooks) {
    auto resource = catalog.findByCode(look.resource);
    if (!resource) continue;
    auto session =
        identity.signIn(std::string(look.username), std::nullopt, demo::kDemoPassword, "127.0.0.1");
    auto p = identity.authenticate(session.token);
    if (!p) continue;
    Query q;
    q.resourceId = resource->id;
    q.subject = subject;
    q.purpose = look.purpose;
    if (look.application) q.application = look.application;
    auto o = ask(d.services, d.keys, *p, q);
    d.db.transaction([&](store::Connection& c) {
      ex.record(c, o.access);
      ledger.queue(c, ledgerEntry(o.access));
    });
    identity.signOut(*p);
  }
}

}  // namespace

void seedDemo(api::DemoSeeding& d) {
  auto& identity = d.services.get<identity::Identity>();
  auto& catalog = d.services.get<catalog::Catalog>();
  auto& ex = d.services.get<Exchange>();
  if (!identity.findOrgByCode("QH-LS-CAB")) return;  // the identity demo was not seeded

  for (const auto& o : kOfficers) {
    identity::NewAccount a;
    a.kind = "staff";
    a.username = o.username;
    a.displayName = o.name;
    a.password = demo::kDemoPassword;
    a.roles = {"data_officer"};
    a.orgId = identity.findOrgByCode(o.org)->id;
    try {
      identity.createAccount(a);
      ++d.result.accounts;
      d.result.created = true;
    } catch (const Error& e) {
      if (e.status() != 409) throw;  // made by an earlier seeding
    }
    d.result.credentials.push_back({"staff", "username", o.username, demo::kDemoPassword,
                                    std::string("data_officer at ") + o.org});
  }

  ListQuery all;
  if (ex.requests({}, all).total > 0) return;  // seeded before
  for (const auto& r : kRequests) {
    auto requester = identity.findOrgByCode(r.requester);
    auto resource = catalog.findByCode(r.resource);
    if (!requester || !resource) continue;
    RequestInput in;
    in.resourceId = resource->id;
    in.fields = r.fields;
    in.unmask = r.unmask;
    in.purpose = r.purpose;
    in.legalBasis = r.legalBasis;
    in.serviceItems = r.serviceItems;
    in.durationDays = 365;
    auto made = ex.request(requester->id, in, "demo");
    if (made.first.status == "pending" && r.decide) {
      Decision dec;
      dec.grant = true;
      if (!r.granted.empty()) dec.fields = r.granted;
      ex.decide(made.first.id, dec, "demo");
    }
    d.result.created = true;
  }
  for (const auto& c : d.result.credentials) {
    if (!d.activity || c.kind != "citizen") continue;
    lookAtTheCitizen(d, c.subject.empty() ? c.identifier : c.subject);
    break;
  }
}

}  // namespace onceonly::exchange
