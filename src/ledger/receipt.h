// Receipts: the proof a person or department keeps that an entry is in the log. A receipt names
// the entry (index and leaf hash), carries a signed checkpoint (with whatever cosignatures it
// had) and the RFC 9162 inclusion proof of the entry in that checkpoint's tree, so anyone can
// check it offline with the log's verifier key, and later check that the log still holds it by
// asking for a consistency proof to a newer checkpoint.
//
// As JSON: {"index", "leaf_hash" (base64), "tree_size", "inclusion_proof" ([base64]),
//           "checkpoint" (the signed note text)}.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/merkle.h"
#include "ledger/note.h"

namespace onceonly::ledger {

struct ReceiptProof {
  std::uint64_t index = 0;
  Hash leafHash{};
  std::uint64_t treeSize = 0;
  std::vector<Hash> inclusionProof;
  std::string checkpoint;

  nlohmann::json toJson() const;
  // Throws std::invalid_argument naming the field that is missing or malformed.
  static ReceiptProof fromJson(const nlohmann::json& j);
};

struct TrustPolicy {
  Verifier log;
  std::vector<Verifier> witnesses;  // cosignature keys
  std::size_t quorum = 0;           // cosignatures needed from them
};

struct ReceiptCheck {
  bool ok = false;
  std::string problem;                  // the first thing that did not hold
  std::vector<std::string> cosignedBy;  // witnesses whose cosignature verified
  std::uint64_t newerSize = 0;          // checkLogStillHolds: the size of the checkpoint checked
};

// Checks, in order: the checkpoint is a signed note by the log's key for tree_size; enough
// witnesses cosigned it; the inclusion proof leads from the leaf hash to its root; and, when
// the entry's text is given, that its leaf hash is the receipt's.
ReceiptCheck checkReceipt(const ReceiptProof& receipt, const TrustPolicy& policy,
                          const std::optional<std::string>& entry = std::nullopt);

// Checks that a newer checkpoint (signed by the same log) extends the receipt's tree.
ReceiptCheck checkStillIncluded(const ReceiptProof& receipt, const TrustPolicy& policy,
                                const std::string& newerCheckpoint,
                                const std::vector<Hash>& consistencyProof);

// Whether the log still holds the receipt's entry, as its server answers: asks `get` for the
// log's newest checkpoint (the newest it counts as witnessed when the policy wants
// cosignatures: its very newest may still be waiting for them) and for a consistency proof from
// the receipt's tree to it, then checks them. `get` takes a path below /api/v1/ledger/ and
// returns the body of a 200 answer; what it throws (the server cannot be reached, answers with
// an error) is thrown on.
ReceiptCheck checkLogStillHolds(const ReceiptProof& receipt, const TrustPolicy& policy,
                                const std::function<std::string(const std::string&)>& get);

}  // namespace onceonly::ledger
