// The log's side of witnessing (c2sp.org/tlog-witness): sending checkpoints with consistency
// proofs, keeping the cosignatures that verify, and the k-of-n policy over them.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <sstream>
#include <string_view>

#include "core/encoding.h"
#include "core/error.h"
#include "core/log.h"
#include "core/time.h"
#include "ledger/log.h"
#include "ledger/tiles.h"
#include "ledger/witness.h"
#include "store/store.h"

namespace onceonly::ledger {
namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n") - b + 1);
}

// Whether a Content-Type names this media type: parameters after ';' aside, and without regard
// to case (RFC 9110 §8.3.1).
bool isMediaType(const std::string& contentType, std::string_view type) {
  const std::string named = trim(contentType.substr(0, contentType.find(';')));
  return std::equal(named.begin(), named.end(), type.begin(), type.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

std::int64_t i64(std::uint64_t v) {
  return static_cast<std::int64_t>(v);
}

// " AND size IN (sizes with at least quorum cosignatures by configured witnesses)". Only
// cosignatures that verified are stored, so counting rows is the policy; notes are checked again
// when read.
std::string witnessedFilter(const std::vector<WitnessEndpoint>& witnesses, std::size_t quorum,
                            store::Args& args) {
  std::string sql = " AND size IN (SELECT size FROM ledger_cosignatures WHERE witness IN (";
  for (std::size_t i = 0; i < witnesses.size(); ++i) {
    sql += i ? ", ?" : "?";
    args.push_back(witnesses[i].key.vkey());
  }
  args.push_back(static_cast<std::int64_t>(quorum));
  return sql + ") GROUP BY size HAVING COUNT(*) >= ?)";
}

}  // namespace

std::vector<WitnessEndpoint> parseWitnessList(const std::string& setting) {
  std::vector<WitnessEndpoint> out;
  std::set<std::string> names;
  std::stringstream parts(setting);
  std::string part;
  while (std::getline(parts, part, ',')) {
    part = trim(part);
    if (part.empty()) continue;
    std::stringstream words(part);
    std::string url, vkey, extra;
    words >> url >> vkey >> extra;
    const std::size_t scheme = url.rfind("https://", 0) == 0  ? 8
                               : url.rfind("http://", 0) == 0 ? 7
                                                              : 0;
    if (scheme == 0 || vkey.empty() || !extra.empty())
      throw std::invalid_argument("'" + part + "' is not '<http(s):// URL> <witness vkey>'");
    auto key = Verifier::parse(vkey);
    if (!key || key->type() != KeyType::Cosignature)
      throw std::invalid_argument("'" + vkey + "' is not a witness (cosignature/v1) key");
    if (!names.insert(key->name()).second)
      throw std::invalid_argument("witness '" + key->name() + "' is listed twice");
    while (url.size() > scheme && url.back() == '/') url.pop_back();
    out.push_back({*key, url});
  }
  return out;
}

std::size_t Log::quorum() const {
  return options_.quorum == 0 ? options_.witnesses.size() : options_.quorum;
}

std::vector<std::string> Log::cosigners(const Note& note) const {
  std::vector<std::string> out;
  for (const auto& w : options_.witnesses)
    if (w.key.cosignedAt(note)) out.push_back(w.key.name());
  return out;
}

std::optional<std::string> Log::checkpoint(std::uint64_t size) {
  auto c = db_.connect();
  auto row = c.queryOne("SELECT note FROM ledger_checkpoints WHERE size = ?", {i64(size)});
  if (!row) return std::nullopt;
  std::string note = row->text("note");
  for (const auto& w : options_.witnesses) {
    auto line = c.queryOne("SELECT line FROM ledger_cosignatures WHERE size = ? AND witness = ?",
                           {i64(size), w.key.vkey()});
    if (line) note += line->text("line");
  }
  return note;
}

std::uint64_t Log::countCheckpoints(bool witnessedOnly) {
  if (witnessedOnly && options_.witnesses.empty()) return 0;
  store::Args args;
  std::string sql = "SELECT COUNT(*) AS n FROM ledger_checkpoints WHERE 1 = 1";
  if (witnessedOnly) sql += witnessedFilter(options_.witnesses, quorum(), args);
  return static_cast<std::uint64_t>(db_.connect().queryOne(sql, args)->integer("n"));
}

std::vector<CheckpointInfo> Log::checkpoints(std::optional<std::uint64_t> before, std::size_t limit,
                                             bool witnessedOnly) {
  std::vector<CheckpointInfo> out;
  if (witnessedOnly && options_.witnesses.empty()) return out;
  std::string sql = "SELECT size, signed_at FROM ledger_checkpoints WHERE 1 = 1";
  store::Args args;
  if (before) {
    sql += " AND size < ?";
    args.push_back(i64(*before));
  }
  if (witnessedOnly) sql += witnessedFilter(options_.witnesses, quorum(), args);
  sql += " ORDER BY size DESC LIMIT ?";
  args.push_back(static_cast<std::int64_t>(limit));
  auto rows = db_.connect().query(sql, args);
  for (const auto& r : rows) {
    CheckpointInfo info;
    info.size = static_cast<std::uint64_t>(r.integer("size"));
    info.signedAt = r.text("signed_at");
    auto note = checkpoint(info.size);
    auto parsed = note ? parseNote(*note) : std::nullopt;
    auto cp = parsed ? parseCheckpoint(parsed->text) : std::nullopt;
    if (cp) info.root = cp->root;
    if (parsed) info.cosignedBy = cosigners(*parsed);
    info.witnessed = !options_.witnesses.empty() && info.cosignedBy.size() >= quorum();
    if (!witnessedOnly || info.witnessed) out.push_back(std::move(info));
  }
  return out;
}

std::optional<ReceiptProof> Log::receipt(std::uint64_t index, std::optional<std::uint64_t> size,
                                         SignNow sign) {
  // Each query leases a connection of its own and gives it back at once: the calls below lease
  // theirs, and requests that each held one while waiting for another could take the whole pool
  // and, with it, the sequencer's.
  if (!db_.connect().queryOne("SELECT idx FROM ledger_entries WHERE idx = ?", {i64(index)}))
    return std::nullopt;
  auto firstCovering = [&](bool witnessed) {
    store::Args args{i64(index)};
    std::string sql = "SELECT MIN(size) AS size FROM ledger_checkpoints WHERE size > ?";
    if (witnessed) sql += witnessedFilter(options_.witnesses, quorum(), args);
    return db_.connect().queryOne(sql + " HAVING COUNT(*) > 0", args);
  };
  auto covering = [&]() -> std::optional<store::Row> {
    if (size)
      return *size > index ? db_.connect().queryOne(
                                 "SELECT size FROM ledger_checkpoints WHERE size = ?", {i64(*size)})
                           : std::nullopt;
    // With witnesses, the first covering checkpoint that counts as witnessed, when there is
    // one: checkpoints signed on a read are not sent to them, and may never be cosigned.
    if (!options_.witnesses.empty())
      if (auto witnessed = firstCovering(true)) return witnessed;
    return firstCovering(false);
  };
  auto row = covering();
  if (!row && !size) {
    if (sign == SignNow::yes)
      signCheckpoint();
    else
      latestCheckpoint();
    row = covering();
  }
  if (!row) return std::nullopt;
  ReceiptProof r;
  r.index = index;
  r.treeSize = static_cast<std::uint64_t>(row->integer("size"));
  r.leafHash = leafHash(*this->entry(index));
  r.inclusionProof = inclusionProof(index, r.treeSize);
  r.checkpoint = *checkpoint(r.treeSize);
  return r;
}

std::optional<std::string> Log::latestWitnessedCheckpoint() {
  auto latest = checkpoints(std::nullopt, 1, true);
  if (latest.empty()) return std::nullopt;
  return checkpoint(latest.front().size);
}

std::vector<WitnessOutcome> Log::requestCosignatures() {
  std::vector<WitnessOutcome> out;
  if (options_.witnesses.empty()) return out;
  std::lock_guard one(witnessMutex_);
  std::optional<store::Connection> held;  // holds the PostgreSQL session lock while it lives
  if (db_.dialect() == store::Dialect::Postgres) {
    held.emplace(db_.connectApart());
    held->exec("SELECT pg_advisory_lock(?)", {kWitnessLock});
  }
  struct Unlock {
    std::optional<store::Connection>& c;
    ~Unlock() {
      if (!c) return;
      try {
        c->exec("SELECT pg_advisory_unlock(?)", {kWitnessLock});
      } catch (...) {
        // The connection is gone, and with it the lock.
      }
    }
  } unlock{held};
  const std::string note = signCheckpoint();
  auto parsed = parseNote(note);
  auto cp = parsed ? parseCheckpoint(parsed->text) : std::nullopt;
  if (!cp) damaged("the log's own checkpoint does not parse");
  for (const auto& w : options_.witnesses) {
    // A connection per question, not one held throughout: with the lock's own, a small pool
    // would otherwise run out while a witness is asked.
    if (db_.connect().queryOne(
            "SELECT 1 AS x FROM ledger_cosignatures WHERE size = ? AND witness = ?",
            {i64(cp->size), w.key.vkey()})) {
      out.push_back({w.key.name(), true, 200, ""});
      continue;
    }
    out.push_back(askWitness(w, cp->size, note));
  }
  return out;
}

WitnessOutcome Log::askWitness(const WitnessEndpoint& w, std::uint64_t size,
                               const std::string& note) {
  WitnessOutcome outcome{w.key.name(), false, 0, ""};
  const std::string vkey = w.key.vkey();
  std::uint64_t old = 0;
  if (auto row =
          db_.connect().queryOne("SELECT size FROM ledger_witness_state WHERE witness = ?", {vkey}))
    old = static_cast<std::uint64_t>(row->integer("size"));
  // What the log learns of its witnesses is its own bookkeeping, apart from any caller's write.
  auto remember = [&](std::uint64_t knownSize) {
    db_.connectApart().exec(
        "INSERT INTO ledger_witness_state (witness, size, last_status, last_problem, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (witness) DO UPDATE SET size = excluded.size, "
        "last_status = excluded.last_status, last_problem = excluded.last_problem, "
        "updated_at = excluded.updated_at",
        {vkey, i64(knownSize), static_cast<std::int64_t>(outcome.status), outcome.problem,
         nowRfc3339()});
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (old > size) {
      outcome.problem = "the witness has cosigned size " + std::to_string(old) +
                        ", beyond this checkpoint's " + std::to_string(size);
      break;
    }
    std::vector<Hash> proof;
    if (old > 0 && old < size) proof = consistencyProof(old, size);
    WitnessReply reply;
    try {
      if (!options_.post) throw std::runtime_error("no way to reach witnesses is configured");
      reply = options_.post(w.url + "/add-checkpoint", addCheckpointBody(old, proof, note));
    } catch (const std::exception& e) {
      outcome.status = 0;
      outcome.problem = e.what();
      break;
    }
    outcome.status = reply.status;
    if (reply.status == 200) {
      auto lines = parseSignatureLines(reply.body);
      auto base = parseNote(note);
      std::optional<NoteSignature> mine;
      for (const auto& sig : lines ? *lines : std::vector<NoteSignature>{})
        if (w.key.cosignedAt(Note{base->text, {sig}})) mine = sig;
      if (!mine) {
        outcome.problem = "the answer holds no valid cosignature by this witness";
        break;
      }
      auto at = w.key.cosignedAt(Note{base->text, {*mine}});
      db_.transactionApart([&](store::Connection& tx) {
        if (!tx.queryOne("SELECT 1 AS x FROM ledger_cosignatures WHERE size = ? AND witness = ?",
                         {i64(size), vkey}))
          tx.exec(
              "INSERT INTO ledger_cosignatures (size, witness, line, cosigned_at) "
              "VALUES (?, ?, ?, ?)",
              {i64(size), vkey, formatSignatureLine(*mine), i64(*at)});
      });
      outcome.cosigned = true;
      remember(size);
      return outcome;
    }
    // 409 with the witness's latest size: catch up from there, once.
    if (reply.status == 409 && isMediaType(reply.contentType, "text/x.tlog.size") && attempt == 0) {
      std::string text = trim(reply.body);
      std::uint64_t theirs = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), theirs);
      if (ec == std::errc() && p == text.data() + text.size() && theirs != old) {
        old = theirs;
        continue;
      }
    }
    outcome.problem = "the witness refused the checkpoint of size " + std::to_string(size) +
                      " (HTTP " + std::to_string(reply.status) + "): " + reply.body.substr(0, 300);
    break;
  }
  log::warn(
      "ledger.witness_refused",
      {{"witness", outcome.witness}, {"status", outcome.status}, {"problem", outcome.problem}});
  remember(old);
  return outcome;
}

}  // namespace onceonly::ledger
