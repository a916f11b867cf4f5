// The catalogue of staff roles and API token scopes. Identity's own roles are there from the
// start; each module declares the roles and scopes it adds (api::Module), once, at start-up,
// before any request. Accounts may hold only declared roles; tokens carry only declared scopes.
//
// Threads: declared before serving, read by every request thread; a mutex guards both.
#pragma once

#include <string>
#include <vector>

namespace onceonly::identity {

struct Role {
  std::string name;
  // Whether the role reaches the whole subtree of its holder's organisation (an org_admin of a
  // county manages its townships' staff) or its own organisation only.
  bool reachesSubtree = false;
};

// Identity's own: clerk, approver, data_officer, dispatcher, org_admin, auditor, platform_admin.
const std::vector<Role>& foundationRoles();

// Declaring a role or scope again changes nothing; a role declared again with another reach is
// a std::logic_error (two modules disagree about it).
void declareRoles(const std::vector<Role>& roles);
void declareScopes(const std::vector<std::string>& scopes);

std::vector<std::string> roleNames();   // in the order declared
std::vector<std::string> scopeNames();  // in the order declared
bool isRole(const std::string& name);
bool isScope(const std::string& name);
bool reachesSubtree(const std::string& role);

}  // namespace onceonly::identity
