#include "catalog/catalog.h"

#include <algorithm>
#include <set>

#include "core/encoding.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "store/list.h"
#include "store/store.h"

namespace onceonly::catalog {

const std::vector<std::string> kFieldTypes = {"string", "integer", "decimal",
                                              "date",   "boolean", "code"};
const std::vector<std::string> kSensitivities = {"public", "internal", "personal", "sensitive"};
const std::vector<std::string> kMaskings = {"none", "name", "phone", "id_number", "all"};
const std::vector<std::string> kSubjectKinds = {"person", "company", "none"};
const std::vector<std::string> kSharing = {"unconditional", "conditional", "not_shared"};
const std::vector<std::string> kOpenClasses = {"open", "conditional", "closed"};
const std::vector<std::string> kFrequencies = {"realtime",  "daily",  "weekly",   "monthly",
                                               "quarterly", "yearly", "irregular"};
const std::vector<std::string> kSources = {"hosted", "connector", "credential"};

namespace {

bool among(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Names as SQL columns and JSON keys would take them: a-z first, then a-z, 0-9, '_'.
bool isName(const std::string& s, std::size_t max) {
  if (s.empty() || s.size() > max || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Codes like PSB-RESIDENT: upper-case letters, digits and '-'.
bool isCode(const std::string& s) {
  if (s.size() < 2 || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

void checkText(FieldErrors& e, const std::string& pointer, const std::optional<std::string>& v,
               std::size_t min, std::size_t max) {
  if (v && (utf8Length(*v) < min || utf8Length(*v) > max))
    e.add(FieldLocation::Body, pointer, "field.length",
          {{"min", std::to_string(min)}, {"max", std::to_string(max)}});
}

void checkEnum(FieldErrors& e, const std::string& pointer, const std::optional<std::string>& v,
               const std::vector<std::string>& allowed) {
  if (v && !among(allowed, *v))
    e.add(FieldLocation::Body, pointer, "field.enum", {{"allowed", commaList(allowed)}});
}

}  // namespace

void checkInput(const ResourceInput& in, bool creating, FieldErrors& e) {
  auto need = [&](const char* pointer, const auto& v) {
    if (creating && !v) e.add(FieldLocation::Body, pointer, "field.required");
  };
  need("/code", in.code);
  need("/name_zh", in.nameZh);
  need("/name_en", in.nameEn);
  need("/subject_kind", in.subjectKind);
  need("/sharing", in.sharing);
  need("/open_class", in.openClass);
  need("/update_frequency", in.updateFrequency);
  need("/source", in.source);
  need("/fields", in.fields);
  if (in.code && !isCode(*in.code))
    e.add(FieldLocation::Body, "/code", "field.pattern",
          {{"pattern", "2 to 64 of A-Z, 0-9 and '-'"}});
  checkText(e, "/name_zh", in.nameZh, 1, 100);
  checkText(e, "/name_en", in.nameEn, 1, 200);
  checkText(e, "/description_zh", in.descriptionZh, 0, 2000);
  checkText(e, "/description_en", in.descriptionEn, 0, 4000);
  checkEnum(e, "/subject_kind", in.subjectKind, kSubjectKinds);
  checkEnum(e, "/sharing", in.sharing, kSharing);
  checkEnum(e, "/open_class", in.openClass, kOpenClasses);
  checkEnum(e, "/update_frequency", in.updateFrequency, kFrequencies);
  checkEnum(e, "/source", in.source, kSources);
  if (in.connectorUrl && *in.connectorUrl) {
    const auto& url = **in.connectorUrl;
    if ((url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) || url.size() > 500)
      e.add(FieldLocation::Body, "/connector_url", "field.pattern",
            {{"pattern", "an http:// or https:// URL"}});
  }
  if (in.fields && in.fields->empty())
    e.add(FieldLocation::Body, "/fields", "field.length", {{"min", "1"}, {"max", "200"}});
}

namespace {

// The rules between members that only the whole resource shows.
void checkWhole(const Resource& r, FieldErrors& e) {
  if (r.source == "connector" && !r.connectorUrl)
    e.add(FieldLocation::Body, "/connector_url", "field.required");
  if (r.source != "connector" && r.connectorUrl)
    e.add(FieldLocation::Body, "/connector_url", "field.conflicts",
          {{"other", "source " + r.source}});
  // Personal data is about someone: a resource without a subject holds none.
  if (r.subjectKind == "none")
    for (std::size_t i = 0; i < r.fields.size(); ++i)
      if (r.fields[i].sensitivity == "personal" || r.fields[i].sensitivity == "sensitive")
        e.add(FieldLocation::Body, "/fields/" + std::to_string(i) + "/sensitivity",
              "catalog.personal_without_subject");
}

void apply(Resource& r, const ResourceInput& in) {
  if (in.code) r.code = *in.code;
  if (in.nameZh) r.nameZh = *in.nameZh;
  if (in.nameEn) r.nameEn = *in.nameEn;
  if (in.descriptionZh) r.descriptionZh = *in.descriptionZh;
  if (in.descriptionEn) r.descriptionEn = *in.descriptionEn;
  if (in.subjectKind) r.subjectKind = *in.subjectKind;
  if (in.sharing) r.sharing = *in.sharing;
  if (in.openClass) r.openClass = *in.openClass;
  if (in.updateFrequency) r.updateFrequency = *in.updateFrequency;
  if (in.source) r.source = *in.source;
  if (in.connectorUrl) r.connectorUrl = *in.connectorUrl;
  if (in.consentRequired) r.consentRequired = *in.consentRequired;
  if (in.fields) r.fields = *in.fields;
}

// The words free-text search looks in: code, names, descriptions, and each field's name and
// descriptions; ASCII lower-cased (search is case-blind for Latin text on both databases).
std::string searchText(const Resource& r) {
  std::string out = r.code;
  for (const auto* part : {&r.nameZh, &r.nameEn, &r.descriptionZh, &r.descriptionEn})
    out.append(" ").append(*part);
  for (const auto& f : r.fields)
    out.append(" ")
        .append(f.name)
        .append(" ")
        .append(f.descriptionZh)
        .append(" ")
        .append(f.descriptionEn);
  return store::asciiLower(out);
}

// " name1 name2 " for finding resources by a field's name with one LIKE.
std::string fieldNames(const std::vector<Field>& fields) {
  std::string out = " ";
  for (const auto& f : fields) out += f.name + " ";
  return out;
}

constexpr const char* kColumns =
    "r.id, r.org_id, r.code, r.name_zh, r.name_en, r.description_zh, r.description_en, "
    "r.subject_kind, r.fields, r.sharing, r.open_class, r.update_frequency, r.source, "
    "r.connector_url, r.consent_required, r.version, r.created_at, r.updated_at";

Resource fromRow(const store::Row& row) {
  Resource r;
  r.id = row.text("id");
  r.orgId = row.text("org_id");
  r.code = row.text("code");
  r.nameZh = row.text("name_zh");
  r.nameEn = row.text("name_en");
  r.descriptionZh = row.text("description_zh");
  r.descriptionEn = row.text("description_en");
  r.subjectKind = row.text("subject_kind");
  FieldErrors ignored;  // stored fields were checked when written
  r.fields = fieldsFromJson(nlohmann::json::parse(row.text("fields")), ignored);
  r.sharing = row.text("sharing");
  r.openClass = row.text("open_class");
  r.updateFrequency = row.text("update_frequency");
  r.source = row.text("source");
  r.connectorUrl = row.optText("connector_url");
  r.consentRequired = row.integer("consent_required") != 0;
  r.version = static_cast<int>(row.integer("version"));
  r.createdAt = row.text("created_at");
  r.updatedAt = row.text("updated_at");
  return r;
}

store::Value opt(const std::optional<std::string>& v) {
  return v ? store::Value(*v) : store::Value(store::Null{});
}

void keepVersion(store::Connection& c, const Resource& r, const std::string& by) {
  c.exec(
      "INSERT INTO catalog_resource_versions (resource_id, version, document, changed_by, "
      "changed_at) VALUES (?, ?, ?, ?, ?)",
      {r.id, static_cast<std::int64_t>(r.version), resourceToJson(r).dump(), by, r.updatedAt});
}

const store::SortColumns<Resource>& resourceSort() {
  static const store::SortColumns<Resource> kSort({
      {"code", "r.code", [](const Resource& r) { return nlohmann::json(r.code); }},
      {"name_zh", "r.name_zh", [](const Resource& r) { return nlohmann::json(r.nameZh); }},
      {"name_en", "r.name_en", [](const Resource& r) { return nlohmann::json(r.nameEn); }},
      {"updated_at", "r.updated_at", [](const Resource& r) { return nlohmann::json(r.updatedAt); }},
  });
  return kSort;
}

}  // namespace

std::vector<Field> fieldsFromJson(const nlohmann::json& array, FieldErrors& e) {
  std::vector<Field> out;
  std::set<std::string> names;
  if (array.size() > 200)
    e.add(FieldLocation::Body, "/fields", "field.length", {{"min", "1"}, {"max", "200"}});
  for (std::size_t i = 0; i < array.size() && i < 200; ++i) {
    const std::string at = "/fields/" + std::to_string(i);
    const auto& f = array[i];
    if (!f.is_object()) {
      e.add(FieldLocation::Body, at, "field.type", {{"type", "object"}});
      continue;
    }
    Field field;
    auto text = [&](const char* key, std::string& into, bool required) {
      auto it = f.find(key);
      if (it == f.end() || it->is_null()) {
        if (required) e.add(FieldLocation::Body, at + "/" + key, "field.required");
        return false;
      }
      if (!it->is_string()) {
        e.add(FieldLocation::Body, at + "/" + key, "field.type", {{"type", "string"}});
        return false;
      }
      into = it->get<std::string>();
      return true;
    };
    for (const auto& [key, value] : f.items())
      if (key != "name" && key != "type" && key != "description_zh" && key != "description_en" &&
          key != "sensitivity" && key != "masking" && key != "code_list")
        e.add(FieldLocation::Body, std::string(at).append("/").append(key), "field.unknown");
    if (text("name", field.name, true) && !isName(field.name, 64))
      e.add(FieldLocation::Body, at + "/name", "field.pattern",
            {{"pattern", "a-z first, then a-z, 0-9 or '_', up to 64"}});
    else if (!field.name.empty() && !names.insert(field.name).second)
      e.add(FieldLocation::Body, at + "/name", "catalog.field_twice", {{"name", field.name}});
    if (text("type", field.type, true) && !among(kFieldTypes, field.type))
      e.add(FieldLocation::Body, at + "/type", "field.enum", {{"allowed", commaList(kFieldTypes)}});
    text("description_zh", field.descriptionZh, false);
    text("description_en", field.descriptionEn, false);
    if (text("sensitivity", field.sensitivity, false) && !among(kSensitivities, field.sensitivity))
      e.add(FieldLocation::Body, at + "/sensitivity", "field.enum",
            {{"allowed", commaList(kSensitivities)}});
    if (text("masking", field.masking, false) && !among(kMaskings, field.masking))
      e.add(FieldLocation::Body, at + "/masking", "field.enum",
            {{"allowed", commaList(kMaskings)}});
    std::string codeList;
    if (text("code_list", codeList, false)) field.codeList = codeList;
    const bool personal = field.sensitivity == "personal" || field.sensitivity == "sensitive";
    if (field.masking != "none" && !personal)
      e.add(FieldLocation::Body, at + "/masking", "catalog.masking_not_personal");
    if (field.type == "code" && !field.codeList)
      e.add(FieldLocation::Body, at + "/code_list", "field.required");
    out.push_back(std::move(field));
  }
  return out;
}

nlohmann::json fieldsToJson(const std::vector<Field>& fields) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : fields) {
    nlohmann::json j = {{"name", f.name},
                        {"type", f.type},
                        {"description_zh", f.descriptionZh},
                        {"description_en", f.descriptionEn},
                        {"sensitivity", f.sensitivity},
                        {"masking", f.masking}};
    if (f.codeList) j["code_list"] = *f.codeList;
    out.push_back(std::move(j));
  }
  return out;
}

nlohmann::json changeEntry(const Resource& r, const std::string& type) {
  return {{"type", type},         {"resource", r.id},
          {"code", r.code},       {"org", r.orgId},
          {"version", r.version}, {"digest", crypto::sha256Hex(resourceToJson(r).dump())},
          {"at", nowRfc3339()}};
}

nlohmann::json resourceToJson(const Resource& r) {
  return {{"id", r.id},
          {"org_id", r.orgId},
          {"code", r.code},
          {"name_zh", r.nameZh},
          {"name_en", r.nameEn},
          {"description_zh", r.descriptionZh},
          {"description_en", r.descriptionEn},
          {"subject_kind", r.subjectKind},
          {"fields", fieldsToJson(r.fields)},
          {"sharing", r.sharing},
          {"open_class", r.openClass},
          {"update_frequency", r.updateFrequency},
          {"source", r.source},
          {"connector_url", r.connectorUrl ? nlohmann::json(*r.connectorUrl) : nlohmann::json()},
          {"consent_required", r.consentRequired},
          {"version", r.version},
          {"created_at", r.createdAt},
          {"updated_at", r.updatedAt}};
}

Resource resourceFromJson(const nlohmann::json& j) {
  Resource r;
  r.id = j.at("id");
  r.orgId = j.at("org_id");
  r.code = j.at("code");
  r.nameZh = j.at("name_zh");
  r.nameEn = j.at("name_en");
  r.descriptionZh = j.at("description_zh");
  r.descriptionEn = j.at("description_en");
  r.subjectKind = j.at("subject_kind");
  FieldErrors ignored;  // stored fields were checked when written
  r.fields = fieldsFromJson(j.at("fields"), ignored);
  r.sharing = j.at("sharing");
  r.openClass = j.at("open_class");
  r.updateFrequency = j.at("update_frequency");
  r.source = j.at("source");
  if (j.at("connector_url").is_string()) r.connectorUrl = j.at("connector_url");
  r.consentRequired = j.value("consent_required", false);  // versions kept before it existed
  r.version = j.at("version");
  r.createdAt = j.at("created_at");
  r.updatedAt = j.at("updated_at");
  return r;
}

const Sorting& Catalog::sorting() {
  return resourceSort().sorting();
}

Resource Catalog::create(const std::string& orgId, const ResourceInput& in, const std::string& by) {
  FieldErrors e;
  checkInput(in, true, e);
  e.throwIfAny();
  Resource r;
  apply(r, in);
  checkWhole(r, e);
  e.throwIfAny();
  r.id = crypto::newId("res");
  r.orgId = orgId;
  r.version = 1;
  r.createdAt = r.updatedAt = nowRfc3339();
  db_.transaction([&](store::Connection& c) {
    if (c.queryOne("SELECT id FROM catalog_resources WHERE code = ?", {r.code}))
      throw conflict("catalog.code_taken", {{"code", r.code}});
    c.exec(
        "INSERT INTO catalog_resources (id, org_id, code, name_zh, name_en, description_zh, "
        "description_en, subject_kind, fields, field_names, sharing, open_class, "
        "update_frequency, source, connector_url, consent_required, version, created_at, "
        "updated_at, search_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)",
        {r.id,
         r.orgId,
         r.code,
         r.nameZh,
         r.nameEn,
         r.descriptionZh,
         r.descriptionEn,
         r.subjectKind,
         fieldsToJson(r.fields).dump(),
         fieldNames(r.fields),
         r.sharing,
         r.openClass,
         r.updateFrequency,
         r.source,
         opt(r.connectorUrl),
         std::int64_t{r.consentRequired ? 1 : 0},
         std::int64_t{1},
         r.createdAt,
         r.updatedAt,
         searchText(r)});
    keepVersion(c, r, by);
  });
  return r;
}

Resource Catalog::update(const std::string& id, int expectedVersion, const ResourceInput& in,
                         const std::string& by) {
  FieldErrors e;
  checkInput(in, false, e);
  e.throwIfAny();
  return db_.transaction([&](store::Connection& c) {
    auto row = c.queryOne(
        std::string("SELECT ") + kColumns + " FROM catalog_resources r WHERE id = ?", {id});
    if (!row) throw notFound("data resource", id);
    Resource r = fromRow(*row);
    if (r.version != expectedVersion)
      throw conflict("catalog.version_conflict", {{"given", std::to_string(expectedVersion)},
                                                  {"current", std::to_string(r.version)}});
    if (in.code && *in.code != r.code &&
        c.queryOne("SELECT id FROM catalog_resources WHERE code = ?", {*in.code}))
      throw conflict("catalog.code_taken", {{"code", *in.code}});
    apply(r, in);
    checkWhole(r, e);
    e.throwIfAny();
    ++r.version;
    r.updatedAt = nowRfc3339();
    const auto changed = c.exec(
        "UPDATE catalog_resources SET code = ?, name_zh = ?, name_en = ?, description_zh = ?, "
        "description_en = ?, subject_kind = ?, fields = ?, field_names = ?, sharing = ?, "
        "open_class = ?, update_frequency = ?, source = ?, connector_url = ?, "
        "consent_required = ?, version = ?, updated_at = ?, search_text = ? WHERE id = ? AND "
        "version = ?",
        {r.code, r.nameZh, r.nameEn, r.descriptionZh, r.descriptionEn, r.subjectKind,
         fieldsToJson(r.fields).dump(), fieldNames(r.fields), r.sharing, r.openClass,
         r.updateFrequency, r.source, opt(r.connectorUrl), std::int64_t{r.consentRequired ? 1 : 0},
         static_cast<std::int64_t>(r.version), r.updatedAt, searchText(r), r.id,
         static_cast<std::int64_t>(expectedVersion)});
    if (changed != 1)
      throw conflict("catalog.version_conflict",
                     {{"given", std::to_string(expectedVersion)},
                      {"current", std::to_string(expectedVersion + 1)}});
    keepVersion(c, r, by);
    return r;
  });
}

std::optional<Resource> Catalog::find(const std::string& id) {
  auto row = db_.connect().queryOne(
      std::string("SELECT ") + kColumns + " FROM catalog_resources r WHERE id = ?", {id});
  if (!row) return std::nullopt;
  return fromRow(*row);
}

std::optional<Resource> Catalog::findByCode(const std::string& code) {
  auto row = db_.connect().queryOne(
      std::string("SELECT ") + kColumns + " FROM catalog_resources r WHERE code = ?", {code});
  if (!row) return std::nullopt;
  return fromRow(*row);
}

Page<Resource> Catalog::list(const ResourceFilter& f, ListQuery query) {
  std::string from = " FROM catalog_resources r";
  store::Where where;
  where.eq("r.org_id", f.orgId);
  where.eq("r.subject_kind", f.subjectKind);
  where.eq("r.sharing", f.sharing);
  where.eq("r.open_class", f.openClass);
  where.eq("r.source", f.source);
  if (f.field) {  // " name " among the names, '_' escaped
    auto pattern = store::prefixPattern(*f.field);
    pattern.insert(pattern.size() - 1, " ");
    where.add("r.field_names LIKE ? ESCAPE '\\'", {"% " + pattern});
  }
  if (f.withinPath) {
    from += " JOIN orgs o ON o.id = r.org_id";
    where.within("o.path", f.withinPath);
  }
  auto c = db_.connect();
  if (query.q && !query.q->empty()) {
    // Three characters or more go through the trigram index (FTS5 on SQLite, pg_trgm on
    // PostgreSQL); shorter text is looked for in every row.
    const std::string text = store::asciiLower(*query.q);
    if (c.dialect() == store::Dialect::Sqlite && utf8Length(text) >= 3) {
      std::string phrase = "\"";
      for (char ch : text) phrase.append(ch == '"' ? "\"\"" : std::string(1, ch));
      where.add("r.rowid IN (SELECT rowid FROM catalog_search WHERE catalog_search MATCH ?)",
                {phrase + "\""});
    } else {
      where.add("r.search_text LIKE ? ESCAPE '\\'", {store::containsPattern(text)});
    }
  }
  return store::fetchPage(c, kColumns, from, std::move(where), std::move(query), resourceSort(),
                          "r.id", fromRow);
}

std::vector<Version> Catalog::versions(const std::string& id) {
  std::vector<Version> out;
  for (const auto& row : db_.connect().query(
           "SELECT version, document, changed_by, changed_at FROM catalog_resource_versions "
           "WHERE resource_id = ? ORDER BY version DESC",
           {id})) {
    auto doc = nlohmann::json::parse(row.text("document"));
    Version v;
    v.version = static_cast<int>(row.integer("version"));
    v.changedBy = row.text("changed_by");
    v.changedAt = row.text("changed_at");
    v.resource = resourceFromJson(doc);
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace onceonly::catalog
