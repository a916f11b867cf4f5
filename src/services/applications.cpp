#include "services/applications.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "api/module.h"
#include "catalog/catalog.h"
#include "core/encoding.h"
#include "core/time.h"
#include "credentials/credentials.h"
#include "crypto/crypto.h"
#include "exchange/asking.h"
#include "exchange/exchange.h"
#include "identity/authz.h"
#include "identity/identity.h"
#include "ledger/log.h"
#include "store/list.h"
#include "store/store.h"

namespace onceonly::services {

const std::vector<std::string> kApplicationStatuses = {
    "draft", "submitted", "returned", "in_review", "approved", "rejected", "withdrawn"};

namespace {

using identity::Principal;
using nlohmann::json;

constexpr std::int64_t kDefaultMaxBytes = std::int64_t{1024} * 1024;
constexpr std::size_t kMaxText = 500;
constexpr const char* kPurpose = "one_window_service";
constexpr int kRectificationDays = 5;

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string jsonText(const std::vector<std::string>& v) {
  return json(v).dump();
}

std::vector<std::string> listOf(const std::string& text) {
  if (text.empty()) return {};
  return json::parse(text).get<std::vector<std::string>>();
}

std::string orgListText(const std::vector<std::string>& ids) {
  std::string s = ",";
  for (const auto& id : ids) s += id + ",";
  return s;
}

std::vector<std::string> orgListFrom(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start < text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) break;
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string roleOf(const Principal& p) {
  if (p.kind != "staff") return "applicant";
  for (const char* r : {"approver", "clerk", "org_admin", "platform_admin"})
    if (p.roles.count(r)) return r;
  return "staff";
}

// Whether the bytes begin as a file of the declared type does.
bool looksLike(const std::string& mediaType, const std::string& bytes) {
  auto starts = [&](std::string_view magic) { return bytes.rfind(magic, 0) == 0; };
  if (mediaType == "application/pdf") return starts("%PDF-");
  if (mediaType == "image/jpeg") return starts("\xFF\xD8\xFF");
  if (mediaType == "image/png") return starts("\x89PNG\r\n\x1A\n");
  return false;
}

json materialDoc(const Material& m, const std::string& itemCode) {
  json j = {{"code", m.code},     {"name_zh", m.nameZh}, {"name_en", m.nameEn},
            {"source", m.source}, {"core", m.core},      {"items", json::array({itemCode})},
            {"state", "missing"}, {"refused", false}};
  if (m.source == "resource") {
    j["resource_code"] = m.resourceCode;
    j["fields"] = m.fields;
  } else if (m.source == "certificate") {
    j["credential_type"] = m.credentialType;
  } else if (m.source == "form") {
    json fields = json::array();
    for (const auto& f : m.formFields)
      fields.push_back({{"name", f.name},
                        {"type", f.type},
                        {"label_zh", f.labelZh},
                        {"label_en", f.labelEn},
                        {"required", f.required}});
    j["form_fields"] = fields;
    j["values"] = json::object();
  }
  // Anything not filled in may be uploaded: an upload material's own limits, the common ones
  // for a material the applicant provides instead of the one fetched.
  j["upload_types"] = m.source == "upload" && !m.uploadTypes.empty() ? m.uploadTypes : kUploadTypes;
  j["max_bytes"] = m.source == "upload" && m.maxBytes > 0 ? m.maxBytes : kDefaultMaxBytes;
  return j;
}

json* materialOf(Application& a, const std::string& code) {
  for (auto& m : a.materials)
    if (m["code"] == code) return &m;
  return nullptr;
}

bool provided(const json& m) {
  return m["state"] != "missing";
}

constexpr const char* kColumns =
    "id, number, package_id, item_ids, lead_org_id, org_ids, applicant_account_id, "
    "applicant_kind, subject_pseudonym, subject_sealed, subject_masked, applicant_name, channel, "
    "created_by, window_org_id, status, materials, notice, commitment, deficiencies, visits, "
    "statutory_days, promised_days, submitted_at, accepted_at, decided_at, due_on, "
    "statutory_due_on, paused_on, paused_days, working_days, reason, credential_ids, version, "
    "created_at, updated_at";

Application fromRow(const store::Row& r) {
  Application a;
  a.id = r.text("id");
  a.number = r.text("number");
  a.packageId = r.optText("package_id");
  a.itemIds = listOf(r.text("item_ids"));
  a.leadOrgId = r.text("lead_org_id");
  a.orgIds = orgListFrom(r.text("org_ids"));
  a.applicantAccountId = r.text("applicant_account_id");
  a.applicantKind = r.text("applicant_kind");
  a.subjectPseudonym = r.text("subject_pseudonym");
  a.subjectSealed = r.text("subject_sealed");
  a.subjectMasked = r.text("subject_masked");
  a.applicantName = r.text("applicant_name");
  a.channel = r.text("channel");
  a.createdBy = r.text("created_by");
  a.windowOrgId = r.optText("window_org_id");
  a.status = r.text("status");
  a.materials = json::parse(r.text("materials"));
  if (auto n = r.optText("notice")) a.notice = json::parse(*n);
  a.commitment = r.integer("commitment") != 0;
  a.deficiencies = listOf(r.text("deficiencies"));
  a.visits = static_cast<int>(r.integer("visits"));
  a.statutoryDays = static_cast<int>(r.integer("statutory_days"));
  a.promisedDays = static_cast<int>(r.integer("promised_days"));
  a.submittedAt = r.optText("submitted_at");
  a.acceptedAt = r.optText("accepted_at");
  a.decidedAt = r.optText("decided_at");
  a.dueOn = r.optText("due_on");
  a.statutoryDueOn = r.optText("statutory_due_on");
  a.pausedOn = r.optText("paused_on");
  a.pausedDays = static_cast<int>(r.integer("paused_days"));
  if (auto w = r.optInteger("working_days")) a.workingDays = static_cast<int>(*w);
  a.reason = r.optText("reason");
  a.credentialIds = listOf(r.text("credential_ids"));
  a.version = static_cast<int>(r.integer("version"));
  a.createdAt = r.text("created_at");
  a.updatedAt = r.text("updated_at");
  return a;
}

store::Value opt(const std::optional<std::string>& v) {
  return v ? store::Value(*v) : store::Value(store::Null{});
}

constexpr const char* kTaskColumns =
    "t.id, t.application_id, a.number, t.item_id, t.stage, t.org_id, t.status, t.due_on, "
    "t.decided_by, t.decided_at, t.comment, t.created_at";

Task taskFromRow(const store::Row& r) {
  Task t;
  t.id = r.text("id");
  t.applicationId = r.text("application_id");
  t.applicationNumber = r.text("number");
  t.itemId = r.text("item_id");
  t.stage = static_cast<int>(r.integer("stage"));
  t.orgId = r.text("org_id");
  t.status = r.text("status");
  t.dueOn = r.optText("due_on");
  t.decidedBy = r.optText("decided_by");
  t.decidedAt = r.optText("decided_at");
  t.comment = r.optText("comment");
  t.createdAt = r.text("created_at");
  return t;
}

constexpr const char* kRectificationColumns =
    "id, application_id, application_number, org_id, score, comment, status, due_on, reply, "
    "replied_by, replied_at, follow_up, closed_by, closed_at, created_at";

Rectification rectificationFromRow(const store::Row& r) {
  Rectification x;
  x.id = r.text("id");
  x.applicationId = r.text("application_id");
  x.applicationNumber = r.text("application_number");
  x.orgId = r.text("org_id");
  x.score = static_cast<int>(r.integer("score"));
  x.comment = r.optText("comment");
  x.status = r.text("status");
  x.dueOn = r.text("due_on");
  x.reply = r.optText("reply");
  x.repliedBy = r.optText("replied_by");
  x.repliedAt = r.optText("replied_at");
  x.followUp = r.optText("follow_up");
  x.closedBy = r.optText("closed_by");
  x.closedAt = r.optText("closed_at");
  x.createdAt = r.text("created_at");
  return x;
}

const store::SortColumns<Application>& applicationSortColumns() {
  static const store::SortColumns<Application> s(
      {{"created_at", "created_at", [](const Application& a) { return json(a.createdAt); }},
       {"due_on", "COALESCE(due_on, '9999-12-31')",
        [](const Application& a) { return json(a.dueOn.value_or("9999-12-31")); }},
       {"number", "number", [](const Application& a) { return json(a.number); }}},
      true);
  return s;
}

const store::SortColumns<Task>& taskSortColumns() {
  static const store::SortColumns<Task> s(
      {{"due_on", "COALESCE(t.due_on, '9999-12-31')",
        [](const Task& t) { return json(t.dueOn.value_or("9999-12-31")); }},
       {"created_at", "t.created_at", [](const Task& t) { return json(t.createdAt); }}});
  return s;
}

const store::SortColumns<Message>& messageSortColumns() {
  static const store::SortColumns<Message> s(
      {{"created_at", "seq", [](const Message& m) { return json(m.seq); },
        store::KeyKind::integer}},
      true);
  return s;
}

const store::SortColumns<Rectification>& rectificationSortColumns() {
  static const store::SortColumns<Rectification> s(
      {{"due_on", "due_on", [](const Rectification& r) { return json(r.dueOn); }},
       {"created_at", "created_at", [](const Rectification& r) { return json(r.createdAt); }}});
  return s;
}

Error stateError(const Application& a) {
  return conflict("services.state", {{"status", a.status}});
}

void requireEditable(const Application& a) {
  if (a.status != "draft" && a.status != "returned") throw stateError(a);
}

// The value a certificate's field takes from the application: what the applicant filled in,
// then what was fetched or taken from the wallet, then who the applicant is; a number field
// gets the application's number, a date field the day of the decision.
std::optional<json> claimFor(const credentials::FieldDef& f, const Application& a,
                             const std::string& subject, const Date& today, int index) {
  for (const char* source : {"form", "resource", "certificate"})
    for (const auto& m : a.materials) {
      if (m["source"] != source || !m.contains("values") || !m["values"].is_object()) continue;
      if (m["state"] == "missing" || m["refused"] == true) continue;
      auto it = m["values"].find(f.name);
      if (it != m["values"].end() && !it->is_null()) return *it;
    }
  const bool company = a.applicantKind == "company";
  if (f.name == "credit_code" && company) return subject;
  if ((f.name == "resident_id" || f.name == "holder_id_number" || f.name == "id_number") &&
      !company)
    return subject;
  if (f.name == "company_name" && company) return a.applicantName;
  if ((f.name == "name" || f.name == "holder_name") && !company) return a.applicantName;
  if (f.type == "string" && f.name.size() > 3 && f.name.ends_with("_no"))
    return a.number + "-" + std::to_string(index);
  if (f.type == "date") return today.toString();
  return std::nullopt;
}

}  // namespace

// ----- settings and the calendar --------------------------------------------------------------

Applications::Applications(store::Database& db, api::Services& services,
                           const crypto::KeyRing& keys, int utcOffsetMinutes)
    : db_(db), services_(services), keys_(keys), utcOffsetMinutes_(utcOffsetMinutes) {}

ServiceSettings Applications::settings() {
  {
    std::lock_guard lock(calendarMutex_);
    if (settings_) return *settings_;
  }
  ServiceSettings s;
  for (const auto& r : db_.connect().query("SELECT name, value FROM service_settings")) {
    const auto name = r.text("name");
    if (name == "window_org_id") s.windowOrgId = r.text("value");
    if (name == "credit_resource_id") s.creditResourceId = r.text("value");
    if (name == "credit_field") s.creditField = r.text("value");
  }
  std::lock_guard lock(calendarMutex_);
  settings_ = s;
  return s;
}

void Applications::saveSettings(const ServiceSettings& s, const std::string& by) {
  db_.transaction([&](store::Connection& c) {
    const auto now = nowRfc3339();
    auto put = [&](const char* name, const std::optional<std::string>& value) {
      c.exec("DELETE FROM service_settings WHERE name = ?", {std::string(name)});
      if (value)
        c.exec(
            "INSERT INTO service_settings (name, value, updated_by, updated_at) VALUES (?, ?, "
            "?, ?)",
            {std::string(name), *value, by, now});
    };
    put("window_org_id", s.windowOrgId);
    put("credit_resource_id", s.creditResourceId);
    put("credit_field", s.creditField);
    c.afterCommit([this] {
      std::lock_guard lock(calendarMutex_);
      settings_.reset();
    });
  });
}

WorkingCalendar Applications::calendar() {
  {
    std::lock_guard lock(calendarMutex_);
    if (calendar_) return *calendar_;
  }
  std::set<Date> holidays, working;
  for (const auto& r : db_.connect().query("SELECT day, kind FROM service_calendar_days")) {
    auto d = Date::parse(r.text("day"));
    if (!d) continue;
    (r.text("kind") == "holiday" ? holidays : working).insert(*d);
  }
  WorkingCalendar cal(std::move(holidays), std::move(working));
  std::lock_guard lock(calendarMutex_);
  calendar_ = cal;
  return cal;
}

json Applications::calendarYear(int year) {
  json holidays = json::array(), working = json::array();
  for (const auto& r : db_.connect().query(
           "SELECT day, kind FROM service_calendar_days WHERE year = ? ORDER BY day",
           {std::int64_t{year}}))
    (r.text("kind") == "holiday" ? holidays : working).push_back(r.text("day"));
  return {{"year", year}, {"holidays", holidays}, {"working_days", working}};
}

void Applications::setCalendarYear(int year, const json& days, const std::string& by) {
  // WorkingCalendar::fromJson checks the shape, the dates and the conflicts between them.
  WorkingCalendar cal;
  try {
    cal = WorkingCalendar::fromJson(days);
  } catch (const std::invalid_argument& e) {
    throw badRequest("services.calendar", {{"reason", e.what()}});
  }
  FieldErrors e;
  for (const char* name : {"holidays", "working_days"}) {
    if (!days.contains(name)) continue;
    const auto& list = days[name];
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto d = Date::parse(list[i].get<std::string>());
      if (d && d->year() != year)
        e.add(FieldLocation::Body, std::string("/") + name + "/" + std::to_string(i),
              "services.calendar_year", {{"date", d->toString()}, {"year", std::to_string(year)}});
    }
  }
  e.throwIfAny();
  db_.transaction([&](store::Connection& c) {
    c.exec("DELETE FROM service_calendar_days WHERE year = ?", {std::int64_t{year}});
    const auto now = nowRfc3339();
    for (const auto& d : cal.holidays())
      c.exec(
          "INSERT INTO service_calendar_days (day, year, kind, updated_by, updated_at) VALUES "
          "(?, ?, 'holiday', ?, ?)",
          {d.toString(), std::int64_t{year}, by, now});
    for (const auto& d : cal.workingDays())
      c.exec(
          "INSERT INTO service_calendar_days (day, year, kind, updated_by, updated_at) VALUES "
          "(?, ?, 'working', ?, ?)",
          {d.toString(), std::int64_t{year}, by, now});
    c.afterCommit([this] {
      std::lock_guard lock(calendarMutex_);
      calendar_.reset();
    });
  });
}

Date Applications::localDate(const std::string& at) const {
  auto t = parseRfc3339(at);
  if (!t) return today();
  return Date(std::chrono::floor<std::chrono::days>(*t + std::chrono::minutes(utcOffsetMinutes_)));
}

Date Applications::today() const {
  auto now = std::chrono::system_clock::now() + std::chrono::minutes(utcOffsetMinutes_);
  return Date(std::chrono::floor<std::chrono::days>(now));
}

// ----- reading and writing ----------------------------------------------------------------------

Application Applications::load(store::Connection& c, const std::string& id) {
  auto row = c.queryOne(
      std::string("SELECT ") + kColumns + " FROM service_applications WHERE id = ?", {id});
  if (!row) throw notFound("application", id);
  return fromRow(*row);
}

std::optional<Application> Applications::find(const std::string& id) {
  return store::findOne(db_, kColumns, " FROM service_applications WHERE id = ?", {id}, fromRow);
}

void Applications::save(store::Connection& c, Application& a) {
  a.updatedAt = nowRfc3339();
  const store::Args values = {
      a.status,
      a.materials.dump(),
      a.notice.is_null() ? store::Value(store::Null{}) : store::Value(a.notice.dump()),
      std::int64_t{a.commitment ? 1 : 0},
      jsonText(a.deficiencies),
      opt(a.submittedAt),
      opt(a.acceptedAt),
      opt(a.decidedAt),
      opt(a.dueOn),
      opt(a.statutoryDueOn),
      opt(a.pausedOn),
      std::int64_t{a.pausedDays},
      a.workingDays ? store::Value(std::int64_t{*a.workingDays}) : store::Value(store::Null{}),
      opt(a.reason),
      jsonText(a.credentialIds),
      a.updatedAt};
  store::Args args = values;
  args.push_back(a.id);
  args.push_back(std::int64_t{a.version});
  const auto n = c.exec(
      "UPDATE service_applications SET status = ?, materials = ?, notice = ?, commitment = ?, "
      "deficiencies = ?, submitted_at = ?, accepted_at = ?, decided_at = ?, due_on = ?, "
      "statutory_due_on = ?, paused_on = ?, paused_days = ?, working_days = ?, reason = ?, "
      "credential_ids = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
      args);
  if (n == 0) throw conflict("services.changed");
  ++a.version;
}

void Applications::event(store::Connection& c, const Application& a, const std::string& type,
                         const Principal& by, json detail, bool tellApplicant) {
  const auto now = nowRfc3339();
  auto seq = c.queryOne(
                  "SELECT COALESCE(MAX(seq), 0) AS n FROM service_events WHERE "
                  "application_id = ?",
                  {a.id})
                 ->integer("n") +
             1;
  c.exec(
      "INSERT INTO service_events (id, application_id, seq, type, actor_id, actor_role, "
      "org_id, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {crypto::newId("sev"), a.id, seq, type, by.accountId, roleOf(by), opt(by.orgId),
       detail.dump(), now});
  if (!tellApplicant) return;
  detail["status"] = a.status;
  const auto order = c.queryOne(
                          "SELECT COALESCE(MAX(seq), 0) AS n FROM service_messages WHERE "
                          "account_id = ?",
                          {a.applicantAccountId})
                         ->integer("n") +
                     1;
  c.exec(
      "INSERT INTO service_messages (id, account_id, seq, application_id, application_number, "
      "kind, params, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {crypto::newId("msg"), a.applicantAccountId, order, a.id, a.number, type, detail.dump(),
       now});
}

std::vector<ServiceItem> Applications::itemsOf(const Application& a) {
  auto& guide = services_.get<ServiceCatalog>();
  std::vector<ServiceItem> items;
  for (const auto& id : a.itemIds)
    if (auto s = guide.find(id)) items.push_back(std::move(*s));
  return items;
}

std::string Applications::fetchingOrg(const Application& a) {
  return settings().windowOrgId.value_or(a.leadOrgId);
}

// ----- the applicant's side ---------------------------------------------------------------------

Application Applications::start(store::Connection& c, const std::vector<ServiceItem>& items,
                                const std::optional<std::string>& packageId,
                                const identity::Account& applicant, const Principal& by,
                                const std::string& channel, std::vector<json>& entries) {
  if (items.empty()) throw badRequest("services.no_items");
  const std::string wanted = applicant.kind == "company" ? "company" : "person";
  for (const auto& s : items)
    if (s.subjectKind != wanted)
      throw conflict("services.wrong_applicant", {{"code", s.code}, {"kind", s.subjectKind}});
  for (const auto& s : items)
    if (s.status != "active") throw conflict("services.item_inactive", {{"code", s.code}});

  auto& identity = services_.get<identity::Identity>();
  std::string subject;
  if (applicant.kind == "company") {
    subject = applicant.creditCode.value_or("");
  } else {
    subject = identity.revealResidentId(applicant.id).value_or("");
  }
  if (subject.empty()) throw conflict("services.no_subject");

  Application a;
  a.id = crypto::newId("apl");
  const auto day = today();
  std::string compact = day.toString();
  compact.erase(std::remove(compact.begin(), compact.end(), '-'), compact.end());
  std::string tail = a.id.substr(4, 6);
  for (auto& ch : tail)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  a.number = "YW-" + compact + "-" + tail;
  a.packageId = packageId;
  a.leadOrgId = items.front().orgId;
  for (const auto& s : items) {
    a.itemIds.push_back(s.id);
    a.statutoryDays = std::max(a.statutoryDays, s.statutoryDays);
    a.promisedDays = std::max(a.promisedDays, s.promisedDays);
    a.visits = std::max(a.visits, s.visits);
    for (const auto& st : s.stages)
      for (const auto& org : st.orgIds)
        if (!contains(a.orgIds, org)) a.orgIds.push_back(org);
    for (const auto& m : s.materials) {
      if (json* have = materialOf(a, m.code)) {
        (*have)["items"].push_back(s.code);
        if (m.core) (*have)["core"] = true;
        continue;
      }
      a.materials.push_back(materialDoc(m, s.code));
    }
  }
  if (channel == "window") a.visits = std::max(a.visits, 1);
  a.applicantAccountId = applicant.id;
  a.applicantKind = applicant.kind;
  a.subjectPseudonym = applicant.pseudonym;
  a.subjectSealed = keys_.encrypt(subject);
  a.subjectMasked = applicant.kind == "company" ? subject : applicant.residentIdMasked.value_or("");
  a.applicantName = applicant.kind == "company"
                        ? applicant.companyName.value_or(applicant.displayName)
                        : applicant.displayName;
  a.channel = channel;
  a.createdBy = by.accountId;
  if (by.kind == "staff") a.windowOrgId = by.orgId;
  a.status = "draft";
  a.createdAt = a.updatedAt = nowRfc3339();

  // Fill in what the government holds: each resource fetched once through the exchange by the
  // window (on behalf of the applicant), each certificate taken from the wallet.
  auto& catalog = services_.get<catalog::Catalog>();
  auto& ex = services_.get<exchange::Exchange>();
  auto& creds = services_.get<credentials::Credentials>();
  Principal window = by;
  window.orgId = fetchingOrg(a);
  const std::string now = nowRfc3339();
  for (auto& m : a.materials) {
    if (m["source"] == "resource") {
      auto r = catalog.findByCode(m["resource_code"].get<std::string>());
      if (!r) {
        m["problem"] = {{"code", "services.resource_gone"}};
        continue;
      }
      m["resource_id"] = r->id;
      m["from_org_id"] = r->orgId;
      if ((r->subjectKind == "company") != (applicant.kind == "company")) {
        m["problem"] = {{"code", "services.not_about_applicant"}};
        continue;
      }
      exchange::Query q;
      q.resourceId = r->id;
      q.subject = subject;
      q.purpose = kPurpose;
      q.application = a.number;
      q.fields = m["fields"].get<std::vector<std::string>>();
      try {
        auto o = exchange::ask(services_, keys_, window, q);
        ex.record(c, o.access);
        entries.push_back(exchange::ledgerEntry(o.access));
        m["access_id"] = o.access.id;
        m["leaf_hash"] = o.access.leafHash;
        if (o.answer) {
          m["state"] = "fetched";
          m["values"] = o.answer->values;
          m["fetched_at"] = o.access.at;
        } else {
          m["problem"] = {{"code", o.refusal->code()}};
        }
      } catch (const Error& e) {
        m["problem"] = {{"code", e.code()}};
      }
    } else if (m["source"] == "certificate") {
      auto t = creds.findTypeByCode(m["credential_type"].get<std::string>());
      if (!t) continue;
      m["from_org_id"] = t->issuerOrgId;
      credentials::CredentialFilter f;
      f.holderPseudonym = applicant.pseudonym;
      f.typeId = t->id;
      f.status = "valid";
      ListQuery q;
      q.limit = 20;
      for (const auto& held : creds.list(f, q).items) {
        if (held.state(now) != "valid") continue;
        m["state"] = "wallet";
        m["credential_id"] = held.id;
        m["values"] = held.claims;
        break;
      }
    }
  }

  insert(c, a);
  json filled = json::array();
  for (const auto& m : a.materials)
    if (provided(m)) filled.push_back(m["code"]);
  event(c, a, "started", by, {{"filled", filled}});
  return a;
}

void Applications::insert(store::Connection& c, const Application& a) {
  auto n = [](const std::optional<std::string>& v) { return opt(v); };
  c.exec(
      std::string("INSERT INTO service_applications (") + kColumns +
          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {a.id,
       a.number,
       n(a.packageId),
       jsonText(a.itemIds),
       a.leadOrgId,
       orgListText(a.orgIds),
       a.applicantAccountId,
       a.applicantKind,
       a.subjectPseudonym,
       a.subjectSealed,
       a.subjectMasked,
       a.applicantName,
       a.channel,
       a.createdBy,
       n(a.windowOrgId),
       a.status,
       a.materials.dump(),
       a.notice.is_null() ? store::Value(store::Null{}) : store::Value(a.notice.dump()),
       std::int64_t{a.commitment ? 1 : 0},
       jsonText(a.deficiencies),
       std::int64_t{a.visits},
       std::int64_t{a.statutoryDays},
       std::int64_t{a.promisedDays},
       n(a.submittedAt),
       n(a.acceptedAt),
       n(a.decidedAt),
       n(a.dueOn),
       n(a.statutoryDueOn),
       n(a.pausedOn),
       std::int64_t{a.pausedDays},
       a.workingDays ? store::Value(std::int64_t{*a.workingDays}) : store::Value(store::Null{}),
       n(a.reason),
       jsonText(a.credentialIds),
       std::int64_t{a.version},
       a.createdAt,
       a.updatedAt});
}

void Applications::addDecided(const Application& a, const std::optional<int>& score,
                              const std::string& ratedAt) {
  db_.transaction([&](store::Connection& c) {
    insert(c, a);
    if (score)
      c.exec(
          "INSERT INTO service_ratings (application_id, lead_org_id, item_ids, score, comment, "
          "channel, rated_by, rated_at) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
          {a.id, a.leadOrgId, jsonText(a.itemIds), std::int64_t{*score}, a.channel,
           a.applicantAccountId, ratedAt});
  });
}

Page<Application> Applications::list(const ApplicationFilter& f, ListQuery q) {
  store::Where w;
  w.eq("applicant_account_id", f.applicantAccountId);
  w.eq("status", f.status);
  if (f.orgId)
    w.add("(lead_org_id = ? OR window_org_id = ? OR org_ids LIKE ?)",
          {*f.orgId, *f.orgId, "%," + *f.orgId + ",%"});
  if (f.itemId) w.add("item_ids LIKE ?", {"%\"" + *f.itemId + "\"%"});
  if (f.overdueOnly)
    w.add("status IN ('submitted', 'in_review') AND due_on < ?", {today().toString()});
  auto c = db_.connect();
  return store::fetchPage(c, kColumns, " FROM service_applications", std::move(w), std::move(q),
                          applicationSortColumns(), "id", fromRow);
}

const Sorting& Applications::sorting() {
  return applicationSortColumns().sorting();
}

bool Applications::visibleTo(const Application& a, const Principal& p) {
  if (p.kind != "staff") return p.accountId == a.applicantAccountId;
  if (identity::authz::seesAllDepartments(p)) return true;
  if (!p.orgId) return false;
  const auto& org = *p.orgId;
  if (org == a.leadOrgId || a.windowOrgId == org || contains(a.orgIds, org)) return true;
  // The window that receives applications sees them all.
  return settings().windowOrgId == org;
}

void Applications::requireApplicantSide(const Application& a, const Principal& p) const {
  if (p.kind != "staff") {
    if (p.accountId != a.applicantAccountId) throw notFound("application", a.id);
    return;
  }
  if (!identity::authz::hasRole(p, "clerk") || !a.windowOrgId || p.orgId != a.windowOrgId)
    throw forbidden("services.not_applicant");
}

Application Applications::fillForm(const std::string& id, const std::string& material,
                                   const json& values, const Principal& by) {
  return db_.transaction([&](store::Connection& c) {
    auto a = load(c, id);
    requireApplicantSide(a, by);
    requireEditable(a);
    json* m = materialOf(a, material);
    if (!m || (*m)["source"] != "form") throw notFound("form", material);
    FieldErrors e;
    if (!values.is_object()) {
      e.add(FieldLocation::Body, "/values", "field.type", {{"type", "object"}});
      e.throwIfAny();
    }
    std::set<std::string> known;
    json clean = json::object();
    for (const auto& f : (*m)["form_fields"]) {
      const auto name = f["name"].get<std::string>();
      known.insert(name);
      const std::string at = "/values/" + name;
      auto it = values.find(name);
      if (it == values.end() || it->is_null() ||
          (it->is_string() && it->get<std::string>().empty())) {
        if (f["required"] == true) e.add(FieldLocation::Body, at, "field.required");
        continue;
      }
      const auto type = f["type"].get<std::string>();
      if (type == "string") {
        if (!it->is_string())
          e.add(FieldLocation::Body, at, "field.type", {{"type", "string"}});
        else if (!lengthWithin(it->get<std::string>(), 1, kMaxText))
          e.add(FieldLocation::Body, at, "field.length",
                {{"min", "1"}, {"max", std::to_string(kMaxText)}});
        else
          clean[name] = *it;
      } else if (type == "date") {
        if (!it->is_string() || !Date::parse(it->get<std::string>()))
          e.add(FieldLocation::Body, at, "field.date");
        else
          clean[name] = *it;
      } else if (type == "integer") {
        if (!it->is_number_integer())
          e.add(FieldLocation::Body, at, "field.type", {{"type", "integer"}});
        else
          clean[name] = *it;
      } else if (type == "boolean") {
        if (!it->is_boolean())
          e.add(FieldLocation::Body, at, "field.type", {{"type", "boolean"}});
        else
          clean[name] = *it;
      }
    }
    for (auto it = values.begin(); it != values.end(); ++it)
      if (!known.count(it.key()))
        e.add(FieldLocation::Body, "/values/" + it.key(), "field.unknown");
    e.throwIfAny();
    (*m)["values"] = clean;
    (*m)["state"] = "form";
    m->erase("correction");
    save(c, a);
    event(c, a, "form_filled", by, {{"material", material}}, false);
    return a;
  });
}

Application Applications::refuse(const std::string& id, const std::string& material,
                                 const Principal& by) {
  return db_.transaction([&](store::Connection& c) {
    auto a = load(c, id);
    requireApplicantSide(a, by);
    requireEditable(a);
    json* m = materialOf(a, material);
    if (!m) throw notFound("material", material);
    if ((*m)["source"] != "resource" && (*m)["source"] != "certificate")
      throw conflict("services.not_filled_in", {{"material", material}});
    if ((*m)["refused"] == true) return a;  // refused already: nothing changes
    (*m)["refused"] = true;
    (*m)["state"] = "missing";
    m->erase("values");
    save(c, a);
    event(c, a, "material_refused", by, {{"material", material}}, false);
    return a;
  });
}

Application Applications::upload(const std::string& id, const std::string& material,
                                 const std::string& mediaType, const std::string& bytes,
                                 const Principal& by) {
  return db_.transaction([&](store::Connection& c) {
    auto a = load(c, id);
    requireApplicantSide(a, by);
    requireEditable(a);
    json* m = materialOf(a, material);
    if (!m) throw notFound("material", material);
    const auto src = (*m)["source"].get<std::string>();
    // Fetched materials and certificates are uploaded only in place of one the applicant
    // refused or that could not be filled in; forms are filled in, not uploaded.
    if (src == "form" || ((src == "resource" || src == "certificate") && provided(*m)))
      throw conflict("services.not_uploadable", {{"material", material}});
    const auto types = (*m)["upload_types"].get<std::vector<std::string>>();
    if (!contains(types, mediaType))
      throw badRequest("services.upload_type", {{"type", mediaType}, {"types", commaList(types)}});
    const auto max = (*m)["max_bytes"].get<std::int64_t>();
    if (bytes.empty() || static_cast<std::int64_t>(bytes.size()) > max)
      throw badRequest("services.upload_size",
                       {{"size", std::to_string(bytes.size())}, {"max", std::to_string(max)}});
    if (!looksLike(mediaType, bytes))
      throw badRequest("services.upload_content", {{"type", mediaType}});
    const auto fileId = crypto::newId("fil");
    const auto digest = crypto::sha256Hex(bytes);
    const auto now = nowRfc3339();
    c.exec(
        "INSERT INTO service_files (id, application_id, material_code, media_type, size, "
        "sha256, content, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {fileId, a.id, material, mediaType, static_cast<std::int64_t>(bytes.size()), digest,
         base64(bytes), by.accountId, now});
    (*m)["state"] = "uploaded";
    (*m)["file"] = {{"id", fileId},
                    {"media_type", mediaType},
                    {"size", bytes.size()},
                    {"sha256", digest},
                    {"uploaded_at", now}};
    m->erase("correction");
    save(c, a);
    event(c, a, "file_uploaded", by, {{"material", material}}, false);
    return a;
  });
}

std::optional<StoredFile> Applications::file(const std::string& applicationId,
                                             const std::string& fileId) {
  auto row = db_.connect().queryOne(
      "SELECT id, media_type, content FROM service_files WHERE id = ? AND application_id = ?",
      {fileId, applicationId});
  if (!row) return std::nullopt;
  return StoredFile{row->text("id"), row->text("media_type"),
                    fromBase64(row->text("content")).value_or("")};
}

Application Applications::submit(const std::string& id, bool commitment, const Principal& by) {
  return db_.transaction([&](store::Connection& c) {
    auto a = load(c, id);
    requireApplicantSide(a, by);
    requireEditable(a);
    auto items = itemsOf(a);
    FieldErrors e;
    std::vector<std::string> deficient;
    for (std::size_t i = 0; i < a.materials.size(); ++i) {
      const auto& m = a.materials[i];
      const auto code = m["code"].get<std::string>();
      const std::string at = "/materials/" + code;
      if (m.contains("correction")) {
        e.add(FieldLocation::Body, at, "services.correction_pending",
              {{"reason", m["correction"].get<std::string>()}});
        continue;
      }
      if (provided(m)) continue;
      if (m["core"] == true) {
        e.add(FieldLocation::Body, at, "services.material_required", {{"material", code}});
        continue;
      }
      // A non-core material may be missing when every item asking for it allows acceptance
      // with deficiencies and the applicant signs the commitment.
      bool allowed = true;
      for (const auto& itemCode : m["items"])
        for (const auto& s : items)
          if (s.code == itemCode && !s.allowsDeficiency) allowed = false;
      if (!allowed || !commitment)
        e.add(FieldLocation::Body, at,
              allowed ? "services.commitment_required" : "services.material_required",
              {{"material", code}});
      else
        deficient.push_back(code);
    }
    e.throwIfAny();
    const auto cal = calendar();
    const auto day = today();
    const bool again = a.status == "returned";
    if (again) {
      const auto since = Date::parse(a.pausedOn.value_or(day.toString())).value_or(day);
      const int waited = std::max(0, cal.workingDaysBetween(since, day));
      a.pausedDays += waited;
      if (a.dueOn) a.dueOn = cal.addWorkingDays(*Date::parse(*a.dueOn), waited).toString();
      if (a.statutoryDueOn)
        a.statutoryDueOn = cal.addWorkingDays(*Date::parse(*a.statutoryDueOn), waited).toString();
      a.pausedOn.reset();
    } else {
      a.submittedAt = nowRfc3339();
      a.dueOn = cal.addWorkingDays(day, a.promisedDays).toString();
      a.statutoryDueOn = cal.addWorkingDays(day, a.statutoryDays).toString();
    }
    a.commitment = commitment && !deficient.empty();
    a.deficiencies = deficient;
    a.status = "submitted";
    save(c, a);
    event(c, a, again ? "resubmitted" : "submitted", by,
          {{"due_on", *a.dueOn}, {"deficiencies", deficient}});
    return a;
  });
}

Application Applications::withdraw(const std::string& id, const Principal& by) {
  return db_.transaction([&](store::Connection& c) {
    auto a = load(c, id);
    requireApplicantSide(a, by);
    if (a.status != "draft" && a.status != "submitted" && a.status != "returned" &&
        a.status != "in_review")
      throw stateError(a);
    c.exec(
        "UPDATE service_tasks SET status = 'cancelled' WHERE application_id = ? AND status IN "
        "('open', 'waiting')",
        {a.id});
    a.status = "withdrawn";
    a.decidedAt = nowRfc3339();
    save(c, a);
    event(c, a, "withdrawn", by);
    return a;
  });
}

// ----- the window -------------------------------------------------------------------------------

namespace {

// A clerk of the window that receives the application, of the window it was made at, or of its
// lead department.
void requireWindow(const Application& a, const Principal& p,
                   const std::optional<std::string>& windowOrgId) {
  if (identity::authz::hasRole(p, "platform_admin")) return;
  if (!identity::authz::hasRole(p, "clerk") || !p.orgId) throw forbidden("services.not_window");
  const auto& org = *p.orgId;
  if (org != a.leadOrgId && a.windowOrgId != org && windowOrgId != org)
    throw forbidden("services.not_window");
}

}  // namespace

Application Applications::giveNotice(const std::string& id, const json& items,
                                     const std::string& note, const Principal& by) {
  return db_.transaction([&](store::Connection& c) {
    auto a = load(c, id);
    requireWindow(a, by, settings().windowOrgId);
    if (a.status != "submitted") throw stateError(a);
    // The one-time notice: everything to correct at once, never a second time.
    if (!a.notice.is_null()) throw conflict("services.notice_given");
    FieldErrors e;
    if (!items.is_array() || items.empty())
      e.add(FieldLocation::Body, "/items", "field.length", {{"min", "1"}, {"max", "50"}});
    json listed = json::array();
    std::set<std::string> seen;
    if (items.is_array())
      for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string at = "/items/" + std::to_string(i);
        const auto& it = items[i];
        if (!it.is_object() || !it.contains("material") || !it["material"].is_string()) {
          e.add(FieldLocation::Body, at + "/material", "field.required");
          continue;
        }
        const auto code = it["material"].get<std::string>();
        if (!materialOf(a, code)) {
          e.add(FieldLocation::Body, at + "/material", "field.not_found",
                {{"resource", "material"}, {"id", code}});
          continue;
        }
        if (!seen.insert(code).second) {
          e.add(FieldLocation::Body, at + "/material", "field.duplicate");
          continue;
        }
        if (!it.contains("reason") || !it["reason"].is_string() ||
            !lengthWithin(it["reason"].get<std::string>(), 1, kMaxText)) {
          e.add(FieldLocation::Body, at + "/reason", "field.length",
                {{"min", "1"}, {"max", std::to_string(kMaxText)}});
          continue;
        }
        for (auto key = it.begin(); key != it.end(); ++key)
          if (key.key() != "material" && key.key() != "reason")
            e.add(FieldLocation::Body, at + "/" + key.key(), "field.unknown");
        listed.push_back({{"material", code}, {"reason", it["reason"]}});
      }
    if (note.size() > kMaxText * 4)
      e.add(FieldLocation::Body, "/note", "field.length",
            {{"min", "0"}, {"max", std::to_string(kMaxText * 4)}});
    e.throwIfAny();
    for (const auto& it : listed) {
      json* m = materialOf(a, it["material"].get<std::string>());
      (*m)["correction"] = it["reason"];
      // A fetched or wallet material that is wrong is provided again by the applicant.
      if ((*m)["source"] == "resource" || (*m)["source"] == "certificate") {
        (*m)["refused"] = true;
        (*m)["state"] = "missing";
        m->erase("values");
      }
    }
    a.notice = {{"at", nowRfc3339()}, {"by", by.accountId}, {"note", note}, {"items", listed}};
    a.status = "returned";
    a.pausedOn = today().toString();
    save(c, a);
    event(c, a, "returned", by, {{"items", listed}, {"note", note}});
    return a;
  });
}

Application Applications::accept(store::Connection& c, const std::string& id, const Principal& by) {
  auto a = load(c, id);
  const auto conf = settings();
  requireWindow(a, by, conf.windowOrgId);
  if (a.status != "submitted") throw stateError(a);
  auto& ledger = services_.get<ledger::Log>();
  auto& ex = services_.get<exchange::Exchange>();
  json credit;
  if (!a.deficiencies.empty()) {
    // Acceptance with deficiencies: only for an applicant the shared credit record shows
    // without serious dishonesty. The check is an access like any other, and stands although
    // the acceptance is refused.
    if (!conf.creditResourceId) throw conflict("services.no_credit_check");
    Principal window = by;
    window.orgId = fetchingOrg(a);
    exchange::Query q;
    q.resourceId = *conf.creditResourceId;
    q.subject = keys_.decrypt(a.subjectSealed);
    q.purpose = kPurpose;
    q.application = a.number;
    q.fields = std::vector<std::string>{conf.creditField};
    auto o = exchange::ask(services_, keys_, window, q);
    const bool dishonest =
        o.answer && o.answer->values.value(conf.creditField, json(false)) == json(true);
    if (!o.answer || dishonest) {
      db_.transactionApart([&](store::Connection& apart) {
        ex.record(apart, o.access);
        ledger.queue(apart, exchange::ledgerEntry(o.access));
      });
      if (dishonest) throw conflict("services.serious_dishonesty");
      throw conflict("services.credit_unavailable", {{"reason", o.refusal->code()}});
    }
    ex.record(c, o.access);
    ledger.queue(c, exchange::ledgerEntry(o.access));
    credit = {{"access_id", o.access.id}, {"leaf_hash", o.access.leafHash}};
  }
  // Serialises the departments' decisions on this application (a row lock on PostgreSQL).
  const auto cal = calendar();
  a.status = "in_review";
  a.acceptedAt = nowRfc3339();
  save(c, a);
  std::vector<std::string> codes;
  for (const auto& item : itemsOf(a)) {
    codes.push_back(item.code);
    openStage(c, a, item, 0, cal);
  }
  ledger.queue(c, {{"type", "services.accepted"},
                   {"subject", a.subjectPseudonym},
                   {"application", a.number},
                   {"items", commaList(codes)},
                   {"lead", a.leadOrgId},
                   {"deficiencies", commaList(a.deficiencies)},
                   {"due_on", a.dueOn.value_or("")},
                   {"at", *a.acceptedAt}});
  json detail = {{"due_on", a.dueOn.value_or("")}, {"deficiencies", a.deficiencies}};
  if (!credit.is_null()) detail["credit"] = credit;
  event(c, a, "accepted", by, detail);
  return a;
}

// ----- the departments --------------------------------------------------------------------------

void Applications::openStage(store::Connection& c, Application& a, const ServiceItem& item,
                             int stage, const WorkingCalendar& cal) {
  const auto day = today();
  const int stages = static_cast<int>(item.stages.size());
  // A stage's share of the promised time, the last stage due with the application.
  const int share = std::max(1, item.promisedDays * (stage + 1) / std::max(1, stages));
  auto due =
      cal.addWorkingDays(a.submittedAt ? localDate(*a.submittedAt) : day, share + a.pausedDays);
  if (a.dueOn) due = std::min(due, *Date::parse(*a.dueOn));
  if (due < day) due = cal.isWorkingDay(day) ? day : cal.nextWorkingDay(day);
  const auto now = nowRfc3339();
  for (const auto& org : item.stages[static_cast<std::size_t>(stage)].orgIds)
    c.exec(
        "INSERT INTO service_tasks (id, application_id, item_id, stage, org_id, status, "
        "due_on, created_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
        {crypto::newId("tsk"), a.id, item.id, std::int64_t{stage}, org, due.toString(), now});
}

Page<Task> Applications::tasks(const TaskFilter& f, ListQuery q) {
  store::Where w;
  w.eq("t.org_id", f.orgId);
  w.eq("t.status", f.status);
  w.eq("t.application_id", f.applicationId);
  auto c = db_.connect();
  return store::fetchPage(c, kTaskColumns,
                          " FROM service_tasks t JOIN service_applications a ON a.id = "
                          "t.application_id",
                          std::move(w), std::move(q), taskSortColumns(), "t.id", taskFromRow);
}

std::vector<Task> Applications::tasksOf(const std::string& applicationId) {
  std::vector<Task> out;
  for (const auto& r : db_.connect().query(
           std::string("SELECT ") + kTaskColumns +
               " FROM service_tasks t JOIN service_applications a ON a.id = t.application_id "
               "WHERE t.application_id = ? ORDER BY t.stage, t.created_at, t.id",
           {applicationId}))
    out.push_back(taskFromRow(r));
  return out;
}

const Sorting& Applications::taskSorting() {
  return taskSortColumns().sorting();
}

std::optional<Task> Applications::findTask(const std::string& id) {
  return store::findOne(db_, kTaskColumns,
                        " FROM service_tasks t JOIN service_applications a ON a.id = "
                        "t.application_id WHERE t.id = ?",
                        {id}, taskFromRow);
}

Application Applications::decideTask(store::Connection& c, const std::string& taskId, bool approve,
                                     const std::optional<std::string>& comment,
                                     const Principal& by) {
  auto task = findTask(taskId);
  if (!task) throw notFound("task", taskId);
  if (!identity::authz::hasRole(by, "approver") || by.orgId != task->orgId)
    throw forbidden("services.not_your_task");
  if (!approve && (!comment || !lengthWithin(*comment, 1, kMaxText)))
    throw invalidField(FieldLocation::Body, "/reason", "field.length",
                       {{"min", "1"}, {"max", std::to_string(kMaxText)}});
  if (comment && comment->size() > kMaxText * 4)
    throw invalidField(FieldLocation::Body, approve ? "/comment" : "/reason", "field.length",
                       {{"min", "1"}, {"max", std::to_string(kMaxText)}});
  // The application's row first: two departments deciding at once take turns.
  c.exec("UPDATE service_applications SET version = version WHERE id = ?", {task->applicationId});
  auto a = load(c, task->applicationId);
  const auto now = nowRfc3339();
  const auto n = c.exec(
      "UPDATE service_tasks SET status = ?, decided_by = ?, decided_at = ?, comment = ? WHERE "
      "id = ? AND status = 'open'",
      {std::string(approve ? "approved" : "rejected"), by.accountId, now, opt(comment), taskId});
  if (n == 0) {
    auto again = findTask(taskId);
    throw conflict("services.task_decided", {{"status", again ? again->status : "unknown"}});
  }
  if (a.status != "in_review") throw stateError(a);
  event(c, a, approve ? "task_approved" : "task_rejected", by,
        {{"task", taskId}, {"item", task->itemId}, {"comment", comment.value_or("")}}, false);
  if (!approve) {
    c.exec(
        "UPDATE service_tasks SET status = 'cancelled' WHERE application_id = ? AND status = "
        "'open'",
        {a.id});
    decide(c, a, false, by, comment);
    return a;
  }
  // The stage is done when none of its tasks is open; then the item's next stage opens, or,
  // when every item has passed its last stage, the application is decided.
  auto open = c.queryOne(
                   "SELECT COUNT(*) AS n FROM service_tasks WHERE application_id = ? AND item_id "
                   "= ? AND stage = ? AND status = 'open'",
                   {a.id, task->itemId, std::int64_t{task->stage}})
                  ->integer("n");
  if (open > 0) return a;
  auto item = services_.get<ServiceCatalog>().find(task->itemId);
  if (item && task->stage + 1 < static_cast<int>(item->stages.size())) {
    openStage(c, a, *item, task->stage + 1, calendar());
    return a;
  }
  auto left = c.queryOne(
                   "SELECT COUNT(*) AS n FROM service_tasks WHERE application_id = ? AND "
                   "status = 'open'",
                   {a.id})
                  ->integer("n");
  if (left > 0) return a;
  // Every item must have reached its last stage (an item whose stages all passed has approved
  // tasks at its last stage).
  for (const auto& s : itemsOf(a)) {
    auto last = c.queryOne(
                     "SELECT COUNT(*) AS n FROM service_tasks WHERE application_id = ? AND "
                     "item_id = ? AND stage = ? AND status = 'approved'",
                     {a.id, s.id, std::int64_t{static_cast<int>(s.stages.size()) - 1}})
                    ->integer("n");
    if (last == 0) return a;
  }
  decide(c, a, true, by, std::nullopt);
  return a;
}

void Applications::decide(store::Connection& c, Application& a, bool approved, const Principal& by,
                          const std::optional<std::string>& reason) {
  const auto cal = calendar();
  const auto day = today();
  a.status = approved ? "approved" : "rejected";
  a.decidedAt = nowRfc3339();
  a.reason = reason;
  const auto from = a.submittedAt ? localDate(*a.submittedAt) : day;
  a.workingDays = std::max(0, cal.workingDaysBetween(from, day) - a.pausedDays);
  auto& ledger = services_.get<ledger::Log>();
  std::vector<std::string> issued, codes;
  if (approved) {
    auto& creds = services_.get<credentials::Credentials>();
    const auto subject = keys_.decrypt(a.subjectSealed);
    int index = 0;
    for (const auto& item : itemsOf(a)) {
      codes.push_back(item.code);
      for (const auto& code : item.certificates) {
        auto t = creds.findTypeByCode(code);
        if (!t) continue;
        credentials::IssueInput in;
        in.typeId = t->id;
        in.subject = subject;
        ++index;
        for (const auto& f : t->fields)
          if (auto v = claimFor(f, a, subject, day, index)) in.claims[f.name] = *v;
        FieldErrors e;
        creds.checkIssue(*t, in, e);
        if (!e.empty()) throw conflict("services.certificate_incomplete", {{"type", t->code}});
        auto done = creds.issue(c, *t, in, by.accountId);
        ledger.queue(c, done.ledgerEntry);
        issued.push_back(done.credential.id);
      }
    }
  } else {
    for (const auto& item : itemsOf(a)) codes.push_back(item.code);
  }
  a.credentialIds = issued;
  save(c, a);
  ledger.queue(c, {{"type", "services.decided"},
                   {"subject", a.subjectPseudonym},
                   {"application", a.number},
                   {"items", commaList(codes)},
                   {"outcome", a.status},
                   {"certificates", commaList(issued)},
                   {"working_days", *a.workingDays},
                   {"at", *a.decidedAt}});
  event(c, a, a.status, by,
        {{"certificates", issued},
         {"reason", reason.value_or("")},
         {"working_days", *a.workingDays}});
}

// ----- history, messages, ratings ---------------------------------------------------------------

std::vector<Event> Applications::history(const std::string& applicationId) {
  std::vector<Event> out;
  for (const auto& r : db_.connect().query(
           "SELECT id, application_id, type, actor_id, actor_role, org_id, detail, at FROM "
           "service_events WHERE application_id = ? ORDER BY seq",
           {applicationId})) {
    Event e;
    e.id = r.text("id");
    e.applicationId = r.text("application_id");
    e.type = r.text("type");
    e.actorId = r.text("actor_id");
    e.actorRole = r.text("actor_role");
    e.orgId = r.optText("org_id");
    e.detail = json::parse(r.text("detail"));
    e.at = r.text("at");
    out.push_back(std::move(e));
  }
  return out;
}

Page<Message> Applications::messages(const std::string& accountId, bool unreadOnly, ListQuery q) {
  store::Where w;
  w.eq("account_id", accountId);
  if (unreadOnly) w.add("read_at IS NULL", {});
  auto c = db_.connect();
  return store::fetchPage(
      c,
      "id, account_id, seq, application_id, application_number, kind, params, created_at, "
      "read_at",
      " FROM service_messages", std::move(w), std::move(q), messageSortColumns(), "id",
      [](const store::Row& r) {
        Message m;
        m.id = r.text("id");
        m.accountId = r.text("account_id");
        m.seq = r.integer("seq");
        m.applicationId = r.text("application_id");
        m.applicationNumber = r.text("application_number");
        m.kind = r.text("kind");
        m.params = json::parse(r.text("params"));
        m.createdAt = r.text("created_at");
        m.readAt = r.optText("read_at");
        return m;
      });
}

const Sorting& Applications::messageSorting() {
  return messageSortColumns().sorting();
}

void Applications::markRead(const std::string& accountId, const std::string& messageId) {
  auto c = db_.connect();
  auto row = c.queryOne("SELECT read_at FROM service_messages WHERE id = ? AND account_id = ?",
                        {messageId, accountId});
  if (!row) throw notFound("message", messageId);
  if (row->isNull("read_at"))
    c.exec("UPDATE service_messages SET read_at = ? WHERE id = ?", {nowRfc3339(), messageId});
}

std::int64_t Applications::unread(const std::string& accountId) {
  return db_.connect()
      .queryOne(
          "SELECT COUNT(*) AS n FROM service_messages WHERE account_id = ? AND read_at IS "
          "NULL",
          {accountId})
      ->integer("n");
}

Rating Applications::rate(const std::string& id, int score,
                          const std::optional<std::string>& comment, const Principal& by) {
  if (score < 1 || score > 5)
    throw invalidField(FieldLocation::Body, "/score", "field.range", {{"min", "1"}, {"max", "5"}});
  if (comment && !lengthWithin(*comment, 1, kMaxText))
    throw invalidField(FieldLocation::Body, "/comment", "field.length",
                       {{"min", "1"}, {"max", std::to_string(kMaxText)}});
  return db_.transaction([&](store::Connection& c) {
    auto a = load(c, id);
    if (by.accountId != a.applicantAccountId) throw notFound("application", id);
    if (a.status != "approved" && a.status != "rejected") throw conflict("services.not_decided");
    if (c.queryOne("SELECT 1 AS x FROM service_ratings WHERE application_id = ?", {id}))
      throw conflict("services.rated");
    Rating r{a.id, score, comment, a.channel, nowRfc3339()};
    c.exec(
        "INSERT INTO service_ratings (application_id, lead_org_id, item_ids, score, comment, "
        "channel, rated_by, rated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {a.id, a.leadOrgId, jsonText(a.itemIds), std::int64_t{score}, opt(comment), a.channel,
         by.accountId, r.ratedAt});
    event(c, a, "rated", by, {{"score", score}}, false);
    if (score <= 2) {
      // A poor rating is a case for the department: a reply to the applicant within five
      // working days, then a follow-up.
      const auto due = calendar().addWorkingDays(today(), kRectificationDays).toString();
      c.exec(
          "INSERT INTO service_rectifications (id, application_id, application_number, "
          "org_id, score, comment, status, due_on, created_at) VALUES (?, ?, ?, ?, ?, ?, "
          "'open', ?, ?)",
          {crypto::newId("rct"), a.id, a.number, a.leadOrgId, std::int64_t{score}, opt(comment),
           due, r.ratedAt});
      event(c, a, "rectification_opened", by, {{"due_on", due}});
    }
    return r;
  });
}

std::optional<Rating> Applications::rating(const std::string& applicationId) {
  auto row = db_.connect().queryOne(
      "SELECT application_id, score, comment, channel, rated_at FROM service_ratings WHERE "
      "application_id = ?",
      {applicationId});
  if (!row) return std::nullopt;
  return Rating{row->text("application_id"), static_cast<int>(row->integer("score")),
                row->optText("comment"), row->text("channel"), row->text("rated_at")};
}

std::vector<std::int64_t> Applications::ratingCounts(const std::optional<std::string>& itemId,
                                                     const std::optional<std::string>& orgId) {
  store::Where w;
  w.eq("lead_org_id", orgId);
  if (itemId) w.add("item_ids LIKE ?", {"%\"" + *itemId + "\"%"});
  std::vector<std::int64_t> counts(5, 0);
  for (const auto& r : db_.connect().query(
           "SELECT score, COUNT(*) AS n FROM service_ratings" + w.sql + " GROUP BY score", w.args))
    if (auto s = r.integer("score"); s >= 1 && s <= 5)
      counts[static_cast<std::size_t>(s - 1)] = r.integer("n");
  return counts;
}

Page<Rectification> Applications::rectifications(const std::optional<std::string>& orgId,
                                                 const std::optional<std::string>& status,
                                                 ListQuery q) {
  store::Where w;
  w.eq("org_id", orgId);
  w.eq("status", status);
  auto c = db_.connect();
  return store::fetchPage(c, kRectificationColumns, " FROM service_rectifications", std::move(w),
                          std::move(q), rectificationSortColumns(), "id", rectificationFromRow);
}

const Sorting& Applications::rectificationSorting() {
  return rectificationSortColumns().sorting();
}

std::optional<Rectification> Applications::findRectification(const std::string& id) {
  return store::findOne(db_, kRectificationColumns, " FROM service_rectifications WHERE id = ?",
                        {id}, rectificationFromRow);
}

namespace {

void requireCaseHandler(const Rectification& r, const Principal& p) {
  if (identity::authz::seesAllDepartments(p)) return;
  if (p.orgId != r.orgId ||
      !(identity::authz::hasRole(p, "org_admin") || identity::authz::hasRole(p, "approver")))
    throw forbidden("services.not_your_case");
}

}  // namespace

Rectification Applications::reply(const std::string& id, const std::string& text,
                                  const Principal& by) {
  if (!lengthWithin(text, 1, kMaxText * 4))
    throw invalidField(FieldLocation::Body, "/reply", "field.length",
                       {{"min", "1"}, {"max", std::to_string(kMaxText * 4)}});
  return db_.transaction([&](store::Connection& c) {
    auto r = findRectification(id);
    if (!r) throw notFound("rectification", id);
    requireCaseHandler(*r, by);
    if (r->status != "open") throw conflict("services.case_state", {{"status", r->status}});
    const auto now = nowRfc3339();
    c.exec(
        "UPDATE service_rectifications SET status = 'replied', reply = ?, replied_by = ?, "
        "replied_at = ? WHERE id = ? AND status = 'open'",
        {text, by.accountId, now, id});
    auto a = load(c, r->applicationId);
    event(c, a, "rectification_replied", by, {{"reply", text}});
    return *findRectification(id);
  });
}

Rectification Applications::close(const std::string& id, const std::string& followUp,
                                  const Principal& by) {
  if (!lengthWithin(followUp, 1, kMaxText * 4))
    throw invalidField(FieldLocation::Body, "/follow_up", "field.length",
                       {{"min", "1"}, {"max", std::to_string(kMaxText * 4)}});
  return db_.transaction([&](store::Connection& c) {
    auto r = findRectification(id);
    if (!r) throw notFound("rectification", id);
    requireCaseHandler(*r, by);
    if (r->status != "replied") throw conflict("services.case_state", {{"status", r->status}});
    const auto now = nowRfc3339();
    c.exec(
        "UPDATE service_rectifications SET status = 'closed', follow_up = ?, closed_by = ?, "
        "closed_at = ? WHERE id = ? AND status = 'replied'",
        {followUp, by.accountId, now, id});
    auto a = load(c, r->applicationId);
    event(c, a, "rectification_closed", by, {{"follow_up", followUp}});
    return *findRectification(id);
  });
}

// ----- JSON ---------------------------------------------------------------------------------

std::string clockState(const std::optional<std::string>& due, const Date& today,
                       const WorkingCalendar& cal) {
  if (!due) return "none";
  auto d = Date::parse(*due);
  if (!d) return "none";
  if (*d < today) return "overdue";
  return cal.workingDaysBetween(today, *d) <= 1 ? "due_soon" : "on_time";
}

json applicationToJson(const Application& a, const Date& today, const WorkingCalendar& cal) {
  auto n = [](const std::optional<std::string>& v) { return v ? json(*v) : json(); };
  json clock = {{"due_on", n(a.dueOn)},
                {"statutory_due_on", n(a.statutoryDueOn)},
                {"paused_days", a.pausedDays},
                {"working_days", a.workingDays ? json(*a.workingDays) : json()}};
  if (a.status == "returned") {
    clock["state"] = "stopped";
  } else if (a.status == "submitted" || a.status == "in_review") {
    clock["state"] = clockState(a.dueOn, today, cal);
    if (a.dueOn) clock["days_left"] = cal.workingDaysBetween(today, *Date::parse(*a.dueOn));
  } else {
    clock["state"] = "none";
  }
  return {
      {"id", a.id},
      {"number", a.number},
      {"package_id", n(a.packageId)},
      {"item_ids", a.itemIds},
      {"lead_org_id", a.leadOrgId},
      {"org_ids", a.orgIds},
      {"applicant",
       {{"kind", a.applicantKind}, {"name", a.applicantName}, {"subject_masked", a.subjectMasked}}},
      {"channel", a.channel},
      {"status", a.status},
      {"materials", a.materials},
      {"notice", a.notice},
      {"commitment", a.commitment},
      {"deficiencies", a.deficiencies},
      {"visits", a.visits},
      {"statutory_days", a.statutoryDays},
      {"promised_days", a.promisedDays},
      {"clock", clock},
      {"submitted_at", n(a.submittedAt)},
      {"accepted_at", n(a.acceptedAt)},
      {"decided_at", n(a.decidedAt)},
      {"reason", n(a.reason)},
      {"credential_ids", a.credentialIds},
      {"made_at_window", a.windowOrgId.has_value()},
      {"created_at", a.createdAt},
      {"updated_at", a.updatedAt}};
}

json taskToJson(const Task& t, const Date& today, const WorkingCalendar& cal) {
  auto n = [](const std::optional<std::string>& v) { return v ? json(*v) : json(); };
  return {{"id", t.id},
          {"application_id", t.applicationId},
          {"application_number", t.applicationNumber},
          {"item_id", t.itemId},
          {"stage", t.stage},
          {"org_id", t.orgId},
          {"status", t.status},
          {"due_on", n(t.dueOn)},
          {"clock", t.status == "open" ? clockState(t.dueOn, today, cal) : "none"},
          {"decided_by", n(t.decidedBy)},
          {"decided_at", n(t.decidedAt)},
          {"comment", n(t.comment)},
          {"created_at", t.createdAt}};
}

json eventToJson(const Event& e) {
  return {{"id", e.id},
          {"type", e.type},
          {"actor_role", e.actorRole},
          {"org_id", e.orgId ? json(*e.orgId) : json()},
          {"detail", e.detail},
          {"at", e.at}};
}

json messageToJson(const Message& m) {
  return {{"id", m.id},
          {"application_id", m.applicationId},
          {"application_number", m.applicationNumber},
          {"kind", m.kind},
          {"params", m.params},
          {"created_at", m.createdAt},
          {"read_at", m.readAt ? json(*m.readAt) : json()}};
}

json rectificationToJson(const Rectification& r) {
  auto n = [](const std::optional<std::string>& v) { return v ? json(*v) : json(); };
  return {{"id", r.id},
          {"application_id", r.applicationId},
          {"application_number", r.applicationNumber},
          {"org_id", r.orgId},
          {"score", r.score},
          {"comment", n(r.comment)},
          {"status", r.status},
          {"due_on", r.dueOn},
          {"reply", n(r.reply)},
          {"replied_at", n(r.repliedAt)},
          {"follow_up", n(r.followUp)},
          {"closed_at", n(r.closedAt)},
          {"created_at", r.createdAt}};
}

}  // namespace onceonly::services
