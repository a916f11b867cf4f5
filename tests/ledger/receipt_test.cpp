#include "ledger/receipt.h"

#include <gtest/gtest.h>

namespace onceonly::ledger {
namespace {

struct Fixture {
  Signer log = Signer::generate("gov.example/ledger");
  Signer w1 = Signer::generate("w1.example", KeyType::Cosignature);
  Signer w2 = Signer::generate("w2.example", KeyType::Cosignature);
  MemoryTree tree;

  Fixture() {
    for (int i = 0; i < 37; ++i) tree.append(leafHash(entry(i)));
  }
  static std::string entry(int i) { return "{\"n\":" + std::to_string(i) + "}"; }
  std::string checkpoint(std::uint64_t size, bool cosigned) {
    std::string text = checkpointText({"gov.example/ledger", size, rootHash(tree, size), {}});
    Note note{text, {log.sign(text)}};
    if (cosigned) note.signatures.push_back(w1.cosign(text, 1800000000));
    return formatNote(note);
  }
  ReceiptProof receipt(std::uint64_t index, std::uint64_t size, bool cosigned = true) {
    return {index, tree.node(0, index), size, inclusionProof(tree, index, size),
            checkpoint(size, cosigned)};
  }
  TrustPolicy policy(std::size_t quorum = 1) {
    return {log.verifier(), {w1.verifier(), w2.verifier()}, quorum};
  }
};

TEST(Receipt, ChecksOfflineAgainstTheLogKeyAndTheWitnesses) {
  Fixture f;
  auto r = f.receipt(11, 30);
  // It survives being written out and read back.
  auto back = ReceiptProof::fromJson(nlohmann::json::parse(r.toJson().dump()));
  auto check = checkReceipt(back, f.policy(), Fixture::entry(11));
  EXPECT_TRUE(check.ok) << check.problem;
  EXPECT_EQ(check.cosignedBy, std::vector<std::string>{"w1.example"});
  // The log grew honestly: the newer checkpoint extends the receipt's tree.
  auto still =
      checkStillIncluded(r, f.policy(), f.checkpoint(37, true), consistencyProof(f.tree, 30, 37));
  EXPECT_TRUE(still.ok) << still.problem;
}

TEST(Receipt, NamesWhatDoesNotHold) {
  Fixture f;
  auto expectProblem = [&](const ReceiptProof& r, const std::string& words,
                           const TrustPolicy& policy, std::optional<std::string> entry = {}) {
    auto check = checkReceipt(r, policy, entry);
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.problem.find(words), std::string::npos) << check.problem;
  };
  auto r = f.receipt(5, 20);
  auto tampered = r;
  tampered.leafHash[0] ^= 1;
  expectProblem(tampered, "inclusion proof", f.policy());
  tampered = r;
  tampered.inclusionProof.pop_back();
  expectProblem(tampered, "inclusion proof", f.policy());
  tampered = r;
  tampered.treeSize = 21;  // a proof for the wrong size
  expectProblem(tampered, "size 21", f.policy());
  tampered = r;
  tampered.index = 20;
  expectProblem(tampered, "past the end", f.policy());
  tampered = r;
  tampered.checkpoint[tampered.checkpoint.find('\n') + 1] = '9';  // a forged size line
  expectProblem(tampered, "not signed by the log key", f.policy());
  expectProblem(r, "not signed by the log key",
                TrustPolicy{Signer::generate("gov.example/ledger").verifier(), {}, 0});
  expectProblem(f.receipt(5, 20, false), "0 valid witness cosignature(s)", f.policy());
  expectProblem(r, "policy wants 2", f.policy(2));
  expectProblem(r, "does not hash", f.policy(), Fixture::entry(6));
  // A rewritten log: the same key signs a tree of other entries.
  MemoryTree other;
  for (int i = 0; i < 37; ++i) other.append(leafHash("rewritten " + std::to_string(i)));
  std::string text = checkpointText({"gov.example/ledger", 37, rootHash(other, 37), {}});
  Note forged{text, {f.log.sign(text), f.w1.cosign(text, 1800000001)}};
  auto still =
      checkStillIncluded(r, f.policy(), formatNote(forged), consistencyProof(other, 20, 37));
  EXPECT_FALSE(still.ok);
  EXPECT_NE(still.problem.find("rewritten"), std::string::npos);
  for (const char* bad : {R"({})", R"({"index":-1,"tree_size":2})",
                          R"({"index":1,"tree_size":2,"leaf_hash":"AAAA"})", R"([1])"})
    EXPECT_THROW(ReceiptProof::fromJson(nlohmann::json::parse(bad)), std::invalid_argument) << bad;
}

}  // namespace
}  // namespace onceonly::ledger
