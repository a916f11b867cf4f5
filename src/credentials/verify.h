// Verifying a certificate or a presentation from anyone: a `vc+jwt` credential (W3C VC 2.0 with
// JOSE) or an SD-JWT VC with its disclosures and key binding. Every check has its result and,
// when it fails, the precise reason; a check after a failed one is skipped, never guessed.
// What the verifier trusts (issuer keys, the organisation tree, status lists) comes through
// Trust, so that the same code verifies against the running platform, a test's fixtures or a
// fuzzer's input.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/ed25519.h"

namespace onceonly::credentials {

struct Check {
  std::string name;    // format, signature, issuer, validity, status, disclosures, key_binding
  std::string result;  // pass, fail, skip
  std::string reason;  // "" unless failed
};

struct Verdict {
  bool valid = false;
  std::string format;  // "vc+jwt", "sd-jwt", "" when not even that could be told
  std::string reason;  // the first failed check's reason
  std::vector<Check> checks;
  // Known once the signature checked out.
  std::string issuerOrgId;
  nlohmann::json payload;                            // the issuer-signed payload
  nlohmann::json claims = nlohmann::json::object();  // the subject's claims as shown (disclosed)
};

struct VerifyOptions {
  std::optional<std::string> audience;  // a presentation's KB-JWT must name it
  std::optional<std::string> nonce;     // and this nonce
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  // How old a key-binding JWT may be, and how far ahead of the clock.
  std::chrono::seconds keyBindingMaxAge{300};
  std::chrono::seconds clockSkew{60};
};

struct IssuerKeyInfo {
  std::string orgId;
  crypto::Ed25519PublicKey key{};
};

struct Trust {
  // The issuer key with this kid, retired ones included.
  std::function<std::optional<IssuerKeyInfo>(const std::string& kid)> key;
  // The organisation an issuer identifier (URL) names, when it is one in the tree.
  std::function<std::optional<std::string>(const std::string& issuer)> issuerOrg;
  // A status list credential by URL (vc+jwt or statuslist+jwt), when it can be had.
  std::function<std::shared_ptr<const std::string>(const std::string& url)> statusList;
};

class Verifier {
 public:
  explicit Verifier(Trust trust) : trust_(std::move(trust)) {}
  Verdict verify(std::string_view presented, const VerifyOptions& options) const;

 private:
  struct List;
  // A status list's entry, after checking the list's own signature (once per list text).
  // nullopt: the list could not be had or does not verify.
  std::optional<int> statusEntry(const std::string& url, const std::string& issuerOrgId,
                                 const std::string& purpose, std::uint32_t index) const;
  Trust trust_;
  mutable std::mutex mutex_;
  mutable std::vector<std::shared_ptr<const List>> lists_;  // the lists last verified, by url
};

}  // namespace onceonly::credentials
