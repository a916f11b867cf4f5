#include <charconv>

#include "api/routes.h"
#include "core/encoding.h"
#include "core/error.h"
#include "identity/authz.h"
#include "ledger/log.h"

namespace onceonly::api {
namespace {

std::string b64(const ledger::Hash& h) {
  return base64(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

nlohmann::json hashes(const std::vector<ledger::Hash>& v) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : v) out.push_back(b64(h));
  return out;
}

// A non-negative integer query parameter; records a field error otherwise.
std::optional<std::uint64_t> count(QueryParams& qp, FieldErrors& errors, const std::string& name) {
  auto v = qp.get(name);
  if (!v) {
    errors.add(FieldLocation::Query, name, "field.required");
    return std::nullopt;
  }
  std::uint64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size()) {
    errors.add(FieldLocation::Query, name, "field.type", {{"type", "non-negative integer"}});
    return std::nullopt;
  }
  return out;
}

}  // namespace

void addLedgerRoutes(http::Router& router, Endpoints& api, Context& ctx) {
  // Reading the checkpoint, the proofs and the keys is public: anyone may check the log.
  router.add("GET", "/api/v1/ledger/checkpoint", [&ctx](http::Request&) {
    auto r = http::Response::text(200, ctx.ledger.latestCheckpoint(), "text/plain; charset=utf-8");
    r.setHeader("Cache-Control", "no-cache");
    return r;
  });

  router.add("GET", "/api/v1/ledger/keys", [&ctx](http::Request&) {
    return http::Response::json(
        200, {{"log", ctx.ledger.signer().verifier().vkey()}, {"origin", ctx.config.ledgerOrigin}});
  });

  router.add("GET", "/api/v1/ledger/proofs/inclusion", [&ctx](http::Request& req) {
    QueryParams qp(req, {"index", "size"});
    FieldErrors errors;
    auto index = count(qp, errors, "index");
    auto size = count(qp, errors, "size");
    qp.finish();
    errors.throwIfAny();
    const std::uint64_t current = ctx.ledger.size();
    if (*size > current)
      throw invalidField(FieldLocation::Query, "size", "field.range",
                         {{"min", "1"}, {"max", std::to_string(current)}});
    if (*index >= *size)
      throw invalidField(FieldLocation::Query, "index", "field.range",
                         {{"min", "0"}, {"max", std::to_string(*size == 0 ? 0 : *size - 1)}});
    auto entry = ctx.ledger.entry(*index);
    return http::Response::json(200, {{"index", *index},
                                      {"size", *size},
                                      {"leaf_hash", b64(ledger::leafHash(*entry))},
                                      {"proof", hashes(ctx.ledger.inclusionProof(*index, *size))},
                                      {"root", b64(ctx.ledger.root(*size))}});
  });

  router.add("GET", "/api/v1/ledger/proofs/consistency", [&ctx](http::Request& req) {
    QueryParams qp(req, {"first", "second"});
    FieldErrors errors;
    auto first = count(qp, errors, "first");
    auto second = count(qp, errors, "second");
    qp.finish();
    errors.throwIfAny();
    const std::uint64_t current = ctx.ledger.size();
    if (*second > current)
      throw invalidField(FieldLocation::Query, "second", "field.range",
                         {{"min", "0"}, {"max", std::to_string(current)}});
    if (*first > *second)
      throw invalidField(FieldLocation::Query, "first", "field.range",
                         {{"min", "0"}, {"max", std::to_string(*second)}});
    return http::Response::json(200,
                                {{"first", *first},
                                 {"second", *second},
                                 {"proof", hashes(ctx.ledger.consistencyProof(*first, *second))},
                                 {"first_root", b64(ctx.ledger.root(*first))},
                                 {"second_root", b64(ctx.ledger.root(*second))}});
  });

  // Entries name pseudonyms, not people, but who did what is still for auditors.
  api.read("/api/v1/ledger/entries/{index}",
           [&ctx](http::Request& req, const identity::Principal& p) {
             identity::authz::requireRole(p, {"auditor"});
             const auto& text = req.param("index");
             std::uint64_t index = 0;
             auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
             if (ec != std::errc() || end != text.data() + text.size())
               throw notFound("ledger entry", text);
             auto entry = ctx.ledger.entry(index);
             if (!entry) throw notFound("ledger entry", text);
             return http::Response::json(200, {{"index", index},
                                               {"leaf_hash", b64(ledger::leafHash(*entry))},
                                               {"entry", nlohmann::json::parse(*entry)}});
           });

  api.write("POST", "/api/v1/ledger/checkpoints", "ledger.checkpoint",
            [&ctx](http::Request&, const identity::Principal& p, AuditNote& note) {
              identity::authz::requireRole(p, {});
              auto text = ctx.ledger.signCheckpoint();
              note.targetType = "ledger";
              return http::Response::text(201, text, "text/plain; charset=utf-8");
            });
}

}  // namespace onceonly::api
