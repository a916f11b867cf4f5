#include "ledger/note.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace onceonly::ledger {
namespace {

// The example key and note of the Go reference implementation of signed notes
// (golang.org/x/mod/sumdb/note): a note signed elsewhere must verify here, and our signature
// of the same text must be byte-identical (Ed25519 is deterministic).
TEST(SignedNote, InteroperatesWithTheReferenceImplementation) {
  const std::string vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  const std::string skey =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  const std::string text =
      "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n";
  const std::string signedNote =
      text +
      "\n\xE2\x80\x94 PeterNeumann "
      "x08go/ZJkuBS9UG/"
      "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
  auto verifier = Verifier::parse(vkey);
  ASSERT_TRUE(verifier);
  EXPECT_EQ(verifier->keyId(), 0xc74f20a3u);
  auto note = parseNote(signedNote);
  ASSERT_TRUE(note);
  EXPECT_EQ(note->text, text);
  EXPECT_TRUE(verifier->verifies(*note));
  auto signer = Signer::parse(skey);
  ASSERT_TRUE(signer);
  EXPECT_EQ(signer->verifier().vkey(), vkey);
  EXPECT_EQ(signer->skey(), skey);
  EXPECT_EQ(formatNote(Note{text, {signer->sign(text)}}), signedNote);
}

TEST(SignedNote, RefusesTamperingAndMalformedNotes) {
  auto signer = Signer::generate("gov.example/ledger");
  auto other = Signer::generate("gov.example/ledger");
  std::string text = "hello\n";
  Note note{text, {signer.sign(text)}};
  auto parsed = parseNote(formatNote(note));
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(signer.verifier().verifies(*parsed));
  EXPECT_FALSE(other.verifier().verifies(*parsed));  // same name, other key: not its signature
  Note changed = *parsed;
  changed.text = "hellO\n";
  EXPECT_FALSE(signer.verifier().verifies(changed));
  EXPECT_FALSE(parseNote("no blank line\n\xE2\x80\x94 a AAAA\n"));
  EXPECT_FALSE(parseNote("text\n\n"));                               // no signature
  EXPECT_FALSE(parseNote("text\n\n- a AAAAAAAA\n"));                 // not an em dash
  EXPECT_FALSE(parseNote("te\x01xt\n\n\xE2\x80\x94 a AAAAAAAA\n"));  // control character
  EXPECT_FALSE(Verifier::parse("name+00000000+AAAA"));
  EXPECT_FALSE(Verifier::parse(signer.verifier().vkey() + "x"));
  EXPECT_FALSE(validKeyName("has space"));
  EXPECT_FALSE(validKeyName("has+plus"));
  EXPECT_THROW(Signer::generate("bad name"), std::invalid_argument);
}

TEST(Checkpoint, RoundTripsAndRejectsMalformedText) {
  Checkpoint c{"gov.example/ledger", 1234, leafHash("x"), {"extension line"}};
  auto text = checkpointText(c);
  auto back = parseCheckpoint(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->origin, c.origin);
  EXPECT_EQ(back->size, 1234u);
  EXPECT_EQ(back->root, c.root);
  EXPECT_EQ(back->extensions, c.extensions);
  EXPECT_FALSE(parseCheckpoint("origin\n12\n"));
  EXPECT_FALSE(parseCheckpoint("origin\n012\n" + text.substr(text.find('\n', 19) + 1)));
  EXPECT_FALSE(parseCheckpoint("origin\n-1\nAAAA\n"));
  EXPECT_FALSE(parseCheckpoint("origin\n1\nnot-base64\n"));
  EXPECT_FALSE(parseCheckpoint("origin\n1\n" + std::string(44, 'A')));  // no final newline
}

// Processes started together (the demo's two witnesses and their --print-key) each find no key
// file: they must all end up with the same key, the one on disk.
TEST(KeyFile, ThoseMadeAtOnceAgreeOnOneKey) {
  onceonly::testing::TempDir dir;
  const std::string path = (dir.path() / "witness.skey").string();
  std::vector<std::string> got(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i)
    threads.emplace_back([&, i] {
      got[i] = loadOrCreateKeyFile(path, "w.example", KeyType::Cosignature).verifier().vkey();
    });
  for (auto& t : threads) t.join();
  const std::string onDisk =
      loadOrCreateKeyFile(path, "w.example", KeyType::Cosignature).verifier().vkey();
  for (const auto& vkey : got) EXPECT_EQ(vkey, onDisk);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& f : std::filesystem::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1u);  // no temporary file left behind
  EXPECT_THROW(loadOrCreateKeyFile(path, "other.example", KeyType::Cosignature),
               std::runtime_error);
}

// Key names as c2sp.org/signed-note has them: no Unicode space (U+0085 is one), no '+'.
TEST(KeyFile, NamesFollowTheSignedNoteRules) {
  EXPECT_TRUE(validKeyName("sum.golang.org"));
  EXPECT_TRUE(validKeyName("del\x7fname"));
  EXPECT_FALSE(validKeyName("next\xC2\x85line"));
  EXPECT_FALSE(validKeyName("a+b"));
  EXPECT_FALSE(validKeyName("a b"));
  EXPECT_FALSE(validKeyName(""));
}

}  // namespace
}  // namespace onceonly::ledger
