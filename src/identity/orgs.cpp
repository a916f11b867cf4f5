// The organisation tree. Each org stores its materialised path ("/root/…/self/") so subtree
// questions ("is this account under my county?") are one prefix comparison.
#include <algorithm>
#include <functional>
#include <map>

#include "core/encoding.h"
#include "core/error.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "identity/identity.h"
#include "identity/rows.h"
#include "store/list.h"
#include "store/store.h"

namespace onceonly::identity {

const std::vector<std::string> kOrgLevels = {"province", "city", "county", "township", "village"};
const std::vector<std::string> kOrgKinds = {"government", "department", "service_centre"};

namespace {

int levelIndex(const std::string& level) {
  auto it = std::find(kOrgLevels.begin(), kOrgLevels.end(), level);
  return it == kOrgLevels.end() ? -1 : static_cast<int>(it - kOrgLevels.begin());
}

const char* kOrgColumns =
    "id, code, name_zh, name_en, level, kind, parent_id, path, created_at, updated_at";

// Validates the text fields present in f; required ones must be present when creating.
void checkOrgFields(const OrgFields& f, bool creating, FieldErrors& errors) {
  auto text = [&](const std::optional<std::string>& v, const char* pointer, std::size_t max) {
    if (!v) {
      if (creating) errors.add(FieldLocation::Body, pointer, "field.required");
      return;
    }
    if (!lengthWithin(*v, 1, max))
      errors.add(FieldLocation::Body, pointer, "field.length",
                 {{"min", "1"}, {"max", std::to_string(max)}});
  };
  text(f.code, "/code", 64);
  text(f.nameZh, "/name_zh", 200);
  text(f.nameEn, "/name_en", 200);
  if (f.code && !f.code->empty()) {
    bool ok = std::all_of(f.code->begin(), f.code->end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!ok)
      errors.add(FieldLocation::Body, "/code", "field.pattern", {{"pattern", "[A-Za-z0-9._-]+"}});
  }
  if (creating && !f.level) errors.add(FieldLocation::Body, "/level", "field.required");
  if (f.level && levelIndex(*f.level) < 0)
    errors.add(FieldLocation::Body, "/level", "field.enum", {{"allowed", commaList(kOrgLevels)}});
  if (creating && !f.kind) errors.add(FieldLocation::Body, "/kind", "field.required");
  if (f.kind && std::find(kOrgKinds.begin(), kOrgKinds.end(), *f.kind) == kOrgKinds.end())
    errors.add(FieldLocation::Body, "/kind", "field.enum", {{"allowed", commaList(kOrgKinds)}});
}

// The tree's shape: a government sits under the government one level up (a province at the
// top); departments and service centres sit beside their government, at its level.
void checkPlacement(const std::string& level, const std::string& kind,
                    const std::optional<Org>& parent) {
  if (kind == "government") {
    if (level == "province" && !parent) return;
    if (!parent) throw invalidField(FieldLocation::Body, "/parent_id", "field.required");
    if (parent->kind != "government" || levelIndex(parent->level) != levelIndex(level) - 1)
      throw Error(
          400, "org.parent_level",
          {{"level", level + " " + kind}, {"parent_level", parent->level + " " + parent->kind}});
    return;
  }
  if (!parent) throw invalidField(FieldLocation::Body, "/parent_id", "field.required");
  if (parent->kind != "government" || parent->level != level)
    throw Error(
        400, "org.parent_level",
        {{"level", level + " " + kind}, {"parent_level", parent->level + " " + parent->kind}});
}

}  // namespace

Org orgFromRow(const store::Row& r) {
  return Org{r.text("id"),         r.text("code"),      r.text("name_zh"),      r.text("name_en"),
             r.text("level"),      r.text("kind"),      r.optText("parent_id"), r.text("path"),
             r.text("created_at"), r.text("updated_at")};
}

// Organisations are reference data read on almost every request and changed rarely, so single
// lookups are cached for the same short time as principals (and dropped on every change made
// through this node).
std::optional<Org> Identity::findOrg(const std::string& id) {
  const bool caching = options_.principalCacheSeconds > 0;
  if (caching) {
    std::lock_guard lock(cacheMutex_);
    auto it = orgCache_.find(id);
    if (it != orgCache_.end()) {
      if (it->second.until >= std::chrono::steady_clock::now()) return it->second.org;
      orgCache_.erase(it);
    }
  }
  auto row = db_.connect().queryOne(
      std::string("SELECT ") + kOrgColumns + " FROM orgs WHERE id = ?", {id});
  if (!row) return std::nullopt;
  Org org = orgFromRow(*row);
  if (caching) {
    std::lock_guard lock(cacheMutex_);
    if (orgCache_.size() >= 100000) orgCache_.clear();
    orgCache_[id] = CachedOrg{org, std::chrono::steady_clock::now() +
                                       std::chrono::seconds(options_.principalCacheSeconds)};
  }
  return org;
}

std::optional<Org> Identity::findOrgByCode(const std::string& code) {
  auto row = db_.connect().queryOne(
      std::string("SELECT ") + kOrgColumns + " FROM orgs WHERE code = ?", {code});
  if (!row) return std::nullopt;
  return orgFromRow(*row);
}

Org Identity::getOrg(const std::string& id) {
  auto org = findOrg(id);
  if (!org) throw notFound("organisation", id);
  return *org;
}

Org Identity::createOrg(const OrgFields& f) {
  FieldErrors errors;
  checkOrgFields(f, true, errors);
  errors.throwIfAny();
  std::optional<Org> parent;
  if (f.parentId && *f.parentId) {
    parent = findOrg(**f.parentId);
    if (!parent)
      throw invalidField(FieldLocation::Body, "/parent_id", "field.not_found",
                         {{"resource", "organisation"}, {"id", **f.parentId}});
  }
  checkPlacement(*f.level, *f.kind, parent);
  Org o;
  o.id = crypto::newId("org");
  o.code = *f.code;
  o.nameZh = *f.nameZh;
  o.nameEn = *f.nameEn;
  o.level = *f.level;
  o.kind = *f.kind;
  if (parent) o.parentId = parent->id;
  o.path = (parent ? parent->path : "/") + o.id + "/";
  o.createdAt = o.updatedAt = nowRfc3339();
  try {
    db_.connect().exec(
        std::string("INSERT INTO orgs (") + kOrgColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {o.id, o.code, o.nameZh, o.nameEn, o.level, o.kind,
         o.parentId ? store::Value(*o.parentId) : store::Value(store::Null{}), o.path, o.createdAt,
         o.updatedAt});
  } catch (const store::SqlError& e) {
    if (e.isUniqueViolation()) throw duplicate("organisation", "code", o.code);
    throw;
  }
  return o;
}

Org Identity::updateOrg(const std::string& id, const OrgFields& f) {
  FieldErrors errors;
  checkOrgFields(f, false, errors);
  errors.throwIfAny();
  Org updated = db_.transaction([&](store::Connection& c) {
    auto row = c.queryOne(std::string("SELECT ") + kOrgColumns + " FROM orgs WHERE id = ?", {id});
    if (!row) throw notFound("organisation", id);
    Org o = orgFromRow(*row);
    if (f.level && *f.level != o.level)
      throw invalidField(FieldLocation::Body, "/level", "field.immutable");
    if (f.kind && *f.kind != o.kind)
      throw invalidField(FieldLocation::Body, "/kind", "field.immutable");
    if (f.code) o.code = *f.code;
    if (f.nameZh) o.nameZh = *f.nameZh;
    if (f.nameEn) o.nameEn = *f.nameEn;
    std::string oldPath = o.path;
    if (f.parentId && *f.parentId != o.parentId) {
      std::optional<Org> parent;
      if (*f.parentId) {
        auto prow = c.queryOne(std::string("SELECT ") + kOrgColumns + " FROM orgs WHERE id = ?",
                               {**f.parentId});
        if (!prow)
          throw invalidField(FieldLocation::Body, "/parent_id", "field.not_found",
                             {{"resource", "organisation"}, {"id", **f.parentId}});
        parent = orgFromRow(*prow);
        if (parent->path.rfind(o.path, 0) == 0) throw Error(400, "org.cycle");
      }
      checkPlacement(o.level, o.kind, parent);
      o.parentId = parent ? std::optional<std::string>(parent->id) : std::nullopt;
      o.path = (parent ? parent->path : "/") + o.id + "/";
    }
    o.updatedAt = nowRfc3339();
    try {
      c.exec(
          "UPDATE orgs SET code = ?, name_zh = ?, name_en = ?, parent_id = ?, path = ?, updated_at "
          "= ? WHERE id = ?",
          {o.code, o.nameZh, o.nameEn,
           o.parentId ? store::Value(*o.parentId) : store::Value(store::Null{}), o.path,
           o.updatedAt, o.id});
    } catch (const store::SqlError& e) {
      if (e.isUniqueViolation()) throw duplicate("organisation", "code", o.code);
      throw;
    }
    if (o.path != oldPath) {
      // Descendants keep their place below the moved organisation.
      c.exec(
          "UPDATE orgs SET path = ? || substr(path, ?) WHERE path LIKE ? ESCAPE '\\' AND id <> ?",
          {o.path, static_cast<std::int64_t>(oldPath.size() + 1), store::prefixPattern(oldPath),
           o.id});
    }
    return o;
  });
  forgetPrincipals();  // cached principals carry organisation paths
  return updated;
}

void Identity::deleteOrg(const std::string& id) {
  db_.transaction([&](store::Connection& c) {
    if (!c.queryOne("SELECT id FROM orgs WHERE id = ?", {id})) throw notFound("organisation", id);
    auto children = c.queryOne("SELECT COUNT(*) AS n FROM orgs WHERE parent_id = ?", {id});
    auto accounts = c.queryOne("SELECT COUNT(*) AS n FROM accounts WHERE org_id = ?", {id});
    if (children->integer("n") > 0 || accounts->integer("n") > 0)
      throw conflict("org.has_dependents");
    c.exec("DELETE FROM orgs WHERE id = ?", {id});
  });
  forgetPrincipals();
}

namespace {

// Levels sort top-down (province first), not alphabetically: by their rank in kOrgLevels.
std::string levelRankSql() {
  std::string sql = "CASE level";
  for (std::size_t i = 0; i < kOrgLevels.size(); ++i)
    sql += " WHEN '" + kOrgLevels[i] + "' THEN " + std::to_string(i);
  return sql + " ELSE " + std::to_string(kOrgLevels.size()) + " END";
}

std::int64_t levelRank(const std::string& level) {
  auto it = std::find(kOrgLevels.begin(), kOrgLevels.end(), level);
  return it - kOrgLevels.begin();
}

}  // namespace

namespace {

const store::SortColumns<Org>& orgSort() {
  static const store::SortColumns<Org> kColumns({
      {"code", "code", [](const Org& o) { return nlohmann::json(o.code); }},
      {"name_en", "name_en", [](const Org& o) { return nlohmann::json(o.nameEn); }},
      {"name_zh", "name_zh", [](const Org& o) { return nlohmann::json(o.nameZh); }},
      {"level", levelRankSql(), [](const Org& o) { return nlohmann::json(levelRank(o.level)); },
       store::KeyKind::integer},
      {"created_at", "created_at", [](const Org& o) { return nlohmann::json(o.createdAt); }},
  });
  return kColumns;
}

}  // namespace

const Sorting& Identity::orgSorting() {
  return orgSort().sorting();
}

Page<Org> Identity::listOrgs(const OrgFilter& filter, ListQuery query) {
  store::Where where;
  where.eq("level", filter.level);
  where.eq("kind", filter.kind);
  where.eq("parent_id", filter.parentId);
  if (filter.within) {
    auto root = findOrg(*filter.within);
    if (!root) return {};
    where.within("path", root->path);
  }
  where.search({"code", "name_zh", "name_en"}, query.q);
  auto c = db_.connect();
  return store::fetchPage(c, kOrgColumns, " FROM orgs", std::move(where), std::move(query),
                          orgSort(), "id", orgFromRow);
}

std::vector<OrgNode> Identity::orgTree(const std::optional<std::string>& rootId,
                                       std::optional<int> depth) {
  // A path "/a/b/c/" has one slash more than its depth; a top-level organisation's has two.
  const std::string slashes = "(LENGTH(path) - LENGTH(REPLACE(path, '/', '')))";
  std::string sql = std::string("SELECT ") + kOrgColumns + " FROM orgs WHERE 1 = 1";
  store::Args args;
  std::int64_t topSlashes = 2;
  if (rootId) {
    auto root = findOrg(*rootId);
    if (!root) throw notFound("organisation", *rootId);
    sql += " AND path LIKE ? ESCAPE '\\'";
    args.push_back(store::prefixPattern(root->path));
    topSlashes = std::count(root->path.begin(), root->path.end(), '/');
  }
  if (depth) {
    sql += " AND " + slashes + " <= ?";
    args.push_back(topSlashes + *depth);
  }
  auto c = db_.connect();
  std::vector<store::Row> rows = c.query(sql + " ORDER BY path", args);
  std::map<std::string, std::vector<Org>> byParent;
  std::vector<Org> roots;
  for (const auto& r : rows) {
    Org o = orgFromRow(r);
    bool isRoot = rootId ? o.id == *rootId : !o.parentId;
    if (isRoot)
      roots.push_back(std::move(o));
    else
      byParent[o.parentId.value_or("")].push_back(std::move(o));
  }
  std::function<OrgNode(Org)> build = [&](Org o) {
    OrgNode n{std::move(o), {}};
    auto it = byParent.find(n.org.id);
    if (it != byParent.end()) {
      std::sort(it->second.begin(), it->second.end(),
                [](const Org& a, const Org& b) { return a.code < b.code; });
      for (auto& child : it->second) n.children.push_back(build(std::move(child)));
    }
    return n;
  };
  std::sort(roots.begin(), roots.end(), [](const Org& a, const Org& b) { return a.code < b.code; });
  std::vector<OrgNode> out;
  out.reserve(roots.size());
  for (auto& r : roots) out.push_back(build(std::move(r)));
  return out;
}

}  // namespace onceonly::identity
