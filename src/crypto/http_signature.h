// Signed HTTP requests between the platform and the departments' connectors: HTTP Message
// Signatures (RFC 9421) with Ed25519 only, and the Content-Digest field (RFC 9530) that lets a
// signature cover the body. The signature proves who sent the covered parts of a request; it
// says nothing about when. Freshness and replay (how old `created` may be, whether a nonce was
// seen before, whether `expires` has passed) are the caller's policy, decided on the parameters
// verifyRequest returns. Plain types in and out: the http layer translates its requests into
// SignedRequest.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"

namespace onceonly::crypto {

// The Content-Digest field value for a body: "sha-256=:<base64 of SHA-256(body)>:".
std::string contentDigest(std::string_view body);
// True when the Content-Digest field value holds a sha-256 member that matches body. Other
// algorithms in the dictionary are ignored; a header without sha-256, or one that is not a
// well-formed structured-field dictionary (RFC 8941; a key twice counts as malformed), does not
// match.
bool contentDigestMatches(std::string_view header, std::string_view body);

// The parts of a request a signature can cover.
struct SignedRequest {
  std::string method;     // "POST"
  std::string authority;  // "connector.example:9000": host[:port]
  std::string path;       // "/records", without the query
  std::string query;      // "" or "?a=b", with its '?'
  // Lower-case field names; a field sent several times has its values joined by ", ".
  std::map<std::string, std::string> headers;
};

// A signature's metadata (RFC 9421 section 2.3) and what it covers, in order. Components are
// field names (lower case) or the derived @method, @authority, @path, @query and
// @request-target; component parameters (;sf, ;key, ;req...) are not supported.
struct SignatureParams {
  std::vector<std::string> components;  // e.g. {"@method", "@path", "content-digest", "date"}
  std::optional<std::int64_t> created;  // unix seconds; nullopt = no created parameter
  std::optional<std::int64_t> expires;
  std::string keyId;
  std::string nonce;            // "" = no nonce parameter
  std::string alg = "ed25519";  // "" = no alg parameter
  std::string tag;              // "" = no tag parameter
};

// The values of the Signature-Input and Signature fields for one signature.
struct SignatureHeaders {
  std::string signatureInput;
  std::string signature;
};

// The signature base (RFC 9421 section 2.5) the signature covers: one line per component, then
// "@signature-params" with the parameters in the order created, keyid, alg, expires, nonce, tag
// (the order of the RFC's examples). A value with a line break counts as absent, since it could
// pose as further lines. Throws std::invalid_argument when a covered component is absent or not
// supported, or a name or parameter cannot be written as a structured field: a signer's mistake.
std::string signatureBase(const SignedRequest& request, const SignatureParams& params);
// Signs under a label ("sig1"; lower case, as a structured-field key); throws as signatureBase.
SignatureHeaders signRequest(const SignedRequest& request, const SignatureParams& params,
                             const Ed25519Key& key, std::string_view label = "sig1");

// What a verifier insists on beyond a valid signature, so that a sender cannot leave out of the
// signature what the verifier relies on (the body's digest, the path...).
struct VerifyRequirements {
  std::vector<std::string> components;  // each must be covered, e.g. "@method", "content-digest"
  bool created = true;                  // the created parameter must be present
  bool nonce = false;                   // the nonce parameter must be present
};

// ok, and the signature's parameters as sent (alg is "" when the sender left it out); or a short
// English reason the signature was refused.
struct VerifyResult {
  bool ok = false;
  std::string problem;
  SignatureParams params;
};

// Finds the key that keyid names; nullopt when there is none.
using KeyLookup = std::function<std::optional<Ed25519PublicKey>(const std::string& keyId)>;

// Verifies the signature under label (or the only one present when label is empty) from the
// values of the Signature-Input and Signature fields. Refused: either field malformed, the label
// absent, an alg other than ed25519, a requirement not met, no keyid or an unknown one, a covered
// component absent from the request, a bad signature. The base is rebuilt with the parameters in
// the order the sender listed them. A signature covering "content-digest" proves the body only
// once contentDigestMatches(header, body) holds as well.
VerifyResult verifyRequest(const SignedRequest& request, std::string_view signatureInput,
                           std::string_view signature, const KeyLookup& keyFor,
                           const VerifyRequirements& required, std::string_view label = "");

}  // namespace onceonly::crypto
