// Object-level authorization: which rows a caller may see or change. Who may call a route at all
// (kinds, roles, token scopes) is declared with the route (api/access.h) and checked before this
// runs. Rules:
// - platform_admin may do anything.
// - Other staff roles act within their own organisation; org_admin, auditor and dispatcher
//   also within its whole subtree (a county's org_admin manages its townships' staff).
// - Citizens and company users see only their own records.
// - API tokens carry scopes; a token may do only what its scopes name, and never more than its
//   account could.
// Functions named require* throw 403 (auth.forbidden / auth.scope); visibility checks return a
// bool so callers can answer 404 for things the principal may not know exist.
#pragma once

#include <string>

#include "identity/identity.h"

namespace onceonly::identity::authz {

bool hasRole(const Principal& p, const std::string& role);
bool isPlatformAdmin(const Principal& p);
// Auditors and the platform admin: they read every department's records (exchange, ledger,
// certificates), where others read their own department's.
bool seesAllDepartments(const Principal& p);
// Whether the role, held by p, reaches an organisation with this path.
bool roleReaches(const Principal& p, const std::string& role, const std::string& targetOrgPath);

// 403 auth.scope when p is an API token without the scope.
void requireScope(const Principal& p, const std::string& scope);

// Accounts.
bool canSeeAccount(const Principal& p, const Account& a, const std::string& accountOrgPath);
bool canManageAccount(const Principal& p, const Account& a, const std::string& accountOrgPath);
// Creating: platform_admin anything; org_admin staff and machine accounts in its subtree
// (never platform_admin roles); clerk citizen and company accounts.
void requireCreateAccount(const Principal& p, const NewAccount& a,
                          const std::string& targetOrgPath);
// Which accounts a list may show: nullopt means all, otherwise the subtree path.
std::optional<std::string> accountListScope(const Principal& p);

// Audit trail: auditor (its subtree) and platform_admin (all).
std::optional<std::string> auditScope(const Principal& p);

}  // namespace onceonly::identity::authz
