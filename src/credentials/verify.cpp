#include "credentials/verify.h"

#include <algorithm>
#include <map>
#include <set>
#include <variant>

#include "core/encoding.h"
#include "core/time.h"
#include "credentials/jose.h"
#include "credentials/status_list.h"

namespace onceonly::credentials {

namespace {

using nlohmann::json;
using Clock = std::chrono::system_clock;

constexpr const char* kVcContext = "https://www.w3.org/ns/credentials/v2";
const std::vector<std::string> kCheckOrder = {"format", "signature",   "issuer",     "validity",
                                              "status", "disclosures", "key_binding"};
// Lists kept verified at once (one per issuer and purpose in use).
constexpr std::size_t kListCache = 256;

std::optional<std::string> textMember(const json& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<std::int64_t> numberMember(const json& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

std::int64_t seconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Records checks in order; once one fails, the rest are skipped.
class Checks {
 public:
  explicit Checks(Verdict& v) : v_(v) {}
  bool failed() const { return !v_.reason.empty(); }
  void pass(const std::string& name) { add(name, "pass", ""); }
  void skip(const std::string& name) { add(name, "skip", ""); }
  bool fail(const std::string& name, const std::string& reason) {
    add(name, "fail", reason);
    if (v_.reason.empty()) v_.reason = reason;
    return false;
  }
  // Fills in every check not reached as skipped, in the standard order.
  void finish() {
    std::vector<Check> ordered;
    for (const auto& name : kCheckOrder) {
      auto it = std::find_if(v_.checks.begin(), v_.checks.end(),
                             [&name](const Check& c) { return c.name == name; });
      ordered.push_back(it != v_.checks.end() ? *it : Check{name, "skip", ""});
    }
    v_.checks = std::move(ordered);
    v_.valid = v_.reason.empty();
  }

 private:
  void add(const std::string& name, const std::string& result, const std::string& reason) {
    v_.checks.push_back({name, result, reason});
  }
  Verdict& v_;
};

// The header as a certificate needs it: EdDSA, the expected typ, a kid, no extension that
// would change how to read it.
bool headerFits(const json& header, const std::vector<std::string>& typs, Checks& checks) {
  if (header.contains("crit")) return checks.fail("format", "malformed");
  auto alg = textMember(header, "alg");
  if (alg != "EdDSA") return checks.fail("format", "alg");
  auto typ = textMember(header, "typ");
  if (!typ || std::find(typs.begin(), typs.end(), *typ) == typs.end())
    return checks.fail("format", "typ");
  if (!textMember(header, "kid")) return checks.fail("format", "kid_unknown");
  return true;
}

// Signature by a key the platform knows; the key's department, which must be the issuer named.
std::optional<IssuerKeyInfo> signedBy(const jose::Jws& jws, const Trust& trust, Checks& checks) {
  auto info = trust.key(*textMember(jws.header, "kid"));
  if (!info) {
    checks.fail("signature", "kid_unknown");
    return std::nullopt;
  }
  if (!jose::verifySignature(jws, info->key)) {
    checks.fail("signature", "signature");
    return std::nullopt;
  }
  checks.pass("signature");
  return info;
}

bool issuerIs(const std::string& issuer, const IssuerKeyInfo& key, const Trust& trust,
              Checks& checks) {
  auto org = trust.issuerOrg(issuer);
  if (!org || *org != key.orgId) return checks.fail("issuer", "issuer_unknown");
  checks.pass("issuer");
  return true;
}

// The period, from VC 2.0's validFrom/validUntil and the JWT's nbf/exp, whichever are given.
bool inPeriod(const json& payload, const VerifyOptions& o, Checks& checks) {
  const auto now = o.now;
  for (const char* name : {"validFrom", "validUntil"}) {
    if (!payload.contains(name)) continue;
    auto text = textMember(payload, name);
    auto t = text ? parseRfc3339(*text) : std::nullopt;
    if (!t) return checks.fail("validity", "malformed");
    if (std::string(name) == "validFrom" && now + o.clockSkew < *t)
      return checks.fail("validity", "not_yet_valid");
    if (std::string(name) == "validUntil" && now >= *t) return checks.fail("validity", "expired");
  }
  for (const char* name : {"nbf", "exp"}) {
    if (!payload.contains(name)) continue;
    auto n = numberMember(payload, name);
    if (!n) return checks.fail("validity", "malformed");
    if (std::string(name) == "nbf" && seconds(now + o.clockSkew) < *n)
      return checks.fail("validity", "not_yet_valid");
    if (std::string(name) == "exp" && seconds(now) >= *n) return checks.fail("validity", "expired");
  }
  checks.pass("validity");
  return true;
}

std::optional<std::uint32_t> indexFrom(const json& v) {
  std::uint64_t n = 0;
  if (v.is_number_unsigned()) {
    n = v.get<std::uint64_t>();
  } else if (v.is_string()) {  // W3C: a string of decimal digits
    const auto s = v.get<std::string>();
    if (s.empty() || s.size() > 9 || (s.size() > 1 && s[0] == '0') ||
        !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    n = std::stoull(s);
  } else {
    return std::nullopt;
  }
  if (n >= kStatusListSize) return std::nullopt;
  return static_cast<std::uint32_t>(n);
}

}  // namespace

struct Verifier::List {
  std::string url;
  std::shared_ptr<const std::string> text;
  std::string orgId;
  std::string purpose;  // revocation, suspension, or "token"
  std::variant<Bitstring, TokenStatusList> bits;
};

std::optional<int> Verifier::statusEntry(const std::string& url, const std::string& issuerOrgId,
                                         const std::string& purpose, std::uint32_t index) const {
  auto text = trust_.statusList ? trust_.statusList(url) : nullptr;
  if (!text) return std::nullopt;
  auto read = [&](const List& l) -> std::optional<int> {
    if (l.orgId != issuerOrgId || l.purpose != purpose) return std::nullopt;
    if (const auto* b = std::get_if<Bitstring>(&l.bits)) return b->get(index) ? 1 : 0;
    return std::get<TokenStatusList>(l.bits).get(index);
  };
  {
    std::lock_guard lock(mutex_);
    for (const auto& l : lists_)
      if (l->url == url && (l->text == text || *l->text == *text)) return read(*l);
  }
  // A list not seen in this form: check it as any credential is checked.
  auto parsed = jose::parseCompact(*text);
  auto* jws = std::get_if<jose::Jws>(&parsed);
  if (!jws || textMember(jws->header, "alg") != "EdDSA" || !textMember(jws->header, "kid"))
    return std::nullopt;
  auto key = trust_.key(*textMember(jws->header, "kid"));
  if (!key || key->orgId != issuerOrgId || !jose::verifySignature(*jws, key->key))
    return std::nullopt;
  const json& p = jws->payload;
  auto list =
      std::make_shared<List>(List{url, text, key->orgId, purpose, Bitstring(kStatusListSize)});
  if (purpose == "token") {
    if (textMember(jws->header, "typ") != "statuslist+jwt" || textMember(p, "sub") != url)
      return std::nullopt;
    auto sl = p.find("status_list");
    if (sl == p.end() || !sl->is_object() || numberMember(*sl, "bits") != TokenStatusList::kBits)
      return std::nullopt;
    auto lst = textMember(*sl, "lst");
    auto decoded = lst ? TokenStatusList::decode(*lst, kStatusListSize) : std::nullopt;
    if (!decoded) return std::nullopt;
    list->bits = std::move(*decoded);
  } else {
    if (textMember(jws->header, "typ") != "vc+jwt") return std::nullopt;
    auto types = p.find("type");
    auto subject = p.find("credentialSubject");
    if (types == p.end() || !types->is_array() || subject == p.end() || !subject->is_object())
      return std::nullopt;
    if (std::find(types->begin(), types->end(), "BitstringStatusListCredential") == types->end())
      return std::nullopt;
    if (textMember(p, "id") != url || textMember(*subject, "type") != "BitstringStatusList" ||
        textMember(*subject, "statusPurpose") != purpose)
      return std::nullopt;
    auto encoded = textMember(*subject, "encodedList");
    auto decoded = encoded ? Bitstring::decodeW3c(*encoded, kStatusListSize) : std::nullopt;
    if (!decoded) return std::nullopt;
    list->bits = std::move(*decoded);
  }
  {
    std::lock_guard lock(mutex_);
    lists_.erase(std::remove_if(lists_.begin(), lists_.end(),
                                [&url](const auto& l) { return l->url == url; }),
                 lists_.end());
    if (lists_.size() >= kListCache) lists_.erase(lists_.begin());
    lists_.push_back(list);
  }
  return read(*list);
}

Verdict Verifier::verify(std::string_view presented, const VerifyOptions& o) const {
  Verdict v;
  Checks checks(v);
  auto done = [&checks, &v] {
    checks.finish();
    return v;
  };
  auto stop = [&checks, &done](const std::string& check, const std::string& reason) {
    checks.fail(check, reason);
    return done();
  };
  const bool sd = presented.find('~') != std::string_view::npos;
  v.format = sd ? "sd-jwt" : "vc+jwt";

  std::optional<jose::SdJwt> parts;
  std::string issuerJwt(presented);
  if (sd) {
    parts = jose::splitSdJwt(presented);
    if (!parts) return stop("format", "malformed");
    issuerJwt = parts->issuerJwt;
  }
  auto parsed = jose::parseCompact(issuerJwt);
  auto* jws = std::get_if<jose::Jws>(&parsed);
  if (!jws) {
    // A token that names another algorithm ("none", with no signature at all) is refused for
    // that, not just as unreadable.
    auto header = fromBase64url(std::string_view(issuerJwt).substr(0, issuerJwt.find('.')));
    auto h = header ? jose::parseObject(*header) : std::nullopt;
    if (h && h->contains("alg") && textMember(*h, "alg") != "EdDSA") return stop("format", "alg");
    return stop("format", "malformed");
  }
  const json& p = jws->payload;
  std::string issuer;
  if (!sd) {
    if (!headerFits(jws->header, {"vc+jwt"}, checks)) return done();
    auto context = p.find("@context");
    auto types = p.find("type");
    auto subject = p.find("credentialSubject");
    const json* issuerMember = p.contains("issuer") ? &p["issuer"] : nullptr;
    if (issuerMember && issuerMember->is_object()) {  // {"id": …, "name": …}
      auto id = issuerMember->find("id");
      issuerMember = id == issuerMember->end() ? nullptr : &*id;
    }
    if (context == p.end() || !context->is_array() || context->empty() ||
        (*context)[0] != kVcContext || types == p.end() || !types->is_array() ||
        std::find(types->begin(), types->end(), "VerifiableCredential") == types->end() ||
        subject == p.end() || !subject->is_object() || !issuerMember || !issuerMember->is_string())
      return stop("format", "malformed");
    // A status list is a credential of its issuer too, but it certifies nothing about anyone.
    if (std::find(types->begin(), types->end(), "BitstringStatusListCredential") != types->end())
      return stop("format", "malformed");
    issuer = issuerMember->get<std::string>();
  } else {
    if (!headerFits(jws->header, {"dc+sd-jwt", "vc+sd-jwt"}, checks)) return done();
    auto iss = textMember(p, "iss");
    auto sdAlg =
        p.contains("_sd_alg") ? textMember(p, "_sd_alg") : std::optional<std::string>("sha-256");
    if (!iss || !textMember(p, "vct") || sdAlg != "sha-256") return stop("format", "malformed");
    if (p.contains("_sd")) {
      // RFC 9901: digests are strings, each listed once.
      const auto& sd = p["_sd"];
      std::set<std::string> digests;
      if (!sd.is_array()) return stop("format", "malformed");
      for (const auto& d : sd)
        if (!d.is_string() || !digests.insert(d.get<std::string>()).second)
          return stop("format", "malformed");
    }
    issuer = *iss;
  }
  checks.pass("format");

  auto key = signedBy(*jws, trust_, checks);
  if (!key) return done();
  v.issuerOrgId = key->orgId;
  v.payload = p;
  if (!issuerIs(issuer, *key, trust_, checks)) return done();
  if (!inPeriod(p, o, checks)) return done();

  // Status: every entry the credential names must say "not revoked, not suspended".
  if (!sd) {
    auto status = p.find("credentialStatus");
    if (status == p.end()) {
      checks.skip("status");
    } else {
      json entries = status->is_array() ? *status : json::array({*status});
      std::string failure;
      for (const auto& e : entries) {
        if (!e.is_object() || textMember(e, "type") != "BitstringStatusListEntry") {
          failure = "status_unavailable";
          break;
        }
        auto purpose = textMember(e, "statusPurpose");
        auto url = textMember(e, "statusListCredential");
        auto index = e.contains("statusListIndex") ? indexFrom(e["statusListIndex"]) : std::nullopt;
        if (!purpose || !url || !index || (*purpose != "revocation" && *purpose != "suspension")) {
          failure = "status_unavailable";
          break;
        }
        auto bit = statusEntry(*url, key->orgId, *purpose, *index);
        if (!bit) {
          failure = "status_unavailable";
          break;
        }
        if (*bit != 0) {
          failure = *purpose == "revocation" ? "revoked" : "suspended";
          if (failure == "revoked") break;  // revoked outweighs suspended
        }
      }
      if (!failure.empty()) return stop("status", failure);
      checks.pass("status");
    }
    auto subject = p["credentialSubject"];
    subject.erase("id");
    v.claims = std::move(subject);
    checks.skip("disclosures");
    checks.skip("key_binding");
    checks.finish();
    return v;
  }

  auto status = p.find("status");
  if (status == p.end()) {
    checks.skip("status");
  } else {
    const json* sl = status->is_object() && status->contains("status_list")
                         ? &(*status)["status_list"]
                         : nullptr;
    auto url = sl && sl->is_object() ? textMember(*sl, "uri") : std::nullopt;
    auto index =
        sl && sl->is_object() && sl->contains("idx") ? indexFrom((*sl)["idx"]) : std::nullopt;
    auto value = url && index ? statusEntry(*url, key->orgId, "token", *index) : std::nullopt;
    if (!value) return stop("status", "status_unavailable");
    if (*value == 1) return stop("status", "revoked");
    if (*value == 2) return stop("status", "suspended");
    if (*value != 0) return stop("status", "status_unavailable");
    checks.pass("status");
  }

  // Disclosures: each well formed, each issued (its digest in _sd), none twice.
  std::set<std::string> issued;
  if (p.contains("_sd"))
    for (const auto& d : p["_sd"])
      if (d.is_string()) issued.insert(d.get<std::string>());
  json claims = json::object();
  for (auto it = p.begin(); it != p.end(); ++it) {
    static const std::set<std::string> kVisible = {"_sd", "_sd_alg", "cnf", "status", "iss",
                                                   "iat", "nbf",     "exp", "vct"};
    if (!kVisible.count(it.key())) claims[it.key()] = it.value();
  }
  std::set<std::string> seen;
  for (const auto& encoded : parts->disclosures) {
    auto d = jose::parseDisclosure(encoded);
    if (!d) return stop("disclosures", "disclosure_malformed");
    if (!issued.count(d->digest)) return stop("disclosures", "disclosure_not_issued");
    if (!seen.insert(d->digest).second || claims.contains(d->name))
      return stop("disclosures", "disclosure_duplicate");
    claims[d->name] = d->value;
  }
  checks.pass("disclosures");
  v.claims = std::move(claims);

  // Key binding: a credential bound to the holder's key is shown only with the holder's
  // signature over this very presentation.
  auto cnf = p.find("cnf");
  if (cnf == p.end()) {
    checks.skip("key_binding");
    checks.finish();
    return v;
  }
  if (!parts->keyBinding) return stop("key_binding", "key_binding_missing");
  auto holderKey = cnf->is_object() && cnf->contains("jwk") ? jose::publicKeyFromJwk((*cnf)["jwk"])
                                                            : std::nullopt;
  if (!holderKey) return stop("key_binding", "malformed");
  auto kbParsed = jose::parseCompact(*parts->keyBinding);
  auto* kb = std::get_if<jose::Jws>(&kbParsed);
  if (!kb || textMember(kb->header, "typ") != "kb+jwt")
    return stop("key_binding", "key_binding_signature");
  if (textMember(kb->header, "alg") != "EdDSA" || !jose::verifySignature(*kb, *holderKey))
    return stop("key_binding", "key_binding_signature");
  if (textMember(kb->payload, "sd_hash") != jose::sdHash(parts->boundPart))
    return stop("key_binding", "sd_hash");
  auto iat = numberMember(kb->payload, "iat");
  if (!iat || *iat > seconds(o.now + o.clockSkew) || *iat < seconds(o.now - o.keyBindingMaxAge))
    return stop("key_binding", "key_binding_stale");
  auto aud = textMember(kb->payload, "aud");
  if (!aud || (o.audience && *aud != *o.audience)) return stop("key_binding", "audience");
  auto nonce = textMember(kb->payload, "nonce");
  if (!nonce || (o.nonce && *nonce != *o.nonce)) return stop("key_binding", "nonce");
  checks.pass("key_binding");
  checks.finish();
  return v;
}

}  // namespace onceonly::credentials
