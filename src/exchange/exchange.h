// The data exchange: departments use each other's data on terms written down first. A
// department asks for a catalog resource (which fields, for what purpose, on what legal basis,
// for how long); unconditional resources are granted at once, conditional ones when the holding
// department's data officer decides (all or fewer fields, a shorter time, or a refusal with its
// reason), not-shared ones never. A granted department then queries one subject's record at a
// time: it gets the granted fields only, personal ones masked unless the grant unmasks them, and
// every query (served or refused) is an access the person it concerns can see.
//
// This file is the rules and their tables; the routes put each access on the ledger and answer
// with its receipt.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "core/error.h"
#include "core/page.h"

namespace onceonly::crypto {
class KeyRing;
}
namespace onceonly::catalog {
class Records;
}

namespace onceonly::exchange {

struct SharingRequest {
  std::string id;
  std::string resourceId;
  std::string ownerOrgId;      // the department holding the resource
  std::string requesterOrgId;  // the department asking
  std::vector<std::string> fields;
  std::vector<std::string> unmask;  // personal fields asked for in clear (a subset of fields)
  std::string purpose;              // a short code, e.g. "social_assistance_review"
  std::string legalBasis;
  std::string serviceItems;  // the services it is for, as text until services exist
  int durationDays = 365;
  std::string status;  // pending granted refused withdrawn
  std::optional<std::string> reason;
  std::string requestedBy, requestedAt;
  std::optional<std::string> decidedBy, decidedAt, grantId;
};

struct Grant {
  std::string id;
  std::string requestId;
  std::string resourceId;
  std::string ownerOrgId, requesterOrgId;
  std::vector<std::string> fields, unmask;
  std::string purpose, legalBasis;
  std::string grantedBy, grantedAt;
  std::string expiresAt;
  std::optional<std::string> revokedAt, revokedBy, revokeReason;
  // active, expired or revoked, at `now` (RFC 3339).
  std::string state(const std::string& now) const;
};

struct RequestInput {
  std::string resourceId;
  std::vector<std::string> fields, unmask;
  std::string purpose, legalBasis, serviceItems;
  int durationDays = 365;
};

struct Decision {
  bool grant = false;
  std::optional<std::vector<std::string>> fields, unmask;  // fewer than asked; all when absent
  std::optional<int> durationDays;                         // shorter than asked
  std::optional<std::string> reason;                       // required to refuse
};

struct Filter {
  std::optional<std::string> orgId;  // requests/grants where this org is owner or requester
  // With orgId: only where it holds the data ("holder") or only where it asked ("requester").
  std::optional<std::string> side;
  std::optional<std::string> resourceId, status;
};

// One look at one subject's record, served or refused.
struct DataAccess {
  std::string id;
  std::optional<std::string> grantId;
  std::string resourceId, resourceCode;
  std::string ownerOrgId, requesterOrgId;
  std::string accessorId, accessorRole;
  std::string accessorRef;  // what the ledger calls the accessor (not stored: derived again)
  std::string subjectPseudonym;
  std::vector<std::string> fields;  // what was shown
  std::string purpose;
  std::optional<std::string> application;
  std::string outcome;  // served, refused, not_found, unavailable (the source failed)
  std::optional<std::string> reason;
  std::string leafHash;  // of its ledger entry, hex
  std::int64_t latencyMicros = 0;
  std::string at;
};

struct AccessFilter {
  std::optional<std::string> subjectPseudonym;
  std::optional<std::string> orgId;  // as owner or requester
  std::optional<std::string> resourceId, outcome;
};

struct Consent {
  std::string id;
  std::string subjectPseudonym;
  std::string requesterOrgId;
  std::optional<std::string> resourceId;  // none: every resource of the purpose
  std::string purpose;
  std::string status;  // pending given refused withdrawn
  std::string createdAt;
  std::optional<std::string> decidedAt;
};

// Per pair of departments and resource, over a period: the figures the dashboards draw.
struct Statistic {
  std::string ownerOrgId, requesterOrgId, resourceId;
  std::int64_t requests = 0, grants = 0, queries = 0, refusals = 0;
  std::int64_t meanLatencyMicros = 0;
};

// The accesses of one UTC day, by outcome.
struct DailyAccesses {
  std::string day;  // YYYY-MM-DD
  std::int64_t served = 0, refused = 0, notFound = 0, unavailable = 0;
};

// A query as asked.
struct Query {
  std::string resourceId;
  std::string subject;  // resident ID or credit code
  std::string purpose;
  std::optional<std::string> application;
  std::optional<std::vector<std::string>> fields;  // the granted ones when absent
};

// A query answered: the grant it used and what it shows.
struct Answer {
  Grant grant;
  catalog::Resource resource;
  std::vector<std::string> fields;
  nlohmann::json values;  // granted fields only, masked unless unmasked
  std::string subjectPseudonym;
};

nlohmann::json requestToJson(const SharingRequest& r);
nlohmann::json grantToJson(const Grant& g, const std::string& now);
nlohmann::json consentToJson(const Consent& c);

// Where a record comes from when the platform does not hold it: the department's connector, or
// the certificates a department issued (a certificate type declared as a resource). Throws
// onceonly::Error (502 exchange.source_*) when it cannot answer; nullopt when it holds no record of
// the subject.
class Source {
 public:
  virtual ~Source() = default;
  // Asked on behalf of the requesting department (which signs the call).
  virtual std::optional<nlohmann::json> fetch(const catalog::Resource& r,
                                              const std::string& requesterOrgId,
                                              const std::string& subject,
                                              const std::vector<std::string>& fields) = 0;
};

class Exchange {
 public:
  Exchange(store::Database& db, catalog::Catalog& catalog, catalog::Records& records,
           const crypto::KeyRing& keys)
      : db_(db), catalog_(catalog), records_(records), keys_(keys) {}
  // The source of records of resources whose `source` is `kind` (other than "hosted").
  void setSource(const std::string& kind, Source* s) { sources_[kind] = s; }

  static constexpr int kMaxDurationDays = 3650;
  static constexpr std::size_t kMaxBatch = 1000;

  // Throws 400 (every problem at once), 404 for the resource, 409 exchange.not_shared, 409
  // exchange.own_resource (a department has its own data already). An unconditional resource
  // is granted at once: the grant comes back with the request.
  // Adds every problem of the input to `e` (a route reports them with the body's own).
  void checkRequest(const RequestInput& in, FieldErrors& e);
  std::pair<SharingRequest, std::optional<Grant>> request(const std::string& requesterOrgId,
                                                          const RequestInput& in,
                                                          const std::string& by);
  // 409 exchange.decided when it is no longer pending; 400 for fields not asked for.
  std::pair<SharingRequest, std::optional<Grant>> decide(const std::string& requestId,
                                                         const Decision& d, const std::string& by);
  Grant revoke(const std::string& grantId, const std::string& reason, const std::string& by);
  std::optional<SharingRequest> findRequest(const std::string& id);
  std::optional<Grant> findGrant(const std::string& id);
  Page<SharingRequest> requests(const Filter& f, ListQuery q);
  Page<Grant> grants(const Filter& f, ListQuery q);
  static const Sorting& requestSorting();
  static const Sorting& grantSorting();

  // The pseudonym the ledger knows the subject by (as its account has it).
  std::string pseudonym(const catalog::Resource& r, const std::string& subject) const;
  // Checks the query against the department's grants and the subject's consent, and fetches the
  // record. Refusals are onceonly::Error: 403 exchange.no_grant, exchange.purpose,
  // exchange.expired, exchange.revoked, exchange.fields_not_granted, exchange.consent_required
  // (which also asks the subject: a pending consent appears in their list),
  // exchange.consent_refused; 502 exchange.source_* from a connector; 404
  // exchange.no_record; 400 for a malformed subject. The caller records every outcome.
  Answer answer(const std::string& requesterOrgId, const Query& q);

  // Records an access on the connection given: the write's own, or one apart for a refusal,
  // which must stand although the write fails.
  void record(store::Connection& c, const DataAccess& a);
  Page<DataAccess> accesses(const AccessFilter& f, ListQuery q);
  static const Sorting& accessSorting();

  // Consent: what a person sees and decides.
  Page<Consent> consents(const std::string& subjectPseudonym, ListQuery q);
  std::optional<Consent> findConsent(const std::string& id);
  // give / refuse a pending one; withdraw a given one (409 exchange.consent_state otherwise).
  Consent decideConsent(const std::string& id, const std::string& subjectPseudonym,
                        const std::string& action);
  // A standing consent the person gives without being asked.
  Consent giveConsent(const std::string& subjectPseudonym, const std::string& requesterOrgId,
                      const std::optional<std::string>& resourceId, const std::string& purpose);
  static const Sorting& consentSorting();

  std::vector<Statistic> statistics(const std::string& from, const std::string& to);
  // Days in order, only those with accesses.
  std::vector<DailyAccesses> dailyAccesses(const std::string& from, const std::string& to);

 private:
  store::Database& db_;
  catalog::Catalog& catalog_;
  catalog::Records& records_;
  const crypto::KeyRing& keys_;
  std::map<std::string, Source*> sources_;
};

}  // namespace onceonly::exchange
