#include "crypto/http_signature.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "core/encoding.h"
#include "crypto/crypto.h"

namespace onceonly::crypto {
namespace {

// RFC 9421 appendix B.1.4, test-key-ed25519: PKCS#8 and SubjectPublicKeyInfo, whose last 32
// bytes are the seed and the public key.
constexpr std::string_view kRfcPrivateKey =
    "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF";
constexpr std::string_view kRfcPublicKey =
    "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=";

template <class Fixed>
Fixed lastBytesOf(std::string_view der) {
  const auto bytes = fromBase64(der);
  const auto fixed = bytes && bytes->size() >= Fixed().size()
                         ? fromBytes<Fixed>(bytes->substr(bytes->size() - Fixed().size()))
                         : std::nullopt;
  EXPECT_TRUE(fixed) << der;
  return fixed.value_or(Fixed{});
}

// RFC 9421 appendix B.2, test-request (body {"hello": "world"}, 18 bytes).
SignedRequest rfcTestRequest() {
  SignedRequest r;
  r.method = "POST";
  r.authority = "example.com";
  r.path = "/foo";
  r.query = "?param=Value&Pet=dog";
  r.headers = {
      {"host", "example.com"},
      {"date", "Tue, 20 Apr 2021 02:07:55 GMT"},
      {"content-type", "application/json"},
      {"content-digest",
       "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEm"
       "THWXvJwew==:"},
      {"content-length", "18"}};
  return r;
}

SignatureParams rfcB26Params() {
  SignatureParams p;
  p.components = {"date", "@method", "@path", "@authority", "content-type", "content-length"};
  p.created = 1618884473;
  p.keyId = "test-key-ed25519";
  p.alg = "";  // B.2.6 has no alg parameter
  return p;
}

// A request to a connector as the platform sends one.
SignedRequest connectorRequest(std::string_view body) {
  SignedRequest r;
  r.method = "POST";
  r.authority = "connector.example:9000";
  r.path = "/records";
  r.query = "?since=2024-01-01";
  r.headers = {{"content-digest", contentDigest(body)},
               {"content-type", "application/json"},
               {"date", "Mon, 06 May 2024 10:00:00 GMT"}};
  return r;
}

SignatureParams connectorParams() {
  SignatureParams p;
  p.components = {"@method", "@authority", "@path", "@query", "content-digest", "date"};
  p.created = 1714989600;
  p.expires = 1714989900;
  p.keyId = "dept-tax-2024";
  p.nonce = "n-4f1c2a";
  p.tag = "onceonly";
  return p;
}

const VerifyRequirements kStrict{{"@method", "@path", "content-digest", "date"}, true, true};

KeyLookup only(std::string keyId, Ed25519PublicKey publicKey) {
  return [=](const std::string& id) -> std::optional<Ed25519PublicKey> {
    if (id == keyId) return publicKey;
    return std::nullopt;
  };
}

// RFC 9530 appendix B: the examples' content is {"hello": "world"} followed by a line feed.
TEST(ContentDigest, MatchesTheRfc9530Example) {
  const std::string body = "{\"hello\": \"world\"}\n";
  EXPECT_EQ(contentDigest(body), "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:");
  EXPECT_TRUE(contentDigestMatches("sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:", body));
  EXPECT_FALSE(contentDigestMatches("sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:",
                                    "{\"hello\": \"world\"}"));
  EXPECT_TRUE(contentDigestMatches(contentDigest(""), ""));
}

TEST(ContentDigest, OnlyTheSha256MemberCounts) {
  const std::string body = R"({"amount": 100})";
  const std::string digest = contentDigest(body);
  EXPECT_TRUE(contentDigestMatches(digest, body));
  EXPECT_FALSE(contentDigestMatches(digest, R"({"amount": 1000})"));
  // Other algorithms are ignored, whatever they say and wherever they stand.
  EXPECT_TRUE(contentDigestMatches("sha-512=:AAAA:, " + digest, body));
  EXPECT_TRUE(contentDigestMatches(digest + ",md5=:AAAA:;x=1", body));
  // A sha-512 digest alone (RFC 9421's test request) cannot vouch for a body here.
  EXPECT_FALSE(
      contentDigestMatches(rfcTestRequest().headers["content-digest"], "{\"hello\": \"world\"}"));
  // Without its padding the byte sequence still decodes, as RFC 8941 asks.
  std::string unpadded = digest;
  unpadded.replace(unpadded.size() - 2, 2, ":");  // "...=:" to "...:"
  EXPECT_TRUE(contentDigestMatches(unpadded, body));
}

TEST(ContentDigest, MalformedHeadersDoNotMatch) {
  const std::string body = "x";
  const std::string b64 = base64(sha256(body));
  const std::string headers[] = {"",
                                 "garbage",
                                 "sha-256",
                                 "sha-256=" + b64,
                                 "sha-256=\"" + b64 + "\"",
                                 "sha-256=:" + b64,
                                 "sha-256=:" + b64 + ":,",
                                 "sha-256=(:" + b64 + ":)",
                                 "sha-256=:!!" + b64 + ":",
                                 "SHA-256=:" + b64 + ":",
                                 "sha-256=:" + b64 + ":, sha-256=:" + b64 + ":"};
  for (const auto& header : headers) EXPECT_FALSE(contentDigestMatches(header, body)) << header;
}

// RFC 9421 appendix B.2.6: Ed25519 is deterministic, so the base, both fields and the signature
// must come out byte for byte as published.
TEST(HttpSignature, MatchesTheRfc9421Ed25519Example) {
  const auto key = Ed25519Key::fromSeed(lastBytesOf<Ed25519Seed>(kRfcPrivateKey));
  const auto publicKey = lastBytesOf<Ed25519PublicKey>(kRfcPublicKey);
  ASSERT_EQ(key.publicKey(), publicKey);

  const auto request = rfcTestRequest();
  EXPECT_EQ(signatureBase(request, rfcB26Params()),
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
            "\"@method\": POST\n"
            "\"@path\": /foo\n"
            "\"@authority\": example.com\n"
            "\"content-type\": application/json\n"
            "\"content-length\": 18\n"
            "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" "
            "\"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"");

  const std::string input =
      "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" "
      "\"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";
  const std::string signature =
      "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpB"
      "KRCw==:";
  const auto headers = signRequest(request, rfcB26Params(), key, "sig-b26");
  EXPECT_EQ(headers.signatureInput, input);
  EXPECT_EQ(headers.signature, signature);

  const auto keys = only("test-key-ed25519", publicKey);
  const VerifyRequirements required{{"@method", "@path", "@authority"}, true, false};
  auto result = verifyRequest(request, input, signature, keys, required);
  ASSERT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.params.components, rfcB26Params().components);
  EXPECT_EQ(result.params.created, 1618884473);
  EXPECT_EQ(result.params.keyId, "test-key-ed25519");
  EXPECT_EQ(result.params.alg, "");
  EXPECT_FALSE(result.params.expires);
  EXPECT_TRUE(verifyRequest(request, input, signature, keys, required, "sig-b26").ok);
  EXPECT_EQ(verifyRequest(request, input, signature, keys, required, "sig1").problem,
            "no signature labelled sig1");
}

TEST(HttpSignature, FieldValuesAreTrimmedAndTheAuthorityLowered) {
  auto request = rfcTestRequest();
  const std::string base = signatureBase(request, rfcB26Params());
  request.headers["date"] = " \tTue, 20 Apr 2021 02:07:55 GMT  ";
  request.authority = "Example.COM";
  EXPECT_EQ(signatureBase(request, rfcB26Params()), base);

  SignatureParams p;
  p.components = {"@query", "@request-target"};
  request.query.clear();
  EXPECT_EQ(signatureBase(request, p),
            "\"@query\": ?\n\"@request-target\": /foo\n\"@signature-params\": (\"@query\" "
            "\"@request-target\");alg=\"ed25519\"");
}

TEST(HttpSignature, RoundTripsWithEveryParameter) {
  const auto key = Ed25519Key::generate();
  const std::string body = R"({"person": "psn_0123", "field": "income"})";
  const auto request = connectorRequest(body);
  const auto headers = signRequest(request, connectorParams(), key);
  EXPECT_EQ(headers.signatureInput,
            "sig1=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\" \"date\")"
            ";created=1714989600;keyid=\"dept-tax-2024\";alg=\"ed25519\";expires=1714989900"
            ";nonce=\"n-4f1c2a\";tag=\"onceonly\"");

  const auto result = verifyRequest(request, headers.signatureInput, headers.signature,
                                    only("dept-tax-2024", key.publicKey()), kStrict);
  ASSERT_TRUE(result.ok) << result.problem;
  EXPECT_TRUE(result.problem.empty());
  EXPECT_EQ(result.params.components, connectorParams().components);
  EXPECT_EQ(result.params.created, 1714989600);
  EXPECT_EQ(result.params.expires, 1714989900);
  EXPECT_EQ(result.params.keyId, "dept-tax-2024");
  EXPECT_EQ(result.params.nonce, "n-4f1c2a");
  EXPECT_EQ(result.params.alg, "ed25519");
  EXPECT_EQ(result.params.tag, "onceonly");
  EXPECT_TRUE(contentDigestMatches(request.headers.at("content-digest"), body));
}

TEST(HttpSignature, AnyChangeToWhatIsCoveredBreaksTheSignature) {
  const auto key = Ed25519Key::generate();
  const auto request = connectorRequest("{}");
  const auto headers = signRequest(request, connectorParams(), key);
  const auto keys = only("dept-tax-2024", key.publicKey());
  auto problemWith = [&](SignedRequest changed) {
    return verifyRequest(changed, headers.signatureInput, headers.signature, keys, kStrict).problem;
  };
  EXPECT_EQ(problemWith(request), "");

  auto changed = request;
  changed.method = "PUT";
  EXPECT_EQ(problemWith(changed), "bad signature");
  changed = request;
  changed.path = "/records/1";
  EXPECT_EQ(problemWith(changed), "bad signature");
  changed = request;
  changed.query = "?since=1970-01-01";
  EXPECT_EQ(problemWith(changed), "bad signature");
  changed = request;
  changed.authority = "attacker.example:9000";
  EXPECT_EQ(problemWith(changed), "bad signature");
  changed = request;
  changed.headers["date"] = "Tue, 07 May 2024 10:00:00 GMT";
  EXPECT_EQ(problemWith(changed), "bad signature");
  // A new body needs a new digest, which the signature does not cover.
  changed = request;
  changed.headers["content-digest"] = contentDigest("{\"x\": 1}");
  EXPECT_EQ(problemWith(changed), "bad signature");
  // Fields the signature does not cover may change.
  changed = request;
  changed.headers["content-type"] = "text/plain";
  changed.headers["user-agent"] = "connector/2";
  EXPECT_EQ(problemWith(changed), "");

  // A tampered body keeps the signature valid but no longer matches its digest.
  EXPECT_FALSE(contentDigestMatches(request.headers.at("content-digest"), "{ }"));

  auto forged = headers.signature;
  forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verifyRequest(request, headers.signatureInput, forged, keys, kStrict).problem,
            "bad signature");
  const auto stranger = Ed25519Key::generate();
  EXPECT_EQ(verifyRequest(request, headers.signatureInput, headers.signature,
                          only("dept-tax-2024", stranger.publicKey()), kStrict)
                .problem,
            "bad signature");
}

TEST(HttpSignature, TheParametersAreCoveredInTheOrderSent) {
  const auto key = Ed25519Key::generate();
  const auto request = connectorRequest("{}");
  const auto keys = only("k1", key.publicKey());
  const VerifyRequirements required{{"@method", "@path"}, true, false};
  // Another implementation's order and spacing: the base uses the order sent, in RFC 8941's
  // serialization.
  const std::string base =
      "\"@method\": POST\n\"@path\": /records\n"
      "\"@signature-params\": (\"@method\" \"@path\");keyid=\"k1\";created=1714989600";
  const std::string signature = "sig1=:" + base64(toBytes(key.sign(base))) + ":";
  const std::string input = "sig1=(\"@method\" \"@path\");keyid=\"k1\";created=1714989600";
  const std::string spaced = "sig1=(  \"@method\"   \"@path\" );  keyid=\"k1\";created=1714989600";
  EXPECT_TRUE(verifyRequest(request, input, signature, keys, required).ok);
  EXPECT_TRUE(verifyRequest(request, spaced, signature, keys, required).ok);
  const std::string reordered = "sig1=(\"@method\" \"@path\");created=1714989600;keyid=\"k1\"";
  EXPECT_EQ(verifyRequest(request, reordered, signature, keys, required).problem, "bad signature");
  const std::string extra = "sig1=(\"@method\" \"@path\");keyid=\"k1\";created=1714989600;x=1";
  EXPECT_EQ(verifyRequest(request, extra, signature, keys, required).problem, "bad signature");
}

TEST(HttpSignature, RefusesUnknownKeysAndOtherAlgorithms) {
  const auto key = Ed25519Key::generate();
  const auto request = connectorRequest("{}");
  const auto headers = signRequest(request, connectorParams(), key);
  EXPECT_EQ(verifyRequest(request, headers.signatureInput, headers.signature,
                          only("dept-health", key.publicKey()), kStrict)
                .problem,
            "unknown key dept-tax-2024");

  auto rsa = connectorParams();
  rsa.alg = "rsa-pss-sha512";
  const auto claimed = signRequest(request, rsa, key);
  EXPECT_EQ(verifyRequest(request, claimed.signatureInput, claimed.signature,
                          only("dept-tax-2024", key.publicKey()), kStrict)
                .problem,
            "alg rsa-pss-sha512 is not ed25519");

  auto anonymous = connectorParams();
  anonymous.keyId.clear();
  const auto unnamed = signRequest(request, anonymous, key);
  EXPECT_EQ(verifyRequest(request, unnamed.signatureInput, unnamed.signature,
                          only("", key.publicKey()), kStrict)
                .problem,
            "no keyid parameter");
}

TEST(HttpSignature, RefusesSignaturesThatLeaveOutWhatIsRequired) {
  const auto key = Ed25519Key::generate();
  const auto request = connectorRequest("{}");
  const auto keys = only("dept-tax-2024", key.publicKey());
  auto problemWith = [&](const SignatureParams& p) {
    const auto headers = signRequest(request, p, key);
    return verifyRequest(request, headers.signatureInput, headers.signature, keys, kStrict).problem;
  };
  auto p = connectorParams();
  p.components = {"@method", "@path", "date"};
  EXPECT_EQ(problemWith(p), "required component content-digest not covered");
  p = connectorParams();
  p.nonce.clear();
  EXPECT_EQ(problemWith(p), "no nonce parameter");
  p = connectorParams();
  p.created.reset();
  EXPECT_EQ(problemWith(p), "no created parameter");
}

TEST(HttpSignature, RefusesACoveredComponentTheRequestLacks) {
  const auto key = Ed25519Key::generate();
  auto request = connectorRequest("{}");
  const auto headers = signRequest(request, connectorParams(), key);
  request.headers.erase("date");
  EXPECT_EQ(verifyRequest(request, headers.signatureInput, headers.signature,
                          only("dept-tax-2024", key.publicKey()), kStrict)
                .problem,
            "covered component date missing from the request");
  // A value with a line break could pose as more lines of the base.
  request.headers["date"] = "Mon, 06 May 2024\n\"@path\": /";
  EXPECT_EQ(verifyRequest(request, headers.signatureInput, headers.signature,
                          only("dept-tax-2024", key.publicKey()), kStrict)
                .problem,
            "covered component date missing from the request");
}

TEST(HttpSignature, ChoosesASignatureByLabel) {
  const auto platform = Ed25519Key::generate();
  const auto proxy = Ed25519Key::generate();
  const auto request = connectorRequest("{}");
  const auto first = signRequest(request, connectorParams(), platform, "sig1");
  auto proxyParams = connectorParams();
  proxyParams.keyId = "proxy";
  const auto second = signRequest(request, proxyParams, proxy, "proxy-sig");
  const std::string inputs = first.signatureInput + ", " + second.signatureInput;
  const std::string signatures = first.signature + ", " + second.signature;
  const KeyLookup keys = [&](const std::string& id) -> std::optional<Ed25519PublicKey> {
    if (id == "dept-tax-2024") return platform.publicKey();
    if (id == "proxy") return proxy.publicKey();
    return std::nullopt;
  };
  EXPECT_EQ(verifyRequest(request, inputs, signatures, keys, kStrict).problem,
            "several signatures and no label to choose one");
  EXPECT_TRUE(verifyRequest(request, inputs, signatures, keys, kStrict, "sig1").ok);
  const auto result = verifyRequest(request, inputs, signatures, keys, kStrict, "proxy-sig");
  ASSERT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.params.keyId, "proxy");
}

TEST(HttpSignature, MalformedFieldsAreRefusedWithAReason) {
  const auto key = Ed25519Key::generate();
  const auto request = connectorRequest("{}");
  const auto headers = signRequest(request, connectorParams(), key);
  const auto keys = only("dept-tax-2024", key.publicKey());
  const std::string input = headers.signatureInput;
  const std::string signature = headers.signature;
  const std::string params = input.substr(input.find(')') + 1);
  const std::string badInputs[] = {
      "",
      "garbage!",
      "sig1",
      "sig1=",
      "sig1=(",
      "sig1=(\"@method\"",
      "sig1=\"@method\"",
      "Sig1=(\"@method\")",
      input + ",",
      input + ", " + input,
      "sig1=(@method @path)" + params,
      "sig1=(\"@method\";req \"@path\")" + params,
      "sig1=(\"@method\" \"@method\")" + params,
      "sig1=(\"@method\" \"\")" + params,
      "sig1=(\"@target-uri\" \"@path\")" + params,
      "sig1=(\"@method\" \"@path\");created=\"1714989600\";keyid=\"dept-tax-2024\"",
      "sig1=(\"@method\" \"@path\");created=1714989600;keyid=dept",
      "sig1=(\"@method\" \"@path\");created=1714989600;created=1;keyid=\"dept-tax-2024\"",
      "sig1=(\"@method\" \"@path\");created=1234567890123456;keyid=\"dept-tax-2024\"",
      "sig1=(\"@method\" \"@path\");created=1714989600;keyid=\"dept\x01\"",
      "other=" + input.substr(5),
  };
  for (const auto& bad : badInputs) {
    const auto result = verifyRequest(request, bad, signature, keys, kStrict);
    EXPECT_FALSE(result.ok) << bad;
    EXPECT_FALSE(result.problem.empty()) << bad;
  }
  const std::string badSignatures[] = {
      "",
      "sig1",
      "sig1=:not base64!:",
      "sig1=:" + base64("too short") + ":",
      "sig1=\"" + signature.substr(6, signature.size() - 7) + "\"",
      "sig1=(" + signature.substr(5) + ")",
      signature.substr(0, signature.size() - 1),
      "sig2" + signature.substr(4),
  };
  for (const auto& bad : badSignatures) {
    const auto result = verifyRequest(request, input, bad, keys, kStrict);
    EXPECT_FALSE(result.ok) << bad;
    EXPECT_FALSE(result.problem.empty()) << bad;
  }
  EXPECT_EQ(verifyRequest(request, "sig1=(", signature, keys, kStrict).problem,
            "malformed Signature-Input header");
  EXPECT_EQ(verifyRequest(request, input, "sig1=:not base64!:", keys, kStrict).problem,
            "malformed Signature header");
  EXPECT_EQ(verifyRequest(request, input, "sig2" + signature.substr(4), keys, kStrict).problem,
            "no signature labelled sig1");
  EXPECT_EQ(
      verifyRequest(request, "sig1=(\"@target-uri\")" + params, signature, keys, {{}, true, true})
          .problem,
      "unsupported component @target-uri");
  EXPECT_TRUE(verifyRequest(request, input, signature, keys, kStrict).ok);
}

// Every proper prefix of either field is refused, never accepted and never a crash: a cheap
// stand-in for fuzzing the parser.
TEST(HttpSignature, EveryTruncationIsRefused) {
  const auto key = Ed25519Key::generate();
  const auto request = connectorRequest("{}");
  const auto headers = signRequest(request, connectorParams(), key);
  const auto keys = only("dept-tax-2024", key.publicKey());
  for (std::size_t n = 0; n < headers.signatureInput.size(); ++n)
    EXPECT_FALSE(verifyRequest(request, headers.signatureInput.substr(0, n), headers.signature,
                               keys, kStrict)
                     .ok)
        << n;
  for (std::size_t n = 0; n < headers.signature.size(); ++n)
    EXPECT_FALSE(verifyRequest(request, headers.signatureInput, headers.signature.substr(0, n),
                               keys, kStrict)
                     .ok)
        << n;
}

TEST(HttpSignature, SigningRefusesWhatCannotBeSigned) {
  const auto key = Ed25519Key::generate();
  const auto request = connectorRequest("{}");
  auto p = connectorParams();
  p.components.push_back("x-missing");
  EXPECT_THROW(signRequest(request, p, key), std::invalid_argument);
  p = connectorParams();
  p.components = {"Date"};
  EXPECT_THROW(signRequest(request, p, key), std::invalid_argument);
  p = connectorParams();
  p.components = {"@target-uri"};
  EXPECT_THROW(signRequest(request, p, key), std::invalid_argument);
  p = connectorParams();
  p.nonce = "line\nbreak";
  EXPECT_THROW(signRequest(request, p, key), std::invalid_argument);
  EXPECT_THROW(signRequest(request, connectorParams(), key, "Sig1"), std::invalid_argument);
  EXPECT_THROW(signRequest(request, connectorParams(), key, ""), std::invalid_argument);
  EXPECT_NO_THROW(signRequest(request, connectorParams(), key, "sig-b26"));
}

}  // namespace
}  // namespace onceonly::crypto
