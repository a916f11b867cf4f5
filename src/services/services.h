// The catalog of service items ("matters"): what a department answers for, on what legal basis,
// within which statutory and promised time limits (working days), for which fee, through which
// channels and with how many visits, for which life events and themes; the materials an
// application needs and where each comes from (a catalog resource fetched through the exchange,
// a certificate, a form the applicant fills in, an upload); the certificates a positive decision
// issues; and the process, stages in order with the departments deciding in parallel within a
// stage. Packages bundle several items into one application ("open a restaurant").
//
// Items arrive as JSON documents (the API's and the demo's); itemFromJson() reads one and
// reports every problem with its JSON pointer. What other modules know (that an organisation,
// a catalog resource or a certificate type exists) is checked by the caller.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/page.h"

namespace onceonly::store {
class Database;
}

namespace onceonly::services {

extern const std::vector<std::string>
    kKinds;  // licence registration benefit certificate filing other
extern const std::vector<std::string> kChannels;    // online window
extern const std::vector<std::string> kLifeEvents;  // birth education … business_start … death
extern const std::vector<std::string> kThemes;      // family housing employment … tax
extern const std::vector<std::string> kMaterialSources;  // resource certificate form upload
extern const std::vector<std::string> kUploadTypes;      // application/pdf image/jpeg image/png

struct FormField {
  std::string name;
  std::string type;  // string date integer boolean
  std::string labelZh, labelEn;
  bool required = true;
};

struct Material {
  std::string code;
  std::string nameZh, nameEn;
  std::string source;                    // resource, certificate, form, upload
  std::string resourceCode;              // source resource: the catalog resource
  std::vector<std::string> fields;       // source resource: the fields fetched
  std::string credentialType;            // source certificate: the certificate type's code
  std::vector<FormField> formFields;     // source form
  std::vector<std::string> uploadTypes;  // source upload: media types accepted
  std::int64_t maxBytes = 0;             // source upload: the largest file
  bool core = true;                      // a core material is never accepted missing
};

struct Stage {
  std::string nameZh, nameEn;
  std::vector<std::string> orgIds;  // the departments deciding in parallel
};

struct ServiceItem {
  std::string id;
  std::string code;
  std::string orgId;  // the responsible department
  std::string level;  // its administrative level
  std::string nameZh, nameEn, descriptionZh, descriptionEn;
  std::string kind;
  std::string subjectKind;  // person or company: who applies
  std::string legalBasis;
  int statutoryDays = 0;  // working days the law allows
  int promisedDays = 0;   // working days the department promises (at most statutory)
  std::int64_t feeCents = 0;
  std::vector<std::string> channels;
  int visits = 0;  // visits in person the applicant needs (0: none)
  std::vector<std::string> lifeEvents, themes;
  std::vector<Material> materials;
  std::vector<std::string> certificates;  // certificate type codes a positive decision issues
  std::vector<Stage> stages;
  // Non-core materials may be missing at acceptance against a signed commitment.
  bool allowsDeficiency = false;
  std::string status = "active";
  int version = 1;
  std::string createdBy, createdAt, updatedAt;

  // (statutory − promised) / statutory: how much faster than the law the department promises.
  double compression() const;
};

struct Package {
  std::string id;
  std::string code;
  std::string nameZh, nameEn, descriptionZh, descriptionEn;
  std::vector<std::string> itemIds;
  std::vector<std::string> lifeEvents;
  std::string createdBy, createdAt;
};

struct ItemFilter {
  std::optional<std::string> orgId, level, kind, subjectKind, lifeEvent, theme, channel;
};

// An item from its JSON document (the API's create body, the demo's data): every problem added
// to `e` with its pointer; id, org, level, status, version and times are the caller's.
ServiceItem itemFromJson(const nlohmann::json& j, FieldErrors& e);
nlohmann::json itemToJson(const ServiceItem& s);
nlohmann::json packageToJson(const Package& p);

class ServiceCatalog {
 public:
  explicit ServiceCatalog(store::Database& db) : db_(db) {}

  // 409 conflict.duplicate for a code in use.
  ServiceItem create(ServiceItem s);
  // Items do not change once made: applications read them from memory after the first time.
  std::optional<ServiceItem> find(const std::string& id);
  std::optional<ServiceItem> findByCode(const std::string& code);
  Page<ServiceItem> list(const ItemFilter& f, ListQuery q);
  static const Sorting& itemSorting();

  // 409 conflict.duplicate for a code in use; 400 for an item that does not exist.
  Package createPackage(Package p);
  std::optional<Package> findPackage(const std::string& id);
  Page<Package> packages(const std::optional<std::string>& lifeEvent, ListQuery q);
  static const Sorting& packageSorting();

 private:
  store::Database& db_;
  std::mutex cacheMutex_;
  std::map<std::string, ServiceItem> cache_;  // GUARDED_BY cacheMutex_
};

}  // namespace onceonly::services
