#include "ledger/note.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

#include "core/encoding.h"
#include "crypto/crypto.h"

namespace onceonly::ledger {
namespace {

const std::string kDash = "\xE2\x80\x94";  // U+2014 EM DASH

std::string hex8(std::uint32_t v) {
  static const char* kHex = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = kHex[v & 15];
  return out;
}

std::optional<std::uint32_t> parseHex8(const std::string& s) {
  if (s.size() != 8) return std::nullopt;
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + 8, v, 16);
  if (ec != std::errc() || p != s.data() + 8) return std::nullopt;
  return v;
}

// Splits at sep; with maxParts, the last part keeps the rest (base64 may hold '+').
std::vector<std::string> split(const std::string& s, char sep, std::size_t maxParts = 0) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    auto next = maxParts && out.size() + 1 == maxParts ? std::string::npos : s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) return out;
    pos = next + 1;
  }
}

bool knownType(unsigned char t) {
  return t == static_cast<unsigned char>(KeyType::Note) ||
         t == static_cast<unsigned char>(KeyType::Cosignature);
}

std::string typed(KeyType type, const std::string& key) {
  return std::string(1, static_cast<char>(type)) + key;
}

std::string cosignedMessage(const std::string& text, std::uint64_t timestamp) {
  return "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + text;
}

bool ed25519Verifies(std::string_view sig, const std::string& message,
                     const crypto::Ed25519PublicKey& pk) {
  auto signature = crypto::fromBytes<crypto::Ed25519Signature>(sig);
  return signature && crypto::ed25519Verify(pk, message, *signature);
}

Signer readKeyFile(const std::string& path, const std::string& name, KeyType type) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  auto s = Signer::parse(text);
  if (!s || s->verifier().type() != type)
    throw std::runtime_error("key file " + path + " does not hold the expected kind of key");
  if (s->verifier().name() != name)
    throw std::runtime_error("key file " + path + " is for '" + s->verifier().name() + "', not '" +
                             name + "'");
  return std::move(*s);
}

}  // namespace

Signer loadOrCreateKeyFile(const std::string& path, const std::string& name, KeyType type) {
  const std::filesystem::path file(path);
  if (std::filesystem::exists(file)) return readKeyFile(path, name, type);
  Signer s = Signer::generate(name, type);
  // Written whole under a name of this thread's own, synced, then linked into place: of two
  // processes making the key at once, the first link wins and the other reads that key.
  auto tmp = file;
  tmp += ".tmp." + std::to_string(::getpid()) + "." +
         std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot write key file " + path + ": " + std::strerror(errno));
  const std::string text = s.skey() + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  const int linked = written ? ::link(tmp.c_str(), file.c_str()) : -1;
  const int err = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && written && err == EEXIST) return readKeyFile(path, name, type);
  if (linked != 0)
    throw std::runtime_error("cannot write key file " + path + ": " + std::strerror(err));
  const auto dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  if (int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
    ::fsync(d);  // the new name survives a crash too
    ::close(d);
  }
  return s;
}

bool validKeyName(const std::string& name) {
  if (name.empty() || !isValidUtf8(name)) return false;
  for (unsigned char c : name)
    if (c <= 0x20 || c == '+') return false;
  // Unicode spaces outside ASCII (U+0085, U+00A0, U+2000–U+200A, U+3000, …) are refused too,
  // as Go's unicode.IsSpace has them; U+007F is no space, and allowed.
  for (const char* space : {"\xC2\x85", "\xC2\xA0", "\xE3\x80\x80", "\xE2\x80\xA8", "\xE2\x80\xA9",
                            "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE1\x9A\x80"})
    if (name.find(space) != std::string::npos) return false;
  for (unsigned char c = 0x80; c <= 0x8A; ++c)
    if (name.find(std::string("\xE2\x80") + static_cast<char>(c)) != std::string::npos)
      return false;
  return true;
}

std::uint32_t ed25519KeyId(const std::string& name, const std::string& publicKey, KeyType type) {
  const std::string h = crypto::sha256(name + "\n" + typed(type, publicKey));
  std::uint32_t id = 0;
  for (std::size_t i = 0; i < 4; ++i) id = (id << 8) | static_cast<unsigned char>(h[i]);
  return id;
}

std::optional<Verifier> Verifier::parse(const std::string& vkey) {
  auto parts = split(vkey, '+', 3);
  if (parts.size() != 3 || !validKeyName(parts[0])) return std::nullopt;
  auto id = parseHex8(parts[1]);
  auto key = fromBase64(parts[2]);
  if (!id || !key || key->empty() || !knownType(static_cast<unsigned char>((*key)[0])))
    return std::nullopt;
  auto publicKey = crypto::fromBytes<crypto::Ed25519PublicKey>(std::string_view(*key).substr(1));
  if (!publicKey) return std::nullopt;
  Verifier v;
  v.type_ = static_cast<KeyType>((*key)[0]);
  v.name_ = parts[0];
  v.publicKey_ = *publicKey;
  v.keyId_ = *id;
  if (ed25519KeyId(v.name_, crypto::toBytes(v.publicKey_), v.type_) != v.keyId_)
    return std::nullopt;
  return v;
}

std::string Verifier::vkey() const {
  return name_ + "+" + hex8(keyId_) + "+" + base64(typed(type_, crypto::toBytes(publicKey_)));
}

bool Verifier::verifies(const Note& note) const {
  if (type_ == KeyType::Cosignature) return cosignedAt(note).has_value();
  for (const auto& s : note.signatures)
    if (s.keyName == name_ && s.keyId == keyId_ &&
        ed25519Verifies(s.signature, note.text, publicKey_))
      return true;
  return false;
}

std::optional<std::uint64_t> Verifier::cosignedAt(const Note& note) const {
  if (type_ != KeyType::Cosignature) return std::nullopt;
  for (const auto& s : note.signatures) {
    if (s.keyName != name_ || s.keyId != keyId_ ||
        s.signature.size() != 8 + crypto::kEd25519SignatureBytes)
      continue;
    std::uint64_t t = 0;
    for (std::size_t i = 0; i < 8; ++i) t = (t << 8) | static_cast<unsigned char>(s.signature[i]);
    if (t >> 63) continue;  // the timestamp must not exceed 2^63 - 1
    if (ed25519Verifies(std::string_view(s.signature).substr(8), cosignedMessage(note.text, t),
                        publicKey_))
      return t;
  }
  return std::nullopt;
}

Signer::Signer(crypto::Ed25519Key key, const std::string& name, KeyType type)
    : key_(std::move(key)) {
  verifier_.type_ = type;
  verifier_.name_ = name;
  verifier_.publicKey_ = key_.publicKey();
  verifier_.keyId_ = ed25519KeyId(name, crypto::toBytes(verifier_.publicKey_), type);
}

Signer::Signer(const Signer& other) : key_(other.key_.clone()), verifier_(other.verifier_) {}

Signer& Signer::operator=(const Signer& other) {
  *this = Signer(other);
  return *this;
}

Signer Signer::generate(const std::string& name, KeyType type) {
  if (!validKeyName(name)) throw std::invalid_argument("key name '" + name + "' is not valid");
  if (!knownType(static_cast<unsigned char>(type)))
    throw std::runtime_error("cannot make a signing key");
  return {crypto::Ed25519Key::generate(), name, type};
}

std::optional<Signer> Signer::parse(const std::string& skey) {
  auto parts = split(skey, '+', 5);
  if (parts.size() != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" || !validKeyName(parts[2]))
    return std::nullopt;
  auto key = fromBase64(parts[4]);
  if (!key || key->empty() || !knownType(static_cast<unsigned char>((*key)[0])))
    return std::nullopt;
  auto seed = crypto::fromBytes<crypto::Ed25519Seed>(std::string_view(*key).substr(1));
  if (!seed) return std::nullopt;
  Signer s(crypto::Ed25519Key::fromSeed(*seed), parts[2], static_cast<KeyType>((*key)[0]));
  // A key string whose ID does not match its key is refused, except the placeholder 00000000
  // for an ID not yet worked out (accepted as before, though generate() no longer writes one).
  auto id = parseHex8(parts[3]);
  if (!id || (*id != s.verifier_.keyId_ && parts[3] != "00000000")) return std::nullopt;
  return s;
}

std::string Signer::skey() const {
  return "PRIVATE+KEY+" + verifier_.name_ + "+" + hex8(verifier_.keyId_) + "+" +
         base64(typed(verifier_.type_, crypto::toBytes(key_.seed())));
}

NoteSignature Signer::sign(const std::string& text) const {
  if (verifier_.type_ != KeyType::Note) throw std::logic_error("a cosignature key signs no notes");
  return {verifier_.name_, verifier_.keyId_, crypto::toBytes(key_.sign(text))};
}

NoteSignature Signer::cosign(const std::string& checkpointText, std::uint64_t timestamp) const {
  if (verifier_.type_ != KeyType::Cosignature)
    throw std::logic_error("only a cosignature key makes cosignatures");
  if (timestamp >> 63) throw std::invalid_argument("cosignature timestamp out of range");
  std::string stamp(8, '\0');
  for (std::size_t i = 0; i < 8; ++i) stamp[i] = static_cast<char>(timestamp >> (56 - 8 * i));
  return {verifier_.name_, verifier_.keyId_,
          stamp + crypto::toBytes(key_.sign(cosignedMessage(checkpointText, timestamp)))};
}

std::string formatSignatureLine(const NoteSignature& s) {
  std::string raw(4, '\0');
  for (int i = 0; i < 4; ++i)
    raw[static_cast<std::size_t>(i)] = static_cast<char>(s.keyId >> (24 - 8 * i));
  return kDash + " " + s.keyName + " " + base64(raw + s.signature) + "\n";
}

std::string formatNote(const Note& note) {
  std::string out = note.text + "\n";
  for (const auto& s : note.signatures) out += formatSignatureLine(s);
  return out;
}

std::optional<std::vector<NoteSignature>> parseSignatureLines(const std::string& sigs) {
  constexpr std::size_t kMaxSignatures = 64;
  if (sigs.empty() || sigs.back() != '\n' || !isValidUtf8(sigs)) return std::nullopt;
  std::vector<NoteSignature> out;
  std::size_t pos = 0;
  while (pos < sigs.size()) {
    auto end = sigs.find('\n', pos);
    std::string line = sigs.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind(kDash + " ", 0) != 0) return std::nullopt;
    line = line.substr(kDash.size() + 1);
    auto space = line.find(' ');
    if (space == std::string::npos) return std::nullopt;
    NoteSignature s;
    s.keyName = line.substr(0, space);
    auto raw = fromBase64(line.substr(space + 1));
    if (!validKeyName(s.keyName) || !raw || raw->size() < 5) return std::nullopt;
    for (int i = 0; i < 4; ++i)
      s.keyId = (s.keyId << 8) | static_cast<unsigned char>((*raw)[static_cast<std::size_t>(i)]);
    s.signature = raw->substr(4);
    out.push_back(std::move(s));
    if (out.size() > kMaxSignatures) return std::nullopt;
  }
  return out;
}

std::optional<Note> parseNote(const std::string& in) {
  if (in.size() > 1 << 20 || !isValidUtf8(in) || in.empty() || in.back() != '\n')
    return std::nullopt;
  for (unsigned char c : in)
    if (c < 0x20 && c != '\n') return std::nullopt;
  // The text ends at the last blank line.
  auto sep = in.rfind("\n\n");
  if (sep == std::string::npos) return std::nullopt;
  auto signatures = parseSignatureLines(in.substr(sep + 2));
  if (!signatures) return std::nullopt;
  return Note{in.substr(0, sep + 1), std::move(*signatures)};
}

std::string checkpointText(const Checkpoint& c) {
  std::string out =
      c.origin + "\n" + std::to_string(c.size) + "\n" +
      base64(std::string(reinterpret_cast<const char*>(c.root.data()), c.root.size())) + "\n";
  for (const auto& e : c.extensions) out += e + "\n";
  return out;
}

std::optional<Checkpoint> parseCheckpoint(const std::string& text) {
  if (text.empty() || text.back() != '\n') return std::nullopt;
  auto lines = split(text.substr(0, text.size() - 1), '\n');
  if (lines.size() < 3) return std::nullopt;
  Checkpoint c;
  c.origin = lines[0];
  if (c.origin.empty()) return std::nullopt;
  const std::string& size = lines[1];
  if (size.empty() || (size.size() > 1 && size[0] == '0')) return std::nullopt;
  auto [p, ec] = std::from_chars(size.data(), size.data() + size.size(), c.size);
  if (ec != std::errc() || p != size.data() + size.size()) return std::nullopt;
  auto root = fromBase64(lines[2]);
  if (!root || root->size() != 32) return std::nullopt;
  std::copy(root->begin(), root->end(), c.root.begin());
  for (std::size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return std::nullopt;
    c.extensions.push_back(lines[i]);
  }
  return c;
}

}  // namespace onceonly::ledger
