// The demo government: a fictional province with its cities, counties and townships, the usual
// departments at each level, staff for every role, and citizens and companies with valid
// identifiers (the identity module's part), and whatever each later module adds to it
// (api::Module::seedDemo; Application::seedDemo runs them in order). Seeding is idempotent: a
// second run finds the demo data and changes nothing.
#pragma once

#include <string>
#include <vector>

namespace onceonly::demo {

struct Credential {
  std::string kind;        // staff, citizen, company
  std::string signInWith;  // "username" or "resident_id"
  std::string identifier;
  std::string password;
  std::string who;  // role and organisation, for the printout
  // Citizens and companies: the resident ID or credit code their records are kept under.
  std::string subject = {};
};

struct SeedResult {
  bool created = false;  // false when the demo government was already there
  int orgs = 0;
  int accounts = 0;
  std::vector<Credential> credentials;
};

constexpr const char* kDemoPassword = "onceonly-demo-2026";

}  // namespace onceonly::demo
