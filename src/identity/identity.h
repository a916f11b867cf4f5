// Identity and organisations: the government's organisation tree, the accounts that act in it
// (citizens, company users, staff with roles, machine clients), sign-in with sessions and API
// tokens, and the one place where "may this principal do this?" is decided (authz.h).
//
// Personal identifiers: a citizen's resident ID number is stored only encrypted (KeyRing) and
// indexed by a keyed hash; anywhere it is shown it is masked (maskResidentId). It never enters a
// log line or an audit record in clear.
//
// Threads: Identity is shared by all request threads; its only state of its own is the short-lived
// principal cache, guarded by a mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/page.h"

namespace onceonly::store {
class Connection;
class Database;
}  // namespace onceonly::store
namespace onceonly::crypto {
class KeyRing;
}

namespace onceonly::identity {

// ----- identifiers ------------------------------------------------------------------------

// nullopt when valid; otherwise a short English reason (GB 11643: region, birth date, MOD 11-2).
std::optional<std::string> checkResidentId(const std::string& id);
// nullopt when valid; otherwise the reason (GB 32100: alphabet, check character).
std::optional<std::string> checkCreditCode(const std::string& code);
// "110101199003077777" → "110***********7777".
std::string maskResidentId(const std::string& id);
// The check character for the first 17 characters of a resident ID (tests, demo data).
char residentIdCheckDigit(const std::string& first17);
char creditCodeCheckChar(const std::string& first17);

// ----- organisations ----------------------------------------------------------------------

extern const std::vector<std::string> kOrgLevels;  // province … village, top-down
extern const std::vector<std::string> kOrgKinds;   // government, department, service_centre

struct Org {
  std::string id;
  std::string code;
  std::string nameZh;
  std::string nameEn;
  std::string level;
  std::string kind;
  std::optional<std::string> parentId;
  std::string path;  // "/<root id>/…/<own id>/"
  std::string createdAt;
  std::string updatedAt;
};

struct OrgFields {
  std::optional<std::string> code, nameZh, nameEn, level, kind;
  std::optional<std::optional<std::string>> parentId;  // set to nullopt to make a root
};

struct OrgFilter {
  std::optional<std::string> level, kind, parentId, within;  // within: an org id (its subtree)
};

struct OrgNode {
  Org org;
  std::vector<OrgNode> children;
};

// ----- accounts ---------------------------------------------------------------------------

extern const std::vector<std::string> kAccountKinds;  // citizen, company, staff, machine
// Roles and token scopes: identity/roles.h.

struct Account {
  std::string id;
  std::string kind;
  std::optional<std::string> username;
  std::string displayName;
  std::optional<std::string> residentIdMasked;
  std::optional<std::string> creditCode;
  std::optional<std::string> companyName;
  std::optional<std::string> orgId;
  std::set<std::string> roles;
  std::string status;  // active, disabled
  std::string createdAt;
  std::string updatedAt;
  // What the ledger calls this person or company (crypto::KeyRing::pseudonym), made once when
  // the account is created; never shown.
  std::string pseudonym;
};

struct NewAccount {
  std::string kind;
  std::optional<std::string> username;
  std::string displayName;
  std::optional<std::string> password;  // machine accounts have none: they use API tokens
  std::optional<std::string> residentId;
  std::optional<std::string> creditCode;
  std::optional<std::string> companyName;
  std::optional<std::string> orgId;
  std::set<std::string> roles;
};

struct AccountChanges {
  std::optional<std::string> displayName;
  std::optional<std::string> status;
  std::optional<std::set<std::string>> roles;
  std::optional<std::string> password;
};

struct AccountFilter {
  std::optional<std::string> kind, orgId, status, role;
  std::optional<std::string> withinPath;  // restrict to accounts of orgs under this path
};

// Who is acting: resolved from a session or API token on every request.
struct Principal {
  std::string accountId;
  std::string kind;
  std::string displayName;
  std::optional<std::string> orgId;
  std::string orgPath;  // "" when not in an organisation
  std::set<std::string> roles;
  std::optional<std::set<std::string>> scopes;  // set for API tokens: only these are allowed
  std::string credential;                       // "session" or "token"
  std::string credentialHash;                   // SHA-256 of the presented token (sign-out)
};

struct SignIn {
  std::string token;
  std::string expiresAt;
  Account account;
};

struct ApiToken {
  std::string id;
  std::string accountId;
  std::string name;
  std::set<std::string> scopes;
  std::string createdAt;
  std::optional<std::string> expiresAt;
  std::optional<std::string> revokedAt;
};

struct IdentityOptions {
  std::string passwordCost = "interactive";
  int sessionTtlMinutes = 480;
  int maxFailures = 5;  // failed sign-ins tolerated per window, per identifier and client
  int failureWindowMinutes = 15;
  int lockMinutes = 15;
  // How long a resolved token (and a looked-up organisation) is trusted without asking the
  // database again. Sign-out, account and organisation changes made through this process take
  // effect at once; made through another node of the same deployment, within this many
  // seconds. 0 turns the caches off.
  int principalCacheSeconds = 0;
  // Failed sign-ins from all clients together: the lock against guessing spread over many
  // addresses. Below it, failures from one client never lock the identifier for the others.
  int maxFailuresEverywhere = 50;
};

class Identity {
 public:
  Identity(store::Database& db, const crypto::KeyRing& keys, IdentityOptions options);

  // Organisations. Writes need platform_admin (checked by the caller through authz).
  Org createOrg(const OrgFields& fields);
  Org updateOrg(const std::string& id, const OrgFields& fields);
  void deleteOrg(const std::string& id);
  std::optional<Org> findOrg(const std::string& id);
  std::optional<Org> findOrgByCode(const std::string& code);
  Org getOrg(const std::string& id);  // throws 404
  Page<Org> listOrgs(const OrgFilter& filter, ListQuery query);
  static const Sorting& orgSorting();
  // The tree under rootId (else the whole forest), down to `depth` levels below its top (all
  // when not given), so that a large government's tree can be opened a level at a time.
  std::vector<OrgNode> orgTree(const std::optional<std::string>& rootId,
                               std::optional<int> depth = std::nullopt);

  // Accounts. Validation failures throw 400 with every offending field.
  Account createAccount(const NewAccount& input);
  Account updateAccount(const std::string& id, const AccountChanges& changes);
  std::optional<Account> findAccount(const std::string& id);
  Page<Account> listAccounts(const AccountFilter& filter, ListQuery query);
  static const Sorting& accountSorting();
  // The citizen with this resident ID, or the company user with this credit code (kind citizen
  // or company); nullopt when there is none.
  std::optional<Account> findAccountBySubject(const std::string& kind,
                                              const std::string& identifier);
  // The clear resident ID, for the citizen themself (never logged).
  std::optional<std::string> revealResidentId(const std::string& accountId);

  // Sign-in by username (staff, company) or resident ID (citizens). Throws 401
  // auth.bad_credentials (the same for unknown names and wrong passwords), 403 auth.disabled,
  // or 429 auth.throttled after too many failures from this client (its address), or from all
  // clients together.
  SignIn signIn(const std::optional<std::string>& username,
                const std::optional<std::string>& residentId, const std::string& password,
                const std::string& client = "");
  // nullopt when the token is unknown, expired, revoked or its account is disabled.
  std::optional<Principal> authenticate(const std::string& token);
  void signOut(const Principal& principal);
  // Whether the password is the account's own (re-authentication before sensitive changes).
  // Wrong guesses count as sign-in failures do, on a counter of their own: 429 auth.throttled
  // after too many.
  bool checkPassword(const std::string& accountId, const std::string& password);
  int purgeExpiredSessions();

  // API tokens for machine accounts. The token text is returned once and never stored.
  std::pair<ApiToken, std::string> createApiToken(const std::string& accountId,
                                                  const std::string& name,
                                                  const std::set<std::string>& scopes,
                                                  std::optional<int> ttlDays);
  std::vector<ApiToken> listApiTokens(const std::string& accountId);
  void revokeApiToken(const std::string& accountId, const std::string& tokenId);

 private:
  // Sign-in failures, counted per keyed subject (a name, a resident ID, an account).
  void throwIfThrottled(store::Connection& c, const std::string& subject);
  void recordFailure(const std::string& subject, int maxFailures);
  void clearFailures(store::Connection& c, const std::string& subject);
  Principal principalFor(const Account& a, std::string credential, std::string hash);
  std::optional<Principal> cachedPrincipal(const std::string& hash);
  void cachePrincipal(const std::string& hash, const Principal& p, const std::string& expiresAt);
  void forgetPrincipals();
  store::Database& db_;
  const crypto::KeyRing& keys_;
  IdentityOptions options_;

  struct CachedPrincipal {
    Principal principal;
    std::chrono::steady_clock::time_point until;
    std::string expiresAt;  // the credential's own expiry, RFC 3339
  };
  std::mutex cacheMutex_;
  std::unordered_map<std::string, CachedPrincipal> cache_;  // GUARDED_BY cacheMutex_
  struct CachedOrg {
    Org org;
    std::chrono::steady_clock::time_point until;
  };
  std::unordered_map<std::string, CachedOrg> orgCache_;  // GUARDED_BY cacheMutex_
};

}  // namespace onceonly::identity
