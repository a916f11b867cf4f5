// JOSE and SD-JWT pieces against the RFCs' own examples, and the shapes of bad input each parser
// must refuse.
#include "credentials/jose.h"

#include <gtest/gtest.h>

#include <variant>

#include "core/encoding.h"
#include "credentials/status_list.h"
#include "crypto/crypto.h"

namespace onceonly::credentials {
namespace {

using nlohmann::json;

crypto::Ed25519Key rfc8037Key() {
  // RFC 8037 Appendix A.1.
  auto seed = fromBase64url("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A");
  return crypto::Ed25519Key::fromSeed(*crypto::fromBytes<crypto::Ed25519Seed>(*seed));
}

TEST(Jose, Rfc8037PublicKeyAndThumbprint) {
  auto key = rfc8037Key();
  auto jwk = jose::publicJwk(key.publicKey());
  EXPECT_EQ(jwk["x"], "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");  // A.2
  EXPECT_EQ(jose::thumbprint(key.publicKey()),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");  // A.3
}

TEST(Jose, Rfc8037SignatureVerifies) {
  // A.4: the JWS of "Example of Ed25519 signing" with {"alg":"EdDSA"}; its payload is not JSON,
  // so the signature is checked on the signing input directly.
  const std::string input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
  const std::string sig =
      "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
  auto key = rfc8037Key();
  EXPECT_EQ(base64url(crypto::toBytes(key.sign(input))), sig);
  auto parsed = jose::parseCompact(input + "." + sig);
  EXPECT_EQ(std::get<std::string>(parsed), "malformed");  // a certificate's payload is JSON
}

TEST(Jose, SignedTokensRoundTripAndAnyChangeBreaksTheSignature) {
  auto key = crypto::Ed25519Key::generate();
  auto token = jose::signCompact({{"typ", "vc+jwt"}, {"kid", "k1"}}, {{"a", 1}}, key);
  auto parsed = jose::parseCompact(token);
  auto& jws = std::get<jose::Jws>(parsed);
  EXPECT_EQ(jws.header["alg"], "EdDSA");
  EXPECT_EQ(jws.payload["a"], 1);
  EXPECT_TRUE(jose::verifySignature(jws, key.publicKey()));
  EXPECT_FALSE(jose::verifySignature(jws, crypto::Ed25519Key::generate().publicKey()));
  auto changed = jose::signCompact({{"typ", "vc+jwt"}, {"kid", "k1"}}, {{"a", 2}}, key);
  const auto dot = token.rfind('.');
  auto forged = std::get<jose::Jws>(
      jose::parseCompact(changed.substr(0, changed.rfind('.')) + token.substr(dot)));
  EXPECT_FALSE(jose::verifySignature(forged, key.publicKey()));
}

TEST(Jose, MalformedCompactSerialisationsAreRefused) {
  auto key = crypto::Ed25519Key::generate();
  const auto good = jose::signCompact({{"kid", "k"}}, {{"a", 1}}, key);
  const auto h = good.substr(0, good.find('.'));
  const auto sig = good.substr(good.rfind('.') + 1);
  const auto obj = [](const std::string& s) { return base64url(s); };
  for (const std::string& bad : {
           std::string(), std::string("garbage"), std::string("a.b"), good + ".x",
           h + ".." + sig,                    // empty payload
           h + "." + obj("[1]") + "." + sig,  // payload not an object
           obj("{\"alg\":\"EdDSA\",\"alg\":\"none\"}") + "." + obj("{}") + "." + sig,  // duplicate
           h + "." + obj("{}") + "." + base64url("short"),  // not 64 bytes of signature
           h + "." + obj("{}") + ".",                       // no signature
           h + "." + obj("{\"a\":1}") + "." + sig + "=",    // padding
           h + ".e30 ." + sig,                              // a space
           h + "." + obj(std::string(40, '[') + std::string(40, ']')) + "." + sig,  // deep
           h + "." + obj("{\"a\":\"\xff\"}") + "." + sig,                           // not UTF-8
       })
    EXPECT_EQ(std::get<std::string>(jose::parseCompact(bad)), "malformed") << bad;
  EXPECT_EQ(std::get<std::string>(jose::parseCompact(std::string(jose::kMaxTokenBytes + 1, 'a'))),
            "malformed");
}

TEST(Jose, JwksAndJwksAreStrict) {
  auto key = crypto::Ed25519Key::generate();
  auto jwk = jose::publicJwk(key.publicKey(), "k1");
  EXPECT_EQ(jose::publicKeyFromJwk(jwk), key.publicKey());
  auto withPrivate = jwk;
  withPrivate["d"] = base64url(crypto::toBytes(key.seed()));
  EXPECT_FALSE(jose::publicKeyFromJwk(withPrivate));
  auto otherCurve = jwk;
  otherCurve["crv"] = "X25519";
  EXPECT_FALSE(jose::publicKeyFromJwk(otherCurve));
  auto shortKey = jwk;
  shortKey["x"] = base64url("0123456789");
  EXPECT_FALSE(jose::publicKeyFromJwk(shortKey));
  EXPECT_FALSE(jose::publicKeyFromJwk(json::array()));

  json rsa = {{"kty", "RSA"}, {"kid", "r1"}, {"n", "AQAB"}, {"e", "AQAB"}};
  auto set = jose::parseJwks(json{{"keys", {jwk, rsa}}}.dump());
  ASSERT_TRUE(set);
  EXPECT_EQ(set->size(), 1u);
  EXPECT_EQ(set->at("k1"), key.publicKey());
  EXPECT_FALSE(jose::parseJwks(json{{"keys", {jwk, jwk}}}.dump()));  // a kid twice
  auto noKid = jwk;
  noKid.erase("kid");
  EXPECT_FALSE(jose::parseJwks(json{{"keys", {noKid}}}.dump()));
  EXPECT_FALSE(jose::parseJwks("{\"keys\": {}}"));
  EXPECT_FALSE(jose::parseJwks("not json"));
}

TEST(SdJwt, Rfc9901DisclosureAndDigest) {
  // RFC 9901 §4.2.1: the disclosure of family_name "Möbius" and its digest.
  const std::string encoded =
      "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0";
  auto d = jose::parseDisclosure(encoded);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->salt, "_26bc4LT-ac6q2KI6cBW5es");
  EXPECT_EQ(d->name, "family_name");
  EXPECT_EQ(d->value, "Möbius");
  EXPECT_EQ(d->digest, "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0");
}

TEST(SdJwt, MadeDisclosuresParseBackAndBadOnesAreRefused) {
  auto made = jose::makeDisclosure("over_18", true);
  auto back = jose::parseDisclosure(made.encoded);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, "over_18");
  EXPECT_EQ(back->value, true);
  EXPECT_EQ(back->digest, made.digest);
  const auto enc = [](const json& j) { return base64url(j.dump()); };
  for (const auto& bad :
       {enc(json::array({"saltsaltsaltsaltsalt", "name"})),      // two elements
        enc(json::array({1, "name", "v"})),                      // salt not a string
        enc(json::array({"short", "name", "v"})),                // salt too short
        enc(json::array({"saltsaltsaltsaltsalt", "_sd", "v"})),  // reserved name
        enc(json::array({"saltsaltsaltsaltsalt", "iss", "v"})),  // a visible claim
        enc(json{{"a", 1}}), std::string("!!"), std::string()})
    EXPECT_FALSE(jose::parseDisclosure(bad)) << bad;
}

TEST(SdJwt, PresentationsSplitIntoTheirParts) {
  auto s = jose::splitSdJwt("jwt~d1~d2~kb");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->issuerJwt, "jwt");
  EXPECT_EQ(s->disclosures, (std::vector<std::string>{"d1", "d2"}));
  EXPECT_EQ(s->keyBinding, "kb");
  EXPECT_EQ(s->boundPart, "jwt~d1~d2~");
  auto noKb = jose::splitSdJwt("jwt~d1~");
  ASSERT_TRUE(noKb);
  EXPECT_FALSE(noKb->keyBinding);
  EXPECT_EQ(noKb->disclosures.size(), 1u);
  auto bare = jose::splitSdJwt("jwt~");
  ASSERT_TRUE(bare);
  EXPECT_TRUE(bare->disclosures.empty());
  for (const char* bad : {"", "jwt", "~d1~", "jwt~~d2~", "jwt~d1~~"})
    EXPECT_FALSE(jose::splitSdJwt(bad)) << bad;
}

TEST(StatusList, W3cBitsAreMostSignificantFirstAndRoundTrip) {
  Bitstring bits(kStatusListSize);
  bits.set(0, true);
  bits.set(9, true);
  bits.set(kStatusListSize - 1, true);
  auto encoded = bits.encodeW3c();
  ASSERT_EQ(encoded[0], 'u');
  auto raw = decompress(*fromBase64url(encoded.substr(1)), Wrapper::gzip, kStatusListSize / 8);
  ASSERT_TRUE(raw);
  EXPECT_EQ(static_cast<unsigned char>((*raw)[0]), 0x80);
  EXPECT_EQ(static_cast<unsigned char>((*raw)[1]), 0x40);
  EXPECT_EQ(static_cast<unsigned char>(raw->back()), 0x01);
  auto back = Bitstring::decodeW3c(encoded, kStatusListSize);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->get(0));
  EXPECT_FALSE(back->get(1));
  EXPECT_TRUE(back->get(9));
  EXPECT_TRUE(back->get(kStatusListSize - 1));
  // The compressed list of 131,072 entries is small: a few hundred bytes when mostly zero.
  EXPECT_LT(encoded.size(), 400u);
}

TEST(StatusList, BadEncodingsAndCompressionBombsAreRefused) {
  Bitstring bits(kStatusListSize);
  const auto good = bits.encodeW3c();
  EXPECT_FALSE(Bitstring::decodeW3c(good.substr(1), kStatusListSize));  // no multibase prefix
  EXPECT_FALSE(Bitstring::decodeW3c("u!!", kStatusListSize));
  EXPECT_FALSE(Bitstring::decodeW3c(good, kStatusListSize * 2));  // too short for that size
  // 16 MiB of zeros compress to a few kilobytes; they never inflate past the size expected.
  auto bomb = "u" + base64url(compress(std::string(16 << 20, '\0'), Wrapper::gzip));
  EXPECT_FALSE(Bitstring::decodeW3c(bomb, kStatusListSize));
  // A zlib stream where gzip is expected.
  EXPECT_FALSE(Bitstring::decodeW3c(
      "u" + base64url(compress(std::string(kStatusListSize / 8, '\0'), Wrapper::zlib)),
      kStatusListSize));
}

TEST(StatusList, TokenStatusListPacksTwoBitsLeastSignificantFirst) {
  // The IETF Token Status List draft's 2-bit example: statuses 1, 2, 0, 3 make the byte 0xC9.
  TokenStatusList list(kStatusListSize);
  list.set(0, 1);
  list.set(1, 2);
  list.set(2, 0);
  list.set(3, 3);
  auto raw = decompress(*fromBase64url(list.encode()), Wrapper::zlib, kStatusListSize / 4);
  ASSERT_TRUE(raw);
  EXPECT_EQ(static_cast<unsigned char>((*raw)[0]), 0xC9);
  auto back = TokenStatusList::decode(list.encode(), kStatusListSize);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->get(0), 1);
  EXPECT_EQ(back->get(1), 2);
  EXPECT_EQ(back->get(3), 3);
  EXPECT_EQ(back->get(4), 0);
  EXPECT_THROW(list.set(0, 4), std::out_of_range);
  EXPECT_THROW(list.get(kStatusListSize), std::out_of_range);
}

}  // namespace
}  // namespace onceonly::credentials
