// Cryptography for the rest of onceonly, all of it libsodium: random tokens and IDs, SHA-256,
// password hashing (argon2id), authenticated encryption of personal identifiers at rest, and
// keyed hashes that index them without revealing them. Nothing here is hand-rolled.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace onceonly::crypto {

// Safe to call many times; throws when libsodium cannot start.
void init();

std::string randomBytes(std::size_t n);
// 32 random bytes, base64url without padding, behind a short prefix ("oos_…").
std::string randomToken(std::string_view prefix);
// A random identifier that reveals nothing about how many exist: prefix, '_', 16 characters of
// lower-case base32 (80 random bits), e.g. "org_k3v9q0m2x7c1b8dz".
std::string newId(std::string_view prefix);
// True for strings newId could have produced with this prefix.
bool looksLikeId(std::string_view id, std::string_view prefix);

std::string base64url(std::string_view bytes);
std::optional<std::string> fromBase64url(std::string_view text);
std::string hex(std::string_view bytes);
std::string sha256(std::string_view data);  // raw 32 bytes
std::string sha256Hex(std::string_view data);
// Equality of two secrets without revealing, by the time it takes, where they first differ.
bool equalInConstantTime(std::string_view a, std::string_view b);

// argon2id; cost "interactive", "moderate" or "min" (tests only).
std::string hashPassword(std::string_view password, std::string_view cost);
bool verifyPassword(std::string_view hash, std::string_view password);

// The platform's secret keys, kept in files of the keys directory (created with mode 0600 on
// first use): one for encrypting personal identifiers, one for indexing them by keyed hash.
class KeyRing {
 public:
  static KeyRing loadOrCreate(const std::filesystem::path& dir);
  // XChaCha20-Poly1305 with a random nonce; output is base64url(nonce ‖ ciphertext).
  std::string encrypt(std::string_view plaintext) const;
  // Throws std::runtime_error when the text was not produced with this key or was altered.
  std::string decrypt(std::string_view sealed) const;
  // BLAKE2b keyed with the index key, hex: equal inputs give equal indexes, and only a holder of
  // the key can compute one.
  std::string index(std::string_view value, std::string_view purpose) const;
  // The pseudonym a person goes by on the ledger ("psn_" and 32 hex digits), from what
  // identifies them ("resident:<ID>", "credit:<code>", or an account id): the same person always
  // gets the same one, and only the holder of the index key can make it.
  std::string pseudonym(std::string_view identifier) const;
  // 32 secret bytes for `name`, derived from the index key for one purpose (a department's
  // signing key for the exchange): the same every time, different for every name and purpose,
  // and nothing to store.
  std::string derivedSecret(std::string_view name, std::string_view purpose) const;

 private:
  std::string dataKey_;
  std::string indexKey_;
};

}  // namespace onceonly::crypto
