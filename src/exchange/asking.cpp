#include "exchange/asking.h"

#include <chrono>

#include "catalog/catalog.h"
#include "core/encoding.h"
#include "core/error.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "ledger/log.h"

namespace onceonly::exchange {

using identity::Principal;

namespace {

std::string roleOf(const Principal& p) {
  for (const char* r : {"approver", "clerk", "data_officer", "exchange_client", "platform_admin"})
    if (p.roles.count(r)) return r;
  return p.kind;
}

std::int64_t microsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

// The query's access, before the outcome is known.
Accessed accessFor(const crypto::KeyRing& keys, const Principal& p, const catalog::Resource& r,
                   const std::string& pseudonym, const Query& q) {
  Accessed a;
  a.id = crypto::newId("acs");
  a.resourceId = r.id;
  a.resourceCode = r.code;
  a.ownerOrgId = r.orgId;
  a.requesterOrgId = p.orgId.value_or("");
  a.accessorId = p.accountId;
  a.accessorRole = roleOf(p);
  // The ledger, which the person reads, names the staff member only by a keyed reference; the
  // department's own access list (and its auditors) name them.
  a.accessorRef = "stf_" + keys.index(p.accountId, "exchange_accessor").substr(0, 24);
  a.subjectPseudonym = pseudonym;
  a.purpose = q.purpose;
  a.application = q.application;
  a.at = nowRfc3339();
  return a;
}

}  // namespace

nlohmann::json ledgerEntry(const Accessed& a) {
  return {{"type", "exchange.access"},
          {"subject", a.subjectPseudonym},
          {"access", a.id},
          {"resource", a.resourceCode},
          {"owner", a.ownerOrgId},
          {"requester", a.requesterOrgId},
          {"accessor", a.accessorRef},
          {"role", a.accessorRole},
          {"fields", commaList(a.fields)},
          {"purpose", a.purpose},
          {"application", a.application ? nlohmann::json(*a.application) : nlohmann::json()},
          {"outcome", a.outcome},
          {"reason", a.reason ? nlohmann::json(*a.reason) : nlohmann::json()},
          {"grant", a.grantId ? nlohmann::json(*a.grantId) : nlohmann::json()},
          {"at", a.at}};
}

namespace {

// The access with its ledger entry's leaf hash, so that the person it concerns finds the entry
// (and its receipt) from the access.
Accessed withLeaf(Accessed a) {
  a.leafHash = ledger::hashToBase64(ledger::leafHash(ledger::canonicalJson(ledgerEntry(a))));
  return a;
}

}  // namespace

Outcome ask(api::Services& services, const crypto::KeyRing& keys, const Principal& p,
            const Query& q) {
  const auto start = std::chrono::steady_clock::now();
  auto& ex = services.get<Exchange>();
  try {
    if (!p.orgId) throw forbidden("exchange.no_department");
    auto answer = ex.answer(*p.orgId, q);
    Outcome o{
        accessFor(keys, p, answer.resource, answer.subjectPseudonym, q), std::move(answer), {}};
    o.access.grantId = o.answer->grant.id;
    o.access.fields = o.answer->fields;
    o.access.outcome = "served";
    o.access.latencyMicros = microsSince(start);
    o.access = withLeaf(std::move(o.access));
    return o;
  } catch (const Error& e) {
    // A connector that failed was still sent the subject: that is recorded too.
    if (e.code().rfind("exchange.", 0) != 0 ||
        (e.status() != 403 && e.status() != 404 && e.status() != 502))
      throw;
    auto r = services.get<catalog::Catalog>().find(q.resourceId);
    if (!r) throw;
    Outcome o{accessFor(keys, p, *r, ex.pseudonym(*r, q.subject), q), {}, e};
    o.access.outcome = e.status() == 404   ? "not_found"
                       : e.status() == 502 ? "unavailable"
                                           : "refused";
    o.access.reason = e.code();
    o.access.latencyMicros = microsSince(start);
    o.access = withLeaf(std::move(o.access));
    return o;
  }
}

}  // namespace onceonly::exchange
