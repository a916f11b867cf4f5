// Working-day arithmetic over a holiday calendar, for deadlines counted in working days (service
// time limits, appeal periods). Saturdays and Sundays are rest days; a calendar adds public
// holidays (rest days) and adjusted working days (weekend days made working days, as China does
// around Spring Festival and National Day), which override the weekend. Dates are civil dates with
// no time of day and no time zone; the caller decides which zone "today" is in.
//
// Counting convention: the start day never counts. addWorkingDays(d, n) is the n-th working day
// after d, workingDaysBetween(from, to) counts the working days in (from, to], so
// workingDaysBetween(d, addWorkingDays(d, n)) == n.
//
// Invalid input (bad dates, bad calendar data, negative counts) throws std::invalid_argument;
// arithmetic leaving the years 0001..9999 throws std::out_of_range. A calendar is an immutable
// value, safe to share between threads once built.
#pragma once

#include <chrono>
#include <compare>
#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace onceonly {

// A civil date in the proleptic Gregorian calendar, years 0001..9999.
class Date {
 public:
  // Throws std::invalid_argument when the triple is not a real date (2026-02-30) or the year is
  // outside 0001..9999.
  Date(int year, unsigned month, unsigned day);
  // Throws std::out_of_range when the year is outside 0001..9999.
  explicit Date(std::chrono::sys_days days);

  // Strict ISO 8601 calendar date "YYYY-MM-DD": exactly ten characters, zero-padded, a real date.
  static std::optional<Date> parse(std::string_view text);
  std::string toString() const;

  int year() const;
  unsigned month() const;
  unsigned day() const;
  std::chrono::weekday weekday() const { return std::chrono::weekday{days_}; }
  std::chrono::sys_days sysDays() const { return days_; }

  // Calendar days later (earlier when n < 0); throws std::out_of_range past 0001..9999.
  Date addDays(int n) const;

  friend bool operator==(const Date&, const Date&) = default;
  friend auto operator<=>(const Date& a, const Date& b) { return a.days_ <=> b.days_; }

 private:
  std::chrono::sys_days days_;
};

std::ostream& operator<<(std::ostream& os, const Date& d);

class WorkingCalendar {
 public:
  // Weekends only, no holidays.
  WorkingCalendar() = default;
  // Throws std::invalid_argument naming the date when a day is both a holiday and a working day,
  // or when an adjusted working day is not a Saturday or Sunday (it would change nothing, so it
  // is almost certainly a typo).
  WorkingCalendar(std::set<Date> holidays, std::set<Date> workingDays);

  // {"holidays": ["2026-01-01", ...], "working_days": ["2026-02-14", ...]}; both keys optional.
  // Throws std::invalid_argument naming the offending entry: an unknown key, a value of the wrong
  // type, a malformed date, a date listed twice, and the conflicts the constructor refuses.
  static WorkingCalendar fromJson(const nlohmann::json& j);

  bool isWorkingDay(Date d) const;
  // The n-th working day after start (start itself not counted); n == 0 returns start unchanged.
  // Throws std::invalid_argument when n < 0.
  Date addWorkingDays(Date start, int n) const;
  // Working days in (from, to]; the negated count of (to, from] when to < from.
  int workingDaysBetween(Date from, Date to) const;
  // The first working day strictly after d. For "d itself if it is a working day", test
  // isWorkingDay(d) first.
  Date nextWorkingDay(Date d) const;

  const std::set<Date>& holidays() const { return holidays_; }
  const std::set<Date>& workingDays() const { return workingDays_; }

 private:
  std::set<Date> holidays_;
  std::set<Date> workingDays_;
};

}  // namespace onceonly
