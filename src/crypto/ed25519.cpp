#include "crypto/ed25519.h"

#include <sodium.h>

#include "crypto/crypto.h"

namespace onceonly::crypto {

static_assert(kEd25519SeedBytes == crypto_sign_SEEDBYTES);
static_assert(kEd25519PublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kEd25519SignatureBytes == crypto_sign_BYTES);

Ed25519Key Ed25519Key::generate() {
  init();
  Ed25519Key key;
  Ed25519PublicKey publicKey{};
  crypto_sign_keypair(publicKey.data(), key.secretKey_.data());
  return key;
}

Ed25519Key Ed25519Key::fromSeed(const Ed25519Seed& seed) {
  init();
  Ed25519Key key;
  static_assert(sizeof key.secretKey_ == crypto_sign_SECRETKEYBYTES);
  Ed25519PublicKey publicKey{};
  crypto_sign_seed_keypair(publicKey.data(), key.secretKey_.data(), seed.data());
  return key;
}

Ed25519Key::~Ed25519Key() {
  sodium_memzero(secretKey_.data(), secretKey_.size());
}

Ed25519Seed Ed25519Key::seed() const {
  Ed25519Seed seed{};
  crypto_sign_ed25519_sk_to_seed(seed.data(), secretKey_.data());
  return seed;
}

Ed25519PublicKey Ed25519Key::publicKey() const {
  Ed25519PublicKey publicKey{};
  crypto_sign_ed25519_sk_to_pk(publicKey.data(), secretKey_.data());
  return publicKey;
}

Ed25519Signature Ed25519Key::sign(std::string_view message) const {
  Ed25519Signature signature{};
  crypto_sign_detached(signature.data(), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secretKey_.data());
  return signature;
}

bool ed25519Verify(const Ed25519PublicKey& publicKey, std::string_view message,
                   const Ed25519Signature& signature) {
  init();
  return crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), publicKey.data()) == 0;
}

}  // namespace onceonly::crypto
