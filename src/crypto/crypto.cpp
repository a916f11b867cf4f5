#include "crypto/crypto.h"

#include "core/encoding.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace onceonly::crypto {
namespace {

constexpr char kBase32[] = "0123456789abcdefghjkmnpqrstvwxyz";  // Crockford's alphabet

std::string readOrCreateKey(const std::filesystem::path& file, std::size_t size) {
  if (std::filesystem::exists(file)) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    std::string key = s.str();
    if (key.size() != size)
      throw std::runtime_error("key file " + file.string() + " has the wrong size");
    return key;
  }
  std::string key = randomBytes(size);
  auto tmp = file;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write key file " + tmp.string());
    ::chmod(tmp.c_str(), 0600);
    out.write(key.data(), static_cast<std::streamsize>(key.size()));
  }
  std::filesystem::rename(tmp, file);
  return key;
}

}  // namespace

void init() {
  // Once per process (thread-safe as a static), not a lock taken on every signature check.
  static const bool started = sodium_init() >= 0;
  if (!started) throw std::runtime_error("libsodium failed to initialise");
}

std::string randomBytes(std::size_t n) {
  init();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string randomToken(std::string_view prefix) {
  return std::string(prefix) + base64url(randomBytes(32));
}

std::string newId(std::string_view prefix) {
  std::string bytes = randomBytes(10);
  std::string out(prefix);
  out.push_back('_');
  // 80 bits → 16 base32 characters, 5 bits at a time.
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  return out;
}

bool looksLikeId(std::string_view id, std::string_view prefix) {
  if (id.size() != prefix.size() + 17 || id.substr(0, prefix.size()) != prefix ||
      id[prefix.size()] != '_')
    return false;
  for (char c : id.substr(prefix.size() + 1))
    if (std::string_view(kBase32).find(c) == std::string_view::npos) return false;
  return true;
}

std::string base64url(std::string_view bytes) {
  return onceonly::base64url(bytes);
}

std::optional<std::string> fromBase64url(std::string_view text) {
  return onceonly::fromBase64url(text);
}

std::string hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

std::string sha256(std::string_view data) {
  init();
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

std::string sha256Hex(std::string_view data) {
  return hex(sha256(data));
}

bool equalInConstantTime(std::string_view a, std::string_view b) {
  init();
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hashPassword(std::string_view password, std::string_view cost) {
  init();
  unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  std::size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (cost == "moderate") {
    ops = crypto_pwhash_OPSLIMIT_MODERATE;
    mem = crypto_pwhash_MEMLIMIT_MODERATE;
  } else if (cost == "min") {
    ops = crypto_pwhash_OPSLIMIT_MIN;
    mem = crypto_pwhash_MEMLIMIT_MIN;
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("password hashing ran out of memory");
  return out;
}

bool verifyPassword(std::string_view hash, std::string_view password) {
  init();
  std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

KeyRing KeyRing::loadOrCreate(const std::filesystem::path& dir) {
  init();
  std::filesystem::create_directories(dir);
  ::chmod(dir.c_str(), 0700);
  KeyRing k;
  k.dataKey_ = readOrCreateKey(dir / "data.key", crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  k.indexKey_ = readOrCreateKey(dir / "index.key", crypto_generichash_KEYBYTES);
  return k;
}

std::string KeyRing::encrypt(std::string_view plaintext) const {
  std::string nonce = randomBytes(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  std::string ct(plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(ct.data()), &len,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), nullptr, 0,
      nullptr, reinterpret_cast<const unsigned char*>(nonce.data()),
      reinterpret_cast<const unsigned char*>(dataKey_.data()));
  ct.resize(len);
  return base64url(nonce + ct);
}

std::string KeyRing::decrypt(std::string_view sealed) const {
  auto raw = fromBase64url(sealed);
  const std::size_t nonceLen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (!raw || raw->size() < nonceLen + crypto_aead_xchacha20poly1305_ietf_ABYTES)
    throw std::runtime_error("sealed value is malformed");
  std::string out(raw->size() - nonceLen, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &len, nullptr,
          reinterpret_cast<const unsigned char*>(raw->data() + nonceLen), raw->size() - nonceLen,
          nullptr, 0, reinterpret_cast<const unsigned char*>(raw->data()),
          reinterpret_cast<const unsigned char*>(dataKey_.data())) != 0)
    throw std::runtime_error("sealed value does not verify");
  out.resize(len);
  return out;
}

std::string KeyRing::pseudonym(std::string_view identifier) const {
  return "psn_" + index(identifier, "ledger_pseudonym").substr(0, 32);
}

namespace {

// BLAKE2b keyed with the index key over purpose ‖ 0 ‖ value: the purpose is part of the input,
// so the same value for two purposes differs.
std::string keyedHash(const std::string& key, std::string_view value, std::string_view purpose) {
  std::string input = std::string(purpose) + '\0' + std::string(value);
  unsigned char out[32];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return {reinterpret_cast<const char*>(out), sizeof out};
}

}  // namespace

std::string KeyRing::derivedSecret(std::string_view name, std::string_view purpose) const {
  return keyedHash(indexKey_, name, std::string("derived:").append(purpose));
}

std::string KeyRing::index(std::string_view value, std::string_view purpose) const {
  return hex(keyedHash(indexKey_, value, purpose));
}

}  // namespace onceonly::crypto
