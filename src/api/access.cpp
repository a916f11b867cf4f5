#include "api/access.h"

#include "identity/identity.h"

namespace onceonly::api {

Access Access::anyone() {
  Access a;
  a.kind_ = Kind::anyone;
  return a;
}

Access Access::signedIn(std::string scope) {
  Access a;
  a.kind_ = Kind::signedIn;
  a.scope_ = std::move(scope);
  return a;
}

Access Access::staff(std::set<std::string> roles, std::string scope) {
  Access a;
  a.kind_ = Kind::staff;
  a.roles_ = std::move(roles);
  a.scope_ = std::move(scope);
  return a;
}

Access Access::people() {
  Access a;
  a.kind_ = Kind::people;
  a.people_ = true;
  return a;
}

Access Access::orPeople() const {
  Access a = *this;
  a.people_ = true;
  return a;
}

Access::Verdict Access::check(const identity::Principal& p) const {
  bool person = p.kind == "citizen" || p.kind == "company";
  bool fits = false;
  switch (kind_) {
    case Kind::undeclared:
      return Verdict::role;
    case Kind::anyone:
    case Kind::signedIn:
      fits = true;
      break;
    case Kind::people:
      fits = person;
      break;
    case Kind::staff:
      fits = (people_ && person) || p.roles.count("platform_admin") > 0;
      for (const auto& r : roles_) fits = fits || p.roles.count(r) > 0;
      break;
  }
  if (!fits) return Verdict::role;
  // A token may do only what its scopes name.
  if (p.scopes && !scope_.empty() && !p.scopes->count(scope_)) return Verdict::scope;
  return Verdict::allowed;
}

std::string Access::describe() const {
  std::string out;
  switch (kind_) {
    case Kind::undeclared:
      return "undeclared";
    case Kind::anyone:
      return "anyone";
    case Kind::signedIn:
      out = "signed-in";
      break;
    case Kind::people:
      out = "citizens and companies";
      break;
    case Kind::staff:
      out = "staff:";
      for (const auto& r : roles_) out += " " + r;
      if (!roles_.count("platform_admin")) out += " platform_admin";
      if (people_) out += "; citizens and companies";
      break;
  }
  if (!scope_.empty()) out += " (token scope " + scope_ + ")";
  return out;
}

}  // namespace onceonly::api
