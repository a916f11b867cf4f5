// Who may call a route, declared with the route. Every route declares one; a route that declares
// none stops the application at start-up, so nothing is open by accident. The rule is checked
// before the handler runs: no credentials is 401 auth.required, a caller whose kind or roles do
// not fit is 403 auth.role, an API token without the route's scope is 403 auth.scope. Which rows
// a caller may see or change (another organisation's, another person's) is the module's own
// object-level rule, in its authorization file, checked inside the handler.
#pragma once

#include <set>
#include <string>

namespace onceonly::identity {
struct Principal;
}

namespace onceonly::api {

class Access {
 public:
  // Undeclared: refused at start-up.
  Access() = default;

  // No sign-in needed: anyone may call it.
  static Access anyone();
  // Any signed-in account; an API token needs `scope` when one is named.
  static Access signedIn(std::string scope = "");
  // Staff holding any of the roles (platform_admin always passes); a token needs `scope`.
  static Access staff(std::set<std::string> roles, std::string scope = "");
  // Citizens and company users, acting for themselves (their own records).
  static Access people();
  // Also let citizens and company users in (for their own records, checked by the handler).
  Access orPeople() const;

  bool declared() const { return kind_ != Kind::undeclared; }
  bool isPublic() const { return kind_ == Kind::anyone; }
  const std::set<std::string>& roles() const { return roles_; }
  const std::string& scope() const { return scope_; }

  enum class Verdict { allowed, unauthenticated, role, scope };
  // For a signed-in principal (anonymous callers of a non-public route are unauthenticated).
  Verdict check(const identity::Principal& p) const;
  // "anyone", "signed-in", "staff: auditor, org_admin (scope audit:read)", "citizens and
  // companies"…: for the OpenAPI document and error messages.
  std::string describe() const;

 private:
  enum class Kind { undeclared, anyone, signedIn, staff, people };
  Kind kind_ = Kind::undeclared;
  std::set<std::string> roles_;
  std::string scope_;
  bool people_ = false;  // people pass too (staff rules)
};

}  // namespace onceonly::api
