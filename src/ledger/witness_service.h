// The witness process's HTTP face (`onceonly witness`): POST /add-checkpoint as c2sp.org/
// tlog-witness defines it, GET / (who this witness is, which logs it follows and what it last
// cosigned), and /healthz. Protocol answers keep the statuses the protocol gives them; a refusal
// also carries an RFC 9457 body saying why.
#pragma once

#include <memory>

#include "http/http.h"

namespace onceonly::ledger {
class Witness;
}

namespace onceonly::ledger {

class WitnessService {
 public:
  explicit WitnessService(ledger::Witness& witness);
  ~WitnessService();
  http::Response handle(http::Request& req);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onceonly::ledger
