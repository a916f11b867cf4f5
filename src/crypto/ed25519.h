// Ed25519 signatures (RFC 8032), through libsodium: the one place onceonly signs and verifies,
// whether for the ledger's signed notes, electronic certificates (JWS EdDSA) or HTTP message
// signatures (RFC 9421). Keys and signatures are fixed-size arrays, so that a wrong length is
// refused where bytes come in (fromBytes), not deep inside a signature check.
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace onceonly::crypto {

constexpr std::size_t kEd25519SeedBytes = 32;
constexpr std::size_t kEd25519PublicKeyBytes = 32;
constexpr std::size_t kEd25519SignatureBytes = 64;

// RFC 8032's 32-byte private key, from which the rest is derived: what a key file stores.
using Ed25519Seed = std::array<unsigned char, kEd25519SeedBytes>;
using Ed25519PublicKey = std::array<unsigned char, kEd25519PublicKeyBytes>;
// A detached signature.
using Ed25519Signature = std::array<unsigned char, kEd25519SignatureBytes>;

// A private key. Its secret bytes are wiped when it is destroyed, and it cannot be copied by
// accident: clone() where a second holder really needs one (a moved-from key is wiped when it
// is destroyed, like any other).
class Ed25519Key {
 public:
  // From the operating system's random source.
  static Ed25519Key generate();
  static Ed25519Key fromSeed(const Ed25519Seed& seed);

  Ed25519Key(Ed25519Key&&) noexcept = default;
  Ed25519Key& operator=(Ed25519Key&&) noexcept = default;
  Ed25519Key& operator=(const Ed25519Key&) = delete;
  ~Ed25519Key();

  Ed25519Key clone() const { return *this; }
  // Secret: store it with mode 0600, never log it.
  Ed25519Seed seed() const;
  Ed25519PublicKey publicKey() const;
  // Deterministic: the same key and message always give the same signature.
  Ed25519Signature sign(std::string_view message) const;

 private:
  Ed25519Key() = default;
  Ed25519Key(const Ed25519Key&) = default;
  std::array<unsigned char, 64> secretKey_{};  // libsodium's form: seed ‖ public key
};

// Strict verification as libsodium has it: non-canonical signatures and small-order public keys
// are refused.
bool ed25519Verify(const Ed25519PublicKey& publicKey, std::string_view message,
                   const Ed25519Signature& signature);

// The bytes of a key or signature as the text formats and base64 helpers take them.
template <std::size_t N>
std::string toBytes(const std::array<unsigned char, N>& fixed) {
  return {reinterpret_cast<const char*>(fixed.data()), fixed.size()};
}

// Bytes from outside as a key or signature: fromBytes<Ed25519Signature>(raw) is nullopt unless
// raw has exactly the 64 bytes of one.
template <class Fixed>
std::optional<Fixed> fromBytes(std::string_view bytes) {
  Fixed fixed{};
  if (bytes.size() != fixed.size()) return std::nullopt;
  std::memcpy(fixed.data(), bytes.data(), fixed.size());
  return fixed;
}

}  // namespace onceonly::crypto
