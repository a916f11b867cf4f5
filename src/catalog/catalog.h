// The shared data catalog: the data resources each department holds, what their fields are and
// how sensitive, and on what terms they are shared and opened. A resource belongs to one
// department; every change makes a new version, and the old ones are kept.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/page.h"

namespace onceonly::store {
class Database;
class Connection;
}  // namespace onceonly::store

namespace onceonly::catalog {

// Field types, sensitivities and masking rules a resource may use.
extern const std::vector<std::string> kFieldTypes;     // string integer decimal date boolean code
extern const std::vector<std::string> kSensitivities;  // public internal personal sensitive
extern const std::vector<std::string> kMaskings;       // none name phone id_number all
extern const std::vector<std::string> kSubjectKinds;   // person company none
extern const std::vector<std::string> kSharing;        // unconditional conditional not_shared
extern const std::vector<std::string> kOpenClasses;    // open conditional closed
extern const std::vector<std::string> kFrequencies;  // realtime daily weekly monthly … irregular
extern const std::vector<std::string> kSources;      // hosted connector credential

struct Field {
  std::string name;  // lower-case letters, digits and '_', starting with a letter
  std::string type;
  std::string descriptionZh, descriptionEn;
  std::string sensitivity = "internal";
  std::string masking = "none";         // how a grant that does not unmask it shows the value
  std::optional<std::string> codeList;  // for type "code": the code list's name
};

struct Resource {
  std::string id;
  std::string orgId;
  std::string code;  // unique across the catalog, e.g. PSB-RESIDENT
  std::string nameZh, nameEn, descriptionZh, descriptionEn;
  std::string subjectKind;
  std::vector<Field> fields;
  std::string sharing;
  std::string openClass;
  std::string updateFrequency;
  std::string source;
  std::optional<std::string> connectorUrl;  // for source "connector"
  // Shared only with the consent of the person or company a record is about.
  bool consentRequired = false;
  int version = 1;
  std::string createdAt, updatedAt;
};

// What a request gives; absent members are unchanged on update and required on create.
struct ResourceInput {
  std::optional<std::string> code, nameZh, nameEn, descriptionZh, descriptionEn, subjectKind,
      sharing, openClass, updateFrequency, source;
  std::optional<std::optional<std::string>> connectorUrl;
  std::optional<bool> consentRequired;
  std::optional<std::vector<Field>> fields;
};

struct ResourceFilter {
  std::optional<std::string> orgId, subjectKind, sharing, openClass, source;
  std::optional<std::string> field;       // resources with a field of this name
  std::optional<std::string> withinPath;  // resources of organisations in this subtree
};

// A version as it was: the whole resource, who made it and when.
struct Version {
  int version = 0;
  Resource resource;
  std::string changedBy;
  std::string changedAt;
};

// Reads the fields array of a request body (JSON), adding a field error at /fields/<i>/<member>
// for each problem; checks the rules between members (masking only for personal or sensitive
// fields, a code list for code fields, names unique).
std::vector<Field> fieldsFromJson(const nlohmann::json& array, FieldErrors& errors);
nlohmann::json fieldsToJson(const std::vector<Field>& fields);
// Checks what an input gives (on create, that everything required is there), adding one field
// error per problem, so a caller can report them with its own.
void checkInput(const ResourceInput& in, bool creating, FieldErrors& errors);
// The whole resource as the API shows it and as a version keeps it.
nlohmann::json resourceToJson(const Resource& r);
// The ledger entry of a change to a resource (`type`: catalog.resource.created, …): its
// version and the digest of its whole document.
nlohmann::json changeEntry(const Resource& r, const std::string& type);
// The resource a version keeps (resourceToJson's document, read back).
Resource resourceFromJson(const nlohmann::json& j);

class Catalog {
 public:
  explicit Catalog(store::Database& db) : db_(db) {}

  // Throws 400 (every field problem at once), 409 catalog.code_taken.
  Resource create(const std::string& orgId, const ResourceInput& in, const std::string& by);
  // Changes a resource whose current version is `expectedVersion` (409
  // catalog.version_conflict otherwise, so two officers never overwrite each other) and keeps
  // the old version.
  Resource update(const std::string& id, int expectedVersion, const ResourceInput& in,
                  const std::string& by);
  std::optional<Resource> find(const std::string& id);
  std::optional<Resource> findByCode(const std::string& code);
  Page<Resource> list(const ResourceFilter& filter, ListQuery query);
  std::vector<Version> versions(const std::string& id);
  static const Sorting& sorting();

 private:
  store::Database& db_;
};

}  // namespace onceonly::catalog
