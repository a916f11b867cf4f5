// An Application with the demo government loaded, and a signed-in token for each demo role, for
// API tests that go through the whole pipeline without sockets.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "api/application.h"
#include "support/test_support.h"

namespace onceonly::testing {

struct Reply {
  int status = 0;
  std::string contentType;
  nlohmann::json json;  // null when the body is not JSON
  std::string body;
  std::map<std::string, std::string> headers;
};

class ApiHarness {
 public:
  // `adjust` changes the test configuration before the application starts; `extra` modules
  // start after the built-in ones.
  explicit ApiHarness(Backend backend, const std::function<void(Config&)>& adjust = {},
                      std::vector<api::Module> extra = {});
  api::Application& app() { return *app_; }

  Reply call(const std::string& method, const std::string& target, const std::string& body = "",
             std::map<std::string, std::string> headers = {});
  Reply as(const std::string& who, const std::string& method, const std::string& target,
           const nlohmann::json& body = nullptr);
  // Signs in (username, or resident_id for citizens) and returns the token.
  std::string signIn(const std::string& field, const std::string& identifier);
  const std::string& token(const std::string& who) const { return tokens_.at(who); }
  std::string idOfOrg(const std::string& code);
  std::string idOfUser(const std::string& who) const { return accountIds_.at(who); }
  std::int64_t count(const std::string& table);

 private:
  ScratchDatabase scratch_;
  TempDir dir_;
  std::unique_ptr<api::Application> app_;
  std::map<std::string, std::string> tokens_;
  std::map<std::string, std::string> accountIds_;
};

}  // namespace onceonly::testing
