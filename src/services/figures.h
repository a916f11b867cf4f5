// Performance figures of one-window service, computed from the applications themselves: per
// service item, department or administrative level over a period of submission dates, and month
// by month. What leadership sees on the dashboards, and what anyone may read.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/calendar.h"

namespace onceonly::store {
class Database;
}

namespace onceonly::services {

class ServiceCatalog;

struct Figures {
  std::string key;  // the item's, department's or level's id
  std::int64_t applications = 0, decided = 0, approved = 0, rejected = 0, open = 0, overdue = 0;
  std::int64_t zeroVisit = 0, atMostOneVisit = 0, online = 0;
  std::int64_t onTime = 0;  // decided by its due date
  std::vector<int> workingDays;
  std::int64_t materials = 0, materialsFetched = 0;  // fetched or from the wallet
  std::int64_t ratings = 0, satisfied = 0, scoreSum = 0;
  // Of the items concerned (from the guide): their mean limits and compression.
  double statutoryDays = 0, promisedDays = 0, compression = 0;
  std::int64_t items = 0;

  nlohmann::json toJson() const;
};

struct FigureReport {
  std::string from, to, by;
  Figures total;
  std::vector<Figures> groups;  // largest first
  std::vector<Figures> months;  // key YYYY-MM, in order
};

// by: "item", "department" or "level". Applications count when submitted within [from, to].
// localDate: the day, in the platform's time zone, of an RFC 3339 time.
FigureReport performance(store::Database& db, ServiceCatalog& guide, const Date& from,
                         const Date& to, const std::string& by, const Date& today,
                         const std::function<Date(const std::string&)>& localDate);

}  // namespace onceonly::services
