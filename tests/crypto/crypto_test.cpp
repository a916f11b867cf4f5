#include "crypto/crypto.h"

#include <gtest/gtest.h>

#include <set>

#include "support/test_support.h"

namespace onceonly::crypto {
namespace {

TEST(Crypto, IdsAreRandomAndRecognisable) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = newId("org");
    EXPECT_TRUE(looksLikeId(id, "org")) << id;
    EXPECT_TRUE(seen.insert(id).second);
  }
  EXPECT_FALSE(looksLikeId("org_123", "org"));
  EXPECT_FALSE(looksLikeId("acc_0123456789abcdef", "org"));
  EXPECT_FALSE(looksLikeId("org_0123456789abcdeI", "org"));
}

TEST(Crypto, Base64urlRoundTripsAndRejectsJunk) {
  std::string bytes = randomBytes(33);
  EXPECT_EQ(fromBase64url(base64url(bytes)), bytes);
  EXPECT_FALSE(fromBase64url("not base64!"));
}

TEST(Crypto, Sha256MatchesAKnownVector) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, PasswordsVerifyOnlyWithTheRightPassword) {
  auto h = hashPassword("correct horse", "min");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verifyPassword(h, "correct horse"));
  EXPECT_FALSE(verifyPassword(h, "correct horsf"));
  EXPECT_FALSE(verifyPassword("garbage", "x"));
}

TEST(Crypto, KeyRingSealsAndIndexes) {
  onceonly::testing::TempDir dir;
  auto k = KeyRing::loadOrCreate(dir.path() / "keys");
  auto sealed = k.encrypt("110101199003077777");
  EXPECT_EQ(sealed.find("110101"), std::string::npos);
  EXPECT_EQ(k.decrypt(sealed), "110101199003077777");
  EXPECT_NE(k.encrypt("same"), k.encrypt("same"));  // random nonces
  EXPECT_EQ(k.index("same", "rid"), k.index("same", "rid"));
  EXPECT_NE(k.index("same", "rid"), k.index("same", "other"));
  // A tampered value is refused, and the keys persist across loads.
  std::string bad = sealed;
  bad[bad.size() / 2] = bad[bad.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_THROW(k.decrypt(bad), std::runtime_error);
  auto again = KeyRing::loadOrCreate(dir.path() / "keys");
  EXPECT_EQ(again.decrypt(sealed), "110101199003077777");
  EXPECT_EQ(std::filesystem::status(dir.path() / "keys" / "data.key").permissions() &
                std::filesystem::perms::others_read,
            std::filesystem::perms::none);
}

}  // namespace
}  // namespace onceonly::crypto
