// Verification against attacks: every way a certificate or presentation can be wrong fails with
// its own reason, and the checks after it are skipped. The issuer, its keys and its status lists
// are the test's own, made here the way the standards describe them.
#include "credentials/verify.h"

#include <gtest/gtest.h>

#include <map>

#include "core/encoding.h"
#include "core/time.h"
#include "credentials/jose.h"
#include "credentials/status_list.h"
#include "crypto/crypto.h"

namespace onceonly::credentials {
namespace {

using nlohmann::json;

const std::string kBase = "https://gov.test";
const std::string kOrg = "org_aaaaaaaaaaaaaaaa";
const std::string kOther = "org_bbbbbbbbbbbbbbbb";

std::int64_t secondsFromNow(int s) {
  return std::chrono::duration_cast<std::chrono::seconds>(
             (Clock::now() + std::chrono::seconds(s)).time_since_epoch())
      .count();
}

class VerifyTest : public ::testing::Test {
 protected:
  crypto::Ed25519Key issuerKey = crypto::Ed25519Key::generate();
  crypto::Ed25519Key otherKey = crypto::Ed25519Key::generate();  // another department's
  crypto::Ed25519Key holderKey = crypto::Ed25519Key::generate();
  std::map<std::string, std::shared_ptr<const std::string>> lists;
  Bitstring revoked{kStatusListSize}, suspended{kStatusListSize};
  TokenStatusList token{kStatusListSize};
  Verifier verifier{trust()};

  std::string issuerUrl(const std::string& org = kOrg) const {
    return kBase + "/api/v1/credentials/issuers/" + org;
  }
  std::string listUrl(const std::string& purpose) const {
    return kBase + "/api/v1/credentials/status/sl_1/" + purpose;
  }

  Trust trust() {
    Trust t;
    t.key = [this](const std::string& kid) -> std::optional<IssuerKeyInfo> {
      if (kid == "k1") return IssuerKeyInfo{kOrg, issuerKey.publicKey()};
      if (kid == "k2") return IssuerKeyInfo{kOther, otherKey.publicKey()};
      return std::nullopt;
    };
    t.issuerOrg = [](const std::string& url) -> std::optional<std::string> {
      for (const auto& org : {kOrg, kOther})
        if (url == kBase + "/api/v1/credentials/issuers/" + org) return org;
      return std::nullopt;
    };
    t.statusList = [this](const std::string& url) -> std::shared_ptr<const std::string> {
      auto it = lists.find(url);
      return it == lists.end() ? nullptr : it->second;
    };
    return t;
  }

  // Publishes the status lists as they are now, signed with `key` (kid k1 unless told).
  void publishLists(const std::string& kid = "k1") {
    const auto& key = kid == "k1" ? issuerKey : otherKey;
    for (const auto& [purpose, bits] :
         {std::pair<std::string, Bitstring*>{"revocation", &revoked}, {"suspension", &suspended}}) {
      json p = {{"@context", {"https://www.w3.org/ns/credentials/v2"}},
                {"id", listUrl(purpose)},
                {"type", {"VerifiableCredential", "BitstringStatusListCredential"}},
                {"issuer", issuerUrl()},
                {"credentialSubject",
                 {{"type", "BitstringStatusList"},
                  {"statusPurpose", purpose},
                  {"encodedList", bits->encodeW3c()}}}};
      lists[listUrl(purpose)] = std::make_shared<const std::string>(
          jose::signCompact({{"typ", "vc+jwt"}, {"kid", kid}}, p, key));
    }
    json t = {{"sub", listUrl("token")},
              {"iat", secondsFromNow(0)},
              {"status_list", {{"bits", 2}, {"lst", token.encode()}}}};
    lists[listUrl("token")] = std::make_shared<const std::string>(
        jose::signCompact({{"typ", "statuslist+jwt"}, {"kid", kid}}, t, key));
  }

  json vcPayload(std::uint32_t index = 7) const {
    json status = json::array();
    for (const char* purpose : {"revocation", "suspension"})
      status.push_back({{"type", "BitstringStatusListEntry"},
                        {"statusPurpose", purpose},
                        {"statusListIndex", std::to_string(index)},
                        {"statusListCredential", listUrl(purpose)}});
    return {{"@context", {"https://www.w3.org/ns/credentials/v2"}},
            {"type", {"VerifiableCredential", "MarriageCertificate"}},
            {"issuer", issuerUrl()},
            {"validFrom", toRfc3339(Clock::now() - std::chrono::hours(1))},
            {"credentialSubject", {{"holder_name", "张伟"}, {"spouse_name", "王芳"}}},
            {"credentialStatus", status}};
  }

  std::string sign(const json& payload, json header = {{"typ", "vc+jwt"}, {"kid", "k1"}}) const {
    return jose::signCompact(std::move(header), payload, issuerKey);
  }

  // An SD-JWT VC with name, over_18 and id_number as disclosures, bound to holderKey.
  struct Sd {
    std::string jwt;
    std::map<std::string, jose::Disclosure> disclosures;
  };
  Sd sdJwt(json extra = json::object()) const {
    Sd sd;
    json digests = json::array();
    for (const auto& [name, value] : std::vector<std::pair<std::string, json>>{
             {"name", "张伟"}, {"over_18", true}, {"id_number", "44030519850312001X"}}) {
      sd.disclosures[name] = jose::makeDisclosure(name, value);
      digests.push_back(sd.disclosures[name].digest);
    }
    json p = {{"iss", issuerUrl()},
              {"vct", kBase + "/api/v1/credentials/types/ctp_1"},
              {"iat", secondsFromNow(0)},
              {"cnf", {{"jwk", jose::publicJwk(holderKey.publicKey())}}},
              {"status", {{"status_list", {{"idx", 7}, {"uri", listUrl("token")}}}}},
              {"_sd", digests},
              {"_sd_alg", "sha-256"}};
    p.update(extra);
    sd.jwt = sign(p, {{"typ", "dc+sd-jwt"}, {"kid", "k1"}});
    return sd;
  }

  // "<jwt>~<chosen>~<kb>" signed by `kbKey` over exactly that.
  std::string present(const Sd& sd, const std::vector<std::string>& names,
                      const crypto::Ed25519Key* kbKey, json kbPayload = json::object()) const {
    std::string bound = sd.jwt + "~";
    for (const auto& n : names) bound += sd.disclosures.at(n).encoded + "~";
    if (!kbKey) return bound;
    json p = {{"iat", secondsFromNow(0)},
              {"aud", "https://bank.example"},
              {"nonce", "n-123"},
              {"sd_hash", jose::sdHash(bound)}};
    p.update(kbPayload);
    return bound + jose::signCompact({{"typ", "kb+jwt"}}, p, *kbKey);
  }

  Verdict check(const std::string& presented) const {
    VerifyOptions o;
    o.audience = "https://bank.example";
    o.nonce = "n-123";
    return verifier.verify(presented, o);
  }

  static std::string resultOf(const Verdict& v, const std::string& name) {
    for (const auto& c : v.checks)
      if (c.name == name) return c.result;
    return "absent";
  }

  void SetUp() override { publishLists(); }
};

TEST_F(VerifyTest, AGoodCredentialPassesEveryCheckThatApplies) {
  auto v = check(sign(vcPayload()));
  EXPECT_TRUE(v.valid) << v.reason;
  EXPECT_EQ(v.format, "vc+jwt");
  ASSERT_EQ(v.checks.size(), 7u);
  for (const char* name : {"format", "signature", "issuer", "validity", "status"})
    EXPECT_EQ(resultOf(v, name), "pass") << name;
  EXPECT_EQ(resultOf(v, "disclosures"), "skip");
  EXPECT_EQ(resultOf(v, "key_binding"), "skip");
  EXPECT_EQ(v.issuerOrgId, kOrg);
  EXPECT_EQ(v.claims["spouse_name"], "王芳");
}

TEST_F(VerifyTest, AChangedPayloadFailsTheSignature) {
  auto good = sign(vcPayload());
  auto p = vcPayload();
  p["credentialSubject"]["spouse_name"] = "李娜";
  auto other = sign(p);
  auto forged = other.substr(0, other.rfind('.')) + good.substr(good.rfind('.'));
  auto v = check(forged);
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.reason, "signature");
  EXPECT_EQ(resultOf(v, "issuer"), "skip");
}

TEST_F(VerifyTest, UnknownOrMissingKeysAndOtherAlgorithmsAreRefused) {
  EXPECT_EQ(check(sign(vcPayload(), {{"typ", "vc+jwt"}, {"kid", "nobody"}})).reason, "kid_unknown");
  EXPECT_EQ(check(sign(vcPayload(), {{"typ", "vc+jwt"}})).reason, "kid_unknown");
  // alg none, with no signature, as the classic attack sends it.
  const auto none = base64url(json{{"alg", "none"}, {"typ", "vc+jwt"}, {"kid", "k1"}}.dump()) +
                    "." + base64url(vcPayload().dump()) + ".";
  EXPECT_EQ(check(none).reason, "alg");
  // HS256 with a 64-byte "signature".
  auto token = sign(vcPayload());
  auto hs = base64url(json{{"alg", "HS256"}, {"typ", "vc+jwt"}, {"kid", "k1"}}.dump()) +
            token.substr(token.find('.'));
  EXPECT_EQ(check(hs).reason, "alg");
  EXPECT_EQ(check(sign(vcPayload(), {{"typ", "JWT"}, {"kid", "k1"}})).reason, "typ");
  EXPECT_EQ(check(sign(vcPayload(), {{"typ", "vc+jwt"}, {"kid", "k1"}, {"crit", {"b64"}}})).reason,
            "malformed");
}

TEST_F(VerifyTest, AKeyOfAnotherDepartmentCannotSpeakForTheIssuer) {
  auto v = check(jose::signCompact({{"typ", "vc+jwt"}, {"kid", "k2"}}, vcPayload(), otherKey));
  EXPECT_EQ(v.reason, "issuer_unknown");
  EXPECT_EQ(resultOf(v, "signature"), "pass");
  auto p = vcPayload();
  p["issuer"] = "https://elsewhere.example/issuer";
  EXPECT_EQ(check(sign(p)).reason, "issuer_unknown");
}

TEST_F(VerifyTest, ThePeriodOfValidityIsEnforced) {
  auto p = vcPayload();
  p["validUntil"] = toRfc3339(Clock::now() - std::chrono::minutes(1));
  EXPECT_EQ(check(sign(p)).reason, "expired");
  p = vcPayload();
  p["validFrom"] = toRfc3339(Clock::now() + std::chrono::hours(24));
  EXPECT_EQ(check(sign(p)).reason, "not_yet_valid");
  p = vcPayload();
  p["exp"] = secondsFromNow(-10);
  EXPECT_EQ(check(sign(p)).reason, "expired");
  p = vcPayload();
  p["validFrom"] = "yesterday";
  EXPECT_EQ(check(sign(p)).reason, "malformed");
}

TEST_F(VerifyTest, RevokedAndSuspendedCertificatesFailTheStatusCheck) {
  const auto token = sign(vcPayload(7));
  suspended.set(7, true);
  publishLists();
  EXPECT_EQ(check(token).reason, "suspended");
  revoked.set(7, true);
  publishLists();
  EXPECT_EQ(check(token).reason, "revoked");
  // Its neighbours are untouched.
  EXPECT_TRUE(check(sign(vcPayload(8))).valid);
}

TEST_F(VerifyTest, ATamperedOrForeignStatusListMakesTheStatusUnknown) {
  const auto token = sign(vcPayload(7));
  revoked.set(7, true);
  publishLists();
  // Someone clears the bit and keeps the old signature.
  const auto signedList = *lists[listUrl("revocation")];
  Bitstring cleared(kStatusListSize);
  auto parsed = std::get<jose::Jws>(jose::parseCompact(signedList));
  parsed.payload["credentialSubject"]["encodedList"] = cleared.encodeW3c();
  auto resigned = jose::signCompact(parsed.header, parsed.payload, otherKey);
  lists[listUrl("revocation")] = std::make_shared<const std::string>(
      resigned.substr(0, resigned.rfind('.')) + signedList.substr(signedList.rfind('.')));
  EXPECT_EQ(check(token).reason, "status_unavailable");
  // A list signed by another department's key does not speak for this issuer.
  Bitstring none(kStatusListSize);
  revoked = none;
  publishLists("k2");
  EXPECT_EQ(check(token).reason, "status_unavailable");
  lists.clear();
  EXPECT_EQ(check(token).reason, "status_unavailable");
  auto p = vcPayload();
  p["credentialStatus"][0]["statusListIndex"] = "999999999";
  publishLists();
  EXPECT_EQ(check(sign(p)).reason, "status_unavailable");
}

TEST_F(VerifyTest, ASelectiveDisclosureWithKeyBindingShowsOnlyWhatWasChosen) {
  auto sd = sdJwt();
  auto v = check(present(sd, {"name", "over_18"}, &holderKey));
  EXPECT_TRUE(v.valid) << v.reason;
  EXPECT_EQ(v.format, "sd-jwt");
  for (const char* name :
       {"format", "signature", "issuer", "validity", "status", "disclosures", "key_binding"})
    EXPECT_EQ(resultOf(v, name), "pass") << name;
  EXPECT_EQ(v.claims, (json{{"name", "张伟"}, {"over_18", true}}));
}

TEST_F(VerifyTest, PresentationsThatAreNotTheHoldersAreRefused) {
  auto sd = sdJwt();
  EXPECT_EQ(check(present(sd, {"name"}, nullptr)).reason, "key_binding_missing");
  auto stranger = crypto::Ed25519Key::generate();
  EXPECT_EQ(check(present(sd, {"name"}, &stranger)).reason, "key_binding_signature");
  EXPECT_EQ(check(present(sd, {"name"}, &holderKey, {{"aud", "https://other.example"}})).reason,
            "audience");
  EXPECT_EQ(check(present(sd, {"name"}, &holderKey, {{"nonce", "replayed"}})).reason, "nonce");
  EXPECT_EQ(check(present(sd, {"name"}, &holderKey, {{"iat", secondsFromNow(-3600)}})).reason,
            "key_binding_stale");
  EXPECT_EQ(check(present(sd, {"name"}, &holderKey, {{"iat", secondsFromNow(3600)}})).reason,
            "key_binding_stale");
  // A KB-JWT made for one presentation, reused after adding a disclosure.
  auto signedForName = present(sd, {"name"}, &holderKey);
  auto kb = signedForName.substr(signedForName.rfind('~') + 1);
  auto widened = sd.jwt + "~" + sd.disclosures.at("name").encoded + "~" +
                 sd.disclosures.at("id_number").encoded + "~" + kb;
  EXPECT_EQ(check(widened).reason, "sd_hash");
}

TEST_F(VerifyTest, DisclosuresThatWereNotIssuedAreRefused) {
  auto sd = sdJwt();
  auto madeUp = jose::makeDisclosure("over_65", true);
  Sd withExtra = sd;
  withExtra.disclosures["over_65"] = madeUp;
  auto v = check(present(withExtra, {"name", "over_65"}, &holderKey));
  EXPECT_EQ(v.reason, "disclosure_not_issued");
  EXPECT_EQ(resultOf(v, "key_binding"), "skip");
  EXPECT_EQ(check(present(sd, {"name", "name"}, &holderKey)).reason, "disclosure_duplicate");
  Sd bad = sd;
  bad.disclosures["junk"].encoded = base64url("[\"x\"]");
  EXPECT_EQ(check(present(bad, {"junk"}, &holderKey)).reason, "disclosure_malformed");
}

TEST_F(VerifyTest, RevokedSdJwtsFailThroughTheTokenStatusList) {
  auto sd = sdJwt();
  token.set(7, 2);
  publishLists();
  EXPECT_EQ(check(present(sd, {"name"}, &holderKey)).reason, "suspended");
  token.set(7, 1);
  publishLists();
  EXPECT_EQ(check(present(sd, {"name"}, &holderKey)).reason, "revoked");
}

TEST_F(VerifyTest, AnIssuerObjectWithoutAnIdIsMalformed) {
  // Read before the signature is checked: the member is looked up, never assumed.
  auto p = vcPayload();
  p["issuer"] = json::object();
  EXPECT_EQ(check(sign(p)).reason, "malformed");
  p["issuer"] = {{"id", issuerUrl()}, {"name", "岚山市民政局"}};
  EXPECT_TRUE(check(sign(p)).valid);
}

TEST_F(VerifyTest, AStatusListIsNotACertificate) {
  // Signed by the issuer and a VC, but about no one.
  EXPECT_EQ(check(*lists[listUrl("revocation")]).reason, "malformed");
}

TEST_F(VerifyTest, DigestsListedTwiceOrNotAsTextAreMalformed) {
  auto twice = sdJwt();
  auto jws = std::get<jose::Jws>(jose::parseCompact(twice.jwt));
  jws.payload["_sd"].push_back(jws.payload["_sd"][0]);
  twice.jwt = sign(jws.payload, jws.header);
  EXPECT_EQ(check(present(twice, {"name"}, &holderKey)).reason, "malformed");
  jws.payload["_sd"].back() = 42;
  twice.jwt = sign(jws.payload, jws.header);
  EXPECT_EQ(check(present(twice, {"name"}, &holderKey)).reason, "malformed");
}

TEST_F(VerifyTest, GarbageIsMalformedNotACrash) {
  for (const std::string& junk :
       {std::string(""), std::string("~"), std::string("~~~"), std::string("....."),
        std::string("not a jwt"), std::string(100000, 'A'), std::string("\x00\xff", 2),
        sign(vcPayload()) + "~garbage~", std::string("eyJ.eyJ.eyJ")}) {
    auto v = check(junk);
    EXPECT_FALSE(v.valid);
    EXPECT_FALSE(v.reason.empty());
    EXPECT_EQ(v.checks.size(), 7u);
  }
}

}  // namespace
}  // namespace onceonly::credentials
