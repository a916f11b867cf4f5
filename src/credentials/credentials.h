// Electronic certificates: the types a department defines, its signing keys, issuing (a W3C VC
// secured as `vc+jwt`, and on the holder's request an SD-JWT VC bound to the wallet's key),
// revoking and suspending through status lists, and the lists themselves as signed credentials.
// Claims, identifiers and the signed certificates are personal data: sealed at rest with the
// platform's data key; the holder is found by pseudonym. The routes (http_routes.cpp) decide
// who may do what; this class keeps the rules of the data.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/page.h"
#include "credentials/verify.h"
#include "crypto/ed25519.h"

namespace onceonly::store {
class Database;
class Connection;
}  // namespace onceonly::store
namespace onceonly::crypto {
class KeyRing;
}

namespace onceonly::credentials {

extern const std::vector<std::string> kClaimTypes;    // string date integer boolean
extern const std::vector<std::string> kSubjectKinds;  // person company
extern const std::vector<std::string> kStatuses;      // valid suspended revoked expired

struct FieldDef {
  std::string name;
  std::string type;
  std::string labelZh, labelEn;
  bool required = true;
};

struct CredentialType {
  std::string id;
  std::string code;
  std::string issuerOrgId;
  std::string nameZh, nameEn;
  std::string subjectKind;
  std::vector<FieldDef> fields;
  std::optional<int> validityDays;  // nullopt: valid until revoked
  nlohmann::json layout = nlohmann::json::object();
  std::string status = "active";
  std::string createdBy;
  std::string createdAt;
  // Set once the type is declared as a catalog resource (exchange source "credential").
  std::optional<std::string> resourceId;
};

struct IssuerKey {
  std::string kid;
  std::string orgId;
  crypto::Ed25519PublicKey publicKey{};
  std::string createdAt;
  std::optional<std::string> retiredAt;
};

struct Credential {
  std::string id;
  std::string typeId;
  std::string issuerOrgId;
  std::string holderPseudonym;
  std::string subjectMasked;
  nlohmann::json claims;
  std::string jwt;
  std::string kid;
  std::string statusListId;
  std::uint32_t statusIndex = 0;
  std::string status;  // valid, suspended, revoked (as stored; see state())
  std::optional<std::string> statusReason, statusChangedAt, statusChangedBy;
  std::string validFrom;
  std::optional<std::string> validUntil;
  std::string issuedBy;
  std::string issuedAt;
  std::string leafHash;  // base64 of the issuance's ledger leaf
  // The stored status, or "expired" for a valid one past validUntil.
  std::string state(const std::string& now) const;
};

struct TypeFilter {
  std::optional<std::string> issuerOrgId, subjectKind;
};
struct CredentialFilter {
  std::optional<std::string> holderPseudonym, issuerOrgId, typeId, status;
};

struct IssueInput {
  std::string typeId;
  std::string subject;  // resident ID or unified social credit code
  nlohmann::json claims = nlohmann::json::object();
  std::optional<std::string> validFrom, validUntil;
};

// What an issuance or a change of status puts on the ledger (and its leaf hash).
struct Issued {
  Credential credential;
  nlohmann::json ledgerEntry;
};

class Credentials {
 public:
  // publicUrl: where the platform is reached from outside, without a trailing '/'.
  Credentials(store::Database& db, const crypto::KeyRing& keys, std::string publicUrl);
  ~Credentials();

  // ----- URLs -------------------------------------------------------------------------------
  const std::string& publicUrl() const { return publicUrl_; }
  std::string issuerUrl(const std::string& orgId) const;
  std::string typeUrl(const std::string& typeId) const;
  std::string credentialUrl(const std::string& id) const;
  std::string statusListUrl(const std::string& listId, const std::string& purpose) const;
  std::string tokenStatusListUrl(const std::string& listId) const;
  std::string verifyUrl(const std::string& presented) const;
  // The organisation an issuer URL of this platform names (not checked against the tree).
  std::optional<std::string> orgOfIssuerUrl(const std::string& url) const;

  // ----- types ------------------------------------------------------------------------------
  // Adds a field error for each problem of a new type.
  static void checkType(const CredentialType& t, FieldErrors& e);
  CredentialType defineType(CredentialType t);  // 409 conflict.duplicate for a code in use
  std::optional<CredentialType> findType(const std::string& id);
  std::optional<CredentialType> findTypeByCode(const std::string& code);
  Page<CredentialType> types(const TypeFilter& f, ListQuery q);
  // Records that the catalog resource `resourceId` serves this type's certificates; 409
  // credentials.resource_declared when it has one already.
  void linkResource(const std::string& typeId, const std::string& resourceId);
  // The claims of the subject's newest certificate of the type a resource serves, valid now;
  // nullopt when the subject holds none (or no type is declared as that resource).
  std::optional<nlohmann::json> currentClaims(const std::string& resourceId,
                                              const std::string& subject);
  static const Sorting& typeSorting();

  // ----- keys -------------------------------------------------------------------------------
  // The department's keys, newest first; the first is current unless retired.
  std::vector<IssuerKey> keys(const std::string& orgId);
  std::vector<IssuerKey> allKeys();
  std::optional<IssuerKey> keyByKid(const std::string& kid);
  // A new current key; the previous one is retired but still verifies.
  IssuerKey rotate(const std::string& orgId);

  // ----- issuing and status -----------------------------------------------------------------
  // Checks and normalises the claims and period against the type (field errors under /claims,
  // /subject, /valid_from, /valid_until).
  void checkIssue(const CredentialType& t, IssueInput& in, FieldErrors& e) const;
  // On the caller's connection (in its transaction): the certificate, signed, with its status
  // slot.
  Issued issue(store::Connection& c, const CredentialType& t, const IssueInput& in,
               const std::string& by);
  std::optional<Credential> find(const std::string& id);
  // The type of a certificate, without unsealing it (what a verification names).
  std::optional<std::string> typeIdOf(const std::string& credentialId);
  Page<Credential> list(const CredentialFilter& f, ListQuery q);
  static const Sorting& credentialSorting();
  // revoke, suspend or reinstate; 409 credentials.status_transition when it cannot be.
  Issued changeStatus(const std::string& id, const std::string& action, const std::string& reason,
                      const std::string& by);
  // An SD-JWT VC of the certificate bound to the holder's key: "<jwt>~<d1>~…~", and each
  // disclosure with its claim.
  struct SdJwtIssued {
    std::string sdJwt;
    std::vector<std::pair<std::string, std::string>> disclosures;  // name, encoded
  };
  SdJwtIssued sdJwt(const Credential& c, const CredentialType& t,
                    const crypto::Ed25519PublicKey& holderKey);

  // ----- status lists -----------------------------------------------------------------------
  // The signed list (vc+jwt for "revocation"/"suspension", statuslist+jwt for "token"), as of
  // the list's latest change; nullptr for an unknown list or purpose.
  std::shared_ptr<const std::string> statusList(const std::string& listId,
                                                const std::string& purpose);
  // The list behind one of this platform's status URLs.
  std::shared_ptr<const std::string> statusListAt(const std::string& url);

  // ----- verification -----------------------------------------------------------------------
  // Whether an organisation is in the tree (set by the module from identity's service).
  void setOrgCheck(std::function<bool(const std::string& orgId)> known) {
    orgKnown_ = std::move(known);
  }
  Verdict verify(std::string_view presented, const VerifyOptions& options);
  // The subject an identifier names, for the pseudonym of its holder.
  std::string holderPseudonym(const std::string& subjectKind, const std::string& subject) const;

 private:
  struct SigningKey;
  struct ListCache;
  std::shared_ptr<const SigningKey> currentKey(store::Connection& c, const std::string& orgId);
  std::shared_ptr<const SigningKey> signingKey(store::Connection& c, const std::string& kid);
  std::pair<std::string, std::uint32_t> statusSlot(store::Connection& c, const std::string& orgId);
  nlohmann::json vcPayload(const Credential& c, const CredentialType& t) const;

  store::Database& db_;
  const crypto::KeyRing& keys_;
  std::string publicUrl_;
  std::function<bool(const std::string&)> orgKnown_;
  std::unique_ptr<Verifier> verifier_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const SigningKey>> signing_;  // by kid
  std::map<std::string, std::shared_ptr<const ListCache>> lists_;     // by list id
  std::map<std::string, IssuerKey> public_;                           // by kid, as first read
};

nlohmann::json typeToJson(const CredentialType& t);

}  // namespace onceonly::credentials
