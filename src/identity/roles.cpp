#include "identity/roles.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace onceonly::identity {
namespace {

struct Catalogue {
  std::mutex mutex;
  std::vector<Role> roles = foundationRoles();  // GUARDED_BY mutex
  // Machine accounts hold no roles, so a scope only makes sense where no role is needed;
  // modules add theirs.
  std::vector<std::string> scopes = {"orgs:read"};  // GUARDED_BY mutex
};

Catalogue& catalogue() {
  static Catalogue c;
  return c;
}

}  // namespace

const std::vector<Role>& foundationRoles() {
  static const std::vector<Role> kRoles = {
      {"clerk", false},    {"approver", false}, {"data_officer", false},  {"dispatcher", true},
      {"org_admin", true}, {"auditor", true},   {"platform_admin", false}};
  return kRoles;
}

void declareRoles(const std::vector<Role>& roles) {
  auto& c = catalogue();
  std::lock_guard lock(c.mutex);
  for (const auto& r : roles) {
    auto it = std::find_if(c.roles.begin(), c.roles.end(),
                           [&](const Role& k) { return k.name == r.name; });
    if (it == c.roles.end())
      c.roles.push_back(r);
    else if (it->reachesSubtree != r.reachesSubtree)
      throw std::logic_error("role " + r.name + " is declared twice with different reach");
  }
}

void declareScopes(const std::vector<std::string>& scopes) {
  auto& c = catalogue();
  std::lock_guard lock(c.mutex);
  for (const auto& s : scopes)
    if (std::find(c.scopes.begin(), c.scopes.end(), s) == c.scopes.end()) c.scopes.push_back(s);
}

std::vector<std::string> roleNames() {
  auto& c = catalogue();
  std::lock_guard lock(c.mutex);
  std::vector<std::string> out;
  out.reserve(c.roles.size());
  for (const auto& r : c.roles) out.push_back(r.name);
  return out;
}

std::vector<std::string> scopeNames() {
  auto& c = catalogue();
  std::lock_guard lock(c.mutex);
  return c.scopes;
}

bool isRole(const std::string& name) {
  auto& c = catalogue();
  std::lock_guard lock(c.mutex);
  return std::any_of(c.roles.begin(), c.roles.end(), [&](const Role& r) { return r.name == name; });
}

bool isScope(const std::string& name) {
  auto& c = catalogue();
  std::lock_guard lock(c.mutex);
  return std::find(c.scopes.begin(), c.scopes.end(), name) != c.scopes.end();
}

bool reachesSubtree(const std::string& role) {
  auto& c = catalogue();
  std::lock_guard lock(c.mutex);
  for (const auto& r : c.roles)
    if (r.name == role) return r.reachesSubtree;
  return false;
}

}  // namespace onceonly::identity
