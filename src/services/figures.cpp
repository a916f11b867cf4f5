#include "services/figures.h"

#include <algorithm>
#include <map>
#include <set>

#include "services/services.h"
#include "store/store.h"

namespace onceonly::services {

namespace {

using nlohmann::json;

json ratio(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return nullptr;
  return static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

json Figures::toJson() const {
  json days = nullptr, p90 = nullptr;
  if (!workingDays.empty()) {
    auto sorted = workingDays;
    std::sort(sorted.begin(), sorted.end());
    double sum = 0;
    for (int d : sorted) sum += d;
    days = sum / static_cast<double>(sorted.size());
    // The nearest-rank 90th percentile.
    const auto rank = (sorted.size() * 9 + 9) / 10;
    p90 = sorted[std::max<std::size_t>(rank, 1) - 1];
  }
  return {{"key", key},
          {"applications", applications},
          {"decided", decided},
          {"approved", approved},
          {"rejected", rejected},
          {"open", open},
          {"overdue", overdue},
          {"zero_visit_share", ratio(zeroVisit, applications)},
          {"at_most_one_visit_share", ratio(atMostOneVisit, applications)},
          {"online_share", ratio(online, applications)},
          {"avg_working_days", days},
          {"p90_working_days", p90},
          {"on_time_rate", ratio(onTime, decided)},
          {"materials", materials},
          {"materials_fetched", materialsFetched},
          {"fetched_share", ratio(materialsFetched, materials)},
          {"ratings", ratings},
          {"satisfaction", ratio(satisfied, ratings)},
          {"average_score",
           ratings ? json(static_cast<double>(scoreSum) / static_cast<double>(ratings)) : json()},
          {"statutory_days", items ? json(statutoryDays) : json()},
          {"promised_days", items ? json(promisedDays) : json()},
          {"compression", items ? json(compression) : json()}};
}

FigureReport performance(store::Database& db, ServiceCatalog& guide, const Date& from,
                         const Date& to, const std::string& by, const Date& today,
                         const std::function<Date(const std::string&)>& localDate) {
  FigureReport report;
  report.from = from.toString();
  report.to = to.toString();
  report.by = by;
  std::map<std::string, std::optional<ServiceItem>> items;
  auto itemOf = [&](const std::string& id) -> const std::optional<ServiceItem>& {
    auto it = items.find(id);
    if (it == items.end()) it = items.emplace(id, guide.find(id)).first;
    return it->second;
  };
  std::map<std::string, Figures> groups, months;
  // Each group's items, for their limits.
  std::map<std::string, std::set<std::string>> groupItems;
  std::set<std::string> allItems;

  auto rows = db.connect().query(
      "SELECT a.item_ids, a.channel, a.visits, a.status, a.submitted_at, a.decided_at, a.due_on, "
      "a.working_days, a.materials, r.score FROM service_applications a LEFT JOIN "
      "service_ratings r ON r.application_id = a.id WHERE a.submitted_at >= ? AND "
      "a.submitted_at < ?",
      {from.toString(), to.addDays(1).toString()});
  const auto todayText = today.toString();
  for (const auto& r : rows) {
    const auto itemIds = json::parse(r.text("item_ids")).get<std::vector<std::string>>();
    const auto status = r.text("status");
    const bool decided = status == "approved" || status == "rejected";
    const bool open = status == "submitted" || status == "returned" || status == "in_review";
    const auto due = r.optText("due_on");
    const auto decidedAt = r.optText("decided_at");
    const auto decidedOn = decidedAt ? localDate(*decidedAt).toString() : std::string();
    std::int64_t materials = 0, fetched = 0;
    for (const auto& m : json::parse(r.text("materials"))) {
      ++materials;
      if (m.value("state", "") == "fetched" || m.value("state", "") == "wallet") ++fetched;
    }
    auto add = [&](Figures& f) {
      ++f.applications;
      if (decided) {
        ++f.decided;
        ++(status == "approved" ? f.approved : f.rejected);
        if (due && decidedOn <= *due) ++f.onTime;
        if (auto w = r.optInteger("working_days")) f.workingDays.push_back(static_cast<int>(*w));
      }
      if (open) {
        ++f.open;
        if (status != "returned" && due && *due < todayText) ++f.overdue;
      }
      const auto visits = r.integer("visits");
      if (visits == 0) ++f.zeroVisit;
      if (visits <= 1) ++f.atMostOneVisit;
      if (r.text("channel") == "online") ++f.online;
      f.materials += materials;
      f.materialsFetched += fetched;
      if (auto score = r.optInteger("score")) {
        ++f.ratings;
        f.scoreSum += *score;
        if (*score >= 4) ++f.satisfied;
      }
    };
    add(report.total);
    add(months[r.text("submitted_at").substr(0, 7)]);
    std::set<std::string> keys;  // an application counts once in each group it concerns
    for (const auto& id : itemIds) {
      const auto& item = itemOf(id);
      if (!item) continue;
      allItems.insert(id);
      const std::string key = by == "item" ? item->id : by == "level" ? item->level : item->orgId;
      groupItems[key].insert(id);
      keys.insert(key);
    }
    for (const auto& key : keys) add(groups[key]);
  }
  auto limits = [&](Figures& f, const std::set<std::string>& ids) {
    for (const auto& id : ids) {
      const auto& item = itemOf(id);
      if (!item) continue;
      ++f.items;
      f.statutoryDays += item->statutoryDays;
      f.promisedDays += item->promisedDays;
      f.compression += item->compression();
    }
    if (f.items == 0) return;
    const auto n = static_cast<double>(f.items);
    f.statutoryDays /= n;
    f.promisedDays /= n;
    f.compression /= n;
  };
  limits(report.total, allItems);
  for (auto& [key, f] : groups) {
    f.key = key;
    limits(f, groupItems[key]);
    report.groups.push_back(std::move(f));
  }
  std::stable_sort(
      report.groups.begin(), report.groups.end(),
      [](const Figures& a, const Figures& b) { return a.applications > b.applications; });
  for (auto& [key, f] : months) {
    f.key = key;
    report.months.push_back(std::move(f));
  }
  return report;
}

}  // namespace onceonly::services
