#include "ledger/witness_service.h"

#include "api/module.h"
#include "core/encoding.h"
#include "core/error.h"
#include "core/i18n.h"
#include "http/metrics.h"
#include "http/pipeline.h"
#include "http/router.h"
#include "ledger/witness.h"

namespace onceonly::ledger {
namespace {

using Status = ledger::WitnessAnswer::Status;

http::Response answer(const ledger::WitnessAnswer& a) {
  switch (a.status) {
    case Status::Cosigned:
      return http::Response::text(200, a.body);
    case Status::SizeMismatch:
      // The protocol's one machine-read refusal: the size the client must prove from.
      return http::Response::text(409, std::to_string(a.latestSize) + "\n", "text/x.tlog.size");
    case Status::Malformed:
      throw Error(400, "witness.malformed", {{"reason", a.message}});
    case Status::BadSignature:
      throw Error(403, "witness.bad_signature", {{"reason", a.message}});
    case Status::UnknownLog:
      throw Error(404, "witness.unknown_log", {{"reason", a.message}});
    case Status::Fork:
      throw Error(409, "witness.fork", {{"reason", a.message}});
    case Status::BadProof:
      throw Error(422, "witness.bad_proof", {{"reason", a.message}});
  }
  throw Error(500, "internal");
}

}  // namespace

struct WitnessService::Impl {
  explicit Impl(ledger::Witness& w) : witness(w) {}
  ledger::Witness& witness;
  http::Router router;
  http::Metrics metrics;
  std::unique_ptr<http::Pipeline> pipeline;
};

api::Module module();

WitnessService::WitnessService(ledger::Witness& witness) : impl_(std::make_unique<Impl>(witness)) {
  i18n::addMessages(module().messages);  // the witness runs without the application
  auto& w = impl_->witness;
  impl_->router.add("POST", "/add-checkpoint", [&w](http::Request& req) {
    auto a = w.addCheckpoint(req.body);
    return answer(a);
  });
  impl_->router.add("GET", "/", [&w](http::Request&) {
    nlohmann::json logs = nlohmann::json::array();
    for (const auto& origin : w.origins()) {
      nlohmann::json entry = {{"origin", origin}};
      if (auto s = w.state(origin)) {
        entry["size"] = s->size;
        entry["root"] =
            base64(std::string_view(reinterpret_cast<const char*>(s->root.data()), s->root.size()));
        entry["cosigned_at"] = s->cosignedAt;
      }
      logs.push_back(entry);
    }
    return http::Response::json(
        200, {{"name", w.verifier().name()}, {"vkey", w.verifier().vkey()}, {"logs", logs}});
  });
  impl_->router.add("GET", "/healthz", [](http::Request&) {
    return http::Response::json(200, {{"status", "ok"}});
  });
  // Logs call a witness a few times a minute; the limit only stops floods.
  impl_->pipeline = std::make_unique<http::Pipeline>(impl_->router, impl_->metrics,
                                                     http::PipelineOptions{false, 50, 200});
}

WitnessService::~WitnessService() = default;

http::Response WitnessService::handle(http::Request& req) {
  return impl_->pipeline->handle(req);
}

}  // namespace onceonly::ledger
