// Signed notes (c2sp.org/signed-note) with Ed25519 keys, and checkpoints
// (c2sp.org/tlog-checkpoint): the text formats that logs, witnesses and verifiers exchange, so
// that tools written elsewhere read our checkpoints and we read theirs.
//
//   <origin>\n<tree size>\n<base64 root hash>\n[extension lines\n]
//   \n
//   — <key name> base64(4-byte key ID ‖ Ed25519 signature)\n
//
// Key strings follow the same convention as other implementations:
//   verifier key  <name>+<8 hex key ID>+base64(0x01 ‖ public key)
//   signer key    PRIVATE+KEY+<name>+<8 hex key ID>+base64(0x01 ‖ 32-byte seed)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

class Verifier {
 public:
  // nullopt when the string is not a well-formed Ed25519 verifier key.
  static std::optional<Verifier> parse(const std::string& vkey);
  const std::string& name() const { return name_; }
  std::uint32_t keyId() const { return keyId_; }
  std::string vkey() const;
  // True when the note carries a signature by this key that verifies.
  bool verifies(const Note& note) const;

 private:
  friend class Signer;
  std::string name_;
  std::string publicKey_;
  std::uint32_t keyId_ = 0;
};

class Signer {
 public:
  static Signer generate(const std::string& name);
  static std::optional<Signer> parse(const std::string& skey);
  std::string skey() const;  // secret: store with mode 0600, never log
  const Verifier& verifier() const { return verifier_; }
  NoteSignature sign(const std::string& text) const;

 private:
  std::string seed_;
  std::string secretKey_;  // libsodium's 64-byte form
  Verifier verifier_;
};

bool validKeyName(const std::string& name);
std::uint32_t ed25519KeyId(const std::string& name, const std::string& publicKey);

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
