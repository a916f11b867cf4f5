#include "ledger/merkle.h"

#include <openssl/evp.h>

#include <bit>
#include <memory>
#include <stdexcept>

#include "core/encoding.h"

namespace onceonly::ledger {
namespace {

// OpenSSL's SHA-256 uses the CPU's SHA extensions where there are any: about three times as
// fast as libsodium's portable code for a node (65 bytes), and a tree costs one hash per node.
// The digest is fetched once and each thread keeps one context.
Hash sha256(std::initializer_list<std::string_view> parts) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                                 EVP_MD_CTX_free);
  bool ok = md && ctx && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1;
  for (auto p : parts) ok = ok && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1;
  Hash out;
  unsigned int length = 0;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &length) == 1 && length == out.size();
  if (!ok) throw std::runtime_error("SHA-256 is not available from OpenSSL");
  return out;
}

std::string_view view(const Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

// The largest power of two strictly smaller than n (n > 1).
std::uint64_t split(std::uint64_t n) {
  return std::bit_floor(n - 1);
}

void subproof(NodeReader& t, std::uint64_t start, std::uint64_t m, std::uint64_t n, bool whole,
              std::vector<Hash>& out) {
  // SUBPROOF(m, D[start : start + n], whole) of RFC 9162 §2.1.4.1.
  if (m == n) {
    if (!whole) out.push_back(rangeHash(t, start, start + n));
    return;
  }
  std::uint64_t k = split(n);
  if (m <= k) {
    subproof(t, start, m, k, whole, out);
    out.push_back(rangeHash(t, start + k, start + n));
  } else {
    subproof(t, start + k, m - k, n - k, false, out);
    out.push_back(rangeHash(t, start, start + k));
  }
}

// Step shared by both verifiers (RFC 9162 §2.1.3.2 3b, §2.1.4.2 6b): after hashing a left
// sibling, climb while fn is a left child, until it is a right child or the root.
void skipLeftChildLevels(std::uint64_t& fn, std::uint64_t& sn) {
  while (!(fn & 1) && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Hash leafHash(std::string_view entry) {
  return sha256({std::string_view("\0", 1), entry});
}

Hash nodeHash(const Hash& left, const Hash& right) {
  return sha256({std::string_view("\1", 1), view(left), view(right)});
}

Hash emptyRoot() {
  return sha256({});
}

std::string hashToBase64(const Hash& h) {
  return base64(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

std::optional<Hash> hashFromBase64(const std::string& s) {
  auto raw = fromBase64(s);
  if (!raw || raw->size() != 32) return std::nullopt;
  Hash h{};
  std::copy(raw->begin(), raw->end(), h.begin());
  return h;
}

std::string toHex(const Hash& h) {
  std::string out;
  appendHex(out, h);
  return out;
}

void appendHex(std::string& out, const Hash& h) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::size_t at = out.size();
  out.resize(at + 64);
  for (std::size_t i = 0; i < h.size(); ++i) {
    out[at + 2 * i] = kHex[h[i] >> 4];
    out[at + 2 * i + 1] = kHex[h[i] & 15];
  }
}

std::optional<Hash> hashFromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Hash h{};
  for (std::size_t i = 0; i < 32; ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    h[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return h;
}

Hash rangeHash(NodeReader& t, std::uint64_t start, std::uint64_t end) {
  const std::uint64_t n = end - start;
  if (n == 0) return emptyRoot();
  if (std::has_single_bit(n) && start % n == 0)
    return t.node(std::countr_zero(n), start / n);  // a perfect subtree, stored as such
  std::uint64_t k = split(n);
  return nodeHash(rangeHash(t, start, start + k), rangeHash(t, start + k, end));
}

Hash rootHash(NodeReader& t, std::uint64_t size) {
  return rangeHash(t, 0, size);
}

std::vector<Hash> inclusionProof(NodeReader& t, std::uint64_t index, std::uint64_t size) {
  if (index >= size) throw std::out_of_range("leaf index past the tree size");
  // PATH(m, D[n]) unrolled from the top; the RFC lists the path from the leaf upwards.
  std::vector<Hash> path;
  std::uint64_t start = 0, n = size, m = index;
  while (n > 1) {
    std::uint64_t k = split(n);
    if (m < k) {
      path.push_back(rangeHash(t, start + k, start + n));
      n = k;
    } else {
      path.push_back(rangeHash(t, start, start + k));
      start += k;
      m -= k;
      n -= k;
    }
  }
  return {path.rbegin(), path.rend()};
}

std::vector<Hash> consistencyProof(NodeReader& t, std::uint64_t first, std::uint64_t second) {
  if (first > second) throw std::out_of_range("first tree size past the second");
  std::vector<Hash> out;
  if (first == 0 || first == second) return out;
  subproof(t, 0, first, second, true, out);
  return out;
}

bool verifyInclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf,
                     const std::vector<Hash>& proof, const Hash& root) {
  if (index >= size) return false;
  std::uint64_t fn = index, sn = size - 1;
  Hash r = leaf;
  for (const auto& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = nodeHash(p, r);
      skipLeftChildLevels(fn, sn);
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool verifyConsistency(std::uint64_t first, std::uint64_t second, const Hash& firstRoot,
                       const Hash& secondRoot, const std::vector<Hash>& proof) {
  if (first > second) return false;
  if (first == second) return proof.empty() && firstRoot == secondRoot;
  if (first == 0) return proof.empty();  // everything is consistent with the empty tree
  if (proof.empty()) return false;
  std::vector<Hash> path = proof;
  if (std::has_single_bit(first)) path.insert(path.begin(), firstRoot);
  std::uint64_t fn = first - 1, sn = second - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (std::size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      skipLeftChildLevels(fn, sn);
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == firstRoot && sr == secondRoot && sn == 0;
}

std::uint64_t MemoryTree::append(const Hash& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  std::uint64_t index = levels_[0].size();
  levels_[0].push_back(leaf);
  // Each completed pair makes a perfect subtree one level up.
  std::uint64_t i = index;
  for (std::size_t l = 0; i & 1; ++l, i >>= 1) {
    if (levels_.size() <= l + 1) levels_.emplace_back();
    levels_[l + 1].push_back(nodeHash(levels_[l][i - 1], levels_[l][i]));
  }
  return index;
}

Hash MemoryTree::node(int level, std::uint64_t index) {
  if (level < 0 || static_cast<std::size_t>(level) >= levels_.size() ||
      index >= levels_[static_cast<std::size_t>(level)].size())
    throw std::out_of_range("no such perfect subtree");
  return levels_[static_cast<std::size_t>(level)][index];
}

}  // namespace onceonly::ledger
