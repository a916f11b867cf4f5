// Applications for service items: what a citizen or company (or a window clerk for them) applies
// for once, with the materials the government already holds filled in, decided by the
// departments of each item's process in parallel, within working-day limits.
//
// Life cycle (status):
//   draft      — started; every material that can be is filled in at once: a catalog resource
//                fetched through the exchange by the window that receives applications (each
//                fetch an access on the ledger, with its receipt), a certificate taken from the
//                applicant's wallet. The applicant fills in forms, uploads files, and may refuse
//                a filled-in material and upload it instead.
//   submitted  — sent once; the working-day clock starts. A clerk accepts it, or returns it
//                once with everything to correct (the one-time notice).
//   returned   — waiting for the applicant: the clock stops until they submit again.
//   in_review  — accepted (a ledger entry), possibly with non-core materials missing against the
//                applicant's signed commitment and a clean credit record; each item's stages run
//                in order, the departments of a stage in parallel, each an approver's task.
//   approved   — every task approved: the items' certificates are issued to the wallet (a ledger
//                entry for the decision).
//   rejected   — a department refused, with its reason (also a ledger entry).
//   withdrawn  — the applicant gave up before a decision.
// Every change is an event of the application's history and a message to the applicant. After
// a decision the applicant may rate the service once; a rating of 1 or 2 opens a rectification
// case for the lead department.
//
// Errors: 400 with field errors for bad input, 403 services.* for acting beyond one's part, 409
// services.* for a step the application's state does not allow.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/calendar.h"
#include "core/error.h"
#include "core/page.h"
#include "services/services.h"

namespace onceonly::api {
class Services;
}
namespace onceonly::crypto {
class KeyRing;
}
namespace onceonly::identity {
struct Principal;
struct Account;
}  // namespace onceonly::identity
namespace onceonly::store {
class Connection;
class Database;
}  // namespace onceonly::store

namespace onceonly::services {

extern const std::vector<std::string> kApplicationStatuses;

struct Application {
  std::string id;
  std::string number;  // what the applicant quotes: YW-<date>-<6 characters>
  std::optional<std::string> packageId;
  std::vector<std::string> itemIds;
  std::string leadOrgId;            // the first item's department
  std::vector<std::string> orgIds;  // every department deciding
  std::string applicantAccountId;   // whose application it is
  std::string applicantKind;        // citizen or company
  std::string subjectPseudonym;     // the applicant on the ledger
  std::string subjectSealed;        // resident ID or credit code, encrypted
  std::string subjectMasked;
  std::string applicantName;
  std::string channel;  // online or window
  std::string createdBy;
  std::optional<std::string> windowOrgId;  // the clerk's department when made at a window
  std::string status;
  // One entry per material (merged across the items by code): see materialJson in the .cpp.
  nlohmann::json materials = nlohmann::json::array();
  nlohmann::json notice;  // the one-time notice: null, or {at, by, note, items: [...]}
  bool commitment = false;
  std::vector<std::string> deficiencies;  // non-core materials accepted missing
  int visits = 0;
  int statutoryDays = 0, promisedDays = 0;
  std::optional<std::string> submittedAt, acceptedAt, decidedAt;
  std::optional<std::string> dueOn, statutoryDueOn;  // working-day limits, as dates
  std::optional<std::string> pausedOn;               // waiting for the applicant since
  int pausedDays = 0;                                // working days the clock stood still
  std::optional<int> workingDays;                    // used, once decided
  std::optional<std::string> reason;                 // of a rejection
  std::vector<std::string> credentialIds;            // issued by the decision
  int version = 1;
  std::string createdAt, updatedAt;
};

struct Task {
  std::string id;
  std::string applicationId, applicationNumber;
  std::string itemId;
  int stage = 0;
  std::string orgId;
  std::string status;  // waiting (a later stage), open, approved, rejected, cancelled
  std::optional<std::string> dueOn;
  std::optional<std::string> decidedBy, decidedAt, comment;
  std::string createdAt;
};

struct Event {
  std::string id;
  std::string applicationId;
  std::string type;
  std::string actorId, actorRole;
  std::optional<std::string> orgId;
  nlohmann::json detail;
  std::string at;
};

struct Message {
  std::string id;
  std::string accountId;
  std::int64_t seq = 0;  // the account's messages in order
  std::string applicationId, applicationNumber;
  std::string kind;  // the event's type
  nlohmann::json params;
  std::string createdAt;
  std::optional<std::string> readAt;
};

struct Rating {
  std::string applicationId;
  int score = 0;
  std::optional<std::string> comment;
  std::string channel;
  std::string ratedAt;
};

struct Rectification {
  std::string id;
  std::string applicationId, applicationNumber;
  std::string orgId;
  int score = 0;
  std::optional<std::string> comment;
  std::string status;  // open, replied, closed
  std::string dueOn;
  std::optional<std::string> reply, repliedBy, repliedAt, followUp, closedBy, closedAt;
  std::string createdAt;
};

struct ApplicationFilter {
  std::optional<std::string> applicantAccountId, status, orgId, itemId;
  bool overdueOnly = false;
};

struct TaskFilter {
  std::optional<std::string> orgId, status, applicationId;
};

// An uploaded file of a material.
struct StoredFile {
  std::string id;
  std::string mediaType;
  std::string content;
};

// The platform-wide settings of one-window service, maintained by a platform_admin.
struct ServiceSettings {
  // The department whose window receives applications and gathers their materials through
  // the exchange (the integrated service centre); none: each application's lead department.
  std::optional<std::string> windowOrgId;
  // The shared credit record checked before acceptance with deficiencies, and its boolean field
  // that marks serious dishonesty; none: acceptance with deficiencies is not possible.
  std::optional<std::string> creditResourceId;
  std::string creditField = "serious_dishonesty";
};

class Applications {
 public:
  Applications(store::Database& db, api::Services& services, const crypto::KeyRing& keys,
               int utcOffsetMinutes);

  // ----- settings and the calendar ------------------------------------------------------------
  ServiceSettings settings();
  void saveSettings(const ServiceSettings& s, const std::string& by);
  WorkingCalendar calendar();
  // The holidays and adjusted working days of one year, as the admin gave them.
  nlohmann::json calendarYear(int year);
  // Replaces one year's days; 400 naming each bad entry (not in the year, a date twice, both
  // kinds, an adjusted working day that is not a weekend day).
  void setCalendarYear(int year, const nlohmann::json& days, const std::string& by);
  // Today in the platform's time zone, and the day there of a time (RFC 3339).
  Date today() const;
  Date localDate(const std::string& at) const;

  // ----- the applicant's side ----------------------------------------------------------------
  // Starts an application for the applicant's account (by them, or by a window clerk) and fills
  // in what it can. The fetches' ledger entries are added to `entries`, in the order of the
  // materials that have an access_id, for the caller to append before answering.
  Application start(store::Connection& c, const std::vector<ServiceItem>& items,
                    const std::optional<std::string>& packageId, const identity::Account& applicant,
                    const identity::Principal& by, const std::string& channel,
                    std::vector<nlohmann::json>& entries);
  std::optional<Application> find(const std::string& id);
  Page<Application> list(const ApplicationFilter& f, ListQuery q);
  static const Sorting& sorting();

  // Whether the principal may see it: the applicant, the clerk of its window or lead
  // department, a department deciding it, or staff who see every department.
  bool visibleTo(const Application& a, const identity::Principal& p);
  // The applicant's own, or a clerk's acting at the window; 404 otherwise.
  void requireApplicantSide(const Application& a, const identity::Principal& p) const;

  Application fillForm(const std::string& id, const std::string& material,
                       const nlohmann::json& values, const identity::Principal& by);
  Application refuse(const std::string& id, const std::string& material,
                     const identity::Principal& by);
  Application upload(const std::string& id, const std::string& material,
                     const std::string& mediaType, const std::string& bytes,
                     const identity::Principal& by);
  std::optional<StoredFile> file(const std::string& applicationId, const std::string& fileId);
  Application submit(const std::string& id, bool commitment, const identity::Principal& by);
  Application withdraw(const std::string& id, const identity::Principal& by);

  // ----- the window --------------------------------------------------------------------------
  // The one-time notice: each item {material, reason}; 409 services.notice_given the second
  // time.
  Application giveNotice(const std::string& id, const nlohmann::json& items,
                         const std::string& note, const identity::Principal& by);
  // Accepts a submitted application; the acceptance's ledger entry is queued on `c`, and the
  // credit check's access too.
  Application accept(store::Connection& c, const std::string& id, const identity::Principal& by);

  // ----- the departments ---------------------------------------------------------------------
  Page<Task> tasks(const TaskFilter& f, ListQuery q);
  std::vector<Task> tasksOf(const std::string& applicationId);
  static const Sorting& taskSorting();
  std::optional<Task> findTask(const std::string& id);
  // Approves or rejects an open task of the approver's department; the decision (when this was
  // the last task or a rejection) issues the certificates on `c` and queues its ledger entries.
  Application decideTask(store::Connection& c, const std::string& taskId, bool approve,
                         const std::optional<std::string>& comment, const identity::Principal& by);

  // ----- history, messages, ratings ----------------------------------------------------------
  std::vector<Event> history(const std::string& applicationId);
  Page<Message> messages(const std::string& accountId, bool unreadOnly, ListQuery q);
  static const Sorting& messageSorting();
  void markRead(const std::string& accountId, const std::string& messageId);
  std::int64_t unread(const std::string& accountId);

  Rating rate(const std::string& id, int score, const std::optional<std::string>& comment,
              const identity::Principal& by);
  std::optional<Rating> rating(const std::string& applicationId);
  // Counts per score (1..5) of an item's ratings, or a department's (the lead department).
  std::vector<std::int64_t> ratingCounts(const std::optional<std::string>& itemId,
                                         const std::optional<std::string>& orgId);

  Page<Rectification> rectifications(const std::optional<std::string>& orgId,
                                     const std::optional<std::string>& status, ListQuery q);
  static const Sorting& rectificationSorting();
  std::optional<Rectification> findRectification(const std::string& id);
  Rectification reply(const std::string& id, const std::string& text,
                      const identity::Principal& by);
  Rectification close(const std::string& id, const std::string& followUp,
                      const identity::Principal& by);

  // An application decided before (the demo's history, an import from an earlier system), with
  // its rating when it has one: stored as it is, without tasks, events or ledger entries.
  void addDecided(const Application& a, const std::optional<int>& score,
                  const std::string& ratedAt);

  // The item an application's items are (in order).
  std::vector<ServiceItem> itemsOf(const Application& a);

 private:
  struct Gathered;
  Application load(store::Connection& c, const std::string& id);
  void insert(store::Connection& c, const Application& a);
  void save(store::Connection& c, Application& a);
  void event(store::Connection& c, const Application& a, const std::string& type,
             const identity::Principal& by, nlohmann::json detail = nlohmann::json::object(),
             bool tellApplicant = true);
  void openStage(store::Connection& c, Application& a, const ServiceItem& item, int stage,
                 const WorkingCalendar& cal);
  void decide(store::Connection& c, Application& a, bool approved, const identity::Principal& by,
              const std::optional<std::string>& reason);
  std::string fetchingOrg(const Application& a);

  store::Database& db_;
  api::Services& services_;
  const crypto::KeyRing& keys_;
  int utcOffsetMinutes_;
  std::mutex calendarMutex_;                 // the cached calendar and settings
  std::optional<WorkingCalendar> calendar_;  // GUARDED_BY calendarMutex_
  std::optional<ServiceSettings> settings_;  // GUARDED_BY calendarMutex_
};

// The application as JSON (materials with their receipts' leaf hashes; the caller adds names).
nlohmann::json applicationToJson(const Application& a, const Date& today,
                                 const WorkingCalendar& cal);
nlohmann::json taskToJson(const Task& t, const Date& today, const WorkingCalendar& cal);
nlohmann::json eventToJson(const Event& e);
nlohmann::json messageToJson(const Message& m);
nlohmann::json rectificationToJson(const Rectification& r);
// The clock of something due on `due`: on_time, due_soon (at most one working day left) or
// overdue; "stopped" while paused.
std::string clockState(const std::optional<std::string>& due, const Date& today,
                       const WorkingCalendar& cal);

}  // namespace onceonly::services
