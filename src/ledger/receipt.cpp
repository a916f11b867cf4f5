#include "ledger/receipt.h"

#include <set>
#include <stdexcept>

namespace onceonly::ledger {
namespace {

ReceiptCheck fail(std::string problem) {
  ReceiptCheck c;
  c.problem = std::move(problem);
  return c;
}

// The checkpoint when it is a note signed by the policy's log key with enough cosignatures.
std::optional<Checkpoint> trustedCheckpoint(const std::string& text, const TrustPolicy& policy,
                                            ReceiptCheck& check) {
  auto note = parseNote(text);
  auto cp = note ? parseCheckpoint(note->text) : std::nullopt;
  if (!cp) {
    check.problem = "the checkpoint is not a signed checkpoint note";
    return std::nullopt;
  }
  if (cp->origin != policy.log.name() || !policy.log.verifies(*note)) {
    check.problem = "the checkpoint is not signed by the log key " + policy.log.vkey();
    return std::nullopt;
  }
  // Each key counts once, however often the policy names it.
  std::set<std::string> counted;
  for (const auto& w : policy.witnesses)
    if (counted.insert(w.vkey()).second && w.cosignedAt(*note))
      check.cosignedBy.push_back(w.name());
  if (check.cosignedBy.size() < policy.quorum) {
    check.problem = "the checkpoint has " + std::to_string(check.cosignedBy.size()) +
                    " valid witness cosignature(s); the policy wants " +
                    std::to_string(policy.quorum);
    return std::nullopt;
  }
  return cp;
}

// A JSON array of base64 SHA-256 hashes; nullopt when it is anything else.
std::optional<std::vector<Hash>> hashList(const nlohmann::json& j) {
  if (!j.is_array()) return std::nullopt;
  std::vector<Hash> out;
  for (const auto& h : j) {
    auto hash = h.is_string() ? hashFromBase64(h.get<std::string>()) : std::nullopt;
    if (!hash) return std::nullopt;
    out.push_back(*hash);
  }
  return out;
}

}  // namespace

nlohmann::json ReceiptProof::toJson() const {
  nlohmann::json proof = nlohmann::json::array();
  for (const auto& h : inclusionProof) proof.push_back(hashToBase64(h));
  return {{"index", index},
          {"leaf_hash", hashToBase64(leafHash)},
          {"tree_size", treeSize},
          {"inclusion_proof", proof},
          {"checkpoint", checkpoint}};
}

ReceiptProof ReceiptProof::fromJson(const nlohmann::json& j) {
  auto need = [&](const char* name) -> const nlohmann::json& {
    if (!j.is_object() || !j.contains(name))
      throw std::invalid_argument(std::string("the receipt has no '") + name + "'");
    return j.at(name);
  };
  auto hash = [](const nlohmann::json& v, const std::string& what) {
    auto h = v.is_string() ? hashFromBase64(v.get<std::string>()) : std::nullopt;
    if (!h) throw std::invalid_argument(what + " is not a base64 SHA-256 hash");
    return *h;
  };
  ReceiptProof r;
  if (!need("index").is_number_unsigned() || !need("tree_size").is_number_unsigned())
    throw std::invalid_argument("index and tree_size must be non-negative integers");
  r.index = j["index"].get<std::uint64_t>();
  r.treeSize = j["tree_size"].get<std::uint64_t>();
  r.leafHash = hash(need("leaf_hash"), "leaf_hash");
  auto proof = hashList(need("inclusion_proof"));
  if (!proof) throw std::invalid_argument("inclusion_proof must be an array of base64 hashes");
  r.inclusionProof = std::move(*proof);
  if (!need("checkpoint").is_string()) throw std::invalid_argument("checkpoint must be text");
  r.checkpoint = j["checkpoint"].get<std::string>();
  return r;
}

ReceiptCheck checkReceipt(const ReceiptProof& receipt, const TrustPolicy& policy,
                          const std::optional<std::string>& entry) {
  ReceiptCheck check;
  auto cp = trustedCheckpoint(receipt.checkpoint, policy, check);
  if (!cp) return check;
  if (cp->size != receipt.treeSize)
    return fail("the receipt's proof is for a tree of size " + std::to_string(receipt.treeSize) +
                ", the checkpoint is for size " + std::to_string(cp->size));
  if (receipt.index >= receipt.treeSize)
    return fail("entry " + std::to_string(receipt.index) + " is past the end of a tree of size " +
                std::to_string(receipt.treeSize));
  if (!verifyInclusion(receipt.index, receipt.treeSize, receipt.leafHash, receipt.inclusionProof,
                       cp->root))
    return fail("the inclusion proof does not lead to the checkpoint's root");
  if (entry && leafHash(*entry) != receipt.leafHash)
    return fail("the entry given does not hash to the receipt's leaf hash");
  check.ok = true;
  return check;
}

ReceiptCheck checkStillIncluded(const ReceiptProof& receipt, const TrustPolicy& policy,
                                const std::string& newerCheckpoint,
                                const std::vector<Hash>& consistencyProof) {
  ReceiptCheck old;
  auto then = trustedCheckpoint(receipt.checkpoint, TrustPolicy{policy.log, {}, 0}, old);
  if (!then) return old;
  ReceiptCheck check;
  auto now = trustedCheckpoint(newerCheckpoint, policy, check);
  if (!now) return check;
  if (!verifyConsistency(then->size, now->size, then->root, now->root, consistencyProof))
    return fail("the log's checkpoint of size " + std::to_string(now->size) +
                " is not consistent with the receipt's of size " + std::to_string(then->size) +
                ": the log was rewritten");
  check.ok = true;
  return check;
}

ReceiptCheck checkLogStillHolds(const ReceiptProof& receipt, const TrustPolicy& policy,
                                const std::function<std::string(const std::string&)>& get) {
  const std::string latest = get(policy.quorum > 0 ? "checkpoint?witnessed=true" : "checkpoint");
  auto note = parseNote(latest);
  auto cp = note ? parseCheckpoint(note->text) : std::nullopt;
  if (!cp) return fail("the log's newest checkpoint is not a checkpoint note");
  if (cp->size < receipt.treeSize)
    return fail("the log's newest checkpoint, of size " + std::to_string(cp->size) +
                ", is smaller than the receipt's of size " + std::to_string(receipt.treeSize) +
                ": the log was cut back");
  auto answer =
      nlohmann::json::parse(get("proofs/consistency?first=" + std::to_string(receipt.treeSize) +
                                "&second=" + std::to_string(cp->size)),
                            nullptr, false);
  auto proof =
      answer.is_object() && answer.contains("proof") ? hashList(answer["proof"]) : std::nullopt;
  if (!proof) return fail("the log's consistency proof is not a list of base64 hashes");
  auto check = checkStillIncluded(receipt, policy, latest, *proof);
  check.newerSize = cp->size;
  return check;
}

}  // namespace onceonly::ledger
