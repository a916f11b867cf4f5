#include "ledger/witness.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/encoding.h"
#include "support/test_support.h"

namespace onceonly::ledger {
namespace {

using Status = WitnessAnswer::Status;

const std::string kOrigin = "gov.example/ledger";

// A log in memory: entries, its tree, and checkpoints signed with its key.
struct TestLog {
  Signer key = Signer::generate(kOrigin);
  MemoryTree tree;
  std::string origin = kOrigin;

  void grow(int n, const std::string& salt = "") {
    for (int i = 0; i < n; ++i)
      tree.append(leafHash("entry " + std::to_string(tree.size()) + salt));
  }
  std::string checkpoint(std::uint64_t size) {
    std::string text = checkpointText({origin, size, rootHash(tree, size), {}});
    return formatNote({text, {key.sign(text)}});
  }
  std::string request(std::uint64_t old, std::uint64_t size) {
    return addCheckpointBody(old, consistencyProof(tree, old, size), checkpoint(size));
  }
};

TEST(Cosignature, SignsTheTimestampedCheckpointAndVerifies) {
  auto w = Signer::generate("witness.example/w1", KeyType::Cosignature);
  auto parsed = Verifier::parse(w.verifier().vkey());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->type(), KeyType::Cosignature);
  // The key ID commits to the type byte: the same key as a note key has another ID.
  std::string vkey = w.verifier().vkey();
  EXPECT_EQ(vkey[std::string("witness.example/w1+12345678+").size()], 'B');  // 0x04 …
  auto skey = Signer::parse(w.skey());
  ASSERT_TRUE(skey);
  EXPECT_EQ(skey->verifier().vkey(), vkey);

  const std::string text = "gov.example/ledger\n7\n" + base64(std::string(32, 'x')) + "\n";
  auto sig = w.cosign(text, 1679315147);
  ASSERT_EQ(sig.signature.size(), 72u);  // 8-byte timestamp and the Ed25519 signature
  EXPECT_EQ(static_cast<unsigned char>(sig.signature[7]), 1679315147u & 0xff);
  Note note{text, {sig}};
  EXPECT_EQ(parsed->cosignedAt(note), 1679315147u);
  EXPECT_TRUE(parsed->verifies(note));
  Note changed = note;
  changed.text = "gov.example/ledger\n8\n" + base64(std::string(32, 'x')) + "\n";
  EXPECT_FALSE(parsed->cosignedAt(changed));
  Note restamped = note;
  restamped.signatures[0].signature[7] ^= 1;  // another time, same signature
  EXPECT_FALSE(parsed->cosignedAt(restamped));
  // Kinds do not mix: a note key makes no cosignature, a cosignature key signs no note.
  EXPECT_THROW(w.sign(text), std::logic_error);
  EXPECT_THROW(Signer::generate(kOrigin).cosign(text, 1), std::logic_error);
  // A plain note signature by the same name is not a cosignature.
  auto lines = parseSignatureLines(formatSignatureLine(sig));
  ASSERT_TRUE(lines);
  EXPECT_EQ(lines->at(0).signature, sig.signature);
  EXPECT_FALSE(parseSignatureLines("not a signature line\n"));
}

class WitnessTest : public ::testing::Test {
 protected:
  onceonly::testing::TempDir dir;
  std::string state = (dir.path() / "state.json").string();
  TestLog log;
  Signer key = Signer::generate("finance.gov.example/witness", KeyType::Cosignature);
  std::uint64_t now = 1800000000;
  std::unique_ptr<Witness> witness = make();

  std::unique_ptr<Witness> make() {
    return std::make_unique<Witness>(key, std::vector<Verifier>{log.key.verifier()}, state,
                                     [this] { return now; });
  }
  // Sends the request; on success checks the cosignature against the checkpoint it cosigned.
  WitnessAnswer send(const std::string& body) {
    auto a = witness->addCheckpoint(body);
    if (a.status == Status::Cosigned) {
      auto blank = body.find("\n\n");
      auto note = parseNote(body.substr(blank + 2) + a.body);
      EXPECT_TRUE(note);
      if (note) {
        Note full = *note;
        EXPECT_EQ(key.verifier().cosignedAt(full), now);
      }
    }
    return a;
  }
  std::string evidence() {
    std::ifstream in(state + ".evidence");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

// A log whose checkpoints' origin is not its key's name (the Go checksum database signs
// "go.sum database tree" as sum.golang.org) is followed when the witness is told its origin.
TEST(WitnessOrigins, ALogMayNameItsCheckpointsOtherwiseThanItsKey) {
  onceonly::testing::TempDir dir;
  TestLog log;
  log.key = Signer::generate("sum.example");
  log.origin = "go.sum database tree";
  log.grow(4);
  Signer key = Signer::generate("w.example", KeyType::Cosignature);
  {
    Witness byKeyName(key, std::vector<Verifier>{log.key.verifier()},
                      (dir.path() / "a.json").string());
    EXPECT_EQ(byKeyName.addCheckpoint(log.request(0, 4)).status, Status::UnknownLog);
  }
  Witness byOrigin(key, std::vector<FollowedLog>{{log.origin, log.key.verifier()}},
                   (dir.path() / "b.json").string());
  EXPECT_EQ(byOrigin.addCheckpoint(log.request(0, 4)).status, Status::Cosigned);
  ASSERT_TRUE(byOrigin.state(log.origin));
  EXPECT_EQ(byOrigin.state(log.origin)->size, 4u);
  // Another key of the same name does not sign for it.
  TestLog impostor;
  impostor.key = Signer::generate("sum.example");
  impostor.origin = log.origin;
  impostor.grow(6);
  EXPECT_EQ(byOrigin.addCheckpoint(impostor.request(4, 6)).status, Status::BadSignature);
}

TEST_F(WitnessTest, CosignsAGrowingLogAndRemembersAcrossRestarts) {
  log.grow(5);
  EXPECT_EQ(send(log.request(0, 5)).status, Status::Cosigned);
  log.grow(12);
  EXPECT_EQ(send(log.request(5, 17)).status, Status::Cosigned);
  EXPECT_EQ(send(log.request(17, 17)).status, Status::Cosigned);  // the same head again
  // Another process may not share the state; a restart picks it up.
  EXPECT_THROW(make(), std::runtime_error);
  witness.reset();
  witness = make();
  ASSERT_TRUE(witness->state(kOrigin));
  EXPECT_EQ(witness->state(kOrigin)->size, 17u);
  EXPECT_EQ(witness->state(kOrigin)->root, rootHash(log.tree, 17));
  log.grow(100);
  EXPECT_EQ(send(log.request(17, 117)).status, Status::Cosigned);
  EXPECT_EQ(evidence(), "");
}

TEST_F(WitnessTest, TellsTheClientWhichSizeToProveFrom) {
  log.grow(9);
  ASSERT_EQ(send(log.request(0, 4)).status, Status::Cosigned);
  auto a = send(log.request(0, 9));  // a client that does not know the witness's state
  EXPECT_EQ(a.status, Status::SizeMismatch);
  EXPECT_EQ(a.latestSize, 4u);
  EXPECT_EQ(send(log.request(4, 9)).status, Status::Cosigned);
}

TEST_F(WitnessTest, RefusesGoingBackwards) {
  log.grow(10);
  ASSERT_EQ(send(log.request(0, 10)).status, Status::Cosigned);
  // A smaller tree, claimed from the witness's size: old size above the checkpoint's.
  EXPECT_EQ(send(addCheckpointBody(10, {}, log.checkpoint(6))).status, Status::Malformed);
  // Or from its own size: not what the witness cosigned last.
  auto a = send(log.request(3, 6));
  EXPECT_EQ(a.status, Status::SizeMismatch);
  EXPECT_EQ(a.latestSize, 10u);
  EXPECT_EQ(witness->state(kOrigin)->size, 10u);
}

TEST_F(WitnessTest, RefusesAForkAndKeepsTheEvidence) {
  log.grow(8);
  ASSERT_EQ(send(log.request(0, 8)).status, Status::Cosigned);
  // The same key signs another history: same size, other root.
  TestLog fork;
  fork.key = log.key;
  fork.grow(8, "rewritten");
  EXPECT_EQ(send(addCheckpointBody(8, {}, fork.checkpoint(8))).status, Status::Fork);
  // A larger forked tree with the forked tree's own proof does not extend what was cosigned.
  fork.grow(8);
  EXPECT_EQ(send(fork.request(8, 16)).status, Status::BadProof);
  EXPECT_NE(evidence().find("\"kind\":\"fork\""), std::string::npos);
  EXPECT_NE(evidence().find("\"kind\":\"inconsistent\""), std::string::npos);
  EXPECT_EQ(witness->state(kOrigin)->size, 8u);
  EXPECT_EQ(witness->state(kOrigin)->root, rootHash(log.tree, 8));
  // The honest log still goes on.
  log.grow(8);
  EXPECT_EQ(send(log.request(8, 16)).status, Status::Cosigned);
}

TEST_F(WitnessTest, RefusesWhatItCannotCheck) {
  log.grow(6);
  // Unknown origin: a log this witness does not follow.
  TestLog stranger;
  stranger.origin = "other.example/log";
  stranger.key = Signer::generate("other.example/log");
  stranger.grow(3);
  EXPECT_EQ(send(stranger.request(0, 3)).status, Status::UnknownLog);
  // Known origin, signed by another key.
  TestLog impostor;
  impostor.key = Signer::generate(kOrigin);
  impostor.grow(3);
  EXPECT_EQ(send(impostor.request(0, 3)).status, Status::BadSignature);
  // Malformed bodies.
  for (const std::string& body :
       {std::string("old 0\n"), "old 00\n\n" + log.checkpoint(6), "old -1\n\n" + log.checkpoint(6),
        "new 0\n\n" + log.checkpoint(6), "old 0\nnot base64!\n\n" + log.checkpoint(6),
        std::string("old 0\n\nnot a checkpoint\n")})
    EXPECT_EQ(send(body).status, Status::Malformed) << body;
  std::vector<Hash> tooLong(64, Hash{});
  EXPECT_EQ(send(addCheckpointBody(0, tooLong, log.checkpoint(6))).status, Status::Malformed);
  // A proof from size 0 must be empty; a wrong proof does not verify.
  EXPECT_EQ(send(addCheckpointBody(0, {Hash{}}, log.checkpoint(6))).status, Status::BadProof);
  ASSERT_EQ(send(log.request(0, 3)).status, Status::Cosigned);
  auto proof = consistencyProof(log.tree, 3, 6);
  proof[0][0] ^= 1;
  EXPECT_EQ(send(addCheckpointBody(3, proof, log.checkpoint(6))).status, Status::BadProof);
  EXPECT_EQ(witness->state(kOrigin)->size, 3u);
}

}  // namespace
}  // namespace onceonly::ledger
