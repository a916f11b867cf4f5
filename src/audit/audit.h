// The audit trail: one record for every write made through the API, successful or not (who,
// acting for which organisation, what, when, request id, outcome). Records are only ever
// appended. Callers mask personal identifiers before recording (see identity::maskResidentId);
// the trail is readable by auditors (their subtree) and platform admins.
#pragma once

#include <optional>
#include <string>

#include "core/page.h"

namespace onceonly::store {
class Database;
class Connection;
}  // namespace onceonly::store

namespace onceonly::audit {

struct Event {
  std::string id;          // set by record()
  std::string occurredAt;  // set by record()
  std::optional<std::string> actorId, actorKind, actorLabel, orgId;
  std::string action;  // e.g. "org.create", "session.create"
  std::optional<std::string> targetType, targetId;
  std::string method, path;
  int status = 0;
  std::string outcome;  // "success" or "failure"
  std::string requestId;
  std::optional<std::string> clientIp;
  std::optional<std::string> detail;  // JSON text, already masked
};

struct Filter {
  std::optional<std::string> actorId, orgId, action, outcome, targetId;
  std::optional<std::string> from, to;    // RFC 3339, inclusive / exclusive
  std::optional<std::string> withinPath;  // only events of organisations under this path
};

class Trail {
 public:
  explicit Trail(store::Database& db) : db_(db) {}
  // Records on the caller's connection, so that the record of a write commits with the write
  // (or, for a write that failed, stands alone).
  Event record(store::Connection& c, Event e);
  // Newest first unless sort says otherwise.
  Page<Event> list(const Filter& filter, ListQuery query);
  static const Sorting& sorting();

 private:
  store::Database& db_;
};

}  // namespace onceonly::audit
