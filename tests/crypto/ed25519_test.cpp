#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>

#include "crypto/crypto.h"

namespace onceonly::crypto {
namespace {

// A private key is never copied without saying so (clone()).
static_assert(!std::is_copy_constructible_v<Ed25519Key>);
static_assert(!std::is_copy_assignable_v<Ed25519Key>);
static_assert(std::is_nothrow_move_constructible_v<Ed25519Key>);

std::string unhex(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
  return out;
}

TEST(Ed25519, SignaturesVerifyOnlyForTheirMessageAndKey) {
  const auto key = Ed25519Key::generate();
  const auto signature = key.sign("the message");
  EXPECT_TRUE(ed25519Verify(key.publicKey(), "the message", signature));
  EXPECT_FALSE(ed25519Verify(key.publicKey(), "the messagE", signature));
  EXPECT_FALSE(ed25519Verify(key.publicKey(), "", signature));
  auto altered = signature;
  altered[10] ^= 1;
  EXPECT_FALSE(ed25519Verify(key.publicKey(), "the message", altered));
  altered = signature;
  altered[63] ^= 0x40;  // in S, the second half
  EXPECT_FALSE(ed25519Verify(key.publicKey(), "the message", altered));
  const auto other = Ed25519Key::generate();
  EXPECT_NE(other.publicKey(), key.publicKey());
  EXPECT_FALSE(ed25519Verify(other.publicKey(), "the message", signature));
}

// RFC 8032 section 7.1, TEST 1: pins the implementation to the standard.
TEST(Ed25519, MatchesTheRfc8032TestVector) {
  auto seed = fromBytes<Ed25519Seed>(
      unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  ASSERT_TRUE(seed);
  const auto key = Ed25519Key::fromSeed(*seed);
  EXPECT_EQ(hex(toBytes(key.publicKey())),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const auto signature = key.sign("");
  EXPECT_EQ(hex(toBytes(signature)),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e"
            "39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_EQ(key.sign(std::string_view()), signature);
  auto publicKey = fromBytes<Ed25519PublicKey>(
      unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  ASSERT_TRUE(publicKey);
  EXPECT_TRUE(ed25519Verify(*publicKey, "", signature));
  EXPECT_FALSE(ed25519Verify(*publicKey, "x", signature));
}

TEST(Ed25519, AKeyIsItsSeed) {
  const auto key = Ed25519Key::generate();
  const auto again = Ed25519Key::fromSeed(key.seed());
  EXPECT_EQ(again.seed(), key.seed());
  EXPECT_EQ(again.publicKey(), key.publicKey());
  EXPECT_EQ(again.sign("m"), key.sign("m"));  // deterministic
  const auto copy = key.clone();
  EXPECT_EQ(copy.publicKey(), key.publicKey());
  auto moved = Ed25519Key::fromSeed(key.seed());
  const auto taken = std::move(moved);
  EXPECT_EQ(taken.publicKey(), key.publicKey());
}

TEST(Ed25519, BytesFromOutsideMustHaveTheExactLength) {
  const auto signature = Ed25519Key::generate().sign("m");
  const std::string raw = toBytes(signature);
  ASSERT_EQ(raw.size(), kEd25519SignatureBytes);
  EXPECT_EQ(fromBytes<Ed25519Signature>(raw), signature);
  EXPECT_FALSE(fromBytes<Ed25519Signature>(raw.substr(1)));
  EXPECT_FALSE(fromBytes<Ed25519Signature>(raw + "x"));
  EXPECT_FALSE(fromBytes<Ed25519PublicKey>(raw));
  EXPECT_FALSE(fromBytes<Ed25519Seed>(""));
}

}  // namespace
}  // namespace onceonly::crypto
