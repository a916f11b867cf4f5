// A query's way through the exchange, shared by the API and the demo: the answer or the refusal,
// the access it makes (every one, served or refused, is recorded), and that access's ledger
// entry, which names the staff member only by a keyed reference.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "api/module.h"
#include "core/error.h"
#include "exchange/exchange.h"
#include "identity/identity.h"

namespace onceonly::crypto {
class KeyRing;
}

namespace onceonly::exchange {

using Accessed = DataAccess;

struct Outcome {
  Accessed access;
  std::optional<Answer> answer;
  std::optional<Error> refusal;
};

// Answers one query, or says why not. Refusals about the grant, consent or record concern the
// subject, and are recorded like answers (the access says why); a malformed query concerns no one
// and is thrown.
Outcome ask(api::Services& services, const crypto::KeyRing& keys, const identity::Principal& p,
            const Query& q);

// The access's entry on the ledger, under the subject's pseudonym.
nlohmann::json ledgerEntry(const Accessed& a);

}  // namespace onceonly::exchange
