// The JOSE pieces certificates are made of, for what comes in from outside as much as for what
// goes out: compact JWS (RFC 7515) signed with EdDSA over Ed25519 (RFC 8037), Ed25519 public
// JWKs and their RFC 7638 thumbprints, JWK Sets, and SD-JWT (RFC 9901): disclosures, their
// digests and the parts of a presentation. Parsers take any bytes and answer with a value or a
// reason; they never throw for bad input and never trust a length or a nesting depth they did
// not check. Signing and verifying are crypto::Ed25519 (libsodium).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/ed25519.h"

namespace onceonly::credentials::jose {

// The largest token or presentation accepted (a certificate is a few kilobytes).
constexpr std::size_t kMaxTokenBytes = std::size_t{64} * 1024;
// JSON from outside nests no deeper than this.
constexpr int kMaxJsonDepth = 16;

// A JSON object from outside: nullopt unless `text` is valid UTF-8 JSON, an object, nested no
// deeper than kMaxJsonDepth, without duplicate member names.
std::optional<nlohmann::json> parseObject(std::string_view text);

struct Jws {
  nlohmann::json header;     // an object
  nlohmann::json payload;    // an object
  std::string signingInput;  // "<header>.<payload>" as received
  crypto::Ed25519Signature signature{};
};

// A compact JWS: three base64url segments, a JSON object header and payload, a 64-byte
// signature. Otherwise the reason: "malformed".
std::variant<Jws, std::string> parseCompact(std::string_view text);

// header gets "alg": "EdDSA" added; the compact serialisation.
std::string signCompact(nlohmann::json header, const nlohmann::json& payload,
                        const crypto::Ed25519Key& key);
bool verifySignature(const Jws& jws, const crypto::Ed25519PublicKey& key);

// {"kty":"OKP","crv":"Ed25519","x":…} with kid, use and alg when given.
nlohmann::json publicJwk(const crypto::Ed25519PublicKey& key, const std::string& kid = "");
// The public key of an Ed25519 JWK: kty OKP, crv Ed25519, x 32 bytes; a JWK holding a private
// part ("d") is refused, so that nobody mistakes a leaked private key for a public one.
std::optional<crypto::Ed25519PublicKey> publicKeyFromJwk(const nlohmann::json& jwk);
// RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 public key: its kid.
std::string thumbprint(const crypto::Ed25519PublicKey& key);
// The Ed25519 keys of a JWK Set by kid; keys of other kinds are skipped, a key without kid or
// a kid given twice makes the set malformed (nullopt).
std::optional<std::map<std::string, crypto::Ed25519PublicKey>> parseJwks(std::string_view text);

// ----- SD-JWT ----------------------------------------------------------------------------------

struct Disclosure {
  std::string encoded;  // base64url of the JSON array, as it travels
  std::string salt;
  std::string name;
  nlohmann::json value;
  std::string digest;  // base64url(SHA-256(encoded)): what `_sd` lists
};

// A disclosure of an object property, with 128 random bits of salt.
Disclosure makeDisclosure(const std::string& name, const nlohmann::json& value);
// A disclosure from outside: base64url of a JSON array [salt, name, value] with a string salt
// and a name that is not "_sd", "..." or a claim SD-JWT reserves.
std::optional<Disclosure> parseDisclosure(std::string_view encoded);
std::string digestOf(std::string_view encoded);

// An SD-JWT or a presentation: "<issuer JWT>~<disclosure>~…~[<KB-JWT>]".
struct SdJwt {
  std::string issuerJwt;
  std::vector<std::string> disclosures;
  std::optional<std::string> keyBinding;
  // Everything up to and including the last '~': what a KB-JWT's sd_hash covers.
  std::string boundPart;
};
// nullopt unless the text has the shape above (at least one '~', no empty disclosure).
std::optional<SdJwt> splitSdJwt(std::string_view text);
// base64url(SHA-256(text)).
std::string sdHash(std::string_view boundPart);

}  // namespace onceonly::credentials::jose
