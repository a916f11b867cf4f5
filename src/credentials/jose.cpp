#include "credentials/jose.h"

#include <set>

#include "core/encoding.h"
#include "crypto/crypto.h"

namespace onceonly::credentials::jose {

namespace {

// The claims an SD-JWT keeps visible: a disclosure may not name them.
const std::set<std::string, std::less<>> kReservedNames = {
    "_sd", "...", "_sd_alg", "iss", "iat", "nbf", "exp", "cnf", "vct", "status", "sub"};

bool isBase64urlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::optional<nlohmann::json> objectFromSegment(std::string_view segment) {
  auto bytes = fromBase64url(segment);
  if (!bytes) return std::nullopt;
  return parseObject(*bytes);
}

}  // namespace

std::optional<nlohmann::json> parseObject(std::string_view text) {
  if (text.size() > kMaxTokenBytes || !isValidUtf8(text)) return std::nullopt;
  // Member names seen in each open object, to refuse duplicates (RFC 7515 §4: a header with
  // one must be rejected), and the depth, checked as the parser goes so that nothing deeper is
  // ever built.
  std::vector<std::set<std::string>> open;
  bool bad = false;
  auto check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (bad) return false;
    if (depth > kMaxJsonDepth) {
      bad = true;
      return false;
    }
    switch (event) {
      case nlohmann::json::parse_event_t::object_start:
        open.emplace_back();
        break;
      case nlohmann::json::parse_event_t::object_end:
        if (!open.empty()) open.pop_back();
        break;
      case nlohmann::json::parse_event_t::key:
        if (open.empty() || !open.back().insert(parsed.get<std::string>()).second) bad = true;
        break;
      default:
        break;
    }
    return !bad;
  };
  auto j = nlohmann::json::parse(text.begin(), text.end(), check, false);
  if (bad || j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::variant<Jws, std::string> parseCompact(std::string_view text) {
  const std::string malformed = "malformed";
  if (text.empty() || text.size() > kMaxTokenBytes) return malformed;
  const auto first = text.find('.');
  if (first == std::string_view::npos) return malformed;
  const auto second = text.find('.', first + 1);
  if (second == std::string_view::npos || text.find('.', second + 1) != std::string_view::npos)
    return malformed;
  for (char c : text)
    if (c != '.' && !isBase64urlChar(c)) return malformed;
  Jws jws;
  auto header = objectFromSegment(text.substr(0, first));
  auto payload = objectFromSegment(text.substr(first + 1, second - first - 1));
  auto signature = fromBase64url(text.substr(second + 1));
  if (!header || !payload || !signature) return malformed;
  auto fixed = crypto::fromBytes<crypto::Ed25519Signature>(*signature);
  if (!fixed) return malformed;
  jws.header = std::move(*header);
  jws.payload = std::move(*payload);
  jws.signingInput = std::string(text.substr(0, second));
  jws.signature = *fixed;
  return jws;
}

std::string signCompact(nlohmann::json header, const nlohmann::json& payload,
                        const crypto::Ed25519Key& key) {
  header["alg"] = "EdDSA";
  std::string input = base64url(header.dump()) + "." + base64url(payload.dump());
  const auto signature = key.sign(input);
  input += ".";
  input += base64url(crypto::toBytes(signature));
  return input;
}

bool verifySignature(const Jws& jws, const crypto::Ed25519PublicKey& key) {
  return crypto::ed25519Verify(key, jws.signingInput, jws.signature);
}

nlohmann::json publicJwk(const crypto::Ed25519PublicKey& key, const std::string& kid) {
  nlohmann::json j = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", base64url(crypto::toBytes(key))}};
  if (!kid.empty()) {
    j["kid"] = kid;
    j["use"] = "sig";
    j["alg"] = "EdDSA";
  }
  return j;
}

std::optional<crypto::Ed25519PublicKey> publicKeyFromJwk(const nlohmann::json& jwk) {
  if (!jwk.is_object() || jwk.contains("d")) return std::nullopt;
  auto text = [&jwk](const char* name) -> std::optional<std::string> {
    auto it = jwk.find(name);
    if (it == jwk.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  if (text("kty") != "OKP" || text("crv") != "Ed25519") return std::nullopt;
  auto x = text("x");
  if (!x) return std::nullopt;
  auto bytes = fromBase64url(*x);
  if (!bytes) return std::nullopt;
  return crypto::fromBytes<crypto::Ed25519PublicKey>(*bytes);
}

std::string thumbprint(const crypto::Ed25519PublicKey& key) {
  // RFC 7638 §3: the required members in lexicographic order, no whitespace.
  const std::string canonical =
      R"({"crv":"Ed25519","kty":"OKP","x":")" + base64url(crypto::toBytes(key)) + "\"}";
  return base64url(crypto::sha256(canonical));
}

std::optional<std::map<std::string, crypto::Ed25519PublicKey>> parseJwks(std::string_view text) {
  auto set = parseObject(text);
  if (!set) return std::nullopt;
  auto keys = set->find("keys");
  if (keys == set->end() || !keys->is_array()) return std::nullopt;
  std::map<std::string, crypto::Ed25519PublicKey> out;
  for (const auto& k : *keys) {
    if (!k.is_object()) return std::nullopt;
    auto kid = k.find("kid");
    if (kid == k.end() || !kid->is_string()) return std::nullopt;
    auto key = publicKeyFromJwk(k);
    if (!key) continue;  // another kind of key: not ours to use
    if (!out.emplace(kid->get<std::string>(), *key).second) return std::nullopt;
  }
  return out;
}

std::string digestOf(std::string_view encoded) {
  return base64url(crypto::sha256(encoded));
}

Disclosure makeDisclosure(const std::string& name, const nlohmann::json& value) {
  Disclosure d;
  d.salt = base64url(crypto::randomBytes(16));
  d.name = name;
  d.value = value;
  d.encoded = base64url(nlohmann::json::array({d.salt, d.name, d.value}).dump());
  d.digest = digestOf(d.encoded);
  return d;
}

std::optional<Disclosure> parseDisclosure(std::string_view encoded) {
  if (encoded.empty() || encoded.size() > kMaxTokenBytes) return std::nullopt;
  auto bytes = fromBase64url(encoded);
  if (!bytes || !isValidUtf8(*bytes)) return std::nullopt;
  // An array, so wrapped to reuse the object parser's limits.
  auto wrapped = parseObject("{\"d\":" + *bytes + "}");
  if (!wrapped) return std::nullopt;
  const auto& a = (*wrapped)["d"];
  if (!a.is_array() || a.size() != 3 || !a[0].is_string() || !a[1].is_string()) return std::nullopt;
  Disclosure d;
  d.encoded = std::string(encoded);
  d.salt = a[0].get<std::string>();
  d.name = a[1].get<std::string>();
  d.value = a[2];
  if (d.salt.size() < 16 || kReservedNames.count(d.name)) return std::nullopt;
  d.digest = digestOf(d.encoded);
  return d;
}

std::optional<SdJwt> splitSdJwt(std::string_view text) {
  if (text.empty() || text.size() > kMaxTokenBytes) return std::nullopt;
  const auto last = text.rfind('~');
  if (last == std::string_view::npos) return std::nullopt;
  SdJwt s;
  s.boundPart = std::string(text.substr(0, last + 1));
  if (last + 1 < text.size()) s.keyBinding = std::string(text.substr(last + 1));
  std::string_view rest = text.substr(0, last);  // "<jwt>~d1~…~dn"
  auto tilde = rest.find('~');
  s.issuerJwt = std::string(rest.substr(0, tilde));
  if (s.issuerJwt.empty()) return std::nullopt;
  while (tilde != std::string_view::npos) {
    rest = rest.substr(tilde + 1);
    tilde = rest.find('~');
    auto d = rest.substr(0, tilde);
    if (d.empty()) return std::nullopt;
    s.disclosures.emplace_back(d);
  }
  return s;
}

std::string sdHash(std::string_view boundPart) {
  return base64url(crypto::sha256(boundPart));
}

}  // namespace onceonly::credentials::jose
