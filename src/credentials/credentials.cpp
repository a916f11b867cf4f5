#include "credentials/credentials.h"

#include <algorithm>
#include <set>

#include "catalog/records.h"
#include "core/encoding.h"
#include "core/time.h"
#include "credentials/jose.h"
#include "credentials/status_list.h"
#include "crypto/crypto.h"
#include "identity/identity.h"
#include "ledger/log.h"
#include "ledger/merkle.h"
#include "store/list.h"
#include "store/store.h"

namespace onceonly::credentials {

const std::vector<std::string> kClaimTypes = {"string", "date", "integer", "boolean"};
const std::vector<std::string> kSubjectKinds = {"person", "company"};
const std::vector<std::string> kStatuses = {"valid", "suspended", "revoked", "expired"};

namespace {

using nlohmann::json;

constexpr const char* kVcContext = "https://www.w3.org/ns/credentials/v2";
constexpr std::size_t kMaxFields = 40;
constexpr int kMaxValidityDays = 365 * 100;

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool isName(const std::string& s, std::size_t max) {
  if (s.empty() || s.size() > max || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

json fieldsJson(const std::vector<FieldDef>& fields) {
  json a = json::array();
  for (const auto& f : fields)
    a.push_back({{"name", f.name},
                 {"type", f.type},
                 {"label_zh", f.labelZh},
                 {"label_en", f.labelEn},
                 {"required", f.required}});
  return a;
}

std::vector<FieldDef> fieldsFrom(const std::string& text) {
  std::vector<FieldDef> out;
  for (const auto& f : json::parse(text))
    out.push_back({f.at("name"), f.at("type"), f.at("label_zh"), f.at("label_en"),
                   f.at("required").get<bool>()});
  return out;
}

store::Value opt(const std::optional<std::string>& v) {
  return v ? store::Value(*v) : store::Value(store::Null{});
}

json optJson(const std::optional<std::string>& v) {
  return v ? json(*v) : json();
}

std::int64_t epochSeconds(const std::string& rfc3339) {
  auto t = parseRfc3339(rfc3339);
  return t ? std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count() : 0;
}

// "marriage_certificate" → "MarriageCertificate": the type's term in the credential's `type`.
std::string pascal(const std::string& code) {
  std::string out;
  bool up = true;
  for (char c : code) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

json languageMap(const std::string& zh, const std::string& en) {
  return json::array(
      {{{"@value", zh}, {"@language", "zh"}}, {{"@value", en}, {"@language", "en"}}});
}

constexpr const char* kTypeColumns =
    "t.id, t.code, t.issuer_org_id, t.name_zh, t.name_en, t.subject_kind, t.fields, "
    "t.validity_days, t.layout, t.status, t.created_by, t.created_at, t.resource_id";

CredentialType typeFromRow(const store::Row& r) {
  CredentialType t;
  t.id = r.text("id");
  t.code = r.text("code");
  t.issuerOrgId = r.text("issuer_org_id");
  t.nameZh = r.text("name_zh");
  t.nameEn = r.text("name_en");
  t.subjectKind = r.text("subject_kind");
  t.fields = fieldsFrom(r.text("fields"));
  if (auto d = r.optInteger("validity_days")) t.validityDays = static_cast<int>(*d);
  t.layout = json::parse(r.text("layout"));
  t.status = r.text("status");
  t.createdBy = r.text("created_by");
  t.createdAt = r.text("created_at");
  t.resourceId = r.optText("resource_id");
  return t;
}

const store::SortColumns<CredentialType>& typeSort() {
  static const store::SortColumns<CredentialType> kSort(
      {{"code", "t.code", [](const CredentialType& t) { return json(t.code); }},
       {"created_at", "t.created_at", [](const CredentialType& t) { return json(t.createdAt); }}});
  return kSort;
}

constexpr const char* kCredentialColumns =
    "c.id, c.type_id, c.issuer_org_id, c.holder_pseudonym, c.subject_masked, c.claims_sealed, "
    "c.jwt_sealed, c.kid, c.status_list_id, c.status_index, c.status, c.status_reason, "
    "c.status_changed_at, c.status_changed_by, c.valid_from, c.valid_until, c.issued_by, "
    "c.issued_at, c.leaf_hash";

const store::SortColumns<Credential>& credentialSort() {
  static const store::SortColumns<Credential> kSort(
      {{"issued_at", "c.issued_at", [](const Credential& c) { return json(c.issuedAt); }}}, true);
  return kSort;
}

IssuerKey keyFromRow(const store::Row& r) {
  IssuerKey k;
  k.kid = r.text("kid");
  k.orgId = r.text("org_id");
  auto bytes = fromBase64url(r.text("public_key"));
  if (!bytes) throw std::runtime_error("stored issuer key is not base64url");
  k.publicKey = *crypto::fromBytes<crypto::Ed25519PublicKey>(*bytes);
  k.createdAt = r.text("created_at");
  k.retiredAt = r.optText("retired_at");
  return k;
}

// The issuance's ledger entry: what was issued, by whom, to whose pseudonym, in which slot,
// and the digest of the signed certificate (not the certificate: it is personal data).
json issuedEntry(const Credential& c, const CredentialType& t) {
  return {{"type", "credentials.issued"},
          {"subject", c.holderPseudonym},
          {"credential", c.id},
          {"credential_type", t.code},
          {"issuer", c.issuerOrgId},
          {"kid", c.kid},
          {"status_list", c.statusListId},
          {"status_index", c.statusIndex},
          {"digest", base64url(crypto::sha256(c.jwt))},
          {"valid_from", c.validFrom},
          {"valid_until", optJson(c.validUntil)},
          {"at", c.issuedAt}};
}

}  // namespace

// A department's private key, unsealed once and kept in memory.
struct Credentials::SigningKey {
  IssuerKey info;
  crypto::Ed25519Key key;
};

// A list's signed forms as of one version.
struct Credentials::ListCache {
  std::int64_t version = -1;
  std::map<std::string, std::shared_ptr<const std::string>> signed_;  // by purpose
};

std::string Credential::state(const std::string& now) const {
  if (status == "valid" && validUntil && *validUntil <= now) return "expired";
  return status;
}

Credentials::Credentials(store::Database& db, const crypto::KeyRing& keys, std::string publicUrl)
    : db_(db), keys_(keys), publicUrl_(std::move(publicUrl)) {
  while (!publicUrl_.empty() && publicUrl_.back() == '/') publicUrl_.pop_back();
  Trust trust;
  trust.key = [this](const std::string& kid) -> std::optional<IssuerKeyInfo> {
    auto k = keyByKid(kid);
    if (!k) return std::nullopt;
    return IssuerKeyInfo{k->orgId, k->publicKey};
  };
  trust.issuerOrg = [this](const std::string& url) -> std::optional<std::string> {
    auto org = orgOfIssuerUrl(url);
    if (!org || (orgKnown_ && !orgKnown_(*org))) return std::nullopt;
    return org;
  };
  trust.statusList = [this](const std::string& url) { return statusListAt(url); };
  verifier_ = std::make_unique<Verifier>(std::move(trust));
}

Credentials::~Credentials() = default;

// ----- URLs -----------------------------------------------------------------------------------

std::string Credentials::issuerUrl(const std::string& orgId) const {
  return publicUrl_ + "/api/v1/credentials/issuers/" + orgId;
}
std::string Credentials::typeUrl(const std::string& typeId) const {
  return publicUrl_ + "/api/v1/credentials/types/" + typeId;
}
std::string Credentials::credentialUrl(const std::string& id) const {
  return publicUrl_ + "/api/v1/credentials/" + id;
}
std::string Credentials::statusListUrl(const std::string& listId,
                                       const std::string& purpose) const {
  return publicUrl_ + "/api/v1/credentials/status/" + listId + "/" + purpose;
}
std::string Credentials::tokenStatusListUrl(const std::string& listId) const {
  return statusListUrl(listId, "token");
}
std::string Credentials::verifyUrl(const std::string& presented) const {
  return publicUrl_ + "/verify#vc=" + presented;
}

std::optional<std::string> Credentials::orgOfIssuerUrl(const std::string& url) const {
  const std::string prefix = publicUrl_ + "/api/v1/credentials/issuers/";
  if (url.rfind(prefix, 0) != 0) return std::nullopt;
  auto org = url.substr(prefix.size());
  if (!crypto::looksLikeId(org, "org")) return std::nullopt;
  return org;
}

// ----- types ----------------------------------------------------------------------------------

void Credentials::checkType(const CredentialType& t, FieldErrors& e) {
  if (!isName(t.code, 64))
    e.add(FieldLocation::Body, "/code", "field.pattern",
          {{"pattern", "1 to 64 of a-z, 0-9 and '_', a letter first"}});
  if (!lengthWithin(t.nameZh, 1, 100))
    e.add(FieldLocation::Body, "/name_zh", "field.length", {{"min", "1"}, {"max", "100"}});
  if (!lengthWithin(t.nameEn, 1, 200))
    e.add(FieldLocation::Body, "/name_en", "field.length", {{"min", "1"}, {"max", "200"}});
  if (!contains(kSubjectKinds, t.subjectKind))
    e.add(FieldLocation::Body, "/subject_kind", "field.enum",
          {{"allowed", commaList(kSubjectKinds)}});
  if (t.validityDays && (*t.validityDays < 1 || *t.validityDays > kMaxValidityDays))
    e.add(FieldLocation::Body, "/validity_days", "field.range",
          {{"min", "1"}, {"max", std::to_string(kMaxValidityDays)}});
  if (t.fields.empty() || t.fields.size() > kMaxFields)
    e.add(FieldLocation::Body, "/fields", "field.length",
          {{"min", "1"}, {"max", std::to_string(kMaxFields)}});
  std::set<std::string> seen;
  for (std::size_t i = 0; i < t.fields.size(); ++i) {
    const auto& f = t.fields[i];
    const std::string at = "/fields/" + std::to_string(i) + "/";
    // Names a VC or an SD-JWT gives a meaning of its own cannot be a field's.
    static const std::set<std::string> kReserved = {"id",  "type", "status", "exp", "iat",
                                                    "nbf", "iss",  "sub",    "cnf", "vct",
                                                    "jti", "aud",  "nonce"};
    if (!isName(f.name, 40))
      e.add(FieldLocation::Body, at + "name", "field.pattern",
            {{"pattern", "1 to 40 of a-z, 0-9 and '_', a letter first"}});
    else if (kReserved.count(f.name))
      e.add(FieldLocation::Body, at + "name", "credentials.reserved_field", {{"name", f.name}});
    else if (!seen.insert(f.name).second)
      e.add(FieldLocation::Body, at + "name", "field.duplicate");
    if (!contains(kClaimTypes, f.type))
      e.add(FieldLocation::Body, at + "type", "field.enum", {{"allowed", commaList(kClaimTypes)}});
    if (!lengthWithin(f.labelZh, 1, 100))
      e.add(FieldLocation::Body, at + "label_zh", "field.length", {{"min", "1"}, {"max", "100"}});
    if (!lengthWithin(f.labelEn, 1, 200))
      e.add(FieldLocation::Body, at + "label_en", "field.length", {{"min", "1"}, {"max", "200"}});
  }
  if (!t.layout.is_object()) {
    e.add(FieldLocation::Body, "/layout", "field.type", {{"type", "object"}});
  } else {
    for (auto it = t.layout.begin(); it != t.layout.end(); ++it) {
      static const std::vector<std::string> kLayout = {"title_zh", "title_en", "note_zh",
                                                       "note_en"};
      if (!contains(kLayout, it.key()))
        e.add(FieldLocation::Body, "/layout/" + it.key(), "field.unknown");
      else if (!it->is_string() || !lengthWithin(it->get<std::string>(), 0, 500))
        e.add(FieldLocation::Body, "/layout/" + it.key(), "field.length",
              {{"min", "0"}, {"max", "500"}});
    }
  }
}

CredentialType Credentials::defineType(CredentialType t) {
  t.id = crypto::newId("ctp");
  t.status = "active";
  t.createdAt = nowRfc3339();
  auto c = db_.connect();
  if (c.queryOne("SELECT id FROM credential_types WHERE code = ?", {t.code}))
    throw duplicate("certificate type", "code", t.code);
  c.exec(
      "INSERT INTO credential_types (id, code, issuer_org_id, name_zh, name_en, subject_kind, "
      "fields, validity_days, layout, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?, ?, ?)",
      {t.id, t.code, t.issuerOrgId, t.nameZh, t.nameEn, t.subjectKind, fieldsJson(t.fields).dump(),
       t.validityDays ? store::Value(std::int64_t{*t.validityDays}) : store::Value(store::Null{}),
       t.layout.dump(), t.status, t.createdBy, t.createdAt});
  return t;
}

std::optional<CredentialType> Credentials::findType(const std::string& id) {
  return store::findOne(db_, kTypeColumns, " FROM credential_types t WHERE t.id = ?", {id},
                        typeFromRow);
}

std::optional<CredentialType> Credentials::findTypeByCode(const std::string& code) {
  return store::findOne(db_, kTypeColumns, " FROM credential_types t WHERE t.code = ?", {code},
                        typeFromRow);
}

Page<CredentialType> Credentials::types(const TypeFilter& f, ListQuery q) {
  store::Where w;
  w.eq("t.issuer_org_id", f.issuerOrgId);
  w.eq("t.subject_kind", f.subjectKind);
  w.search({"t.code", "t.name_zh", "t.name_en"}, q.q);
  auto c = db_.connect();
  return store::fetchPage(c, kTypeColumns, " FROM credential_types t", std::move(w), std::move(q),
                          typeSort(), "t.id", typeFromRow);
}

void Credentials::linkResource(const std::string& typeId, const std::string& resourceId) {
  if (db_.connect().exec(
          "UPDATE credential_types SET resource_id = ? WHERE id = ? AND resource_id IS NULL",
          {resourceId, typeId}) != 1)
    throw conflict("credentials.resource_declared");
}

std::optional<json> Credentials::currentClaims(const std::string& resourceId,
                                               const std::string& subject) {
  auto c = db_.connect();
  auto type = c.queryOne(
      std::string("SELECT ") + kTypeColumns + " FROM credential_types t WHERE t.resource_id = ?",
      {resourceId});
  if (!type) return std::nullopt;
  const auto t = typeFromRow(*type);
  auto row = c.queryOne(
      std::string("SELECT ") + kCredentialColumns +
          " FROM credentials c WHERE c.type_id = ? AND c.holder_pseudonym = ? AND c.status = "
          "'valid' AND c.valid_from <= ? AND (c.valid_until IS NULL OR c.valid_until > ?) ORDER "
          "BY c.issued_at DESC LIMIT 1",
      {t.id, holderPseudonym(t.subjectKind, subject), nowRfc3339(), nowRfc3339()});
  if (!row) return std::nullopt;
  return json::parse(keys_.decrypt(row->text("claims_sealed")));
}

const Sorting& Credentials::typeSorting() {
  return typeSort().sorting();
}

json typeToJson(const CredentialType& t) {
  return {{"id", t.id},
          {"code", t.code},
          {"issuer_org_id", t.issuerOrgId},
          {"name_zh", t.nameZh},
          {"name_en", t.nameEn},
          {"subject_kind", t.subjectKind},
          {"fields", fieldsJson(t.fields)},
          {"validity_days", t.validityDays ? json(*t.validityDays) : json()},
          {"layout", t.layout},
          {"status", t.status},
          {"created_at", t.createdAt},
          {"resource_id", optJson(t.resourceId)}};
}

// ----- keys -----------------------------------------------------------------------------------

std::vector<IssuerKey> Credentials::keys(const std::string& orgId) {
  std::vector<IssuerKey> out;
  for (const auto& r : db_.connect().query(
           "SELECT kid, org_id, public_key, created_at, retired_at FROM credential_issuer_keys "
           "WHERE org_id = ? ORDER BY created_at DESC, kid",
           {orgId}))
    out.push_back(keyFromRow(r));
  return out;
}

std::vector<IssuerKey> Credentials::allKeys() {
  std::vector<IssuerKey> out;
  for (const auto& r : db_.connect().query(
           "SELECT kid, org_id, public_key, created_at, retired_at FROM credential_issuer_keys "
           "ORDER BY org_id, created_at DESC, kid"))
    out.push_back(keyFromRow(r));
  return out;
}

std::optional<IssuerKey> Credentials::keyByKid(const std::string& kid) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = signing_.find(kid); it != signing_.end()) return it->second->info;
  }
  if (kid.empty() || kid.size() > 64) return std::nullopt;
  {
    std::lock_guard lock(mutex_);
    if (auto it = public_.find(kid); it != public_.end()) return it->second;
  }
  auto row = db_.connect().queryOne(
      "SELECT kid, org_id, public_key, created_at, retired_at FROM credential_issuer_keys WHERE "
      "kid = ?",
      {kid});
  if (!row) return std::nullopt;
  // A key, once made, never changes what it verifies: kept for every later verification.
  auto key = keyFromRow(*row);
  std::lock_guard lock(mutex_);
  public_.emplace(kid, key);
  return key;
}

std::shared_ptr<const Credentials::SigningKey> Credentials::signingKey(store::Connection& c,
                                                                       const std::string& kid) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = signing_.find(kid); it != signing_.end()) return it->second;
  }
  auto row = c.queryOne(
      "SELECT kid, org_id, public_key, sealed_seed, created_at, retired_at FROM "
      "credential_issuer_keys WHERE kid = ?",
      {kid});
  if (!row) throw std::runtime_error("no issuer key " + kid);
  auto seed = crypto::fromBytes<crypto::Ed25519Seed>(keys_.decrypt(row->text("sealed_seed")));
  if (!seed) throw std::runtime_error("issuer key " + kid + " is not an Ed25519 seed");
  auto k = std::make_shared<const SigningKey>(
      SigningKey{keyFromRow(*row), crypto::Ed25519Key::fromSeed(*seed)});
  std::lock_guard lock(mutex_);
  return signing_.emplace(kid, std::move(k)).first->second;
}

std::shared_ptr<const Credentials::SigningKey> Credentials::currentKey(store::Connection& c,
                                                                       const std::string& orgId) {
  auto row = c.queryOne(
      "SELECT kid FROM credential_issuer_keys WHERE org_id = ? AND retired_at IS NULL ORDER BY "
      "created_at DESC LIMIT 1",
      {orgId});
  if (row) return signingKey(c, row->text("kid"));
  // A department's first certificate makes its first key.
  auto key = crypto::Ed25519Key::generate();
  const auto pub = key.publicKey();
  const std::string kid = jose::thumbprint(pub);
  c.exec(
      "INSERT INTO credential_issuer_keys (kid, org_id, public_key, sealed_seed, created_at) "
      "VALUES (?, ?, ?, ?, ?)",
      {kid, orgId, base64url(crypto::toBytes(pub)), keys_.encrypt(crypto::toBytes(key.seed())),
       nowRfc3339()});
  // Read back through this connection, which sees it. Should the transaction roll back, the
  // cached copy signs nothing more: currentKey() only picks keys the table holds.
  return signingKey(c, kid);
}

IssuerKey Credentials::rotate(const std::string& orgId) {
  return db_.transaction([&](store::Connection& c) {
    const auto now = nowRfc3339();
    c.exec(
        "UPDATE credential_issuer_keys SET retired_at = ? WHERE org_id = ? AND retired_at IS "
        "NULL",
        {now, orgId});
    {
      // Cached copies of the retired key must not sign again.
      std::lock_guard lock(mutex_);
      for (auto it = signing_.begin(); it != signing_.end();)
        it = it->second->info.orgId == orgId ? signing_.erase(it) : std::next(it);
    }
    auto key = crypto::Ed25519Key::generate();
    IssuerKey k;
    k.publicKey = key.publicKey();
    k.kid = jose::thumbprint(k.publicKey);
    k.orgId = orgId;
    k.createdAt = now;
    c.exec(
        "INSERT INTO credential_issuer_keys (kid, org_id, public_key, sealed_seed, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        {k.kid, orgId, base64url(crypto::toBytes(k.publicKey)),
         keys_.encrypt(crypto::toBytes(key.seed())), k.createdAt});
    return k;
  });
}

// ----- issuing --------------------------------------------------------------------------------

std::string Credentials::holderPseudonym(const std::string& subjectKind,
                                         const std::string& subject) const {
  std::string s = subject;
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return keys_.pseudonym((subjectKind == "company" ? "credit:" : "resident:") + s);
}

void Credentials::checkIssue(const CredentialType& t, IssueInput& in, FieldErrors& e) const {
  for (auto& ch : in.subject) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (auto why = catalog::checkSubject(t.subjectKind, in.subject))
    e.add(FieldLocation::Body, "/subject", "credentials.subject", {{"reason", *why}});
  if (!in.claims.is_object()) {
    e.add(FieldLocation::Body, "/claims", "field.type", {{"type", "object"}});
    return;
  }
  json normalised = json::object();
  for (const auto& f : t.fields) {
    catalog::Field cf;
    cf.name = f.name;
    cf.type = f.type;
    auto it = in.claims.find(f.name);
    auto r = catalog::valueFromJson(cf, it == in.claims.end() ? json() : *it);
    if (!r.ok()) {
      e.add(FieldLocation::Body, "/claims/" + f.name, r.code, r.params);
      continue;
    }
    if (r.value.is_null()) {
      if (f.required) e.add(FieldLocation::Body, "/claims/" + f.name, "field.required");
      continue;
    }
    if (r.value.is_string() && !lengthWithin(r.value.get<std::string>(), 1, 500))
      e.add(FieldLocation::Body, "/claims/" + f.name, "field.length",
            {{"min", "1"}, {"max", "500"}});
    normalised[f.name] = r.value;
  }
  for (auto it = in.claims.begin(); it != in.claims.end(); ++it)
    if (std::none_of(t.fields.begin(), t.fields.end(),
                     [&it](const FieldDef& f) { return f.name == it.key(); }))
      e.add(FieldLocation::Body, "/claims/" + it.key(), "field.unknown");
  in.claims = std::move(normalised);

  std::optional<Clock::time_point> from, until;
  for (auto [name, value, parsed] : {std::tuple{"valid_from", &in.validFrom, &from},
                                     std::tuple{"valid_until", &in.validUntil, &until}}) {
    if (!*value) continue;
    *parsed = parseRfc3339(**value);
    if (!*parsed)
      e.add(FieldLocation::Body, std::string("/") + name, "field.type",
            {{"type", "RFC 3339 time"}});
    else
      **value = toRfc3339(**parsed);  // stored and signed in one form
  }
  if (from && until && *until <= *from)
    e.add(FieldLocation::Body, "/valid_until", "credentials.period");
  if (until && *until <= Clock::now())
    e.add(FieldLocation::Body, "/valid_until", "credentials.period");
}

std::pair<std::string, std::uint32_t> Credentials::statusSlot(store::Connection& c,
                                                              const std::string& orgId) {
  // A list is filled to half at most, so that a random free index is found at once and the
  // indexes say nothing about the order of issuing.
  auto row = c.queryOne(
      "SELECT id FROM credential_status_lists WHERE org_id = ? AND used < size / 2 ORDER BY "
      "created_at DESC LIMIT 1",
      {orgId});
  std::string listId;
  if (row) {
    listId = row->text("id");
  } else {
    listId = crypto::newId("sl");
    c.exec(
        "INSERT INTO credential_status_lists (id, org_id, size, used, version, created_at) VALUES "
        "(?, ?, ?, 0, 1, ?)",
        {listId, orgId, std::int64_t{kStatusListSize}, nowRfc3339()});
  }
  for (;;) {
    std::uint32_t index = 0;
    const auto bytes = crypto::randomBytes(sizeof index);
    std::memcpy(&index, bytes.data(), sizeof index);
    index %= kStatusListSize;
    if (c.queryOne("SELECT id FROM credentials WHERE status_list_id = ? AND status_index = ?",
                   {listId, std::int64_t{index}}))
      continue;
    c.exec("UPDATE credential_status_lists SET used = used + 1 WHERE id = ?", {listId});
    return {listId, index};
  }
}

json Credentials::vcPayload(const Credential& c, const CredentialType& t) const {
  json status = json::array();
  for (const char* purpose : {"revocation", "suspension"}) {
    const auto list = statusListUrl(c.statusListId, purpose);
    // No `id` (it is optional): the link in the QR code carries the whole certificate.
    status.push_back({{"type", "BitstringStatusListEntry"},
                      {"statusPurpose", purpose},
                      {"statusListIndex", std::to_string(c.statusIndex)},
                      {"statusListCredential", list}});
  }
  json p = {{"@context", json::array({kVcContext})},
            {"id", credentialUrl(c.id)},
            {"type", json::array({"VerifiableCredential", pascal(t.code)})},
            {"issuer", issuerUrl(c.issuerOrgId)},
            {"name", languageMap(t.nameZh, t.nameEn)},
            {"validFrom", c.validFrom},
            {"credentialSubject", c.claims},
            {"credentialStatus", status},
            {"iss", issuerUrl(c.issuerOrgId)},
            {"jti", credentialUrl(c.id)},
            {"iat", epochSeconds(c.issuedAt)},
            {"nbf", epochSeconds(c.validFrom)}};
  if (c.validUntil) {
    p["validUntil"] = *c.validUntil;
    p["exp"] = epochSeconds(*c.validUntil);
  }
  return p;
}

Issued Credentials::issue(store::Connection& c, const CredentialType& t, const IssueInput& in,
                          const std::string& by) {
  Credential cr;
  cr.id = crypto::newId("crd");
  cr.typeId = t.id;
  cr.issuerOrgId = t.issuerOrgId;
  cr.holderPseudonym = holderPseudonym(t.subjectKind, in.subject);
  cr.subjectMasked = t.subjectKind == "person" ? identity::maskResidentId(in.subject)
                                               : in.subject.substr(0, 8) + "**********";
  cr.claims = in.claims;
  cr.status = "valid";
  cr.issuedAt = nowRfc3339();
  cr.validFrom = in.validFrom.value_or(cr.issuedAt);
  cr.validUntil = in.validUntil;
  if (!cr.validUntil && t.validityDays)
    cr.validUntil =
        toRfc3339(*parseRfc3339(cr.validFrom) + std::chrono::hours(24) * *t.validityDays);
  cr.issuedBy = by;
  auto key = currentKey(c, t.issuerOrgId);
  cr.kid = key->info.kid;
  std::tie(cr.statusListId, cr.statusIndex) = statusSlot(c, t.issuerOrgId);
  cr.jwt = jose::signCompact({{"typ", "vc+jwt"}, {"kid", cr.kid}}, vcPayload(cr, t), key->key);
  Issued out{cr, issuedEntry(cr, t)};
  out.credential.leafHash =
      ledger::hashToBase64(ledger::leafHash(ledger::canonicalJson(out.ledgerEntry)));
  const auto& x = out.credential;
  c.exec(
      "INSERT INTO credentials (id, type_id, issuer_org_id, holder_pseudonym, subject_masked, "
      "claims_sealed, jwt_sealed, kid, status_list_id, status_index, status, valid_from, "
      "valid_until, issued_by, issued_at, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?)",
      {x.id, x.typeId, x.issuerOrgId, x.holderPseudonym, x.subjectMasked,
       keys_.encrypt(x.claims.dump()), keys_.encrypt(x.jwt), x.kid, x.statusListId,
       std::int64_t{x.statusIndex}, x.status, x.validFrom, opt(x.validUntil), x.issuedBy,
       x.issuedAt, x.leafHash});
  return out;
}

namespace {

Credential credentialFromRow(const store::Row& r, const crypto::KeyRing& keys) {
  Credential c;
  c.id = r.text("id");
  c.typeId = r.text("type_id");
  c.issuerOrgId = r.text("issuer_org_id");
  c.holderPseudonym = r.text("holder_pseudonym");
  c.subjectMasked = r.text("subject_masked");
  c.claims = json::parse(keys.decrypt(r.text("claims_sealed")));
  c.jwt = keys.decrypt(r.text("jwt_sealed"));
  c.kid = r.text("kid");
  c.statusListId = r.text("status_list_id");
  c.statusIndex = static_cast<std::uint32_t>(r.integer("status_index"));
  c.status = r.text("status");
  c.statusReason = r.optText("status_reason");
  c.statusChangedAt = r.optText("status_changed_at");
  c.statusChangedBy = r.optText("status_changed_by");
  c.validFrom = r.text("valid_from");
  c.validUntil = r.optText("valid_until");
  c.issuedBy = r.text("issued_by");
  c.issuedAt = r.text("issued_at");
  c.leafHash = r.text("leaf_hash");
  return c;
}

}  // namespace

std::optional<Credential> Credentials::find(const std::string& id) {
  auto row = db_.connect().queryOne(
      std::string("SELECT ") + kCredentialColumns + " FROM credentials c WHERE c.id = ?", {id});
  if (!row) return std::nullopt;
  return credentialFromRow(*row, keys_);
}

std::optional<std::string> Credentials::typeIdOf(const std::string& credentialId) {
  auto row = db_.connect().queryOne("SELECT type_id FROM credentials WHERE id = ?", {credentialId});
  if (!row) return std::nullopt;
  return row->text("type_id");
}

Page<Credential> Credentials::list(const CredentialFilter& f, ListQuery q) {
  store::Where w;
  w.eq("c.holder_pseudonym", f.holderPseudonym);
  w.eq("c.issuer_org_id", f.issuerOrgId);
  w.eq("c.type_id", f.typeId);
  const auto now = nowRfc3339();
  if (f.status == "expired") {
    w.add("c.status = 'valid' AND c.valid_until IS NOT NULL AND c.valid_until <= ?", {now});
  } else if (f.status == "valid") {
    w.add("c.status = 'valid' AND (c.valid_until IS NULL OR c.valid_until > ?)", {now});
  } else {
    w.eq("c.status", f.status);
  }
  auto c = db_.connect();
  return store::fetchPage(c, kCredentialColumns, " FROM credentials c", std::move(w), std::move(q),
                          credentialSort(), "c.id",
                          [this](const store::Row& r) { return credentialFromRow(r, keys_); });
}

const Sorting& Credentials::credentialSorting() {
  return credentialSort().sorting();
}

Issued Credentials::changeStatus(const std::string& id, const std::string& action,
                                 const std::string& reason, const std::string& by) {
  auto cr = find(id);
  if (!cr) throw notFound("certificate", id);
  std::string to;
  if (action == "revoke" && cr->status != "revoked") to = "revoked";
  if (action == "suspend" && cr->status == "valid") to = "suspended";
  if (action == "reinstate" && cr->status == "suspended") to = "valid";
  if (to.empty())
    throw conflict("credentials.status_transition", {{"action", action}, {"status", cr->status}});
  const auto now = nowRfc3339();
  auto c = db_.connect();
  // The status changes only from what was read, so that two changes at once cannot both pass.
  if (c.exec("UPDATE credentials SET status = ?, status_reason = ?, status_changed_at = ?, "
             "status_changed_by = ? WHERE id = ? AND status = ?",
             {to, reason, now, by, id, cr->status}) != 1)
    throw conflict("credentials.status_transition", {{"action", action}, {"status", cr->status}});
  c.exec("UPDATE credential_status_lists SET version = version + 1 WHERE id = ?",
         {cr->statusListId});
  const std::string type = action == "revoke"    ? "credentials.revoked"
                           : action == "suspend" ? "credentials.suspended"
                                                 : "credentials.reinstated";
  cr->status = to;
  cr->statusReason = reason;
  cr->statusChangedAt = now;
  cr->statusChangedBy = by;
  json entry = {{"type", type},
                {"subject", cr->holderPseudonym},
                {"credential", cr->id},
                {"issuer", cr->issuerOrgId},
                {"status_list", cr->statusListId},
                {"status_index", cr->statusIndex},
                {"reason", reason},
                {"at", now}};
  return {*cr, entry};
}

Credentials::SdJwtIssued Credentials::sdJwt(const Credential& cr, const CredentialType& t,
                                            const crypto::Ed25519PublicKey& holderKey) {
  // Signed with the department's current key: a retired one does not sign again.
  auto c = db_.connect();
  auto key = currentKey(c, cr.issuerOrgId);
  SdJwtIssued out;
  json digests = json::array();
  std::vector<jose::Disclosure> disclosures;
  for (const auto& f : t.fields) {
    auto it = cr.claims.find(f.name);
    if (it == cr.claims.end()) continue;
    disclosures.push_back(jose::makeDisclosure(f.name, *it));
    digests.push_back(disclosures.back().digest);
  }
  // The order of digests says nothing about the order of fields.
  std::sort(digests.begin(), digests.end());
  json p = {
      {"iss", issuerUrl(cr.issuerOrgId)},
      {"vct", typeUrl(t.id)},
      {"iat", epochSeconds(nowRfc3339())},
      {"nbf", epochSeconds(cr.validFrom)},
      {"cnf", {{"jwk", jose::publicJwk(holderKey)}}},
      {"status",
       {{"status_list", {{"idx", cr.statusIndex}, {"uri", tokenStatusListUrl(cr.statusListId)}}}}},
      {"_sd", digests},
      {"_sd_alg", "sha-256"}};
  if (cr.validUntil) p["exp"] = epochSeconds(*cr.validUntil);
  out.sdJwt = jose::signCompact({{"typ", "dc+sd-jwt"}, {"kid", key->info.kid}}, p, key->key) + "~";
  for (const auto& d : disclosures) {
    out.sdJwt += d.encoded + "~";
    out.disclosures.emplace_back(d.name, d.encoded);
  }
  return out;
}

// ----- status lists ---------------------------------------------------------------------------

std::shared_ptr<const std::string> Credentials::statusList(const std::string& listId,
                                                           const std::string& purpose) {
  if (purpose != "revocation" && purpose != "suspension" && purpose != "token") return nullptr;
  auto c = db_.connect();
  auto row =
      c.queryOne("SELECT org_id, version FROM credential_status_lists WHERE id = ?", {listId});
  if (!row) return nullptr;
  const auto version = row->integer("version");
  {
    std::lock_guard lock(mutex_);
    auto it = lists_.find(listId);
    if (it != lists_.end() && it->second->version == version)
      return it->second->signed_.at(purpose);
  }
  const auto orgId = row->text("org_id");
  Bitstring revoked(kStatusListSize), suspended(kStatusListSize);
  TokenStatusList token(kStatusListSize);
  for (const auto& r : c.query(
           "SELECT status_index, status FROM credentials WHERE status_list_id = ? AND status <> "
           "'valid'",
           {listId})) {
    const auto index = static_cast<std::uint32_t>(r.integer("status_index"));
    const bool isRevoked = r.text("status") == "revoked";
    (isRevoked ? revoked : suspended).set(index, true);
    token.set(index, isRevoked ? 1 : 2);
  }
  auto key = currentKey(c, orgId);
  const auto now = nowRfc3339();
  auto cache = std::make_shared<ListCache>();
  cache->version = version;
  for (const auto& [p, bits] : {std::pair<std::string, const Bitstring*>{"revocation", &revoked},
                                {"suspension", &suspended}}) {
    const auto url = statusListUrl(listId, p);
    json payload = {
        {"@context", json::array({kVcContext})},
        {"id", url},
        {"type", json::array({"VerifiableCredential", "BitstringStatusListCredential"})},
        {"issuer", issuerUrl(orgId)},
        {"validFrom", now},
        {"credentialSubject",
         {{"id", url + "#list"},
          {"type", "BitstringStatusList"},
          {"statusPurpose", p},
          {"encodedList", bits->encodeW3c()}}},
        {"iss", issuerUrl(orgId)},
        {"iat", epochSeconds(now)}};
    cache->signed_[p] = std::make_shared<const std::string>(
        jose::signCompact({{"typ", "vc+jwt"}, {"kid", key->info.kid}}, payload, key->key));
  }
  json tokenPayload = {
      {"sub", tokenStatusListUrl(listId)},
      {"iss", issuerUrl(orgId)},
      {"iat", epochSeconds(now)},
      {"ttl", 60},
      {"status_list", {{"bits", TokenStatusList::kBits}, {"lst", token.encode()}}}};
  cache->signed_["token"] = std::make_shared<const std::string>(jose::signCompact(
      {{"typ", "statuslist+jwt"}, {"kid", key->info.kid}}, tokenPayload, key->key));
  std::lock_guard lock(mutex_);
  auto& slot = lists_[listId];
  if (!slot || slot->version < version) slot = cache;
  return cache->signed_.at(purpose);
}

std::shared_ptr<const std::string> Credentials::statusListAt(const std::string& url) {
  const std::string prefix = publicUrl_ + "/api/v1/credentials/status/";
  if (url.rfind(prefix, 0) != 0) return nullptr;
  const auto rest = url.substr(prefix.size());
  const auto slash = rest.find('/');
  if (slash == std::string::npos) return nullptr;
  const auto listId = rest.substr(0, slash);
  if (!crypto::looksLikeId(listId, "sl")) return nullptr;
  return statusList(listId, rest.substr(slash + 1));
}

Verdict Credentials::verify(std::string_view presented, const VerifyOptions& options) {
  return verifier_->verify(presented, options);
}

}  // namespace onceonly::credentials
