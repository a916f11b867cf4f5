// Appending to the ledger and waiting for the receipts, for tests that drive the log themselves
// (the server never waits: it answers from the log's callback).
#pragma once

#include <future>
#include <vector>

#include <nlohmann/json.hpp>

#include "ledger/log.h"

namespace onceonly::testing {

// Throws what the log would have told the callback.
inline std::vector<ledger::Receipt> appendAllNow(ledger::Log& log,
                                                 const std::vector<nlohmann::json>& entries) {
  std::promise<std::vector<ledger::Receipt>> promise;
  auto future = promise.get_future();
  log.append(entries,
             [&promise](const std::exception_ptr& error, const std::vector<ledger::Receipt>& r) {
               if (error)
                 promise.set_exception(error);
               else
                 promise.set_value(r);
             });
  return future.get();
}

inline ledger::Receipt appendNow(ledger::Log& log, const nlohmann::json& entry) {
  std::vector<nlohmann::json> one;
  one.push_back(entry);
  return appendAllNow(log, one).front();
}

}  // namespace onceonly::testing
