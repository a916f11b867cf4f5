#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "support/test_support.h"

namespace onceonly::ledger {
namespace {

// The straightforward recursive definitions of RFC 9162 §2.1, over a list of leaf hashes.
std::uint64_t splitOf(std::uint64_t n) {
  return std::bit_floor(n - 1);
}

Hash refRoot(const std::vector<Hash>& d, std::size_t a, std::size_t b) {
  if (b == a) return emptyRoot();
  if (b - a == 1) return d[a];
  std::size_t k = splitOf(b - a);
  return nodeHash(refRoot(d, a, a + k), refRoot(d, a + k, b));
}

std::vector<Hash> refPath(const std::vector<Hash>& d, std::size_t m, std::size_t a, std::size_t b) {
  if (b - a <= 1) return {};
  std::size_t k = splitOf(b - a);
  std::vector<Hash> out;
  if (m < k) {
    out = refPath(d, m, a, a + k);
    out.push_back(refRoot(d, a + k, b));
  } else {
    out = refPath(d, m - k, a + k, b);
    out.push_back(refRoot(d, a, a + k));
  }
  return out;
}

std::vector<Hash> refSubproof(const std::vector<Hash>& d, std::size_t m, std::size_t a,
                              std::size_t b, bool whole) {
  if (m == b - a) return whole ? std::vector<Hash>{} : std::vector<Hash>{refRoot(d, a, b)};
  std::size_t k = splitOf(b - a);
  std::vector<Hash> out;
  if (m <= k) {
    out = refSubproof(d, m, a, a + k, whole);
    out.push_back(refRoot(d, a + k, b));
  } else {
    out = refSubproof(d, m - k, a + k, b, false);
    out.push_back(refRoot(d, a, a + k));
  }
  return out;
}

std::string bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s.push_back(static_cast<char>(b));
  return s;
}

TEST(Merkle, MatchesThePublishedTestVectors) {
  // The eight leaves and roots used by the Certificate Transparency reference implementation.
  const std::vector<std::string> leaves = {"",
                                           bytes({0x00}),
                                           bytes({0x10}),
                                           bytes({0x20, 0x21}),
                                           bytes({0x30, 0x31}),
                                           bytes({0x40, 0x41, 0x42, 0x43}),
                                           bytes({0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57}),
                                           bytes({0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
                                                  0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f})};
  const std::vector<std::string> roots = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  EXPECT_EQ(toHex(emptyRoot()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  MemoryTree t;
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    t.append(leafHash(leaves[i]));
    EXPECT_EQ(toHex(t.root()), roots[i]) << "size " << i + 1;
  }
}

// Every tree size up to a few hundred: proofs equal the recursive reference's and verify;
// changed proofs, wrong sizes and wrong roots do not.
TEST(Merkle, ProofsMatchTheReferenceForEverySize) {
  constexpr std::size_t kMax = 200;
  MemoryTree t;
  std::vector<Hash> leaves;
  std::vector<Hash> roots{emptyRoot()};
  for (std::size_t n = 1; n <= kMax; ++n) {
    leaves.push_back(leafHash("entry " + std::to_string(n - 1)));
    t.append(leaves.back());
    roots.push_back(t.root());
    ASSERT_EQ(roots[n], refRoot(leaves, 0, n)) << n;
  }
  for (std::size_t n = 1; n <= kMax; ++n) {
    for (std::size_t i = 0; i < n; ++i) {
      auto proof = inclusionProof(t, i, n);
      ASSERT_EQ(proof, refPath(leaves, i, 0, n)) << i << "/" << n;
      ASSERT_TRUE(verifyInclusion(i, n, leaves[i], proof, roots[n])) << i << "/" << n;
      if (i % 7 == 0) {
        EXPECT_FALSE(verifyInclusion(i, n, leaves[(i + 1) % n], proof, roots[n]) && n > 1);
        // Claiming a bigger tree with its root fails unless the proofs really are the same.
        if (n < kMax && inclusionProof(t, i, n + 1) != proof) {
          EXPECT_FALSE(verifyInclusion(i, n + 1, leaves[i], proof, roots[n + 1]));
        }
        if (!proof.empty()) {
          auto bad = proof;
          bad.back()[0] ^= 1;
          EXPECT_FALSE(verifyInclusion(i, n, leaves[i], bad, roots[n]));
          bad = proof;
          bad.pop_back();
          EXPECT_FALSE(verifyInclusion(i, n, leaves[i], bad, roots[n]));
        }
      }
    }
    for (std::size_t m = 0; m <= n; ++m) {
      auto proof = consistencyProof(t, m, n);
      if (m > 0 && m < n) {
        ASSERT_EQ(proof, refSubproof(leaves, m, 0, n, true)) << m << "/" << n;
      }
      ASSERT_TRUE(verifyConsistency(m, n, roots[m], roots[n], proof)) << m << "/" << n;
      if (m > 0 && m < n) {
        EXPECT_FALSE(verifyConsistency(m, n, roots[m], roots[n - 1], proof) &&
                     roots[n] != roots[n - 1]);
        auto bad = proof;
        bad[bad.size() / 2][5] ^= 0x80;
        EXPECT_FALSE(verifyConsistency(m, n, roots[m], roots[n], bad));
        if (m + 1 < n) {
          EXPECT_FALSE(verifyConsistency(m + 1, n, roots[m + 1], roots[n], proof));
        }
      }
    }
  }
  EXPECT_THROW(inclusionProof(t, kMax, kMax), std::out_of_range);
  EXPECT_FALSE(verifyInclusion(kMax, kMax, leaves[0], {}, roots[kMax]));
}

// An independent RFC 9162 verifier in another language accepts our proofs and refuses tampered
// ones.
TEST(Merkle, AnIndependentVerifierAgrees) {
  onceonly::testing::TempDir dir;
  MemoryTree t;
  std::vector<Hash> leaves, roots{emptyRoot()};
  for (int n = 1; n <= 70; ++n) {
    leaves.push_back(leafHash("e" + std::to_string(n)));
    t.append(leaves.back());
    roots.push_back(t.root());
  }
  auto list = [](const std::vector<Hash>& p) {
    std::string s = "[";
    for (std::size_t i = 0; i < p.size(); ++i) s += (i ? ",\"" : "\"") + toHex(p[i]) + "\"";
    return s + "]";
  };
  std::ostringstream in;
  std::vector<std::string> expected;
  for (std::uint64_t n = 1; n <= 70; n += 3) {
    for (std::uint64_t i = 0; i < n; i += 2) {
      auto p = inclusionProof(t, i, n);
      in << "{\"type\":\"inclusion\",\"index\":" << i << ",\"size\":" << n << ",\"leaf\":\""
         << toHex(leaves[i]) << "\",\"path\":" << list(p) << ",\"root\":\"" << toHex(roots[n])
         << "\"}\n";
      expected.push_back("ok");
      if (!p.empty()) {
        p[0][0] ^= 1;
        in << "{\"type\":\"inclusion\",\"index\":" << i << ",\"size\":" << n << ",\"leaf\":\""
           << toHex(leaves[i]) << "\",\"path\":" << list(p) << ",\"root\":\"" << toHex(roots[n])
           << "\"}\n";
        expected.push_back("fail");
      }
    }
    for (std::uint64_t m = 1; m < n; m += 2) {
      auto p = consistencyProof(t, m, n);
      in << "{\"type\":\"consistency\",\"first\":" << m << ",\"second\":" << n
         << ",\"first_root\":\"" << toHex(roots[m]) << "\",\"second_root\":\"" << toHex(roots[n])
         << "\",\"path\":" << list(p) << "}\n";
      expected.push_back("ok");
      in << "{\"type\":\"consistency\",\"first\":" << m << ",\"second\":" << n
         << ",\"first_root\":\"" << toHex(roots[m - 1]) << "\",\"second_root\":\""
         << toHex(roots[n]) << "\",\"path\":" << list(p) << "}\n";
      expected.push_back(roots[m - 1] == roots[m] ? "ok" : "fail");
    }
  }
  auto input = dir.path() / "cases.jsonl";
  auto output = dir.path() / "results.txt";
  std::ofstream(input) << in.str();
  std::string cmd = "python3 " + std::string(ONCEONLY_TEST_DIR) + "/ledger/rfc9162_verify.py < " +
                    input.string() + " > " + output.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream results(output);
  std::vector<std::string> got;
  for (std::string line; std::getline(results, line);) got.push_back(line);
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_EQ(got, expected);
  EXPECT_GT(std::count(expected.begin(), expected.end(), "fail"), 10);
}

}  // namespace
}  // namespace onceonly::ledger
