// The Merkle tree of RFC 9162 §2.1 (Certificate Transparency 2.0), exactly: leaf hash
// SHA-256(0x00 ‖ entry), interior node SHA-256(0x01 ‖ left ‖ right), the empty tree's hash
// SHA-256(""), the split at the largest power of two below n, and the inclusion and
// consistency proofs with their verification algorithms (§2.1.3, §2.1.4), so that any
// independent RFC 9162 implementation checks our proofs and we check theirs.
//
// Storage: a tree is read through NodeReader, which returns the hash of a perfect subtree
// (2^level leaves starting at index·2^level). The root, an inclusion proof and a consistency
// proof each need O(log n) perfect-subtree hashes per proof element on the right edge, never a
// pass over the leaves.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onceonly::ledger {

using Hash = std::array<std::uint8_t, 32>;

Hash leafHash(std::string_view entry);
Hash nodeHash(const Hash& left, const Hash& right);
Hash emptyRoot();
std::string toHex(const Hash& h);
void appendHex(std::string& out, const Hash& h);
std::optional<Hash> hashFromHex(std::string_view hex);  // nullopt unless 64 hex digits
std::string hashToBase64(const Hash& h);
std::optional<Hash> hashFromBase64(const std::string& s);  // nullopt unless 32 bytes

// Hashes of perfect subtrees of one tree. Only subtrees that lie wholly within the tree size
// being asked about are requested.
class NodeReader {
 public:
  virtual ~NodeReader() = default;
  virtual Hash node(int level, std::uint64_t index) = 0;
};

// MTH(D[start:end]) for a range that RFC 9162's recursion produces (start aligned to a power of
// two at least as large as the range, or the whole tree).
Hash rangeHash(NodeReader& tree, std::uint64_t start, std::uint64_t end);
Hash rootHash(NodeReader& tree, std::uint64_t size);

// PATH(index, D[size]) of §2.1.3.1. Requires index < size.
std::vector<Hash> inclusionProof(NodeReader& tree, std::uint64_t index, std::uint64_t size);
// PROOF(first, D[second]) of §2.1.4.1. Requires first <= second; empty when first is 0 or equal.
std::vector<Hash> consistencyProof(NodeReader& tree, std::uint64_t first, std::uint64_t second);

// §2.1.3.2 and §2.1.4.2.
bool verifyInclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf,
                     const std::vector<Hash>& proof, const Hash& root);
bool verifyConsistency(std::uint64_t first, std::uint64_t second, const Hash& firstRoot,
                       const Hash& secondRoot, const std::vector<Hash>& proof);

// A tree in memory that keeps every perfect subtree hash: appends are O(log n) amortised O(1).
// Used by tests and by tools that rebuild a tree from its entries.
class MemoryTree : public NodeReader {
 public:
  std::uint64_t append(const Hash& leaf);  // returns the leaf's index
  std::uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  Hash node(int level, std::uint64_t index) override;
  Hash root() { return rootHash(*this, size()); }

 private:
  std::vector<std::vector<Hash>> levels_;  // levels_[l][i]: perfect subtree (l, i)
};

}  // namespace onceonly::ledger
