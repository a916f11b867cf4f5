#include "identity/authz.h"

#include <algorithm>

#include "core/error.h"
#include "identity/roles.h"

namespace onceonly::identity::authz {
namespace {

bool subtreeRole(const std::string& role) {
  return reachesSubtree(role);
}

}  // namespace

bool hasRole(const Principal& p, const std::string& role) {
  return p.roles.count(role) > 0;
}

bool isPlatformAdmin(const Principal& p) {
  return hasRole(p, "platform_admin");
}

bool seesAllDepartments(const Principal& p) {
  return isPlatformAdmin(p) || hasRole(p, "auditor");
}

bool roleReaches(const Principal& p, const std::string& role, const std::string& targetOrgPath) {
  if (!hasRole(p, role) || p.orgPath.empty() || targetOrgPath.empty()) return false;
  if (subtreeRole(role)) return targetOrgPath.rfind(p.orgPath, 0) == 0;
  return targetOrgPath == p.orgPath;
}

void requireScope(const Principal& p, const std::string& scope) {
  if (p.scopes && !p.scopes->count(scope)) throw forbidden("auth.scope", {{"scope", scope}});
}

bool canSeeAccount(const Principal& p, const Account& a, const std::string& accountOrgPath) {
  if (p.accountId == a.id || isPlatformAdmin(p)) return true;
  if (a.kind == "staff" || a.kind == "machine")
    return roleReaches(p, "org_admin", accountOrgPath) || roleReaches(p, "auditor", accountOrgPath);
  return false;
}

bool canManageAccount(const Principal& p, const Account& a, const std::string& accountOrgPath) {
  if (isPlatformAdmin(p)) return true;
  if (a.kind == "staff" || a.kind == "machine") {
    if (a.roles.count("platform_admin")) return false;
    return roleReaches(p, "org_admin", accountOrgPath);
  }
  return false;
}

void requireCreateAccount(const Principal& p, const NewAccount& a,
                          const std::string& targetOrgPath) {
  requireScope(p, "accounts:write");
  if (isPlatformAdmin(p)) return;
  if (a.kind == "staff" || a.kind == "machine") {
    if (a.roles.count("platform_admin")) throw forbidden();
    if (!hasRole(p, "org_admin")) throw forbidden();
    if (!roleReaches(p, "org_admin", targetOrgPath)) throw forbidden();
    return;
  }
  if (!hasRole(p, "clerk")) throw forbidden();
}

std::optional<std::string> accountListScope(const Principal& p) {
  requireScope(p, "accounts:read");
  if (isPlatformAdmin(p)) return std::nullopt;
  if ((hasRole(p, "org_admin") || hasRole(p, "auditor")) && !p.orgPath.empty()) return p.orgPath;
  throw forbidden();
}

std::optional<std::string> auditScope(const Principal& p) {
  requireScope(p, "audit:read");
  if (isPlatformAdmin(p)) return std::nullopt;
  if (hasRole(p, "auditor") && !p.orgPath.empty()) return p.orgPath;
  throw forbidden();
}

}  // namespace onceonly::identity::authz
