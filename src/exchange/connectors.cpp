#include "exchange/connectors.h"

#include <ctime>
#include <future>

#include "catalog/records.h"
#include "core/error.h"
#include "core/log.h"
#include "crypto/crypto.h"
#include "crypto/http_signature.h"
#include "http/client.h"

namespace onceonly::exchange {

namespace {

// RFC 9110's IMF-fixdate, for the Date header the signature covers.
std::string imfDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[40];
  std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return out;
}

[[noreturn]] void unavailable(const catalog::Resource& r, const std::string& why) {
  log::warn("exchange.connector_failed", {{"resource", r.code}, {"problem", why}});
  throw Error(502, "exchange.source_unavailable", {{"code", r.code}});
}

[[noreturn]] void badAnswer(const catalog::Resource& r, const std::string& why) {
  log::warn("exchange.connector_answer", {{"resource", r.code}, {"problem", why}});
  throw Error(502, "exchange.source_answer", {{"code", r.code}, {"reason", why}});
}

// The authority and path of an http(s) URL as the client sends them (Host header, request path).
std::optional<std::pair<std::string, std::string>> authorityAndPath(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return std::nullopt;
  const std::string rest = url.substr(scheme + 3);
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  path = path.substr(0, path.find('?'));
  if (authority.empty()) return std::nullopt;
  return std::make_pair(authority, path);
}

}  // namespace

std::string departmentKeyId(const std::string& orgId) {
  return "exchange-" + orgId;
}

crypto::Ed25519Key departmentKey(const crypto::KeyRing& keys, const std::string& orgId) {
  auto seed =
      crypto::fromBytes<crypto::Ed25519Seed>(keys.derivedSecret(orgId, "exchange_signing_key"));
  return crypto::Ed25519Key::fromSeed(*seed);
}

nlohmann::json departmentJwk(const crypto::KeyRing& keys, const std::string& orgId) {
  return {{"kty", "OKP"},
          {"crv", "Ed25519"},
          {"use", "sig"},
          {"alg", "EdDSA"},
          {"kid", departmentKeyId(orgId)},
          {"x", crypto::base64url(crypto::toBytes(departmentKey(keys, orgId).publicKey()))}};
}

Connectors::Connectors(const crypto::KeyRing& keys, ConnectorOptions options)
    : keys_(keys), options_(std::move(options)), client_(std::make_unique<http::Client>(1)) {}

Connectors::~Connectors() = default;

bool Connectors::admit(const std::string& url) {
  std::lock_guard lock(mutex_);
  auto& c = circuits_[url];
  if (c.failures < options_.failuresToOpen) return true;
  const auto now = std::chrono::steady_clock::now();
  if (now < c.openUntil) return false;
  // Half open: this call tries; until it answers, the next wait another period.
  c.openUntil = now + std::chrono::seconds(options_.openSeconds);
  return true;
}

void Connectors::outcome(const std::string& url, bool ok) {
  std::lock_guard lock(mutex_);
  auto& c = circuits_[url];
  if (ok) {
    c.failures = 0;
    return;
  }
  if (++c.failures >= options_.failuresToOpen)
    c.openUntil = std::chrono::steady_clock::now() + std::chrono::seconds(options_.openSeconds);
}

std::optional<nlohmann::json> Connectors::fetch(const catalog::Resource& r,
                                                const std::string& requesterOrgId,
                                                const std::string& subject,
                                                const std::vector<std::string>& fields) {
  if (!r.connectorUrl) unavailable(r, "no connector URL");
  const std::string& url = *r.connectorUrl;
  auto parsed = authorityAndPath(url);
  if (!parsed) unavailable(r, "the connector URL does not parse");
  if (!admit(url)) throw Error(502, "exchange.source_unavailable", {{"code", r.code}});

  const std::string body =
      nlohmann::json{{"resource", r.code}, {"subject", subject}, {"fields", fields}}.dump();
  const std::time_t now = std::time(nullptr);
  crypto::SignedRequest signedReq;
  signedReq.method = "POST";
  signedReq.authority = parsed->first;
  signedReq.path = parsed->second;
  signedReq.headers = {{"content-digest", crypto::contentDigest(body)}, {"date", imfDate(now)}};
  crypto::SignatureParams params;
  params.components = {"@method", "@authority", "@path", "content-digest", "date"};
  params.created = now;
  params.keyId = departmentKeyId(requesterOrgId);
  params.nonce = crypto::randomToken("n");
  auto signature = crypto::signRequest(signedReq, params, departmentKey(keys_, requesterOrgId));

  http::ClientRequest req;
  req.method = "POST";
  req.url = url;
  req.body = body;
  req.contentType = "application/json";
  req.headers = {{"Content-Digest", signedReq.headers["content-digest"]},
                 {"Date", signedReq.headers["date"]},
                 {"Signature-Input", signature.signatureInput},
                 {"Signature", signature.signature}};
  req.options.timeoutSeconds = options_.timeoutSeconds;
  req.options.caFile = options_.caFile;
  std::promise<std::pair<std::exception_ptr, http::ClientReply>> done;
  auto answered = done.get_future();
  client_->fetch(std::move(req), [&done](std::exception_ptr error, http::ClientReply reply) {
    done.set_value({std::move(error), std::move(reply)});
  });
  auto [error, reply] = answered.get();
  if (error) {
    outcome(url, false);
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      unavailable(r, e.what());
    }
  }
  // "No record" is an answer; any other 404 (a wrong path, another resource) is a connector
  // that is not set up as the catalog says.
  if (reply.status == 404) {
    auto problem = nlohmann::json::parse(reply.body, nullptr, false);
    if (problem.is_object() && problem.value("code", "") == "connector.no_record") {
      outcome(url, true);
      return std::nullopt;
    }
    outcome(url, false);
    unavailable(r, "404 " + (problem.is_object() ? problem.value("code", "") : std::string()));
  }
  if (reply.status != 200) {
    outcome(url, false);
    unavailable(r, "status " + std::to_string(reply.status));
  }
  outcome(url, true);

  // The answer, held to the catalog: the subject asked about, values of declared fields only,
  // each of its declared type (text is read as a CSV cell would be).
  auto answer = nlohmann::json::parse(reply.body, nullptr, false);
  if (!answer.is_object() || !answer.contains("values") || !answer["values"].is_object())
    badAnswer(r, "not an object with values");
  if (answer.value("subject", "") != subject) badAnswer(r, "another subject");
  nlohmann::json values = nlohmann::json::object();
  for (const auto& [name, value] : answer["values"].items()) {
    const catalog::Field* field = nullptr;
    for (const auto& f : r.fields)
      if (f.name == name) field = &f;
    if (!field) badAnswer(r, "undeclared field " + name);
    auto checked = value.is_string() ? catalog::valueFromText(*field, value.get<std::string>())
                                     : catalog::valueFromJson(*field, value);
    if (!checked.ok()) badAnswer(r, "field " + name + " is not of type " + field->type);
    values[name] = std::move(checked.value);
  }
  return values;
}

}  // namespace onceonly::exchange
