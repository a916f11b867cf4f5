// Recording a look at a person's data on the ledger before showing it (routes.h).
#include "api/routes.h"
#include "core/error.h"
#include "core/log.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "ledger/log.h"

namespace onceonly::api {

namespace {

// Why a look at personal data was refused when its record could not be written: an error that
// already says so (the database is unreachable, the ledger stopped) as it is, anything else as
// the ledger being unavailable, so the client knows to try again rather than that it asked
// wrongly.
std::exception_ptr unrecorded(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    if (e.status() == 503) return error;
    log::error("ledger.access_not_recorded", {{"problem", e.what()}});
  } catch (const std::exception& e) {
    log::error("ledger.access_not_recorded", {{"problem", e.what()}});
  } catch (...) {
    log::error("ledger.access_not_recorded", {});
  }
  return std::make_exception_ptr(Error(503, "ledger.unavailable", {{"seconds", "5"}}));
}

}  // namespace

http::Response onceAccessRecorded(Context& ctx, const identity::Principal& p,
                                  const std::vector<identity::Account>& seen,
                                  const std::string& purpose, http::Response shown) {
  std::vector<nlohmann::json> entries;
  const std::string at = nowRfc3339();
  for (const auto& a : seen) {
    if ((a.kind != "citizen" && a.kind != "company") || a.id == p.accountId) continue;
    entries.push_back({{"type", "data.access"},
                       {"subject", a.pseudonym},
                       {"data", "account"},
                       {"purpose", purpose},
                       {"accessor", p.accountId},
                       {"accessor_org", p.orgId ? nlohmann::json(*p.orgId) : nlohmann::json()},
                       {"at", at}});
  }
  if (entries.empty()) return shown;
  return onceOnLedger(
      ctx, std::move(entries),
      [shown = std::move(shown)](const std::vector<ledger::Receipt>&) { return shown; });
}

http::Response onceOnLedger(
    Context& ctx, std::vector<nlohmann::json> entries,
    std::function<http::Response(const std::vector<ledger::Receipt>&)> shown) {
  // Nothing is shown before its access is durably on the record.
  return http::Response::deferred([&ledger = ctx.ledger(), entries = std::move(entries),
                                   shown = std::move(shown)](const http::Respond& respond) {
    try {
      ledger.append(entries, [shown, respond](const std::exception_ptr& error,
                                              const std::vector<ledger::Receipt>& receipts) {
        if (error) return respond(unrecorded(error), {});
        respond(nullptr, shown(receipts));
      });
    } catch (...) {  // refused at once (shutting down, a failed sync): nothing was recorded
      respond(unrecorded(std::current_exception()), {});
    }
  });
}

}  // namespace onceonly::api
