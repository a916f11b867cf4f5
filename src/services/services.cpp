#include "services/services.h"

#include <algorithm>
#include <set>

#include "core/encoding.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "store/list.h"
#include "store/store.h"

namespace onceonly::services {

const std::vector<std::string> kKinds = {"licence",     "registration", "benefit",
                                         "certificate", "filing",       "other"};
const std::vector<std::string> kChannels = {"online", "window"};
const std::vector<std::string> kLifeEvents = {
    "birth",  "education",      "employment",         "marriage",   "housing",           "vehicle",
    "health", "business_start", "business_operation", "retirement", "social_assistance", "death"};
const std::vector<std::string> kThemes = {
    "family",    "housing",    "employment", "social_security", "health",
    "transport", "enterprise", "tax",        "civil_affairs",   "public_security"};
const std::vector<std::string> kMaterialSources = {"resource", "certificate", "form", "upload"};
const std::vector<std::string> kUploadTypes = {"application/pdf", "image/jpeg", "image/png"};

namespace {

using nlohmann::json;

constexpr int kMaxDays = 365;
constexpr std::size_t kMaxMaterials = 50;
constexpr std::size_t kMaxStages = 10;
constexpr std::int64_t kMaxUploadBytes = std::int64_t{20} * 1024 * 1024;
const std::vector<std::string> kFormTypes = {"string", "date", "integer", "boolean"};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Lower-case code: letters, digits and '_', a letter first.
bool isName(const std::string& s, std::size_t max) {
  if (s.empty() || s.size() > max || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Upper-case code: A-Z, 0-9 and '-', as catalog resources are named.
bool isCode(const std::string& s) {
  if (s.size() < 2 || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// Reads the members of one JSON object, adding a field error (with its pointer) for each that
// is missing, of the wrong type or out of range, and for each member it does not know.
class Reader {
 public:
  Reader(const json& j, std::string at, FieldErrors& e) : j_(j), at_(std::move(at)), e_(e) {
    if (!j_.is_object())
      e_.add(FieldLocation::Body, at_.empty() ? "/" : at_, "field.type", {{"type", "object"}});
  }
  ~Reader() {
    if (!j_.is_object()) return;
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!seen_.count(it.key()))
        e_.add(FieldLocation::Body, at_ + "/" + it.key(), "field.unknown");
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  std::string pointer(const std::string& name) const { return at_ + "/" + name; }

  const json* member(const std::string& name, bool required) {
    seen_.insert(name);
    if (!j_.is_object()) return nullptr;
    auto it = j_.find(name);
    if (it == j_.end() || it->is_null()) {
      if (required) e_.add(FieldLocation::Body, pointer(name), "field.required");
      return nullptr;
    }
    return &*it;
  }
  std::string text(const std::string& name, bool required, std::size_t min, std::size_t max) {
    const json* v = member(name, required);
    if (!v) return "";
    if (!v->is_string()) {
      e_.add(FieldLocation::Body, pointer(name), "field.type", {{"type", "string"}});
      return "";
    }
    auto s = v->get<std::string>();
    if (!lengthWithin(s, min, max))
      e_.add(FieldLocation::Body, pointer(name), "field.length",
             {{"min", std::to_string(min)}, {"max", std::to_string(max)}});
    return s;
  }
  std::string oneOf(const std::string& name, bool required,
                    const std::vector<std::string>& allowed) {
    auto s = text(name, required, 0, 100);
    if (!s.empty() && !contains(allowed, s))
      e_.add(FieldLocation::Body, pointer(name), "field.enum", {{"allowed", commaList(allowed)}});
    return s;
  }
  std::int64_t integer(const std::string& name, bool required, std::int64_t min, std::int64_t max,
                       std::int64_t fallback) {
    const json* v = member(name, required);
    if (!v) return fallback;
    if (!v->is_number_integer()) {
      e_.add(FieldLocation::Body, pointer(name), "field.type", {{"type", "integer"}});
      return fallback;
    }
    auto n = v->get<std::int64_t>();
    if (n < min || n > max)
      e_.add(FieldLocation::Body, pointer(name), "field.range",
             {{"min", std::to_string(min)}, {"max", std::to_string(max)}});
    return n;
  }
  bool boolean(const std::string& name, bool fallback) {
    const json* v = member(name, false);
    if (!v) return fallback;
    if (!v->is_boolean()) {
      e_.add(FieldLocation::Body, pointer(name), "field.type", {{"type", "boolean"}});
      return fallback;
    }
    return v->get<bool>();
  }
  // An array of strings, each checked by `ok` (a field.enum/pattern error otherwise), once each.
  std::vector<std::string> texts(const std::string& name, bool required, std::size_t min,
                                 std::size_t max, const std::vector<std::string>* allowed) {
    std::vector<std::string> out;
    const json* v = member(name, required);
    if (!v) {
      if (min > 0 && !required) e_.add(FieldLocation::Body, pointer(name), "field.required");
      return out;
    }
    if (!v->is_array()) {
      e_.add(FieldLocation::Body, pointer(name), "field.type", {{"type", "array"}});
      return out;
    }
    if (v->size() < min || v->size() > max)
      e_.add(FieldLocation::Body, pointer(name), "field.length",
             {{"min", std::to_string(min)}, {"max", std::to_string(max)}});
    for (std::size_t i = 0; i < v->size(); ++i) {
      const auto at = pointer(name) + "/" + std::to_string(i);
      const auto& x = (*v)[i];
      if (!x.is_string() || x.get<std::string>().empty() || x.get<std::string>().size() > 100) {
        e_.add(FieldLocation::Body, at, "field.type", {{"type", "string"}});
        continue;
      }
      auto s = x.get<std::string>();
      if (allowed && !contains(*allowed, s))
        e_.add(FieldLocation::Body, at, "field.enum", {{"allowed", commaList(*allowed)}});
      else if (contains(out, s))
        e_.add(FieldLocation::Body, at, "field.duplicate");
      else
        out.push_back(std::move(s));
    }
    return out;
  }
  // The array member's elements, each read by `read(element, pointer)`.
  template <class F>
  void each(const std::string& name, bool required, std::size_t min, std::size_t max, F read) {
    const json* v = member(name, required);
    if (!v) {
      if (min > 0 && !required) e_.add(FieldLocation::Body, pointer(name), "field.required");
      return;
    }
    if (!v->is_array()) {
      e_.add(FieldLocation::Body, pointer(name), "field.type", {{"type", "array"}});
      return;
    }
    if (v->size() < min || v->size() > max)
      e_.add(FieldLocation::Body, pointer(name), "field.length",
             {{"min", std::to_string(min)}, {"max", std::to_string(max)}});
    for (std::size_t i = 0; i < v->size() && i < max; ++i)
      read((*v)[i], pointer(name) + "/" + std::to_string(i));
  }
  FieldErrors& errors() { return e_; }

 private:
  const json& j_;
  std::string at_;
  FieldErrors& e_;
  std::set<std::string> seen_;
};

Material materialFrom(const json& j, const std::string& at, FieldErrors& e) {
  Reader r(j, at, e);
  Material m;
  m.code = r.text("code", true, 1, 40);
  if (!m.code.empty() && !isName(m.code, 40))
    e.add(FieldLocation::Body, r.pointer("code"), "field.pattern",
          {{"pattern", "1 to 40 of a-z, 0-9 and '_', a letter first"}});
  m.nameZh = r.text("name_zh", true, 1, 100);
  m.nameEn = r.text("name_en", true, 1, 200);
  m.source = r.oneOf("source", true, kMaterialSources);
  m.core = r.boolean("core", true);
  const bool resource = m.source == "resource", certificate = m.source == "certificate",
             form = m.source == "form", upload = m.source == "upload";
  m.resourceCode = r.text("resource_code", resource, 0, 64);
  if (!m.resourceCode.empty() && !isCode(m.resourceCode))
    e.add(FieldLocation::Body, r.pointer("resource_code"), "field.pattern",
          {{"pattern", "2 to 64 of A-Z, 0-9 and '-'"}});
  m.fields = r.texts("fields", resource, resource ? 1 : 0, 100, nullptr);
  m.credentialType = r.text("credential_type", certificate, 0, 64);
  r.each("form_fields", form, form ? 1 : 0, 40, [&](const json& f, const std::string& p) {
    Reader fr(f, p, e);
    FormField ff;
    ff.name = fr.text("name", true, 1, 40);
    if (!ff.name.empty() && !isName(ff.name, 40))
      e.add(FieldLocation::Body, fr.pointer("name"), "field.pattern",
            {{"pattern", "1 to 40 of a-z, 0-9 and '_', a letter first"}});
    ff.type = fr.oneOf("type", true, kFormTypes);
    ff.labelZh = fr.text("label_zh", true, 1, 100);
    ff.labelEn = fr.text("label_en", true, 1, 200);
    ff.required = fr.boolean("required", true);
    m.formFields.push_back(std::move(ff));
  });
  m.uploadTypes = r.texts("upload_types", upload, upload ? 1 : 0, 3, &kUploadTypes);
  m.maxBytes = r.integer("max_bytes", upload, 1, kMaxUploadBytes, 0);
  // What belongs to another source is refused rather than kept unused.
  for (const auto& [member, belongs] : {std::pair{"resource_code", resource},
                                        {"fields", resource},
                                        {"credential_type", certificate},
                                        {"form_fields", form},
                                        {"upload_types", upload},
                                        {"max_bytes", upload}})
    if (!belongs && j.is_object() && j.contains(member) && !j[member].is_null())
      e.add(FieldLocation::Body, r.pointer(member), "field.conflicts",
            {{"other", "source " + m.source}});
  return m;
}

json materialToJson(const Material& m) {
  json j = {{"code", m.code},
            {"name_zh", m.nameZh},
            {"name_en", m.nameEn},
            {"source", m.source},
            {"core", m.core}};
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
  } else if (m.source == "upload") {
    j["upload_types"] = m.uploadTypes;
    j["max_bytes"] = m.maxBytes;
  }
  return j;
}

json stagesToJson(const std::vector<Stage>& stages) {
  json a = json::array();
  for (const auto& s : stages)
    a.push_back({{"name_zh", s.nameZh}, {"name_en", s.nameEn}, {"org_ids", s.orgIds}});
  return a;
}

json materialsToJson(const std::vector<Material>& materials) {
  json a = json::array();
  for (const auto& m : materials) a.push_back(materialToJson(m));
  return a;
}

constexpr const char* kItemColumns =
    "s.id, s.code, s.org_id, s.level, s.name_zh, s.name_en, s.description_zh, s.description_en, "
    "s.kind, s.subject_kind, s.legal_basis, s.statutory_days, s.promised_days, s.fee_cents, "
    "s.channels, s.visits, s.life_events, s.themes, s.materials, s.certificates, s.stages, "
    "s.allows_deficiency, s.status, s.version, s.created_by, s.created_at, s.updated_at";

ServiceItem itemFromRow(const store::Row& r) {
  // Stored documents were checked when written: read back through the same reader.
  auto doc = json::parse(r.text("materials"));
  FieldErrors ignored;
  json body = {{"code", r.text("code")},
               {"name_zh", r.text("name_zh")},
               {"name_en", r.text("name_en")},
               {"description_zh", r.text("description_zh")},
               {"description_en", r.text("description_en")},
               {"kind", r.text("kind")},
               {"subject_kind", r.text("subject_kind")},
               {"legal_basis", r.text("legal_basis")},
               {"statutory_days", r.integer("statutory_days")},
               {"promised_days", r.integer("promised_days")},
               {"fee_cents", r.integer("fee_cents")},
               {"channels", json::parse(r.text("channels"))},
               {"visits", r.integer("visits")},
               {"life_events", json::parse(r.text("life_events"))},
               {"themes", json::parse(r.text("themes"))},
               {"materials", doc},
               {"certificates", json::parse(r.text("certificates"))},
               {"stages", json::parse(r.text("stages"))},
               {"allows_deficiency", r.integer("allows_deficiency") != 0}};
  auto s = itemFromJson(body, ignored);
  s.id = r.text("id");
  s.orgId = r.text("org_id");
  s.level = r.text("level");
  s.status = r.text("status");
  s.version = static_cast<int>(r.integer("version"));
  s.createdBy = r.text("created_by");
  s.createdAt = r.text("created_at");
  s.updatedAt = r.text("updated_at");
  return s;
}

const store::SortColumns<ServiceItem>& itemSort() {
  static const store::SortColumns<ServiceItem> kSort(
      {{"code", "s.code", [](const ServiceItem& s) { return json(s.code); }},
       {"promised_days", "s.promised_days",
        [](const ServiceItem& s) { return json(s.promisedDays); }, store::KeyKind::integer}});
  return kSort;
}

constexpr const char* kPackageColumns =
    "p.id, p.code, p.name_zh, p.name_en, p.description_zh, p.description_en, p.item_ids, "
    "p.life_events, p.created_by, p.created_at";

Package packageFromRow(const store::Row& r) {
  Package p;
  p.id = r.text("id");
  p.code = r.text("code");
  p.nameZh = r.text("name_zh");
  p.nameEn = r.text("name_en");
  p.descriptionZh = r.text("description_zh");
  p.descriptionEn = r.text("description_en");
  p.itemIds = json::parse(r.text("item_ids")).get<std::vector<std::string>>();
  p.lifeEvents = json::parse(r.text("life_events")).get<std::vector<std::string>>();
  p.createdBy = r.text("created_by");
  p.createdAt = r.text("created_at");
  return p;
}

const store::SortColumns<Package>& packageSort() {
  static const store::SortColumns<Package> kSort(
      {{"code", "p.code", [](const Package& p) { return json(p.code); }}});
  return kSort;
}

// A JSON array column holding this code (codes are [a-z_], so no LIKE wildcard can occur).
void whereListed(store::Where& w, const std::string& column, const std::optional<std::string>& v) {
  if (v) w.add(column + " LIKE ?", {"%\"" + *v + "\"%"});
}

}  // namespace

double ServiceItem::compression() const {
  return statutoryDays > 0 ? static_cast<double>(statutoryDays - promisedDays) / statutoryDays
                           : 0.0;
}

ServiceItem itemFromJson(const json& j, FieldErrors& e) {
  Reader r(j, "", e);
  ServiceItem s;
  s.code = r.text("code", true, 2, 64);
  if (!s.code.empty() && !isCode(s.code))
    e.add(FieldLocation::Body, "/code", "field.pattern",
          {{"pattern", "2 to 64 of A-Z, 0-9 and '-'"}});
  s.nameZh = r.text("name_zh", true, 1, 100);
  s.nameEn = r.text("name_en", true, 1, 200);
  s.descriptionZh = r.text("description_zh", false, 0, 2000);
  s.descriptionEn = r.text("description_en", false, 0, 4000);
  s.kind = r.oneOf("kind", true, kKinds);
  s.subjectKind = r.oneOf("subject_kind", true, {"person", "company"});
  s.legalBasis = r.text("legal_basis", true, 2, 500);
  s.statutoryDays = static_cast<int>(r.integer("statutory_days", true, 1, kMaxDays, 0));
  s.promisedDays = static_cast<int>(r.integer("promised_days", true, 1, kMaxDays, 0));
  if (s.promisedDays > s.statutoryDays && s.statutoryDays > 0)
    e.add(FieldLocation::Body, "/promised_days", "services.promise_beyond_law",
          {{"statutory", std::to_string(s.statutoryDays)}});
  s.feeCents = r.integer("fee_cents", false, 0, 100000000, 0);
  s.channels = r.texts("channels", true, 1, kChannels.size(), &kChannels);
  s.visits = static_cast<int>(r.integer("visits", true, 0, 5, 0));
  s.lifeEvents = r.texts("life_events", false, 0, kLifeEvents.size(), &kLifeEvents);
  s.themes = r.texts("themes", false, 0, kThemes.size(), &kThemes);
  std::set<std::string> codes;
  r.each("materials", false, 0, kMaxMaterials, [&](const json& m, const std::string& at) {
    s.materials.push_back(materialFrom(m, at, e));
    if (!s.materials.back().code.empty() && !codes.insert(s.materials.back().code).second)
      e.add(FieldLocation::Body, at + "/code", "field.duplicate");
  });
  s.certificates = r.texts("certificates", false, 0, 10, nullptr);
  r.each("stages", true, 1, kMaxStages, [&](const json& st, const std::string& at) {
    Reader sr(st, at, e);
    Stage stage;
    stage.nameZh = sr.text("name_zh", true, 1, 100);
    stage.nameEn = sr.text("name_en", true, 1, 200);
    stage.orgIds = sr.texts("org_ids", true, 1, 10, nullptr);
    s.stages.push_back(std::move(stage));
  });
  s.allowsDeficiency = r.boolean("allows_deficiency", false);
  if (s.allowsDeficiency && std::none_of(s.materials.begin(), s.materials.end(),
                                         [](const Material& m) { return !m.core; }))
    e.add(FieldLocation::Body, "/allows_deficiency", "services.no_optional_material");
  return s;
}

json itemToJson(const ServiceItem& s) {
  return {{"id", s.id},
          {"code", s.code},
          {"org_id", s.orgId},
          {"level", s.level},
          {"name_zh", s.nameZh},
          {"name_en", s.nameEn},
          {"description_zh", s.descriptionZh},
          {"description_en", s.descriptionEn},
          {"kind", s.kind},
          {"subject_kind", s.subjectKind},
          {"legal_basis", s.legalBasis},
          {"statutory_days", s.statutoryDays},
          {"promised_days", s.promisedDays},
          {"compression", s.compression()},
          {"fee_cents", s.feeCents},
          {"channels", s.channels},
          {"visits", s.visits},
          {"life_events", s.lifeEvents},
          {"themes", s.themes},
          {"materials", materialsToJson(s.materials)},
          {"certificates", s.certificates},
          {"stages", stagesToJson(s.stages)},
          {"allows_deficiency", s.allowsDeficiency},
          {"status", s.status},
          {"version", s.version},
          {"created_at", s.createdAt},
          {"updated_at", s.updatedAt}};
}

json packageToJson(const Package& p) {
  return {{"id", p.id},
          {"code", p.code},
          {"name_zh", p.nameZh},
          {"name_en", p.nameEn},
          {"description_zh", p.descriptionZh},
          {"description_en", p.descriptionEn},
          {"item_ids", p.itemIds},
          {"life_events", p.lifeEvents},
          {"created_at", p.createdAt}};
}

ServiceItem ServiceCatalog::create(ServiceItem s) {
  s.id = crypto::newId("svc");
  s.status = "active";
  s.version = 1;
  s.createdAt = s.updatedAt = nowRfc3339();
  auto c = db_.connect();
  if (c.queryOne("SELECT id FROM service_items WHERE code = ?", {s.code}))
    throw duplicate("service item", "code", s.code);
  c.exec(
      "INSERT INTO service_items (id, code, org_id, level, name_zh, name_en, description_zh, "
      "description_en, kind, subject_kind, legal_basis, statutory_days, promised_days, "
      "fee_cents, channels, visits, life_events, themes, materials, certificates, stages, "
      "allows_deficiency, status, version, created_by, created_at, updated_at) VALUES (?, ?, ?, "
      "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {s.id,
       s.code,
       s.orgId,
       s.level,
       s.nameZh,
       s.nameEn,
       s.descriptionZh,
       s.descriptionEn,
       s.kind,
       s.subjectKind,
       s.legalBasis,
       std::int64_t{s.statutoryDays},
       std::int64_t{s.promisedDays},
       s.feeCents,
       json(s.channels).dump(),
       std::int64_t{s.visits},
       json(s.lifeEvents).dump(),
       json(s.themes).dump(),
       materialsToJson(s.materials).dump(),
       json(s.certificates).dump(),
       stagesToJson(s.stages).dump(),
       std::int64_t{s.allowsDeficiency ? 1 : 0},
       s.status,
       std::int64_t{s.version},
       s.createdBy,
       s.createdAt,
       s.updatedAt});
  return s;
}

std::optional<ServiceItem> ServiceCatalog::find(const std::string& id) {
  {
    std::lock_guard lock(cacheMutex_);
    if (auto it = cache_.find(id); it != cache_.end()) return it->second;
  }
  auto item =
      store::findOne(db_, kItemColumns, " FROM service_items s WHERE s.id = ?", {id}, itemFromRow);
  if (item) {
    std::lock_guard lock(cacheMutex_);
    cache_[id] = *item;
  }
  return item;
}

std::optional<ServiceItem> ServiceCatalog::findByCode(const std::string& code) {
  return store::findOne(db_, kItemColumns, " FROM service_items s WHERE s.code = ?", {code},
                        itemFromRow);
}

Page<ServiceItem> ServiceCatalog::list(const ItemFilter& f, ListQuery q) {
  store::Where w;
  w.eq("s.org_id", f.orgId);
  w.eq("s.level", f.level);
  w.eq("s.kind", f.kind);
  w.eq("s.subject_kind", f.subjectKind);
  whereListed(w, "s.life_events", f.lifeEvent);
  whereListed(w, "s.themes", f.theme);
  whereListed(w, "s.channels", f.channel);
  w.search({"s.code", "s.name_zh", "s.name_en", "s.description_zh", "s.description_en"}, q.q);
  auto c = db_.connect();
  return store::fetchPage(c, kItemColumns, " FROM service_items s", std::move(w), std::move(q),
                          itemSort(), "s.id", itemFromRow);
}

const Sorting& ServiceCatalog::itemSorting() {
  return itemSort().sorting();
}

Package ServiceCatalog::createPackage(Package p) {
  p.id = crypto::newId("pkg");
  p.createdAt = nowRfc3339();
  auto c = db_.connect();
  if (c.queryOne("SELECT id FROM service_packages WHERE code = ?", {p.code}))
    throw duplicate("package", "code", p.code);
  c.exec(
      "INSERT INTO service_packages (id, code, name_zh, name_en, description_zh, "
      "description_en, item_ids, life_events, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?)",
      {p.id, p.code, p.nameZh, p.nameEn, p.descriptionZh, p.descriptionEn, json(p.itemIds).dump(),
       json(p.lifeEvents).dump(), p.createdBy, p.createdAt});
  return p;
}

std::optional<Package> ServiceCatalog::findPackage(const std::string& id) {
  return store::findOne(db_, kPackageColumns, " FROM service_packages p WHERE p.id = ?", {id},
                        packageFromRow);
}

Page<Package> ServiceCatalog::packages(const std::optional<std::string>& lifeEvent, ListQuery q) {
  store::Where w;
  whereListed(w, "p.life_events", lifeEvent);
  w.search({"p.code", "p.name_zh", "p.name_en"}, q.q);
  auto c = db_.connect();
  return store::fetchPage(c, kPackageColumns, " FROM service_packages p", std::move(w),
                          std::move(q), packageSort(), "p.id", packageFromRow);
}

const Sorting& ServiceCatalog::packageSorting() {
  return packageSort().sorting();
}

}  // namespace onceonly::services
