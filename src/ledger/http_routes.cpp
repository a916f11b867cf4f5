#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>

#include "api/routes.h"
#include "core/encoding.h"
#include "core/error.h"
#include "core/log.h"
#include "core/time.h"
#include "identity/authz.h"
#include "ledger/log.h"
#include "ledger/tiles.h"

namespace onceonly::ledger {

using api::Access;
using api::AuditNote;
using api::Context;
using api::QueryParams;
using api::Routes;

namespace {

using ledger::hashToBase64;

nlohmann::json hashes(const std::vector<ledger::Hash>& v) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : v) out.push_back(hashToBase64(h));
  return out;
}

// The two positions a proof is asked for: `low` and `high`, with high at most the current tree
// size and low below it (strictly, for an entry index) or at it (for a smaller tree size).
// Both are reported at once when malformed; a range problem names its parameter.
std::pair<std::uint64_t, std::uint64_t> proofPositions(http::Request& req, Context& ctx,
                                                       const std::string& low,
                                                       const std::string& high, bool strict) {
  QueryParams qp(req, {low, high}, false);
  FieldErrors errors;
  std::uint64_t values[2] = {0, 0};
  const std::string* names[2] = {&low, &high};
  for (int k = 0; k < 2; ++k) {
    auto v = qp.get(*names[k]);
    if (!v) {
      errors.add(FieldLocation::Query, *names[k], "field.required");
      continue;
    }
    values[k] = api::positionParameter(FieldLocation::Query, *names[k], *v, errors).value_or(0);
  }
  qp.finish();
  errors.throwIfAny();
  const std::uint64_t current = ctx.ledger().size();
  // An entry is in trees of at least one entry; the empty log has none to prove.
  if (strict && current == 0) throw notFound("ledger entry", std::to_string(values[0]));
  const std::uint64_t least = strict ? 1 : 0;
  if (values[1] < least || values[1] > current)
    throw invalidField(FieldLocation::Query, high, "field.range",
                       {{"min", std::to_string(least)}, {"max", std::to_string(current)}});
  if (strict ? values[0] >= values[1] : values[0] > values[1])
    throw invalidField(FieldLocation::Query, low, "field.range",
                       {{"min", "0"}, {"max", std::to_string(values[1] - least)}});
  return {values[0], values[1]};
}

// The position after which a list continues, from its cursor: a position in the log, or a
// cursor this list did not hand out.
std::optional<std::uint64_t> cursorPosition(const ListQuery& q) {
  if (!q.afterValue) return std::nullopt;
  if (!q.afterValue->is_number_unsigned() ||
      q.afterValue->get<std::uint64_t>() >=
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    throw invalidField(FieldLocation::Query, "cursor", "field.cursor");
  return q.afterValue->get<std::uint64_t>();
}

// A page from rows fetched with one row more than the limit: that extra row says there is a
// next page, which continues after the last row shown (its position in the log).
template <class T, class Position>
Page<T> positionPage(std::vector<T> rows, const ListQuery& q, const std::string& sort,
                     std::uint64_t total, Position position) {
  Page<T> page;
  page.total = static_cast<std::int64_t>(total);
  if (rows.size() > static_cast<std::size_t>(q.limit)) {
    rows.pop_back();
    auto last = position(rows.back());
    page.nextCursor = encodeCursor(sort, q.descending, last, std::to_string(last));
  }
  page.items = std::move(rows);
  return page;
}

std::uint64_t checkpointSize(const std::string& note) {
  auto parsed = ledger::parseNote(note);
  auto cp = parsed ? ledger::parseCheckpoint(parsed->text) : std::nullopt;
  if (!cp) damaged("the log's checkpoint does not parse");
  return cp->size;
}

// Auditors (and the platform admin) read every entry; a citizen or company reads the entries
// about itself; nobody else reads entries.
bool readsAllEntries(const identity::Principal& p) {
  return identity::authz::seesAllDepartments(p);
}

std::string ownSubject(Context& ctx, const identity::Principal& p) {
  if (p.kind != "citizen" && p.kind != "company") throw forbidden();
  auto self = ctx.identity().findAccount(p.accountId);
  if (!self) throw unauthenticated();
  return self->pseudonym;
}

nlohmann::json entryJson(const ledger::Log::StoredEntry& e) {
  return {{"index", e.index},
          {"leaf_hash", hashToBase64(ledger::leafHash(e.text))},
          {"entry", nlohmann::json::parse(e.text)}};
}

}  // namespace

void addRoutes(Routes& api, Context& ctx) {
  // Reading the checkpoint, the proofs and the keys is public: anyone may check the log.
  // The newest checkpoint with the cosignatures it has; ?witnessed=true: the newest one the
  // witness policy counts as witnessed.
  api.publicRead("/api/v1/ledger/checkpoint", [&ctx](http::Request& req) {
    QueryParams qp(req, {"witnessed"}, false);
    auto witnessed = qp.oneOf("witnessed", {"true", "false"});
    qp.finish();
    std::string note;
    if (witnessed == "true") {
      auto latest = ctx.ledger().latestWitnessedCheckpoint();
      if (!latest) throw Error(404, "ledger.none_witnessed");
      note = *latest;
    } else {
      auto size = ctx.ledger().latestCheckpoint();
      note = ctx.ledger().checkpoint(checkpointSize(size)).value_or(size);
    }
    auto r = http::Response::text(200, note, "text/plain; charset=utf-8");
    r.setHeader("Cache-Control", "no-cache");
    return r;
  });

  api.publicRead("/api/v1/ledger/checkpoints", [&ctx](http::Request& req) {
    QueryParams qp(req, {"witnessed", "limit", "cursor", "sort"}, false);  // no search (q)
    auto witnessed = qp.oneOf("witnessed", {"true", "false"}) == "true";
    auto q = qp.list(Sorting{{"size"}, true});
    qp.finish();
    if (!q.descending)
      throw invalidField(FieldLocation::Query, "sort", "field.sort", {{"allowed", "-size"}});
    const std::optional<std::uint64_t> before = cursorPosition(q);
    auto page = positionPage(ctx.ledger().checkpoints(before, q.limit + 1u, witnessed), q, "size",
                             ctx.ledger().countCheckpoints(witnessed),
                             [](const ledger::CheckpointInfo& c) { return c.size; });
    return http::Response::json(200, api::pageJson(page, [](const ledger::CheckpointInfo& c) {
                                  return nlohmann::json{{"size", c.size},
                                                        {"root", hashToBase64(c.root)},
                                                        {"signed_at", c.signedAt},
                                                        {"cosigned_by", c.cosignedBy},
                                                        {"witnessed", c.witnessed}};
                                }));
  });

  api.publicRead("/api/v1/ledger/checkpoints/{size}", [&ctx](http::Request& req) {
    QueryParams(req, {}, false).finish();
    const auto size = api::pathPosition(req, "size");
    auto note = ctx.ledger().checkpoint(size);
    if (!note) throw notFound("checkpoint", std::to_string(size));
    return http::Response::text(200, *note, "text/plain; charset=utf-8");
  });

  api.publicRead("/api/v1/ledger/keys", [&ctx](http::Request& req) {
    QueryParams(req, {}, false).finish();
    nlohmann::json witnesses = nlohmann::json::array();
    for (const auto& w : ctx.ledger().witnesses())
      witnesses.push_back({{"name", w.key.name()}, {"vkey", w.key.vkey()}});
    return http::Response::json(200, {{"log", ctx.ledger().signer().verifier().vkey()},
                                      {"origin", ctx.config.setting("ledger_origin")},
                                      {"witnesses", witnesses},
                                      {"quorum", ctx.ledger().quorum()}});
  });

  api.publicRead("/api/v1/ledger/proofs/inclusion", [&ctx](http::Request& req) {
    // By leaf hash instead of index (RFC 6962's get-proof-by-hash): the first entry with it.
    if (auto leaf = req.queryParam("leaf_hash")) {
      if (req.queryParam("index"))
        throw invalidField(FieldLocation::Query, "leaf_hash", "field.conflicts",
                           {{"other", "index"}});
      // A '+' left unescaped in the query string arrives as a space; base64 has no spaces.
      std::string text = *leaf;
      std::replace(text.begin(), text.end(), ' ', '+');
      auto hash = ledger::hashFromBase64(text);
      if (!hash)
        throw invalidField(FieldLocation::Query, "leaf_hash", "field.pattern",
                           {{"pattern", "base64 SHA-256 hash"}});
      auto found = ctx.ledger().indexOf(*hash);
      if (!found) throw notFound("ledger entry", text);
      // The entry is in trees larger than its index only: that is what `size` must say.
      auto size = req.queryParam("size");
      FieldErrors ignored;  // reported below, with the other parameters
      auto asked = size ? api::positionParameter(FieldLocation::Query, "size", *size, ignored)
                        : std::nullopt;
      if (asked && *asked <= *found && *found < ctx.ledger().size())
        throw invalidField(
            FieldLocation::Query, "size", "field.range",
            {{"min", std::to_string(*found + 1)}, {"max", std::to_string(ctx.ledger().size())}});
      std::erase_if(req.query, [](const auto& kv) { return kv.first == "leaf_hash"; });
      req.query.emplace_back("index", std::to_string(*found));
    }
    auto [index, size] = proofPositions(req, ctx, "index", "size", true);
    auto entry = ctx.ledger().entry(index);
    return http::Response::json(200, {{"index", index},
                                      {"size", size},
                                      {"leaf_hash", hashToBase64(ledger::leafHash(*entry))},
                                      {"proof", hashes(ctx.ledger().inclusionProof(index, size))},
                                      {"root", hashToBase64(ctx.ledger().root(size))}});
  });

  api.publicRead("/api/v1/ledger/proofs/consistency", [&ctx](http::Request& req) {
    auto [first, second] = proofPositions(req, ctx, "first", "second", false);
    return http::Response::json(200,
                                {{"first", first},
                                 {"second", second},
                                 {"proof", hashes(ctx.ledger().consistencyProof(first, second))},
                                 {"first_root", hashToBase64(ctx.ledger().root(first))},
                                 {"second_root", hashToBase64(ctx.ledger().root(second))}});
  });

  // A receipt anyone can check offline: the entry's inclusion proof against a signed checkpoint
  // (the first that covers it, or ?size= one), as `onceonly ledger check-receipt` reads it.
  api.publicRead("/api/v1/ledger/receipts/{index}", [&ctx](http::Request& req) {
    QueryParams qp(req, {"size"}, false);
    auto sizeText = qp.get("size");
    auto size = qp.position("size");
    qp.finish();
    const auto index = api::pathPosition(req, "index");
    if (index >= ctx.ledger().size()) throw notFound("ledger entry", std::to_string(index));
    if (size) {
      if (*size == 0)  // no tree without entries holds one
        throw invalidField(FieldLocation::Query, "size", "field.range",
                           {{"min", "1"}, {"max", std::to_string(ctx.ledger().size())}});
    }
    auto receipt = ctx.ledger().receipt(index, size, ledger::Log::SignNow::no);
    if (!receipt && sizeText) throw notFound("checkpoint", *sizeText);
    if (!receipt)  // the next checkpoint, due within the interval, will cover it
      throw Error(503, "ledger.not_yet_checkpointed",
                  {{"seconds", std::to_string(std::max(1, ctx.ledger().checkpointSeconds()))}});
    return http::Response::json(200, receipt->toJson());
  });

  // Entries name pseudonyms, not people, but who did what is still for auditors; a person
  // reads the entries about themself (subject=me).
  api.read(
      "/api/v1/ledger/entries", Access::staff({"auditor"}).orPeople(),
      [&ctx](http::Request& req, const identity::Principal& p) {
        QueryParams qp(req, {"subject", "limit", "cursor", "sort"}, false);  // no search (q)
        auto subject = qp.get("subject");
        auto q = qp.list(Sorting{{"index"}});
        qp.finish();
        if (q.descending)
          throw invalidField(FieldLocation::Query, "sort", "field.sort", {{"allowed", "index"}});
        if (subject == "me")
          subject = ownSubject(ctx, p);
        else if (!readsAllEntries(p))
          throw forbidden();
        const auto after = cursorPosition(q);
        const std::uint64_t from = after ? *after + 1 : 0;
        auto page = positionPage(ctx.ledger().entries(from, q.limit + 1u, subject), q, "index",
                                 ctx.ledger().countEntries(subject),
                                 [](const ledger::Log::StoredEntry& e) { return e.index; });
        return http::Response::json(200, api::pageJson(page, entryJson));
      });

  api.read("/api/v1/ledger/entries/{index}", Access::staff({"auditor"}).orPeople(),
           [&ctx](http::Request& req, const identity::Principal& p) {
             QueryParams(req, {}, false).finish();
             const auto index = api::pathPosition(req, "index");
             std::optional<std::string> mine;
             if (!readsAllEntries(p)) mine = ownSubject(ctx, p);
             auto entry = ctx.ledger().storedEntry(index);
             // Someone else's entry looks the same as a missing one.
             if (!entry || (mine && entry->subject != mine))
               throw notFound("ledger entry", std::to_string(index));
             return http::Response::json(200, entryJson(*entry));
           });

  api.write("POST", "/api/v1/ledger/checkpoints", Access::staff({"platform_admin"}),
            "ledger.checkpoint",
            [&ctx](http::Request&, const identity::Principal&, AuditNote& note) {
              // Signs (when the tree grew) and asks the witnesses at once; the answer carries the
              // cosignatures that came back.
              auto signedNote = ctx.ledger().signCheckpoint();
              auto outcomes = ctx.ledger().requestCosignatures();
              auto size = checkpointSize(signedNote);
              note.targetType = "ledger";
              note.targetId = std::to_string(size);
              for (const auto& o : outcomes)
                if (!o.cosigned) note.detail[o.witness] = o.problem;
              return http::Response::text(201, ctx.ledger().checkpoint(size).value_or(signedNote),
                                          "text/plain; charset=utf-8");
            });
}

}  // namespace onceonly::ledger
