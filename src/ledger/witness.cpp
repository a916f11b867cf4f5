#include "ledger/witness.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/log.h"
#include "core/time.h"

namespace onceonly::ledger {
namespace {

using Status = WitnessAnswer::Status;

std::uint64_t systemSeconds() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count());
}

// A decimal with no leading zeroes ("0" itself allowed), as the protocol writes sizes.
std::optional<std::uint64_t> parseSize(const std::string& s) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Writes the whole file beside its final name, flushes it to disk and renames it into place, so
// a crash leaves either the old or the new state, never half of one.
void replaceFile(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp);
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      ::close(fd);
      throw std::runtime_error("cannot write " + tmp);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) throw std::runtime_error("cannot flush " + tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot replace " + path);
  auto dir = std::filesystem::absolute(path).parent_path();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

WitnessAnswer refuse(Status status, std::string message) {
  WitnessAnswer a;
  a.status = status;
  a.message = std::move(message);
  return a;
}

struct AddRequest {
  std::uint64_t oldSize = 0;
  std::vector<Hash> proof;
  std::string note;
};

std::optional<AddRequest> parseAddRequest(const std::string& body, std::string& why) {
  constexpr std::size_t kMaxProofLines = 63;
  AddRequest r;
  auto blank = body.find("\n\n");
  if (blank == std::string::npos) {
    why = "the body has no blank line between the proof and the checkpoint";
    return std::nullopt;
  }
  std::string head = body.substr(0, blank + 1);
  r.note = body.substr(blank + 2);
  std::size_t pos = 0;
  bool first = true;
  while (pos < head.size()) {
    auto end = head.find('\n', pos);
    std::string line = head.substr(pos, end - pos);
    pos = end + 1;
    if (first) {
      first = false;
      auto size = line.rfind("old ", 0) == 0 ? parseSize(line.substr(4)) : std::nullopt;
      if (!size) {
        why = "the first line must be 'old <size>' with a decimal size";
        return std::nullopt;
      }
      r.oldSize = *size;
      continue;
    }
    auto h = hashFromBase64(line);
    if (!h) {
      why = "a consistency proof line is not a base64 SHA-256 hash";
      return std::nullopt;
    }
    r.proof.push_back(*h);
    if (r.proof.size() > kMaxProofLines) {
      why = "more than 63 consistency proof lines";
      return std::nullopt;
    }
  }
  return r;
}

}  // namespace

std::string addCheckpointBody(std::uint64_t oldSize, const std::vector<Hash>& proof,
                              const std::string& signedCheckpoint) {
  std::string out = "old " + std::to_string(oldSize) + "\n";
  for (const auto& h : proof) out += hashToBase64(h) + "\n";
  return out + "\n" + signedCheckpoint;
}

namespace {

std::vector<FollowedLog> namedByTheirKeys(const std::vector<Verifier>& keys) {
  std::vector<FollowedLog> out;
  out.reserve(keys.size());
  for (const auto& k : keys) out.push_back({k.name(), k});
  return out;
}

}  // namespace

Witness::Witness(Signer key, const std::vector<Verifier>& logs, std::string statePath, Clock clock)
    : Witness(std::move(key), namedByTheirKeys(logs), std::move(statePath), std::move(clock)) {}

Witness::Witness(Signer key, std::vector<FollowedLog> logs, std::string statePath, Clock clock)
    : key_(std::move(key)), statePath_(std::move(statePath)), clock_(std::move(clock)) {
  if (key_.verifier().type() != KeyType::Cosignature)
    throw std::runtime_error("a witness signs with a cosignature key");
  if (!clock_) clock_ = systemSeconds;
  for (auto& log : logs) {
    if (log.key.type() != KeyType::Note)
      throw std::runtime_error("log key '" + log.key.name() + "' is not a note signing key");
    if (log.origin.empty() || log.origin.find('\n') != std::string::npos)
      throw std::runtime_error("a log's origin is one line of text");
    logs_.emplace(std::move(log.origin), std::move(log.key));
  }
  const std::string lockPath = statePath_ + ".lock";
  lockFd_ = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lockFd_ < 0) throw std::runtime_error("cannot open " + lockPath);
  if (::flock(lockFd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lockFd_);
    throw std::runtime_error("another witness process uses " + statePath_);
  }
  if (!std::filesystem::exists(statePath_)) return;
  std::ifstream in(statePath_);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
    for (const auto& [origin, s] : j.at("logs").items()) {
      auto root = hashFromBase64(s.at("root").get<std::string>());
      if (!root) throw std::runtime_error("bad root");
      state_[origin] = {s.at("size").get<std::uint64_t>(), *root,
                        s.at("cosigned_at").get<std::uint64_t>()};
    }
  } catch (const std::exception& e) {
    ::close(lockFd_);
    throw std::runtime_error("witness state " + statePath_ + " is unreadable: " + e.what());
  }
}

Witness::~Witness() {
  if (lockFd_ >= 0) ::close(lockFd_);  // releases the lock
}

std::vector<std::string> Witness::origins() const {
  std::vector<std::string> out;
  for (const auto& [origin, key] : logs_)
    if (out.empty() || out.back() != origin) out.push_back(origin);
  return out;
}

std::optional<WitnessedState> Witness::state(const std::string& origin) {
  std::lock_guard lock(mutex_);
  auto it = state_.find(origin);
  if (it == state_.end()) return std::nullopt;
  return it->second;
}

void Witness::persist() {
  nlohmann::json logs = nlohmann::json::object();
  for (const auto& [origin, s] : state_)
    logs[origin] = {
        {"size", s.size}, {"root", hashToBase64(s.root)}, {"cosigned_at", s.cosignedAt}};
  replaceFile(statePath_, nlohmann::json{{"version", 1}, {"logs", logs}}.dump(2) + "\n");
}

void Witness::recordEvidence(const std::string& kind, const std::string& origin,
                             const std::string& requestBody) {
  log::error("witness.log_misbehaved", {{"origin", origin}, {"kind", kind}});
  std::ofstream out(statePath_ + ".evidence", std::ios::app);
  out << nlohmann::json{{"time", nowRfc3339()},
                        {"origin", origin},
                        {"kind", kind},
                        {"request", requestBody}}
             .dump()
      << "\n";
}

WitnessAnswer Witness::addCheckpoint(const std::string& body) {
  std::string why;
  auto req = parseAddRequest(body, why);
  if (!req) return refuse(Status::Malformed, why);
  auto note = parseNote(req->note);
  auto cp = note ? parseCheckpoint(note->text) : std::nullopt;
  if (!cp) return refuse(Status::Malformed, "the body does not end in a signed checkpoint");
  auto [first, last] = logs_.equal_range(cp->origin);
  if (first == last)
    return refuse(Status::UnknownLog, "this witness does not follow '" + cp->origin + "'");
  bool signedByLog = false;
  for (auto it = first; it != last && !signedByLog; ++it) signedByLog = it->second.verifies(*note);
  if (!signedByLog)
    return refuse(Status::BadSignature, "no key trusted for '" + cp->origin + "' signed it");
  if (req->oldSize > cp->size)
    return refuse(Status::Malformed, "old size " + std::to_string(req->oldSize) +
                                         " is above the checkpoint's size " +
                                         std::to_string(cp->size));

  std::lock_guard lock(mutex_);
  auto known = state_.find(cp->origin);
  const std::uint64_t latest = known == state_.end() ? 0 : known->second.size;
  if (req->oldSize != latest) {
    auto a = refuse(Status::SizeMismatch, "the latest checkpoint cosigned for '" + cp->origin +
                                              "' has size " + std::to_string(latest));
    a.latestSize = latest;
    return a;
  }
  if (req->oldSize == 0 && !req->proof.empty())
    return refuse(Status::BadProof, "a proof from size 0 must be empty");
  if (known != state_.end() && req->oldSize == cp->size) {
    if (cp->root != known->second.root) {
      recordEvidence("fork", cp->origin, body);
      return refuse(Status::Fork, "a different root was cosigned before at size " +
                                      std::to_string(cp->size) + ": the log forked");
    }
    if (!req->proof.empty()) return refuse(Status::BadProof, "a proof to the same size is empty");
  } else if (req->oldSize > 0 &&
             !verifyConsistency(req->oldSize, cp->size, known->second.root, cp->root, req->proof)) {
    recordEvidence("inconsistent", cp->origin, body);
    return refuse(Status::BadProof, "the checkpoint is not consistent with size " +
                                        std::to_string(req->oldSize) + " cosigned before");
  }
  const std::uint64_t now = clock_();
  WitnessedState next{cp->size, cp->root, now};
  auto previous = state_;
  state_[cp->origin] = next;
  try {
    persist();
  } catch (...) {
    state_ = std::move(previous);
    throw;
  }
  WitnessAnswer a;
  a.status = Status::Cosigned;
  a.message = "cosigned";
  a.latestSize = cp->size;
  a.body = formatSignatureLine(key_.cosign(note->text, now));
  return a;
}

}  // namespace onceonly::ledger
