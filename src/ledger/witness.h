// A witness (c2sp.org/tlog-witness): a department's independent check that the platform's log
// only ever grows. It keeps, per log origin, the latest checkpoint it cosigned, accepts a new
// checkpoint only with a valid log signature and a consistency proof from that size, and answers
// with a cosignature/v1 (c2sp.org/tlog-cosignature). Anything else is refused with the
// protocol's answer; a checkpoint that contradicts what the witness saw (a fork) is also
// written to an evidence file beside the state, because it proves the log misbehaved.
//
// State: one small JSON file, replaced atomically (write, fsync, rename) before a cosignature
// is returned; a lock file keeps a second witness process away from the same state.
//
// Threads: addCheckpoint() may be called from any thread; checks and the state update happen
// under one lock, so two requests never roll the state back.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ledger/merkle.h"
#include "ledger/note.h"

namespace onceonly::ledger {

struct WitnessAnswer {
  enum class Status {
    Cosigned,      // 200: body holds the cosignature lines
    Malformed,     // 400: not an add-checkpoint body, or old size above the checkpoint's
    BadSignature,  // 403: no trusted log key signed the checkpoint
    UnknownLog,    // 404: the origin is not one this witness follows
    SizeMismatch,  // 409: old size is not the latest cosigned size (latestSize says which)
    Fork,          // 409: same size as cosigned before, different root
    BadProof,      // 422: the consistency proof does not verify
  };
  Status status = Status::Malformed;
  std::string message;
  std::uint64_t latestSize = 0;
  std::string body;
};

struct WitnessedState {
  std::uint64_t size = 0;
  Hash root{};
  std::uint64_t cosignedAt = 0;
};

// A log a witness follows: the origin line of its checkpoints and a note key that signs them.
// The key's name is usually the origin, but need not be (c2sp.org/tlog-checkpoint): the Go
// checksum database signs "go.sum database tree" as sum.golang.org.
struct FollowedLog {
  std::string origin;
  Verifier key;
};

class Witness {
 public:
  using Clock = std::function<std::uint64_t()>;  // POSIX seconds
  // Throws std::runtime_error when the state cannot be read or another process holds it.
  Witness(Signer key, std::vector<FollowedLog> logs, std::string statePath, Clock clock = {});
  // Logs whose origin is their key's name.
  Witness(Signer key, const std::vector<Verifier>& logs, std::string statePath, Clock clock = {});
  ~Witness();
  Witness(const Witness&) = delete;
  Witness& operator=(const Witness&) = delete;

  WitnessAnswer addCheckpoint(const std::string& requestBody);

  const Verifier& verifier() const { return key_.verifier(); }
  std::vector<std::string> origins() const;
  std::optional<WitnessedState> state(const std::string& origin);

 private:
  void persist();
  void recordEvidence(const std::string& kind, const std::string& origin,
                      const std::string& requestBody);

  Signer key_;
  std::multimap<std::string, Verifier> logs_;  // origin → trusted keys
  std::string statePath_;
  Clock clock_;
  int lockFd_ = -1;
  std::mutex mutex_;
  std::map<std::string, WitnessedState> state_;  // GUARDED_BY mutex_
};

// The add-checkpoint request body: "old <size>\n", the proof lines, a blank line, the note.
std::string addCheckpointBody(std::uint64_t oldSize, const std::vector<Hash>& proof,
                              const std::string& signedCheckpoint);

}  // namespace onceonly::ledger
