#include "core/calendar.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>
#include <utility>

namespace onceonly {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr int kMinYear = 1;
constexpr int kMaxYear = 9999;
constexpr sys_days kFirstDay{std::chrono::year{kMinYear} / std::chrono::January / 1};
constexpr sys_days kLastDay{std::chrono::year{kMaxYear} / std::chrono::December / 31};
// Longest run of rest days nextWorkingDay() walks through before deciding the calendar is broken.
// Real calendars have at most a couple of weeks; ten years means no working day will ever come.
constexpr int kMaxRestRun = 3660;

bool isWeekend(Date d) {
  auto wd = d.weekday();
  return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

// The day a year, month and day name, or nullopt when they are not a date in kMinYear..kMaxYear.
// chrono's year, month and day hold unspecified values when given numbers far out of their
// range, so the plain numbers are checked before ok() has its say.
std::optional<sys_days> toSysDays(int y, unsigned m, unsigned d) {
  if (y < kMinYear || y > kMaxYear || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd};
}

// The digits of text[pos, pos + n) as a number, or -1 when any of them is not a digit.
int digitsAt(std::string_view text, std::size_t pos, std::size_t n) {
  int value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// Parses one list of fromJson(); `key` names it in messages.
std::set<Date> parseDateList(const nlohmann::json& list, const std::string& key) {
  if (!list.is_array())
    throw std::invalid_argument("calendar: \"" + key + "\" must be an array of YYYY-MM-DD dates");
  std::set<Date> dates;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& entry = list[i];
    std::string where = "calendar: " + key + "[" + std::to_string(i) + "] " + entry.dump();
    if (!entry.is_string()) throw std::invalid_argument(where + " is not a string");
    auto date = Date::parse(entry.get_ref<const std::string&>());
    if (!date) throw std::invalid_argument(where + " is not a YYYY-MM-DD date");
    if (!dates.insert(*date).second) throw std::invalid_argument(where + " is listed twice");
  }
  return dates;
}

}  // namespace

// --- Date -------------------------------------------------------------------------------------

Date::Date(int year, unsigned month, unsigned day) {
  auto days = toSysDays(year, month, day);
  if (!days)
    throw std::invalid_argument("not a date in 0001..9999: " + std::to_string(year) + "-" +
                                std::to_string(month) + "-" + std::to_string(day));
  days_ = *days;
}

Date::Date(sys_days days) : days_(days) {
  if (days < kFirstDay || days > kLastDay)
    throw std::out_of_range("date outside the years 0001..9999");
}

std::optional<Date> Date::parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = digitsAt(text, 0, 4);
  int m = digitsAt(text, 5, 2);
  int d = digitsAt(text, 8, 2);
  if (m < 0 || d < 0) return std::nullopt;
  auto days = toSysDays(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  if (!days) return std::nullopt;
  return Date(*days);
}

std::string Date::toString() const {
  char buf[32];  // "YYYY-MM-DD" plus room the compiler cannot rule out for three ints
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", year(), month(), day());
  return buf;
}

int Date::year() const {
  return static_cast<int>(year_month_day{days_}.year());
}

unsigned Date::month() const {
  return static_cast<unsigned>(year_month_day{days_}.month());
}

unsigned Date::day() const {
  return static_cast<unsigned>(year_month_day{days_}.day());
}

Date Date::addDays(int n) const {
  return Date(days_ + days{n});
}

std::ostream& operator<<(std::ostream& os, const Date& d) {
  return os << d.toString();
}

// --- WorkingCalendar --------------------------------------------------------------------------

WorkingCalendar::WorkingCalendar(std::set<Date> holidays, std::set<Date> workingDays)
    : holidays_(std::move(holidays)), workingDays_(std::move(workingDays)) {
  for (const Date& d : workingDays_) {
    if (holidays_.count(d) != 0)
      throw std::invalid_argument("calendar: " + d.toString() +
                                  " is both a holiday and a working day");
    if (!isWeekend(d))
      throw std::invalid_argument("calendar: working day " + d.toString() +
                                  " is not a Saturday or Sunday");
  }
}

WorkingCalendar WorkingCalendar::fromJson(const nlohmann::json& j) {
  if (!j.is_object())
    throw std::invalid_argument(
        "calendar: expected an object with \"holidays\" and \"working_days\"");
  std::set<Date> holidays;
  std::set<Date> workingDays;
  for (const auto& [key, value] : j.items()) {
    if (key == "holidays")
      holidays = parseDateList(value, key);
    else if (key == "working_days")
      workingDays = parseDateList(value, key);
    else
      throw std::invalid_argument("calendar: unknown key \"" + key +
                                  "\" (expected \"holidays\" or \"working_days\")");
  }
  return {std::move(holidays), std::move(workingDays)};
}

bool WorkingCalendar::isWorkingDay(Date d) const {
  if (workingDays_.count(d) != 0) return true;
  if (holidays_.count(d) != 0) return false;
  return !isWeekend(d);
}

Date WorkingCalendar::nextWorkingDay(Date d) const {
  for (int i = 1; i <= kMaxRestRun; ++i) {
    Date candidate = d.addDays(i);
    if (isWorkingDay(candidate)) return candidate;
  }
  throw std::runtime_error("calendar: no working day within " + std::to_string(kMaxRestRun) +
                           " days after " + d.toString());
}

Date WorkingCalendar::addWorkingDays(Date start, int n) const {
  if (n < 0)
    throw std::invalid_argument("addWorkingDays: negative count " + std::to_string(n) +
                                "; count backwards with workingDaysBetween");
  Date d = start;
  for (int i = 0; i < n; ++i) d = nextWorkingDay(d);
  return d;
}

int WorkingCalendar::workingDaysBetween(Date from, Date to) const {
  if (to < from) return -workingDaysBetween(to, from);
  // Weekdays in (from, to] by whole weeks plus the few days left over, then the calendar's
  // exceptions in that range: the constructor guarantees holidays and working days are disjoint
  // and that every working day falls on a weekend, so each adjusts the count by exactly one.
  int span = static_cast<int>((to.sysDays() - from.sysDays()).count());
  int count = span / 7 * 5;
  for (Date d = to; d > from.addDays(span / 7 * 7); d = d.addDays(-1))
    if (!isWeekend(d)) ++count;
  for (auto it = holidays_.upper_bound(from); it != holidays_.end() && *it <= to; ++it)
    if (!isWeekend(*it)) --count;
  for (auto it = workingDays_.upper_bound(from); it != workingDays_.end() && *it <= to; ++it)
    ++count;
  return count;
}

}  // namespace onceonly
