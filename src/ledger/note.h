// Signed notes (c2sp.org/signed-note) with Ed25519 keys, and checkpoints
// (c2sp.org/tlog-checkpoint): the text formats that logs, witnesses and verifiers exchange, so
// that tools written elsewhere read our checkpoints and we read theirs.
//
//   <origin>\n<tree size>\n<base64 root hash>\n[extension lines\n]
//   \n
//   — <key name> base64(4-byte key ID ‖ Ed25519 signature)\n
//
// Key strings follow the same convention as other implementations:
//   verifier key  <name>+<8 hex key ID>+base64(<type> ‖ public key)
//   signer key    PRIVATE+KEY+<name>+<8 hex key ID>+base64(<type> ‖ 32-byte seed)
// with type 0x01 for a log's Ed25519 note key and 0x04 for a witness's Ed25519 cosignature key
// (c2sp.org/tlog-cosignature, cosignature/v1). A cosignature signs
//   cosignature/v1\ntime <POSIX seconds>\n<checkpoint text>
// and its signature bytes are the 8-byte big-endian timestamp followed by the Ed25519 signature.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ed25519.h"
#include "ledger/merkle.h"

namespace onceonly::ledger {

struct NoteSignature {
  std::string keyName;
  std::uint32_t keyId = 0;
  std::string signature;  // raw bytes after the key ID
};

struct Note {
  std::string text;  // including its final newline
  std::vector<NoteSignature> signatures;
};

enum class KeyType : unsigned char { Note = 0x01, Cosignature = 0x04 };

class Verifier {
 public:
  // nullopt when the string is not a well-formed Ed25519 verifier key.
  static std::optional<Verifier> parse(const std::string& vkey);
  const std::string& name() const { return name_; }
  std::uint32_t keyId() const { return keyId_; }
  KeyType type() const { return type_; }
  std::string vkey() const;
  // True when the note carries a signature by this key that verifies (for a cosignature key:
  // a cosignature/v1 over the note's text).
  bool verifies(const Note& note) const;
  // The timestamp of this key's valid cosignature on the note; nullopt when there is none.
  std::optional<std::uint64_t> cosignedAt(const Note& note) const;

 private:
  friend class Signer;
  KeyType type_ = KeyType::Note;
  std::string name_;
  crypto::Ed25519PublicKey publicKey_{};
  std::uint32_t keyId_ = 0;
};

// Copies are deliberate (a log and its tests hold the same key): each clones the private key.
class Signer {
 public:
  static Signer generate(const std::string& name, KeyType type = KeyType::Note);
  static std::optional<Signer> parse(const std::string& skey);
  std::string skey() const;  // secret: store with mode 0600, never log
  const Verifier& verifier() const { return verifier_; }
  // A note signature; only for KeyType::Note keys (throws std::logic_error otherwise).
  NoteSignature sign(const std::string& text) const;
  // A cosignature/v1 at the given POSIX time; only for KeyType::Cosignature keys.
  NoteSignature cosign(const std::string& checkpointText, std::uint64_t timestamp) const;

  Signer(const Signer& other);
  Signer& operator=(const Signer& other);
  Signer(Signer&&) noexcept = default;
  Signer& operator=(Signer&&) noexcept = default;
  ~Signer() = default;

 private:
  Signer(crypto::Ed25519Key key, const std::string& name, KeyType type);
  crypto::Ed25519Key key_;
  Verifier verifier_;
};

// A signing key kept as a key string in a file (mode 0600), made on first use with this name and
// type. Throws std::runtime_error when the file holds another kind of key or another name.
Signer loadOrCreateKeyFile(const std::string& path, const std::string& name, KeyType type);

bool validKeyName(const std::string& name);
std::uint32_t ed25519KeyId(const std::string& name, const std::string& publicKey,
                           KeyType type = KeyType::Note);

// One signature line ("— <name> <base64>\n"), as witnesses answer with them.
std::string formatSignatureLine(const NoteSignature& s);
// The signature lines of a witness's answer; nullopt unless each line is well formed.
std::optional<std::vector<NoteSignature>> parseSignatureLines(const std::string& lines);

// The serialised note: text, blank line, one line per signature.
std::string formatNote(const Note& note);
// Checks the format (UTF-8 without control characters other than newline, the blank line,
// well-formed signature lines); nullopt when it is not a signed note.
std::optional<Note> parseNote(const std::string& serialised);

struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;
};

std::string checkpointText(const Checkpoint& c);
// nullopt unless the note text is a well-formed checkpoint.
std::optional<Checkpoint> parseCheckpoint(const std::string& text);

}  // namespace onceonly::ledger
