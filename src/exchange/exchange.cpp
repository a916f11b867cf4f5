#include "exchange/exchange.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "catalog/hosted.h"
#include "catalog/records.h"
#include "core/encoding.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "store/list.h"
#include "store/store.h"

namespace onceonly::exchange {

namespace {

using catalog::Field;
using catalog::Resource;

nlohmann::json names(const std::vector<std::string>& v) {
  return nlohmann::json(v);
}

std::vector<std::string> namesFrom(const std::string& text) {
  return nlohmann::json::parse(text).get<std::vector<std::string>>();
}

store::Value opt(const std::optional<std::string>& v) {
  return v ? store::Value(*v) : store::Value(store::Null{});
}

nlohmann::json optJson(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

const Field* fieldOf(const Resource& r, const std::string& name) {
  for (const auto& f : r.fields)
    if (f.name == name) return &f;
  return nullptr;
}

bool isPersonal(const Field& f) {
  return f.sensitivity == "personal" || f.sensitivity == "sensitive";
}

// Purposes are codes a grant and a query must name alike: "social_assistance_review".
bool isPurpose(const std::string& s) {
  if (s.size() < 3 || s.size() > 64 || s[0] < 'a' || s[0] > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string inDays(int days) {
  return toRfc3339(Clock::now() + std::chrono::hours(24) * days);
}

// Field names checked against the resource: each once, each a field of it; unmasked ones
// personal and among `fields`.
void checkFields(const Resource& r, const std::vector<std::string>& fields,
                 const std::vector<std::string>& unmask, const std::string& at, FieldErrors& e) {
  std::set<std::string> seen;
  if (fields.empty())
    e.add(FieldLocation::Body, at + "fields", "field.length",
          {{"min", "1"}, {"max", std::to_string(r.fields.size())}});
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string pointer = at + "fields/" + std::to_string(i);
    if (!fieldOf(r, fields[i]))
      e.add(FieldLocation::Body, pointer, "exchange.no_such_field",
            {{"field", fields[i]}, {"code", r.code}});
    else if (!seen.insert(fields[i]).second)
      e.add(FieldLocation::Body, pointer, "field.duplicate");
  }
  for (std::size_t i = 0; i < unmask.size(); ++i) {
    const std::string pointer = at + "unmask/" + std::to_string(i);
    const Field* f = fieldOf(r, unmask[i]);
    if (!f || !contains(fields, unmask[i]))
      e.add(FieldLocation::Body, pointer, "exchange.unmask_not_asked", {{"field", unmask[i]}});
    else if (!isPersonal(*f))
      e.add(FieldLocation::Body, pointer, "exchange.unmask_not_personal", {{"field", unmask[i]}});
  }
}

constexpr const char* kRequestColumns =
    "q.id, q.resource_id, q.owner_org_id, q.requester_org_id, q.fields, q.unmask, q.purpose, "
    "q.legal_basis, q.service_items, q.duration_days, q.status, q.reason, q.requested_by, "
    "q.requested_at, q.decided_by, q.decided_at, q.grant_id";

SharingRequest requestFromRow(const store::Row& row) {
  SharingRequest r;
  r.id = row.text("id");
  r.resourceId = row.text("resource_id");
  r.ownerOrgId = row.text("owner_org_id");
  r.requesterOrgId = row.text("requester_org_id");
  r.fields = namesFrom(row.text("fields"));
  r.unmask = namesFrom(row.text("unmask"));
  r.purpose = row.text("purpose");
  r.legalBasis = row.text("legal_basis");
  r.serviceItems = row.text("service_items");
  r.durationDays = static_cast<int>(row.integer("duration_days"));
  r.status = row.text("status");
  r.reason = row.optText("reason");
  r.requestedBy = row.text("requested_by");
  r.requestedAt = row.text("requested_at");
  r.decidedBy = row.optText("decided_by");
  r.decidedAt = row.optText("decided_at");
  r.grantId = row.optText("grant_id");
  return r;
}

constexpr const char* kGrantColumns =
    "g.id, g.request_id, g.resource_id, g.owner_org_id, g.requester_org_id, g.fields, g.unmask, "
    "g.purpose, g.legal_basis, g.granted_by, g.granted_at, g.expires_at, g.revoked_at, "
    "g.revoked_by, g.revoke_reason";

Grant grantFromRow(const store::Row& row) {
  Grant g;
  g.id = row.text("id");
  g.requestId = row.text("request_id");
  g.resourceId = row.text("resource_id");
  g.ownerOrgId = row.text("owner_org_id");
  g.requesterOrgId = row.text("requester_org_id");
  g.fields = namesFrom(row.text("fields"));
  g.unmask = namesFrom(row.text("unmask"));
  g.purpose = row.text("purpose");
  g.legalBasis = row.text("legal_basis");
  g.grantedBy = row.text("granted_by");
  g.grantedAt = row.text("granted_at");
  g.expiresAt = row.text("expires_at");
  g.revokedAt = row.optText("revoked_at");
  g.revokedBy = row.optText("revoked_by");
  g.revokeReason = row.optText("revoke_reason");
  return g;
}

constexpr const char* kAccessColumns =
    "a.id, a.grant_id, a.resource_id, a.resource_code, a.owner_org_id, a.requester_org_id, "
    "a.accessor_id, a.accessor_role, a.subject_pseudonym, a.fields, a.purpose, a.application, "
    "a.outcome, a.reason, a.leaf_hash, a.latency_micros, a.at";

DataAccess accessFromRow(const store::Row& row) {
  DataAccess a;
  a.id = row.text("id");
  a.grantId = row.optText("grant_id");
  a.resourceId = row.text("resource_id");
  a.resourceCode = row.text("resource_code");
  a.ownerOrgId = row.text("owner_org_id");
  a.requesterOrgId = row.text("requester_org_id");
  a.accessorId = row.text("accessor_id");
  a.accessorRole = row.text("accessor_role");
  a.subjectPseudonym = row.text("subject_pseudonym");
  a.fields = namesFrom(row.text("fields"));
  a.purpose = row.text("purpose");
  a.application = row.optText("application");
  a.outcome = row.text("outcome");
  a.reason = row.optText("reason");
  a.leafHash = row.text("leaf_hash");
  a.latencyMicros = row.integer("latency_micros");
  a.at = row.text("at");
  return a;
}

constexpr const char* kConsentColumns =
    "c.id, c.subject_pseudonym, c.requester_org_id, c.resource_id, c.purpose, c.status, "
    "c.created_at, c.decided_at";

Consent consentFromRow(const store::Row& row) {
  Consent c;
  c.id = row.text("id");
  c.subjectPseudonym = row.text("subject_pseudonym");
  c.requesterOrgId = row.text("requester_org_id");
  c.resourceId = row.optText("resource_id");
  c.purpose = row.text("purpose");
  c.status = row.text("status");
  c.createdAt = row.text("created_at");
  c.decidedAt = row.optText("decided_at");
  return c;
}

const store::SortColumns<SharingRequest>& requestSort() {
  static const store::SortColumns<SharingRequest> kSort(
      {{"requested_at", "q.requested_at",
        [](const SharingRequest& r) { return nlohmann::json(r.requestedAt); }}},
      true);
  return kSort;
}

const store::SortColumns<Grant>& grantSort() {
  static const store::SortColumns<Grant> kSort(
      {{"granted_at", "g.granted_at", [](const Grant& g) { return nlohmann::json(g.grantedAt); }},
       {"expires_at", "g.expires_at", [](const Grant& g) { return nlohmann::json(g.expiresAt); }}},
      true);
  return kSort;
}

const store::SortColumns<DataAccess>& accessSort() {
  static const store::SortColumns<DataAccess> kSort(
      {{"at", "a.at", [](const DataAccess& a) { return nlohmann::json(a.at); }}}, true);
  return kSort;
}

const store::SortColumns<Consent>& consentSort() {
  static const store::SortColumns<Consent> kSort(
      {{"created_at", "c.created_at",
        [](const Consent& c) { return nlohmann::json(c.createdAt); }}},
      true);
  return kSort;
}

// Requests and grants an organisation sees: those it holds the resource of, or asked for.
void whereParty(store::Where& w, const std::string& alias, const std::optional<std::string>& org,
                const std::optional<std::string>& side = std::nullopt) {
  if (!org) return;
  if (side == "holder")
    w.add(alias + ".owner_org_id = ?", {*org});
  else if (side == "requester")
    w.add(alias + ".requester_org_id = ?", {*org});
  else
    w.add("(" + alias + ".owner_org_id = ? OR " + alias + ".requester_org_id = ?)", {*org, *org});
}

Grant insertGrant(store::Connection& c, const SharingRequest& r, std::vector<std::string> fields,
                  std::vector<std::string> unmask, int days, const std::string& by) {
  Grant g;
  g.id = crypto::newId("grt");
  g.requestId = r.id;
  g.resourceId = r.resourceId;
  g.ownerOrgId = r.ownerOrgId;
  g.requesterOrgId = r.requesterOrgId;
  g.fields = std::move(fields);
  g.unmask = std::move(unmask);
  g.purpose = r.purpose;
  g.legalBasis = r.legalBasis;
  g.grantedBy = by;
  g.grantedAt = nowRfc3339();
  g.expiresAt = inDays(days);
  c.exec(
      "INSERT INTO exchange_grants (id, request_id, resource_id, owner_org_id, requester_org_id, "
      "fields, unmask, purpose, legal_basis, granted_by, granted_at, expires_at) VALUES (?, ?, "
      "?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {g.id, g.requestId, g.resourceId, g.ownerOrgId, g.requesterOrgId, names(g.fields).dump(),
       names(g.unmask).dump(), g.purpose, g.legalBasis, g.grantedBy, g.grantedAt, g.expiresAt});
  c.exec("UPDATE exchange_requests SET grant_id = ? WHERE id = ?", {g.id, r.id});
  return g;
}

}  // namespace

std::string Grant::state(const std::string& now) const {
  if (revokedAt) return "revoked";
  return expiresAt <= now ? "expired" : "active";
}

nlohmann::json requestToJson(const SharingRequest& r) {
  return {{"id", r.id},
          {"resource_id", r.resourceId},
          {"owner_org_id", r.ownerOrgId},
          {"requester_org_id", r.requesterOrgId},
          {"fields", r.fields},
          {"unmask", r.unmask},
          {"purpose", r.purpose},
          {"legal_basis", r.legalBasis},
          {"service_items", r.serviceItems},
          {"duration_days", r.durationDays},
          {"status", r.status},
          {"reason", optJson(r.reason)},
          {"requested_by", r.requestedBy},
          {"requested_at", r.requestedAt},
          {"decided_by", optJson(r.decidedBy)},
          {"decided_at", optJson(r.decidedAt)},
          {"grant_id", optJson(r.grantId)}};
}

nlohmann::json grantToJson(const Grant& g, const std::string& now) {
  return {{"id", g.id},
          {"request_id", g.requestId},
          {"resource_id", g.resourceId},
          {"owner_org_id", g.ownerOrgId},
          {"requester_org_id", g.requesterOrgId},
          {"fields", g.fields},
          {"unmask", g.unmask},
          {"purpose", g.purpose},
          {"legal_basis", g.legalBasis},
          {"granted_by", g.grantedBy},
          {"granted_at", g.grantedAt},
          {"expires_at", g.expiresAt},
          {"state", g.state(now)},
          {"revoked_at", optJson(g.revokedAt)},
          {"revoked_by", optJson(g.revokedBy)},
          {"revoke_reason", optJson(g.revokeReason)}};
}

nlohmann::json consentToJson(const Consent& c) {
  return {{"id", c.id},
          {"requester_org_id", c.requesterOrgId},
          {"resource_id", optJson(c.resourceId)},
          {"purpose", c.purpose},
          {"status", c.status},
          {"created_at", c.createdAt},
          {"decided_at", optJson(c.decidedAt)}};
}

void Exchange::checkRequest(const RequestInput& in, FieldErrors& e) {
  auto resource = catalog_.find(in.resourceId);
  if (!resource)
    e.add(FieldLocation::Body, "/resource_id", "field.not_found",
          {{"resource", "data resource"}, {"id", in.resourceId}});
  else
    checkFields(*resource, in.fields, in.unmask, "/", e);
  if (!isPurpose(in.purpose))
    e.add(FieldLocation::Body, "/purpose", "field.pattern",
          {{"pattern", "3 to 64 of a-z, 0-9 and '_', a letter first"}});
  if (utf8Length(in.legalBasis) < 2 || utf8Length(in.legalBasis) > 500)
    e.add(FieldLocation::Body, "/legal_basis", "field.length", {{"min", "2"}, {"max", "500"}});
  if (utf8Length(in.serviceItems) > 1000)
    e.add(FieldLocation::Body, "/service_items", "field.length", {{"min", "0"}, {"max", "1000"}});
  if (in.durationDays < 1 || in.durationDays > kMaxDurationDays)
    e.add(FieldLocation::Body, "/duration_days", "field.range",
          {{"min", "1"}, {"max", std::to_string(kMaxDurationDays)}});
}

std::pair<SharingRequest, std::optional<Grant>> Exchange::request(const std::string& requesterOrgId,
                                                                  const RequestInput& in,
                                                                  const std::string& by) {
  FieldErrors e;
  checkRequest(in, e);
  e.throwIfAny();
  auto resource = catalog_.find(in.resourceId);
  if (!resource) throw notFound("data resource", in.resourceId);
  if (resource->sharing == "not_shared")
    throw conflict("exchange.not_shared", {{"code", resource->code}});
  if (resource->orgId == requesterOrgId)
    throw conflict("exchange.own_resource", {{"code", resource->code}});
  SharingRequest r;
  r.id = crypto::newId("req");
  r.resourceId = resource->id;
  r.ownerOrgId = resource->orgId;
  r.requesterOrgId = requesterOrgId;
  r.fields = in.fields;
  r.unmask = in.unmask;
  r.purpose = in.purpose;
  r.legalBasis = in.legalBasis;
  r.serviceItems = in.serviceItems;
  r.durationDays = in.durationDays;
  r.requestedBy = by;
  r.requestedAt = nowRfc3339();
  const bool atOnce = resource->sharing == "unconditional";
  r.status = atOnce ? "granted" : "pending";
  if (atOnce) {
    r.decidedBy = by;
    r.decidedAt = r.requestedAt;
  }
  return db_.transaction([&](store::Connection& c) {
    c.exec(
        "INSERT INTO exchange_requests (id, resource_id, owner_org_id, requester_org_id, fields, "
        "unmask, purpose, legal_basis, service_items, duration_days, status, requested_by, "
        "requested_at, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)",
        {r.id, r.resourceId, r.ownerOrgId, r.requesterOrgId, names(r.fields).dump(),
         names(r.unmask).dump(), r.purpose, r.legalBasis, r.serviceItems,
         static_cast<std::int64_t>(r.durationDays), r.status, r.requestedBy, r.requestedAt,
         opt(r.decidedBy), opt(r.decidedAt)});
    std::optional<Grant> g;
    if (atOnce) {
      g = insertGrant(c, r, r.fields, r.unmask, r.durationDays, by);
      r.grantId = g->id;
    }
    return std::make_pair(r, g);
  });
}

std::pair<SharingRequest, std::optional<Grant>> Exchange::decide(const std::string& requestId,
                                                                 const Decision& d,
                                                                 const std::string& by) {
  auto r = findRequest(requestId);
  if (!r) throw notFound("sharing request", requestId);
  FieldErrors e;
  if (d.grant) {
    auto resource = catalog_.find(r->resourceId);
    const auto fields = d.fields.value_or(r->fields);
    const auto unmask = d.unmask.value_or(r->unmask);
    if (resource) checkFields(*resource, fields, unmask, "/", e);
    for (std::size_t i = 0; i < fields.size(); ++i)
      if (!contains(r->fields, fields[i]))
        e.add(FieldLocation::Body, "/fields/" + std::to_string(i), "exchange.not_asked",
              {{"field", fields[i]}});
    for (std::size_t i = 0; i < unmask.size(); ++i)
      if (!contains(r->unmask, unmask[i]))
        e.add(FieldLocation::Body, "/unmask/" + std::to_string(i), "exchange.not_asked",
              {{"field", unmask[i]}});
    if (d.durationDays && (*d.durationDays < 1 || *d.durationDays > r->durationDays))
      e.add(FieldLocation::Body, "/duration_days", "field.range",
            {{"min", "1"}, {"max", std::to_string(r->durationDays)}});
  } else if (!d.reason || utf8Length(*d.reason) < 2 || utf8Length(*d.reason) > 1000) {
    e.add(FieldLocation::Body, "/reason", d.reason ? "field.length" : "field.required",
          {{"min", "2"}, {"max", "1000"}});
  }
  e.throwIfAny();
  return db_.transaction([&](store::Connection& c) {
    const std::string at = nowRfc3339();
    // Decided once: the second of two officers deciding at the same time is told so.
    const auto changed = c.exec(
        "UPDATE exchange_requests SET status = ?, reason = ?, decided_by = ?, decided_at = ? "
        "WHERE id = ? AND status = 'pending'",
        {d.grant ? "granted" : "refused", opt(d.reason), by, at, r->id});
    if (changed != 1) throw conflict("exchange.decided", {{"status", r->status}});
    r->status = d.grant ? "granted" : "refused";
    r->reason = d.reason;
    r->decidedBy = by;
    r->decidedAt = at;
    std::optional<Grant> g;
    if (d.grant) {
      g = insertGrant(c, *r, d.fields.value_or(r->fields), d.unmask.value_or(r->unmask),
                      d.durationDays.value_or(r->durationDays), by);
      r->grantId = g->id;
    }
    return std::make_pair(*r, g);
  });
}

Grant Exchange::revoke(const std::string& grantId, const std::string& reason,
                       const std::string& by) {
  if (utf8Length(reason) < 2 || utf8Length(reason) > 1000)
    throw invalidField(FieldLocation::Body, "/reason", "field.length",
                       {{"min", "2"}, {"max", "1000"}});
  return db_.transaction([&](store::Connection& c) {
    const std::string at = nowRfc3339();
    auto g = findGrant(grantId);
    if (!g) throw notFound("grant", grantId);
    const auto changed = c.exec(
        "UPDATE exchange_grants SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = "
        "? AND revoked_at IS NULL",
        {at, by, reason, grantId});
    if (changed != 1) throw conflict("exchange.revoked_already", {{"id", grantId}});
    g->revokedAt = at;
    g->revokedBy = by;
    g->revokeReason = reason;
    return *g;
  });
}

std::optional<SharingRequest> Exchange::findRequest(const std::string& id) {
  auto row = db_.connect().queryOne(
      std::string("SELECT ") + kRequestColumns + " FROM exchange_requests q WHERE q.id = ?", {id});
  if (!row) return std::nullopt;
  return requestFromRow(*row);
}

std::optional<Grant> Exchange::findGrant(const std::string& id) {
  auto row = db_.connect().queryOne(
      std::string("SELECT ") + kGrantColumns + " FROM exchange_grants g WHERE g.id = ?", {id});
  if (!row) return std::nullopt;
  return grantFromRow(*row);
}

Page<SharingRequest> Exchange::requests(const Filter& f, ListQuery q) {
  store::Where w;
  whereParty(w, "q", f.orgId, f.side);
  w.eq("q.resource_id", f.resourceId);
  w.eq("q.status", f.status);
  w.search({"q.purpose", "q.legal_basis", "q.service_items"}, q.q);
  auto c = db_.connect();
  return store::fetchPage(c, kRequestColumns, " FROM exchange_requests q", std::move(w),
                          std::move(q), requestSort(), "q.id", requestFromRow);
}

Page<Grant> Exchange::grants(const Filter& f, ListQuery q) {
  store::Where w;
  whereParty(w, "g", f.orgId, f.side);
  w.eq("g.resource_id", f.resourceId);
  if (f.status) {  // a grant's state is a matter of time as well as of its row
    const std::string now = nowRfc3339();
    if (*f.status == "revoked")
      w.add("g.revoked_at IS NOT NULL", {});
    else if (*f.status == "expired")
      w.add("g.revoked_at IS NULL AND g.expires_at <= ?", {now});
    else
      w.add("g.revoked_at IS NULL AND g.expires_at > ?", {now});
  }
  w.search({"g.purpose", "g.legal_basis"}, q.q);
  auto c = db_.connect();
  return store::fetchPage(c, kGrantColumns, " FROM exchange_grants g", std::move(w), std::move(q),
                          grantSort(), "g.id", grantFromRow);
}

const Sorting& Exchange::requestSorting() {
  return requestSort().sorting();
}
const Sorting& Exchange::grantSorting() {
  return grantSort().sorting();
}
const Sorting& Exchange::accessSorting() {
  return accessSort().sorting();
}
const Sorting& Exchange::consentSorting() {
  return consentSort().sorting();
}

std::string Exchange::pseudonym(const Resource& r, const std::string& subject) const {
  std::string s = subject;
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return keys_.pseudonym((r.subjectKind == "company" ? "credit:" : "resident:") + s);
}

Answer Exchange::answer(const std::string& requesterOrgId, const Query& q) {
  auto resource = catalog_.find(q.resourceId);
  if (!resource)
    throw invalidField(FieldLocation::Body, "/resource_id", "field.not_found",
                       {{"resource", "data resource"}, {"id", q.resourceId}});
  if (resource->subjectKind == "none")
    throw invalidField(FieldLocation::Body, "/resource_id", "exchange.no_subject",
                       {{"code", resource->code}});
  if (auto why = catalog::checkSubject(resource->subjectKind, q.subject))
    throw invalidField(FieldLocation::Body, "/subject", "record.subject", {{"reason", *why}});
  Answer out;
  out.resource = *resource;
  out.subjectPseudonym = pseudonym(*resource, q.subject);

  // The grant: this department's, for this resource and purpose, in force.
  const std::string now = nowRfc3339();
  std::vector<Grant> all;
  for (const auto& row :
       db_.connect().query(std::string("SELECT ") + kGrantColumns +
                               " FROM exchange_grants g WHERE g.requester_org_id = ? AND "
                               "g.resource_id = ? ORDER BY g.granted_at DESC",
                           {requesterOrgId, resource->id}))
    all.push_back(grantFromRow(row));
  if (all.empty()) throw forbidden("exchange.no_grant", {{"code", resource->code}});
  std::vector<std::string> purposes;
  const Grant* forPurpose = nullptr;
  const Grant* inForce = nullptr;
  for (const auto& g : all) {
    if (!contains(purposes, g.purpose)) purposes.push_back(g.purpose);
    if (g.purpose != q.purpose) continue;
    if (!forPurpose) forPurpose = &g;
    if (!inForce && g.state(now) == "active") inForce = &g;
  }
  if (!forPurpose)
    throw forbidden("exchange.purpose", {{"purpose", q.purpose}, {"granted", commaList(purposes)}});
  if (!inForce) {
    if (forPurpose->revokedAt)
      throw forbidden("exchange.revoked", {{"at", *forPurpose->revokedAt}});
    throw forbidden("exchange.expired", {{"at", forPurpose->expiresAt}});
  }
  out.grant = *inForce;
  out.fields = q.fields.value_or(out.grant.fields);
  std::vector<std::string> beyond;
  for (const auto& f : out.fields)
    if (!contains(out.grant.fields, f)) beyond.push_back(f);
  if (!beyond.empty())
    throw forbidden("exchange.fields_not_granted", {{"fields", commaList(beyond)}});
  if (out.fields.empty())
    throw invalidField(FieldLocation::Body, "/fields", "field.length",
                       {{"min", "1"}, {"max", std::to_string(out.grant.fields.size())}});

  // Consent, where the resource needs it: given for this department and purpose (for this
  // resource or all of them). Without it the person is asked, and the query refused meanwhile.
  if (resource->consentRequired) {
    auto c = db_.connect();
    auto given = c.queryOne(
        "SELECT status FROM exchange_consents WHERE subject_pseudonym = ? AND requester_org_id = "
        "? AND purpose = ? AND (resource_id = ? OR resource_id IS NULL) ORDER BY "
        "CASE status WHEN 'given' THEN 0 WHEN 'refused' THEN 1 WHEN 'pending' THEN 2 ELSE 3 END",
        {out.subjectPseudonym, requesterOrgId, q.purpose, resource->id});
    const std::string status = given ? given->text("status") : "";
    if (status == "refused") throw forbidden("exchange.consent_refused");
    if (status != "given") {
      if (status != "pending")  // asked once; the request stands even though this query fails
        db_.transactionApart([&](store::Connection& apart) {
          apart.exec(
              "INSERT INTO exchange_consents (id, subject_pseudonym, requester_org_id, "
              "resource_id, purpose, status, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)",
              {crypto::newId("cns"), out.subjectPseudonym, requesterOrgId, resource->id, q.purpose,
               now});
        });
      throw forbidden("exchange.consent_required");
    }
  }

  // The record, from the platform or from the department's own system.
  std::optional<nlohmann::json> values;
  if (resource->source == "hosted") {
    if (auto rec = records_.find(*resource, q.subject)) values = rec->values;
  } else {
    auto source = sources_.find(resource->source);
    if (source == sources_.end() || !source->second)
      throw Error(502, "exchange.source_unavailable", {{"code", resource->code}});
    values = source->second->fetch(*resource, requesterOrgId, q.subject, out.fields);
  }
  if (!values) throw Error(404, "exchange.no_record", {{"code", resource->code}});
  out.values = nlohmann::json::object();
  for (const auto& name : out.fields) {
    const Field* f = fieldOf(*resource, name);
    auto it = values->find(name);
    nlohmann::json v = it == values->end() ? nlohmann::json() : *it;
    // A personal field the grant does not unmask is masked by its rule; one declared without a
    // rule shows nothing of itself.
    if (f && isPersonal(*f) && !contains(out.grant.unmask, name))
      v = catalog::maskValue(f->masking == "none" ? "all" : f->masking, v);
    out.values[name] = std::move(v);
  }
  return out;
}

void Exchange::record(store::Connection& c, const DataAccess& a) {
  c.exec(
      std::string("INSERT INTO exchange_accesses (") +
          "id, grant_id, resource_id, resource_code, owner_org_id, requester_org_id, "
          "accessor_id, accessor_role, subject_pseudonym, fields, purpose, application, outcome, "
          "reason, leaf_hash, latency_micros, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?, ?, ?)",
      {a.id, opt(a.grantId), a.resourceId, a.resourceCode, a.ownerOrgId, a.requesterOrgId,
       a.accessorId, a.accessorRole, a.subjectPseudonym, names(a.fields).dump(), a.purpose,
       opt(a.application), a.outcome, opt(a.reason), a.leafHash, a.latencyMicros, a.at});
}

Page<DataAccess> Exchange::accesses(const AccessFilter& f, ListQuery q) {
  store::Where w;
  w.eq("a.subject_pseudonym", f.subjectPseudonym);
  whereParty(w, "a", f.orgId);
  w.eq("a.resource_id", f.resourceId);
  w.eq("a.outcome", f.outcome);
  w.search({"a.purpose", "a.resource_code", "a.application"}, q.q);
  auto c = db_.connect();
  return store::fetchPage(c, kAccessColumns, " FROM exchange_accesses a", std::move(w),
                          std::move(q), accessSort(), "a.id", accessFromRow);
}

Page<Consent> Exchange::consents(const std::string& subjectPseudonym, ListQuery q) {
  store::Where w;
  w.eq("c.subject_pseudonym", subjectPseudonym);
  w.search({"c.purpose"}, q.q);
  auto c = db_.connect();
  return store::fetchPage(c, kConsentColumns, " FROM exchange_consents c", std::move(w),
                          std::move(q), consentSort(), "c.id", consentFromRow);
}

std::optional<Consent> Exchange::findConsent(const std::string& id) {
  auto row = db_.connect().queryOne(
      std::string("SELECT ") + kConsentColumns + " FROM exchange_consents c WHERE c.id = ?", {id});
  if (!row) return std::nullopt;
  return consentFromRow(*row);
}

Consent Exchange::decideConsent(const std::string& id, const std::string& subjectPseudonym,
                                const std::string& action) {
  auto c = findConsent(id);
  // Another person's consent is not shown to exist.
  if (!c || c->subjectPseudonym != subjectPseudonym) throw notFound("consent", id);
  const std::string from = action == "withdraw" ? "given" : "pending";
  const std::string to = action == "give" ? "given" : action == "refuse" ? "refused" : "withdrawn";
  const std::string at = nowRfc3339();
  const auto changed = db_.connect().exec(
      "UPDATE exchange_consents SET status = ?, decided_at = ? WHERE id = ? AND status = ?",
      {to, at, id, from});
  if (changed != 1) throw conflict("exchange.consent_state", {{"status", c->status}});
  c->status = to;
  c->decidedAt = at;
  return *c;
}

Consent Exchange::giveConsent(const std::string& subjectPseudonym,
                              const std::string& requesterOrgId,
                              const std::optional<std::string>& resourceId,
                              const std::string& purpose) {
  FieldErrors e;
  if (!isPurpose(purpose))
    e.add(FieldLocation::Body, "/purpose", "field.pattern",
          {{"pattern", "3 to 64 of a-z, 0-9 and '_', a letter first"}});
  if (resourceId && !catalog_.find(*resourceId))
    e.add(FieldLocation::Body, "/resource_id", "field.not_found",
          {{"resource", "data resource"}, {"id", *resourceId}});
  e.throwIfAny();
  Consent c;
  c.id = crypto::newId("cns");
  c.subjectPseudonym = subjectPseudonym;
  c.requesterOrgId = requesterOrgId;
  c.resourceId = resourceId;
  c.purpose = purpose;
  c.status = "given";
  c.createdAt = nowRfc3339();
  c.decidedAt = c.createdAt;
  db_.connect().exec(
      "INSERT INTO exchange_consents (id, subject_pseudonym, requester_org_id, resource_id, "
      "purpose, status, created_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {c.id, c.subjectPseudonym, c.requesterOrgId, opt(c.resourceId), c.purpose, c.status,
       c.createdAt, *c.decidedAt});
  return c;
}

std::vector<Statistic> Exchange::statistics(const std::string& from, const std::string& to) {
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, Statistic> by;
  auto at = [&](const store::Row& row) -> Statistic& {
    Key k{row.text("owner_org_id"), row.text("requester_org_id"), row.text("resource_id")};
    auto& s = by[k];
    s.ownerOrgId = std::get<0>(k);
    s.requesterOrgId = std::get<1>(k);
    s.resourceId = std::get<2>(k);
    return s;
  };
  auto c = db_.connect();
  for (const auto& row :
       c.query("SELECT owner_org_id, requester_org_id, resource_id, COUNT(*) AS n FROM "
               "exchange_requests WHERE requested_at >= ? AND requested_at < ? GROUP BY "
               "owner_org_id, requester_org_id, resource_id",
               {from, to}))
    at(row).requests = row.integer("n");
  for (const auto& row :
       c.query("SELECT owner_org_id, requester_org_id, resource_id, COUNT(*) AS n FROM "
               "exchange_grants WHERE granted_at >= ? AND granted_at < ? GROUP BY owner_org_id, "
               "requester_org_id, resource_id",
               {from, to}))
    at(row).grants = row.integer("n");
  for (const auto& row : c.query(
           "SELECT owner_org_id, requester_org_id, resource_id, CAST(SUM(CASE WHEN outcome = "
           "'served' THEN 1 ELSE 0 END) AS BIGINT) AS served, CAST(SUM(CASE WHEN outcome <> "
           "'served' THEN 1 ELSE 0 END) AS BIGINT) AS refused, CAST(AVG(latency_micros) AS BIGINT) "
           "AS latency FROM "
           "exchange_accesses WHERE at >= ? AND at < ? GROUP BY owner_org_id, requester_org_id, "
           "resource_id",
           {from, to})) {
    auto& s = at(row);
    s.queries = row.integer("served");
    s.refusals = row.integer("refused");
    s.meanLatencyMicros = row.integer("latency");
  }
  std::vector<Statistic> out;
  out.reserve(by.size());
  for (auto& [k, s] : by) out.push_back(std::move(s));
  return out;
}

std::vector<DailyAccesses> Exchange::dailyAccesses(const std::string& from, const std::string& to) {
  std::vector<DailyAccesses> out;
  auto c = db_.connect();
  // Times are stored as RFC 3339 in UTC, so their first ten characters are the day.
  for (const auto& row : c.query("SELECT SUBSTR(at, 1, 10) AS day, outcome, COUNT(*) AS n FROM "
                                 "exchange_accesses WHERE at >= ? AND at < ? GROUP BY "
                                 "SUBSTR(at, 1, 10), outcome ORDER BY day",
                                 {from, to})) {
    auto day = row.text("day");
    if (out.empty() || out.back().day != day) out.push_back({day});
    auto& d = out.back();
    const auto outcome = row.text("outcome");
    const auto n = row.integer("n");
    if (outcome == "served")
      d.served += n;
    else if (outcome == "not_found")
      d.notFound += n;
    else if (outcome == "unavailable")
      d.unavailable += n;
    else
      d.refused += n;
  }
  return out;
}

}  // namespace onceonly::exchange
