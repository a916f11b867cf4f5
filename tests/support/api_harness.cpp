#include "support/api_harness.h"

#include "demo/demo.h"
#include "identity/identity.h"
#include "store/store.h"

namespace onceonly::testing {

ApiHarness::ApiHarness(Backend backend, const std::function<void(Config&)>& adjust,
                       std::vector<api::Module> extra)
    : scratch_(backend) {
  Config config = testConfig(dir_.path(), scratch_.url());
  if (adjust) adjust(config);
  app_ = std::make_unique<api::Application>(config, std::move(extra));
  auto seeded = app_->seedDemo();
  for (const auto& c : seeded.credentials) {
    std::string who = c.identifier;
    if (c.kind == "citizen") who = accountIds_.count("citizen") ? "citizen2" : "citizen";
    if (c.kind == "company") who = accountIds_.count("company") ? "company2" : "company";
    if (accountIds_.count(who)) continue;
    tokens_[who] = signIn(c.signInWith, c.identifier);
    accountIds_[who] = app_->identity().authenticate(tokens_[who])->accountId;
  }
  tokens_["anonymous"] = "";
}

std::string ApiHarness::signIn(const std::string& field, const std::string& identifier) {
  auto r = call("POST", "/api/v1/sessions",
                nlohmann::json{{field, identifier}, {"password", demo::kDemoPassword}}.dump(),
                {{"content-type", "application/json"}});
  if (r.status != 201) throw std::runtime_error("sign-in failed for " + identifier + ": " + r.body);
  return r.json["token"].get<std::string>();
}

Reply ApiHarness::call(const std::string& method, const std::string& target,
                       const std::string& body, std::map<std::string, std::string> headers) {
  http::Request req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.headers = std::move(headers);
  req.clientIp = "127.0.0.1";
  req.peerIp = "127.0.0.1";
  auto res = http::settle(app_->handle(req));
  Reply out;
  out.status = res.status;
  out.contentType = res.contentType;
  out.body = res.body;
  for (const auto& [k, v] : res.headers) out.headers[k] = v;
  out.json = nlohmann::json::parse(res.body, nullptr, false);
  if (out.json.is_discarded()) out.json = nullptr;
  return out;
}

Reply ApiHarness::as(const std::string& who, const std::string& method, const std::string& target,
                     const nlohmann::json& body) {
  std::map<std::string, std::string> headers;
  const std::string& token = tokens_.count(who) ? tokens_.at(who) : who;
  if (!token.empty()) headers["authorization"] = "Bearer " + token;
  std::string text;
  if (!body.is_null()) {
    text = body.dump();
    headers["content-type"] = "application/json";
  }
  return call(method, target, text, headers);
}

std::string ApiHarness::idOfOrg(const std::string& code) {
  return app_->identity().findOrgByCode(code)->id;
}

std::int64_t ApiHarness::count(const std::string& table) {
  return app_->database().connect().queryOne("SELECT COUNT(*) AS n FROM " + table)->integer("n");
}

}  // namespace onceonly::testing
