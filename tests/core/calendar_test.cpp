#include "core/calendar.h"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace onceonly {
namespace {

Date day(std::string_view iso) {
  auto d = Date::parse(iso);
  if (!d) throw std::invalid_argument("test date " + std::string(iso));
  return *d;
}

// A made-up calendar, not an official one: New Year's Day (Thursday), a festival 2026-02-15..22
// (Sunday to Sunday, listed whole as official calendars do, so it names weekend days too) with
// Saturday 2026-02-14 made a working day, and Friday 2026-05-01.
WorkingCalendar festivalCalendar() {
  return WorkingCalendar::fromJson(nlohmann::json::parse(R"({
    "holidays": ["2026-01-01", "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18",
                 "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-05-01"],
    "working_days": ["2026-02-14"]
  })"));
}

// The message of the std::invalid_argument f throws, or a failure when it throws nothing.
std::string invalidArgumentMessage(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected std::invalid_argument";
  return {};
}

// --- Date --------------------------------------------------------------------------------------

TEST(Date, ParsesAndFormatsIso) {
  auto d = Date::parse("2026-02-03");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->year(), 2026);
  EXPECT_EQ(d->month(), 2u);
  EXPECT_EQ(d->day(), 3u);
  EXPECT_EQ(d->weekday(), std::chrono::Tuesday);
  EXPECT_EQ(d->toString(), "2026-02-03");
  EXPECT_EQ(Date(7, 1, 9).toString(), "0007-01-09");
  EXPECT_EQ(Date::parse("9999-12-31")->toString(), "9999-12-31");
}

TEST(Date, ParseIsStrict) {
  for (const char* bad : {"",
                          "2026-2-3",
                          "2026-02-3",
                          "2026-2-03",
                          "26-02-03",
                          "2026-02-30",
                          "2026-04-31",
                          "2027-02-29",
                          "2026-13-01",
                          "2026-00-10",
                          "2026-01-00",
                          "0000-01-01",
                          "2026-02-03x",
                          "2026-02-03 ",
                          " 2026-02-03",
                          "2026/02/03",
                          "2026-02-03T00:00:00Z",
                          "+026-02-03",
                          "2026--2-03",
                          "2026-0a-03",
                          "20260203"}) {
    EXPECT_FALSE(Date::parse(bad)) << '"' << bad << '"';
  }
  EXPECT_THROW(Date(2026, 2, 30), std::invalid_argument);
  EXPECT_THROW(Date(2026, 258, 1), std::invalid_argument);  // would wrap to month 2 in chrono
  EXPECT_THROW(Date(10000, 1, 1), std::invalid_argument);
  EXPECT_THROW(Date(0, 1, 1), std::invalid_argument);
}

TEST(Date, LeapYears) {
  ASSERT_TRUE(Date::parse("2028-02-29"));
  ASSERT_TRUE(Date::parse("2000-02-29"));
  EXPECT_FALSE(Date::parse("2100-02-29"));
  EXPECT_EQ(day("2028-02-28").addDays(1), day("2028-02-29"));
  EXPECT_EQ(day("2028-02-29").addDays(1), day("2028-03-01"));
  EXPECT_EQ(day("2027-02-28").addDays(1), day("2027-03-01"));
}

TEST(Date, ArithmeticAndOrder) {
  EXPECT_EQ(day("2026-12-31").addDays(1), day("2027-01-01"));
  EXPECT_EQ(day("2026-03-01").addDays(-1), day("2026-02-28"));
  EXPECT_LT(day("2026-02-13"), day("2026-02-14"));
  EXPECT_EQ(Date(2026, 2, 14), day("2026-02-14"));
  EXPECT_THROW((void)day("9999-12-31").addDays(1), std::out_of_range);
  EXPECT_THROW((void)day("0001-01-01").addDays(-1), std::out_of_range);
}

// --- WorkingCalendar ---------------------------------------------------------------------------

TEST(WorkingCalendar, WeekendsAreRestDaysByDefault) {
  WorkingCalendar cal;
  EXPECT_TRUE(cal.isWorkingDay(day("2026-03-06")));   // Friday
  EXPECT_FALSE(cal.isWorkingDay(day("2026-03-07")));  // Saturday
  EXPECT_FALSE(cal.isWorkingDay(day("2026-03-08")));  // Sunday
  EXPECT_TRUE(cal.isWorkingDay(day("2026-03-09")));   // Monday
}

TEST(WorkingCalendar, AddingCrossesTheWeekend) {
  WorkingCalendar cal;
  EXPECT_EQ(cal.addWorkingDays(day("2026-03-06"), 1), day("2026-03-09"));   // Fri -> Mon
  EXPECT_EQ(cal.addWorkingDays(day("2026-03-05"), 3), day("2026-03-10"));   // Thu -> Tue
  EXPECT_EQ(cal.addWorkingDays(day("2026-02-28"), 1), day("2026-03-02"));   // from a Saturday
  EXPECT_EQ(cal.addWorkingDays(day("2026-03-09"), 10), day("2026-03-23"));  // two whole weeks
}

TEST(WorkingCalendar, SkipsAHolidayInTheMiddle) {
  auto cal = festivalCalendar();
  EXPECT_FALSE(cal.isWorkingDay(day("2026-01-01")));
  EXPECT_EQ(cal.addWorkingDays(day("2025-12-31"), 1), day("2026-01-02"));
  EXPECT_EQ(cal.addWorkingDays(day("2025-12-31"), 2), day("2026-01-05"));
  EXPECT_EQ(cal.addWorkingDays(day("2026-04-29"), 3), day("2026-05-05"));  // Wed; Fri 1 May off
}

TEST(WorkingCalendar, AdjustedSaturdayIsAWorkingDay) {
  auto cal = festivalCalendar();
  EXPECT_TRUE(cal.isWorkingDay(day("2026-02-14")));   // Saturday made a working day
  EXPECT_FALSE(cal.isWorkingDay(day("2026-02-15")));  // its Sunday stays a rest day
  EXPECT_FALSE(cal.isWorkingDay(day("2026-02-16")));  // festival Monday
  EXPECT_EQ(cal.addWorkingDays(day("2026-02-13"), 1), day("2026-02-14"));
  EXPECT_EQ(cal.addWorkingDays(day("2026-02-13"), 2), day("2026-02-23"));
  EXPECT_EQ(cal.addWorkingDays(day("2026-02-12"), 3), day("2026-02-23"));
  // Without the calendar the Saturday is a rest day and the festival week works.
  EXPECT_EQ(WorkingCalendar().addWorkingDays(day("2026-02-13"), 1), day("2026-02-16"));
}

TEST(WorkingCalendar, NextWorkingDayIsStrictlyAfter) {
  auto cal = festivalCalendar();
  EXPECT_EQ(cal.nextWorkingDay(day("2026-02-14")), day("2026-02-23"));
  EXPECT_EQ(cal.nextWorkingDay(day("2026-02-15")), day("2026-02-23"));
  EXPECT_EQ(cal.nextWorkingDay(day("2026-03-03")), day("2026-03-04"));  // Tue -> Wed
  EXPECT_EQ(cal.nextWorkingDay(day("2026-02-13")), day("2026-02-14"));
}

TEST(WorkingCalendar, ZeroDaysIsTheStartEvenOnARestDay) {
  auto cal = festivalCalendar();
  EXPECT_EQ(cal.addWorkingDays(day("2026-03-03"), 0), day("2026-03-03"));
  EXPECT_EQ(cal.addWorkingDays(day("2026-02-15"), 0), day("2026-02-15"));
}

TEST(WorkingCalendar, NegativeCountIsRefused) {
  auto cal = festivalCalendar();
  EXPECT_THROW((void)cal.addWorkingDays(day("2026-03-03"), -1), std::invalid_argument);
}

TEST(WorkingCalendar, BetweenCountsBothDirections) {
  WorkingCalendar plain;
  EXPECT_EQ(plain.workingDaysBetween(day("2026-03-06"), day("2026-03-09")), 1);  // Fri -> Mon
  EXPECT_EQ(plain.workingDaysBetween(day("2026-03-09"), day("2026-03-06")), -1);
  EXPECT_EQ(plain.workingDaysBetween(day("2026-03-09"), day("2026-03-09")), 0);
  EXPECT_EQ(plain.workingDaysBetween(day("2026-03-07"), day("2026-03-08")), 0);  // Sat -> Sun
  EXPECT_EQ(plain.workingDaysBetween(day("2026-01-01"), day("2027-01-01")), 261);

  auto cal = festivalCalendar();
  EXPECT_EQ(cal.workingDaysBetween(day("2026-02-13"), day("2026-02-23")), 2);
  EXPECT_EQ(cal.workingDaysBetween(day("2026-02-23"), day("2026-02-13")), -2);
  EXPECT_EQ(cal.workingDaysBetween(day("2026-02-14"), day("2026-02-22")), 0);
  EXPECT_EQ(cal.workingDaysBetween(day("2025-12-31"), day("2026-01-02")), 1);
  // 261 weekdays, less the six holidays on weekdays, plus one adjusted Saturday.
  EXPECT_EQ(cal.workingDaysBetween(day("2026-01-01"), day("2027-01-01")), 261 - 6 + 1);
}

TEST(WorkingCalendar, LeapDayIsAWorkingDay) {
  WorkingCalendar cal;
  EXPECT_TRUE(cal.isWorkingDay(day("2028-02-29")));  // Tuesday
  EXPECT_EQ(cal.addWorkingDays(day("2028-02-25"), 1), day("2028-02-28"));
  EXPECT_EQ(cal.addWorkingDays(day("2028-02-25"), 2), day("2028-02-29"));
  EXPECT_EQ(cal.addWorkingDays(day("2028-02-25"), 3), day("2028-03-01"));
  EXPECT_EQ(cal.workingDaysBetween(day("2028-02-27"), day("2028-03-01")), 3);
  EXPECT_EQ(cal.workingDaysBetween(day("2027-02-27"), day("2027-03-01")), 1);  // no 29th
}

// The whole-weeks shortcut in workingDaysBetween() against plain counting, and adding against
// counting, over every start in a few months around the festival and every span up to six weeks.
TEST(WorkingCalendar, BetweenAgreesWithCountingAndAdding) {
  auto cal = festivalCalendar();
  for (Date from = day("2025-12-20"); from < day("2026-05-15"); from = from.addDays(1)) {
    int counted = 0;
    for (int span = 0; span <= 42; ++span) {
      Date to = from.addDays(span);
      if (span > 0 && cal.isWorkingDay(to)) ++counted;
      ASSERT_EQ(cal.workingDaysBetween(from, to), counted) << from << " .. " << to;
      ASSERT_EQ(cal.workingDaysBetween(to, from), -counted) << to << " .. " << from;
    }
    for (int n = 0; n <= 30; ++n)
      ASSERT_EQ(cal.workingDaysBetween(from, cal.addWorkingDays(from, n)), n) << from << " + " << n;
  }
}

TEST(WorkingCalendar, CalendarWithoutWorkingDaysStopsSearching) {
  std::set<Date> everyWeekday;
  for (Date d = day("2026-01-01"); d <= day("2037-12-31"); d = d.addDays(1))
    if (WorkingCalendar().isWorkingDay(d)) everyWeekday.insert(d);
  WorkingCalendar cal(everyWeekday, {});
  EXPECT_THROW((void)cal.nextWorkingDay(day("2025-12-31")), std::runtime_error);
  EXPECT_THROW((void)cal.addWorkingDays(day("2025-12-31"), 1), std::runtime_error);
  EXPECT_EQ(cal.workingDaysBetween(day("2025-12-31"), day("2037-12-31")), 0);
}

TEST(WorkingCalendar, AddingPastYear9999IsOutOfRange) {
  WorkingCalendar cal;
  EXPECT_THROW((void)cal.addWorkingDays(day("9999-12-31"), 1), std::out_of_range);
}

// --- fromJson ----------------------------------------------------------------------------------

TEST(WorkingCalendarJson, LoadsBothListsAndAcceptsEmpty) {
  auto cal = festivalCalendar();
  EXPECT_EQ(cal.holidays().size(), 10u);
  EXPECT_EQ(cal.workingDays().size(), 1u);
  auto empty = WorkingCalendar::fromJson(nlohmann::json::object());
  EXPECT_TRUE(empty.holidays().empty());
  EXPECT_FALSE(empty.isWorkingDay(day("2026-02-14")));
  auto holidaysOnly = WorkingCalendar::fromJson({{"holidays", {"2026-03-04"}}});
  EXPECT_FALSE(holidaysOnly.isWorkingDay(day("2026-03-04")));
}

TEST(WorkingCalendarJson, ConflictNamesTheDate) {
  auto msg = invalidArgumentMessage([] {
    WorkingCalendar::fromJson(
        {{"holidays", {"2026-01-01", "2026-02-14"}}, {"working_days", {"2026-02-14"}}});
  });
  EXPECT_NE(msg.find("2026-02-14"), std::string::npos) << msg;
  EXPECT_NE(msg.find("both"), std::string::npos) << msg;
}

TEST(WorkingCalendarJson, BadDateNamesTheEntry) {
  auto msg = invalidArgumentMessage([] {
    WorkingCalendar::fromJson({{"holidays", {"2026-01-01", "2026-02-30"}}});
  });
  EXPECT_NE(msg.find("holidays[1]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2026-02-30"), std::string::npos) << msg;

  msg = invalidArgumentMessage([] {
    WorkingCalendar::fromJson({{"working_days", {"2026-2-14"}}});
  });
  EXPECT_NE(msg.find("working_days[0]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2026-2-14"), std::string::npos) << msg;
}

TEST(WorkingCalendarJson, UnknownKeyIsNamed) {
  auto msg = invalidArgumentMessage([] {
    WorkingCalendar::fromJson({{"holidays", {"2026-01-01"}}, {"workingdays", {"2026-02-14"}}});
  });
  EXPECT_NE(msg.find("workingdays"), std::string::npos) << msg;
}

TEST(WorkingCalendarJson, OtherMistakesAreRefused) {
  using nlohmann::json;
  // Not an object, not an array, not a string, listed twice, a weekday "working day".
  for (const json& bad : {json::array(), json::parse(R"({"holidays": "2026-01-01"})"),
                          json::parse(R"({"holidays": [20260101]})"),
                          json::parse(R"({"holidays": ["2026-01-01", "2026-01-01"]})"),
                          json::parse(R"({"working_days": ["2026-02-13"]})")}) {
    EXPECT_THROW(WorkingCalendar::fromJson(bad), std::invalid_argument) << bad.dump();
  }
  auto msg = invalidArgumentMessage(
      [] { WorkingCalendar::fromJson(json::parse(R"({"working_days": ["2026-02-13"]})")); });
  EXPECT_NE(msg.find("2026-02-13"), std::string::npos) << msg;
}

}  // namespace
}  // namespace onceonly
