// Fuzzing every parser of outside input in certificates: compact JWS, SD-JWT presentations and
// their disclosures, JWK Sets, status lists, and verification as a whole. Each starts from valid
// seeds and applies random mutations (byte flips, insertions, deletions, splices, repeated
// separators); the property is that nothing crashes or throws, and that whatever still verifies
// shows exactly the claims that were signed. The test command runs these under AddressSanitizer
// and UndefinedBehaviorSanitizer too. FUZZ_ITERATIONS sets the mutations per target.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "core/encoding.h"
#include "core/time.h"
#include "credentials/jose.h"
#include "credentials/status_list.h"
#include "credentials/verify.h"
#include "crypto/crypto.h"

namespace onceonly::credentials {
namespace {

using nlohmann::json;

int iterations() {
  const char* n = std::getenv("FUZZ_ITERATIONS");
  return n ? std::max(1, std::atoi(n)) : 4000;
}

class Mutator {
 public:
  explicit Mutator(std::uint32_t seed) : rng_(seed) {}
  std::string mutate(std::string s, const std::vector<std::string>& pool) {
    const int rounds = 1 + static_cast<int>(rng_() % 4);
    for (int i = 0; i < rounds; ++i) {
      const std::size_t at = s.empty() ? 0 : rng_() % (s.size() + 1);
      switch (rng_() % 7) {
        case 0:  // flip a bit
          if (!s.empty())
            s[at % s.size()] = static_cast<char>(s[at % s.size()] ^ (1 << (rng_() % 8)));
          break;
        case 1:  // a random byte
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(rng_() % 256));
          break;
        case 2:  // delete a run
          if (!s.empty()) s.erase(at % s.size(), 1 + rng_() % 16);
          break;
        case 3:  // a separator the parsers split on
          s.insert(at, std::string(1, "~.{}[]\"=\\"[rng_() % 9]));
          break;
        case 4: {  // splice a piece of another seed
          const auto& other = pool[rng_() % pool.size()];
          if (other.empty()) break;
          const std::size_t from = rng_() % other.size();
          s.insert(at, other.substr(from, 1 + rng_() % 64));
          break;
        }
        case 5:  // truncate
          s.resize(at);
          break;
        default:  // duplicate a run
          if (!s.empty()) s.insert(at, s.substr(at % s.size(), 1 + rng_() % 32));
      }
    }
    return s;
  }
  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
};

class CredentialsFuzz : public ::testing::Test {
 protected:
  crypto::Ed25519Key issuer = crypto::Ed25519Key::generate();
  crypto::Ed25519Key holder = crypto::Ed25519Key::generate();
  const std::string issuerUrl = "https://gov.test/api/v1/credentials/issuers/org_aaaaaaaaaaaaaaaa";
  const std::string listUrl = "https://gov.test/api/v1/credentials/status/sl_1/revocation";
  std::shared_ptr<const std::string> list;
  json claims = {{"name", "张伟"}, {"over_18", true}};

  Trust trust() {
    Trust t;
    t.key = [this](const std::string& kid) -> std::optional<IssuerKeyInfo> {
      if (kid != "k1") return std::nullopt;
      return IssuerKeyInfo{"org_aaaaaaaaaaaaaaaa", issuer.publicKey()};
    };
    t.issuerOrg = [this](const std::string& url) -> std::optional<std::string> {
      if (url != issuerUrl) return std::nullopt;
      return "org_aaaaaaaaaaaaaaaa";
    };
    t.statusList = [this](const std::string& url) -> std::shared_ptr<const std::string> {
      return url == listUrl ? list : nullptr;
    };
    return t;
  }

  void SetUp() override {
    Bitstring bits(kStatusListSize);
    json p = {{"@context", {"https://www.w3.org/ns/credentials/v2"}},
              {"id", listUrl},
              {"type", {"VerifiableCredential", "BitstringStatusListCredential"}},
              {"issuer", issuerUrl},
              {"credentialSubject",
               {{"type", "BitstringStatusList"},
                {"statusPurpose", "revocation"},
                {"encodedList", bits.encodeW3c()}}}};
    list = std::make_shared<const std::string>(
        jose::signCompact({{"typ", "vc+jwt"}, {"kid", "k1"}}, p, issuer));
  }

  std::string vc() const {
    json p = {{"@context", {"https://www.w3.org/ns/credentials/v2"}},
              {"type", {"VerifiableCredential"}},
              {"issuer", issuerUrl},
              {"credentialSubject", claims},
              {"credentialStatus",
               {{{"type", "BitstringStatusListEntry"},
                 {"statusPurpose", "revocation"},
                 {"statusListIndex", "42"},
                 {"statusListCredential", listUrl}}}}};
    return jose::signCompact({{"typ", "vc+jwt"}, {"kid", "k1"}}, p, issuer);
  }

  std::string presentation() const {
    auto d1 = jose::makeDisclosure("name", "张伟");
    auto d2 = jose::makeDisclosure("over_18", true);
    json p = {{"iss", issuerUrl},
              {"vct", "https://gov.test/api/v1/credentials/types/ctp_1"},
              {"cnf", {{"jwk", jose::publicJwk(holder.publicKey())}}},
              {"_sd", {d1.digest, d2.digest}},
              {"_sd_alg", "sha-256"}};
    const auto bound = jose::signCompact({{"typ", "dc+sd-jwt"}, {"kid", "k1"}}, p, issuer) + "~" +
                       d1.encoded + "~" + d2.encoded + "~";
    json kb = {
        {"iat",
         std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count()},
        {"aud", "bank"},
        {"nonce", "n"},
        {"sd_hash", jose::sdHash(bound)}};
    return bound + jose::signCompact({{"typ", "kb+jwt"}}, kb, holder);
  }
};

TEST_F(CredentialsFuzz, CompactJwsParser) {
  const std::vector<std::string> seeds = {vc(), *list, "e30.e30.", "a.b.c"};
  Mutator m(1);
  for (int i = 0; i < iterations(); ++i) {
    auto input = m.mutate(seeds[i % seeds.size()], seeds);
    auto parsed = jose::parseCompact(input);
    if (auto* jws = std::get_if<jose::Jws>(&parsed)) {
      EXPECT_TRUE(jws->header.is_object());
      EXPECT_TRUE(jws->payload.is_object());
      (void)jose::verifySignature(*jws, issuer.publicKey());
    }
  }
}

TEST_F(CredentialsFuzz, SdJwtAndDisclosureParsers) {
  const std::vector<std::string> seeds = {presentation(), jose::makeDisclosure("a", 1).encoded,
                                          "x~y~", "~"};
  Mutator m(2);
  for (int i = 0; i < iterations(); ++i) {
    auto input = m.mutate(seeds[i % seeds.size()], seeds);
    if (auto s = jose::splitSdJwt(input)) {
      EXPECT_FALSE(s->issuerJwt.empty());
      for (const auto& d : s->disclosures) (void)jose::parseDisclosure(d);
    }
    (void)jose::parseDisclosure(input);
  }
}

TEST_F(CredentialsFuzz, JwksParser) {
  const std::vector<std::string> seeds = {
      json{{"keys",
            {jose::publicJwk(issuer.publicKey(), "k1"), jose::publicJwk(holder.publicKey(), "k2")}}}
          .dump(),
      R"({"keys":[{"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB"}]})", "{}"};
  Mutator m(3);
  for (int i = 0; i < iterations(); ++i) {
    auto input = m.mutate(seeds[i % seeds.size()], seeds);
    if (auto keys = jose::parseJwks(input)) {
      for (const auto& [kid, key] : *keys) {
        EXPECT_FALSE(kid.empty());
      }
    }
  }
}

TEST_F(CredentialsFuzz, StatusListDecoders) {
  Bitstring bits(kStatusListSize);
  bits.set(42, true);
  TokenStatusList token(kStatusListSize);
  token.set(42, 1);
  const std::vector<std::string> seeds = {bits.encodeW3c(), token.encode()};
  Mutator m(4);
  for (int i = 0; i < iterations(); ++i) {
    auto input = m.mutate(seeds[i % seeds.size()], seeds);
    if (auto b = Bitstring::decodeW3c(input, kStatusListSize)) {
      EXPECT_EQ(b->size(), kStatusListSize);
    }
    if (auto t = TokenStatusList::decode(input, kStatusListSize)) {
      EXPECT_EQ(t->size(), kStatusListSize);
    }
  }
}

TEST_F(CredentialsFuzz, VerificationNeverAcceptsOtherClaims) {
  Verifier verifier(trust());
  const auto token = vc();
  const auto shown = presentation();
  ASSERT_TRUE(verifier.verify(token, {}).valid);
  VerifyOptions o;
  o.audience = "bank";
  o.nonce = "n";
  ASSERT_TRUE(verifier.verify(shown, o).valid);
  const std::vector<std::string> seeds = {token, shown, *list};
  Mutator m(5);
  int accepted = 0;
  for (int i = 0; i < iterations(); ++i) {
    auto input = m.mutate(seeds[i % seeds.size()], seeds);
    auto v = verifier.verify(input, o);
    EXPECT_EQ(v.checks.size(), 7u);
    if (!v.valid) {
      EXPECT_FALSE(v.reason.empty());
      continue;
    }
    ++accepted;  // a mutation that kept the signed bytes (a dropped disclosure, say)
    for (auto it = v.claims.begin(); it != v.claims.end(); ++it)
      EXPECT_EQ(claims.value(it.key(), json()), it.value()) << input;
  }
  EXPECT_LT(accepted, iterations());
}

}  // namespace
}  // namespace onceonly::credentials
