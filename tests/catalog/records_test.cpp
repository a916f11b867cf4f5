// Records of a hosted resource: each field type read from text and from JSON, subjects, masks,
// and whole uploads in CSV, a JSON array and NDJSON, good and broken.
#include "catalog/records.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "identity/identity.h"

namespace onceonly::catalog {
namespace {

using nlohmann::json;

Field field(std::string name, std::string type, std::string masking = "none") {
  Field f;
  f.name = std::move(name);
  f.type = std::move(type);
  f.masking = std::move(masking);
  return f;
}

Resource residents() {
  Resource r;
  r.code = "QH-LS-PSB-RESIDENT";
  r.subjectKind = "person";
  r.fields = {field("name", "string", "name"), field("birth_date", "date"),
              field("children", "integer"),    field("income", "decimal"),
              field("married", "boolean"),     field("region", "code")};
  return r;
}

Resource onlyFields(std::string subjectKind, std::vector<Field> fields) {
  Resource r;
  r.subjectKind = std::move(subjectKind);
  r.fields = std::move(fields);
  return r;
}

// A valid resident ID: born 1990-03-07 in Dongcheng, Beijing, sequence number n (0..999).
std::string residentId(int n) {
  std::string seq = std::to_string(n % 1000);
  const std::string first17 = "11010119900307" + std::string(3 - seq.size(), '0') + seq;
  return first17 + identity::residentIdCheckDigit(first17);
}

// A valid unified social credit code with organisation number n.
std::string creditCode(int n) {
  std::string seq = std::to_string(n % 1000000000);
  const std::string first17 = "91110000" + std::string(9 - seq.size(), '0') + seq;
  return first17 + identity::creditCodeCheckChar(first17);
}

struct Upload {
  std::vector<Row> rows;
  std::vector<RowError> errors;
  std::size_t read = 0;

  const RowError* error(const std::string& code) const {
    for (const auto& e : errors)
      if (e.code == code) return &e;
    return nullptr;
  }
};

Upload upload(UploadFormat format, std::string_view data, const Resource& resource,
              std::size_t maxErrors = 100) {
  Upload u;
  u.read = readRecords(
      format, data, resource, [&](Row&& r) { u.rows.push_back(std::move(r)); },
      [&](RowError&& e) { u.errors.push_back(std::move(e)); }, maxErrors);
  return u;
}

std::string codeOf(const ValueResult& v) {
  return v.ok() ? "ok" : v.code;
}

// ----- values -----------------------------------------------------------------------------------

TEST(RecordValues, EmptyTextIsAMissingValueOfEveryType) {
  for (const auto& type : {"string", "integer", "decimal", "date", "boolean", "code"}) {
    auto v = valueFromText(field("f", type), "");
    ASSERT_TRUE(v.ok()) << type;
    EXPECT_TRUE(v.value.is_null()) << type;
    EXPECT_TRUE(valueFromJson(field("f", type), nullptr).value.is_null()) << type;
    EXPECT_TRUE(valueFromJson(field("f", type), "").value.is_null()) << type;
  }
}

TEST(RecordValues, IntegersFromTextAreStrict) {
  const auto f = field("children", "integer");
  EXPECT_EQ(valueFromText(f, "-12").value, -12);
  EXPECT_TRUE(valueFromText(f, "-12").value.is_number_integer());
  EXPECT_EQ(valueFromText(f, "9223372036854775807").value, INT64_MAX);
  for (const auto& bad : {"1e3", " 12", "12 ", "12.0", "+12", "-", "0x1F", "十二"}) {
    auto v = valueFromText(f, bad);
    EXPECT_EQ(codeOf(v), "field.type") << bad;
    EXPECT_EQ(v.params.at("type"), "integer");
  }
  auto big = valueFromText(f, "9223372036854775808");
  EXPECT_EQ(codeOf(big), "field.range");
  EXPECT_EQ(big.params.at("max"), "9223372036854775807");
}

TEST(RecordValues, IntegersFromJsonMustBeJsonIntegers) {
  const auto f = field("children", "integer");
  EXPECT_EQ(valueFromJson(f, 3).value, 3);
  EXPECT_EQ(valueFromJson(f, std::uint64_t{7}).value, 7);
  EXPECT_EQ(codeOf(valueFromJson(f, 3.0)), "field.type");
  EXPECT_EQ(codeOf(valueFromJson(f, "3")), "field.type");
  EXPECT_EQ(codeOf(valueFromJson(f, true)), "field.type");
  EXPECT_EQ(codeOf(valueFromJson(f, std::uint64_t{18446744073709551615u})), "field.range");
}

TEST(RecordValues, DecimalsAreNormalized) {
  const auto f = field("income", "decimal");
  const std::vector<std::pair<std::string, std::string>> text = {
      {"12.5", "12.5"},
      {"012.50", "12.5"},
      {"-3", "-3"},
      {"-3.000", "-3"},
      {"0.25", "0.25"},
      {"000.250", "0.25"},
      {"-0", "0"},
      {"-0.00", "0"},
      {"100", "100"},
      {"1000.0", "1000"},
      {"0.05", "0.05"},
      {"-0.5", "-0.5"},
      {"123456789.123456789", "123456789.123456789"},
      {"0.000000000000000001", "0.000000000000000001"}};
  for (const auto& [in, out] : text) EXPECT_EQ(valueFromText(f, in).value, out) << in;

  for (const auto& bad : {"1,5", "1e3", ".5", "5.", "+1", " 1", "1.2.3", "--1", "NaN", "¥12"})
    EXPECT_EQ(codeOf(valueFromText(f, bad)), "field.type") << bad;
  // At most 18 digits (the 0 before the point of a value below 1 not counted).
  EXPECT_EQ(codeOf(valueFromText(f, "123456789012345678")), "ok");
  EXPECT_EQ(codeOf(valueFromText(f, "1234567890123456789")), "field.digits");
  EXPECT_EQ(codeOf(valueFromText(f, "1234567890.123456789")), "field.digits");
  EXPECT_EQ(codeOf(valueFromText(f, "0.0000000000000000001")), "field.digits");
  EXPECT_EQ(valueFromText(f, "1234567890123456789").params.at("max"), "18");
  EXPECT_EQ(codeOf(valueFromText(f, "00000000000000000000000012.5000000000000000")), "ok");

  EXPECT_EQ(valueFromJson(f, 12.5).value, "12.5");
  EXPECT_EQ(valueFromJson(f, 42).value, "42");
  EXPECT_EQ(valueFromJson(f, -7).value, "-7");
  EXPECT_EQ(valueFromJson(f, 0.1).value, "0.1");
  EXPECT_EQ(valueFromJson(f, 1e-7).value, "0.0000001");
  EXPECT_EQ(valueFromJson(f, 1e17).value, "100000000000000000");
  EXPECT_EQ(valueFromJson(f, 100.0).value, "100");
  EXPECT_EQ(codeOf(valueFromJson(f, 1.5e20)), "field.digits");
  EXPECT_EQ(codeOf(valueFromJson(f, 1e-300)), "field.digits");
  EXPECT_EQ(valueFromJson(f, "012.50").value, "12.5");
  EXPECT_EQ(codeOf(valueFromJson(f, "1e3")), "field.type");
  EXPECT_EQ(codeOf(valueFromJson(f, true)), "field.type");
  EXPECT_EQ(codeOf(valueFromJson(f, json::array({1}))), "field.type");
}

TEST(RecordValues, DatesAreRealCalendarDates) {
  const auto f = field("birth_date", "date");
  EXPECT_EQ(valueFromText(f, "2024-02-29").value, "2024-02-29");
  EXPECT_EQ(valueFromJson(f, "1990-03-07").value, "1990-03-07");
  for (const auto& bad : {"2026-02-30", "2025-02-29", "2026-13-01", "2026-2-3", "2026/02/03",
                          "20260203", "2026-02-03T00:00:00Z", " 2026-02-03", "0000-01-01"}) {
    auto v = valueFromText(f, bad);
    EXPECT_EQ(codeOf(v), "field.type") << bad;
    EXPECT_EQ(v.params.at("type"), "date");
  }
  EXPECT_EQ(codeOf(valueFromJson(f, "2026-02-30")), "field.type");
  EXPECT_EQ(codeOf(valueFromJson(f, 20260203)), "field.type");
}

TEST(RecordValues, Booleans) {
  const auto f = field("married", "boolean");
  for (const auto& yes : {"true", "TRUE", "True", "1", "是"})
    EXPECT_EQ(valueFromText(f, yes).value, true) << yes;
  for (const auto& no : {"false", "FALSE", "0", "否"})
    EXPECT_EQ(valueFromText(f, no).value, false) << no;
  for (const auto& bad : {"yes", "no", "2", "t", " true", "真"})
    EXPECT_EQ(codeOf(valueFromText(f, bad)), "field.type") << bad;
  EXPECT_EQ(valueFromJson(f, false).value, false);
  EXPECT_EQ(codeOf(valueFromJson(f, 1)), "field.type");
  EXPECT_EQ(codeOf(valueFromJson(f, "true")), "field.type");
}

TEST(RecordValues, StringsAreUtf8TextOfLimitedLength) {
  for (const auto& type : {"string", "code"}) {
    const auto f = field("name", type);
    EXPECT_EQ(valueFromText(f, "欧阳娜娜").value, "欧阳娜娜");
    EXPECT_EQ(valueFromJson(f, " spaces kept ").value, " spaces kept ");
    EXPECT_EQ(valueFromJson(f, "line one\nline two\ttab").value, "line one\nline two\ttab");
    EXPECT_EQ(codeOf(valueFromJson(f, 12)), "field.type");
    EXPECT_EQ(codeOf(valueFromJson(f, json::object())), "field.type");
    EXPECT_EQ(codeOf(valueFromText(f, "bell\x07")), "field.control_character");
    EXPECT_EQ(codeOf(valueFromText(f, std::string("nul\0", 4))), "field.control_character");
    EXPECT_EQ(codeOf(valueFromText(f, "del\x7F")), "field.control_character");
    EXPECT_EQ(codeOf(valueFromText(f, "c1\xC2\x85")), "field.control_character");  // U+0085
    EXPECT_EQ(codeOf(valueFromText(f, "bad \xFF byte")), "field.encoding");
    EXPECT_EQ(codeOf(valueFromText(f, "\xE5\xBC")), "field.encoding");  // a cut character

    // The limit counts characters: 4000 Chinese characters (12,000 bytes) fit.
    std::string chinese;
    for (int i = 0; i < 4000; ++i) chinese += "张";
    EXPECT_EQ(codeOf(valueFromText(f, chinese)), "ok");
    EXPECT_EQ(codeOf(valueFromText(f, chinese + "a")), "field.length");
    EXPECT_EQ(valueFromText(f, std::string(4001, 'a')).params.at("max"), "4000");
  }
}

// ----- subjects and masks -----------------------------------------------------------------------

TEST(RecordSubjects, PeopleByResidentIdCompaniesByCreditCode) {
  EXPECT_EQ(checkSubject("person", residentId(777)), std::nullopt);
  std::string wrongCheck = residentId(777);
  wrongCheck[17] = wrongCheck[17] == '1' ? '2' : '1';
  EXPECT_NE(checkSubject("person", wrongCheck), std::nullopt);
  EXPECT_NE(checkSubject("person", "11010119900307777"), std::nullopt);
  EXPECT_NE(checkSubject("person", ""), std::nullopt);
  EXPECT_NE(checkSubject("person", creditCode(1)), std::nullopt);

  EXPECT_EQ(checkSubject("company", creditCode(123456789)), std::nullopt);
  std::string badCode = creditCode(123456789);
  badCode[17] = badCode[17] == '0' ? '1' : '0';
  EXPECT_NE(checkSubject("company", badCode), std::nullopt);
  EXPECT_NE(checkSubject("company", residentId(1)), std::nullopt);

  EXPECT_EQ(checkSubject("none", ""), std::nullopt);
  EXPECT_NE(checkSubject("none", residentId(1)), std::nullopt);
  EXPECT_NE(checkSubject("planet", "Mars"), std::nullopt);
}

TEST(RecordMasks, NamesPhonesAndIdNumbersCountCharacters) {
  EXPECT_EQ(maskValue("name", "张三"), "张*");
  EXPECT_EQ(maskValue("name", "欧阳娜娜"), "欧***");
  EXPECT_EQ(maskValue("name", "Li"), "L*");
  EXPECT_EQ(maskValue("name", "Zhang San"), "Z********");
  EXPECT_EQ(maskValue("name", "张"), "*");  // one character: nothing of it is shown
  EXPECT_EQ(maskValue("name", ""), "");

  EXPECT_EQ(maskValue("phone", "13812345678"), "138****5678");
  EXPECT_EQ(maskValue("phone", "010-12345678"), "010*****5678");
  EXPECT_EQ(maskValue("phone", "12345678"), "123*5678");
  EXPECT_EQ(maskValue("phone", "1234567"), "*******");
  EXPECT_EQ(maskValue("phone", "电话一二三四五六"), "电话一*三四五六");

  EXPECT_EQ(maskValue("id_number", "110101199003077777"), "110101********7777");
  EXPECT_EQ(maskValue("id_number", "11010119900307777X"), "110101********777X");
  EXPECT_EQ(maskValue("id_number", "12345678901"), "123456*8901");
  EXPECT_EQ(maskValue("id_number", "1234567890"), "**********");

  EXPECT_EQ(maskValue("all", "欧阳娜娜"), "***");
  EXPECT_EQ(maskValue("all", "x"), "***");
  EXPECT_EQ(maskValue("all", std::string(100, 'x')), "***");
  EXPECT_EQ(maskValue("something new", "secret"), "***");
  EXPECT_EQ(maskValue("none", "欧阳娜娜"), "欧阳娜娜");
  EXPECT_EQ(maskValue("none", 12), 12);
}

TEST(RecordMasks, OtherValuesAreMaskedOnTheirTextAndNullStaysNull) {
  EXPECT_EQ(maskValue("phone", std::int64_t{13812345678}), "138****5678");
  EXPECT_EQ(maskValue("name", "1990-03-07"), "1*********");
  EXPECT_EQ(maskValue("name", true), "t***");
  EXPECT_EQ(maskValue("all", 5), "***");
  EXPECT_TRUE(maskValue("name", nullptr).is_null());
  EXPECT_TRUE(maskValue("all", nullptr).is_null());
}

// ----- CSV --------------------------------------------------------------------------------------

TEST(RecordsCsv, QuotedCellsHoldCommasQuotesAndLines) {
  const std::string a = residentId(1), b = residentId(2);
  const std::string csv =
      "income,subject,name,married\r\n"
      "\"1,5\",x,y,z\r\n"  // a quoted comma: one cell, not a decimal
      "12.50," +
      a + ",\"Wang \"\"Xiao\"\" Ming, Jr.\",是\r\n" + "," + b + ",\"line one\nline two\",\r\n";
  auto u = upload(UploadFormat::csv, csv, residents());
  ASSERT_EQ(u.rows.size(), 2u);
  EXPECT_EQ(u.read, 3u);
  EXPECT_EQ(u.rows[0].number, 2u);
  EXPECT_EQ(u.rows[0].subject, a);
  EXPECT_EQ(u.rows[0].values["name"], "Wang \"Xiao\" Ming, Jr.");
  EXPECT_EQ(u.rows[0].values["income"], "12.5");
  EXPECT_EQ(u.rows[0].values["married"], true);
  EXPECT_TRUE(u.rows[0].values["birth_date"].is_null());  // a field without a column
  EXPECT_EQ(u.rows[0].values.size(), 6u);                 // every field is there
  EXPECT_EQ(u.rows[1].values["name"], "line one\nline two");
  EXPECT_TRUE(u.rows[1].values["income"].is_null());
  EXPECT_TRUE(u.rows[1].values["married"].is_null());

  const auto* bad = u.error("field.type");
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(bad->row, 1u);
  EXPECT_EQ(bad->column, "income");
  EXPECT_EQ(bad->params.at("type"), "decimal");
  ASSERT_NE(u.error("record.subject"), nullptr);
  EXPECT_EQ(u.error("record.subject")->row, 1u);
}

TEST(RecordsCsv, ALeadingByteOrderMarkIsSkippedAndEmptyLinesAtTheEndIgnored) {
  const std::string csv = "\xEF\xBB\xBFsubject,name,children\n" + residentId(1) + ",张三,2\n" +
                          residentId(2) + ",\" 李四 \",\n\n\n";
  auto u = upload(UploadFormat::csv, csv, residents());
  EXPECT_TRUE(u.errors.empty()) << u.errors[0].code;
  ASSERT_EQ(u.rows.size(), 2u);
  EXPECT_EQ(u.read, 2u);
  EXPECT_EQ(u.rows[0].values["children"], 2);
  EXPECT_EQ(u.rows[1].values["name"], " 李四 ");  // spaces are part of a cell
}

TEST(RecordsCsv, AnUnknownColumnIsReportedOnceAndIgnored) {
  const std::string csv =
      "subject,colour,name\n" + residentId(1) + ",red,A\n" + residentId(2) + ",blue,B\n";
  auto u = upload(UploadFormat::csv, csv, residents());
  ASSERT_EQ(u.errors.size(), 1u);
  EXPECT_EQ(u.errors[0].row, 0u);
  EXPECT_EQ(u.errors[0].column, "colour");
  EXPECT_EQ(u.errors[0].code, "record.unknown_column");
  ASSERT_EQ(u.rows.size(), 2u);
  EXPECT_FALSE(u.rows[0].values.contains("colour"));
}

TEST(RecordsCsv, HeaderProblemsThatLeaveRowsMeaninglessEndTheReading) {
  auto noSubject = upload(UploadFormat::csv, "name\nA\nB\n", residents());
  ASSERT_EQ(noSubject.errors.size(), 1u);
  EXPECT_EQ(noSubject.errors[0].code, "record.missing_subject_column");
  EXPECT_EQ(noSubject.errors[0].row, 0u);
  EXPECT_EQ(noSubject.read, 0u);
  EXPECT_TRUE(noSubject.rows.empty());

  auto twice =
      upload(UploadFormat::csv, "subject,name,name\n" + residentId(1) + ",A,B\n", residents());
  ASSERT_EQ(twice.errors.size(), 1u);
  EXPECT_EQ(twice.errors[0].code, "record.duplicate_column");
  EXPECT_EQ(twice.errors[0].column, "name");
  EXPECT_TRUE(twice.rows.empty());

  auto empty = upload(UploadFormat::csv, "", residents());
  ASSERT_EQ(empty.errors.size(), 1u);
  EXPECT_EQ(empty.errors[0].code, "record.malformed");
}

TEST(RecordsCsv, ARowWithAnotherNumberOfCellsIsRefused) {
  const std::string csv = "subject,name\n" + residentId(1) + ",A\n" + residentId(2) + ",B,extra\n" +
                          residentId(3) + "\n" + residentId(4) + ",D\n";
  auto u = upload(UploadFormat::csv, csv, residents());
  ASSERT_EQ(u.errors.size(), 2u);
  EXPECT_EQ(u.errors[0].row, 2u);
  EXPECT_EQ(u.errors[0].code, "record.columns");
  EXPECT_EQ(u.errors[0].params.at("expected"), "2");
  EXPECT_EQ(u.errors[0].params.at("found"), "3");
  EXPECT_EQ(u.errors[1].row, 3u);
  EXPECT_EQ(u.errors[1].params.at("found"), "1");
  ASSERT_EQ(u.rows.size(), 2u);
  EXPECT_EQ(u.rows[1].number, 4u);
  EXPECT_EQ(u.read, 4u);
}

TEST(RecordsCsv, BadAndRepeatedSubjectsAreRefusedWithoutRepeatingThem) {
  std::string wrong = residentId(5);
  wrong[17] = wrong[17] == '1' ? '2' : '1';
  const std::string csv =
      "subject,name\n" + residentId(1) + ",A\n" + wrong + ",B\n" + residentId(1) + ",C\n" + ",D\n";
  auto u = upload(UploadFormat::csv, csv, residents());
  ASSERT_EQ(u.errors.size(), 3u);
  EXPECT_EQ(u.errors[0].row, 2u);
  EXPECT_EQ(u.errors[0].column, "subject");
  EXPECT_EQ(u.errors[0].code, "record.subject");
  EXPECT_FALSE(u.errors[0].params.at("reason").empty());
  EXPECT_EQ(u.errors[0].params.at("reason").find(wrong), std::string::npos);
  EXPECT_EQ(u.errors[1].row, 3u);
  EXPECT_EQ(u.errors[1].code, "record.duplicate_subject");
  EXPECT_EQ(u.errors[1].params.at("first_row"), "1");
  EXPECT_EQ(u.errors[2].row, 4u);
  EXPECT_EQ(u.errors[2].code, "record.subject");  // empty
  ASSERT_EQ(u.rows.size(), 1u);
}

TEST(RecordsCsv, SubjectsAreReadInUpperCase) {
  std::string endsInX;  // a resident ID whose check character is X
  for (int n = 0; endsInX.empty() && n < 1000; ++n)
    if (residentId(n).back() == 'X') endsInX = residentId(n);
  ASSERT_FALSE(endsInX.empty());
  std::string lower = endsInX;
  lower.back() = 'x';
  const std::string csv = "subject,name\n" + lower + ",A\n" + endsInX + ",B\n";
  auto u = upload(UploadFormat::csv, csv, residents());
  ASSERT_EQ(u.rows.size(), 1u);
  EXPECT_EQ(u.rows[0].subject, endsInX);
  ASSERT_EQ(u.errors.size(), 1u);
  EXPECT_EQ(u.errors[0].code, "record.duplicate_subject");
}

TEST(RecordsCsv, SyntaxErrorsEndTheReadingWithOneProblem) {
  const std::string csv = "subject,name\n" + residentId(1) + ",A\n" + residentId(2) + ",B\"C\n" +
                          residentId(3) + ",D\n";
  auto u = upload(UploadFormat::csv, csv, residents());
  ASSERT_EQ(u.rows.size(), 1u);
  ASSERT_EQ(u.errors.size(), 1u);
  EXPECT_EQ(u.errors[0].code, "record.malformed");
  EXPECT_EQ(u.errors[0].row, 2u);
  EXPECT_NE(u.errors[0].params.at("reason").find("line 3"), std::string::npos);
  EXPECT_EQ(u.read, 1u);

  auto unclosed =
      upload(UploadFormat::csv, "subject,name\n" + residentId(1) + ",\"A\n", residents());
  ASSERT_EQ(unclosed.errors.size(), 1u);
  EXPECT_EQ(unclosed.errors[0].code, "record.malformed");
  EXPECT_TRUE(unclosed.rows.empty());
}

TEST(RecordsCsv, ResourcesWithoutSubjectsHaveNoSubjectColumn) {
  auto r = onlyFields("none", {field("office", "string"), field("opened", "date")});
  auto u = upload(UploadFormat::csv, "opened,office\n2020-01-02,Haidian\n,Xicheng", r);
  EXPECT_TRUE(u.errors.empty());
  ASSERT_EQ(u.rows.size(), 2u);
  EXPECT_EQ(u.rows[0].subject, "");
  EXPECT_EQ(u.rows[0].values, (json{{"office", "Haidian"}, {"opened", "2020-01-02"}}));
  EXPECT_EQ(u.rows[1].values, (json{{"office", "Xicheng"}, {"opened", nullptr}}));

  auto withSubject = upload(UploadFormat::csv, "subject,office\nx,Haidian\n", r);
  ASSERT_EQ(withSubject.errors.size(), 1u);
  EXPECT_EQ(withSubject.errors[0].code, "record.unknown_column");
  EXPECT_EQ(withSubject.rows.size(), 1u);
}

TEST(RecordsCsv, AfterMaxErrorsTheReadingStops) {
  std::string csv = "subject,children\n";
  for (int i = 1; i <= 10; ++i) csv += residentId(i) + ",many\n";
  auto u = upload(UploadFormat::csv, csv, residents(), 3);
  ASSERT_EQ(u.errors.size(), 4u);
  EXPECT_EQ(u.errors[2].code, "field.type");
  EXPECT_EQ(u.errors[3].code, "record.too_many_errors");
  EXPECT_EQ(u.errors[3].row, 4u);
  EXPECT_EQ(u.errors[3].params.at("limit"), "3");
  EXPECT_EQ(u.read, 4u);
  EXPECT_TRUE(u.rows.empty());

  // Exactly as many problems as allowed: all of them, and no more.
  auto exact = upload(UploadFormat::csv, csv, residents(), 10);
  EXPECT_EQ(exact.errors.size(), 10u);
  EXPECT_EQ(exact.error("record.too_many_errors"), nullptr);
  EXPECT_EQ(exact.read, 10u);
}

TEST(RecordsCsv, AHundredThousandRowsStreamThrough) {
  const auto companies = onlyFields(
      "company", {field("name", "string"), field("staff", "integer"), field("registered", "date")});
  std::string csv = "subject,name,staff,registered\n";
  csv.reserve(100000 * 60);
  for (int i = 0; i < 100000; ++i)
    csv += creditCode(i) + ",\"Company " + std::to_string(i) + ", Ltd.\"," +
           std::to_string(i % 500) + ",2019-06-1" + std::to_string(i % 10) + "\n";
  std::size_t good = 0, bad = 0;
  const auto read = readRecords(
      UploadFormat::csv, csv, companies, [&](Row&&) { ++good; }, [&](RowError&&) { ++bad; });
  EXPECT_EQ(read, 100000u);
  EXPECT_EQ(good, 100000u);
  EXPECT_EQ(bad, 0u);
}

TEST(RecordsCsv, WhatACallbackThrowsReachesTheCaller) {
  const std::string csv = "subject,name\n" + residentId(1) + ",A\n" + residentId(2) + ",B\n";
  std::size_t calls = 0;
  EXPECT_THROW(readRecords(
                   UploadFormat::csv, csv, residents(),
                   [&](Row&&) {
                     ++calls;
                     throw std::runtime_error("database gone");
                   },
                   [](RowError&&) {}),
               std::runtime_error);
  EXPECT_EQ(calls, 1u);
}

// ----- JSON and NDJSON --------------------------------------------------------------------------

TEST(RecordsJson, AnArrayIsReadElementByElement) {
  const json upload_ = json::array(
      {{{"subject", residentId(1)}, {"name", "张三"}, {"children", 2}, {"income", 3500.5}},
       {{"subject", residentId(2)}, {"birth_date", "2026-02-30"}, {"colour", "red"}},
       42,
       {{"name", "nobody"}},
       {{"subject", 110101}},
       {{"subject", residentId(3)}, {"married", true}, {"region", "110101"}}});
  auto u = upload(UploadFormat::json, upload_.dump(), residents());
  EXPECT_EQ(u.read, 6u);
  ASSERT_EQ(u.rows.size(), 2u);
  EXPECT_EQ(u.rows[0].number, 1u);
  EXPECT_EQ(u.rows[0].values["income"], "3500.5");
  EXPECT_EQ(u.rows[0].values["children"], 2);
  EXPECT_TRUE(u.rows[0].values["married"].is_null());
  EXPECT_EQ(u.rows[1].number, 6u);
  EXPECT_EQ(u.rows[1].subject, residentId(3));

  ASSERT_EQ(u.errors.size(), 5u);
  EXPECT_EQ(u.errors[0].row, 2u);
  EXPECT_EQ(u.errors[0].column, "birth_date");
  EXPECT_EQ(u.errors[0].code, "field.type");
  EXPECT_EQ(u.errors[1].column, "colour");
  EXPECT_EQ(u.errors[1].code, "record.unknown_field");
  EXPECT_EQ(u.errors[2].row, 3u);
  EXPECT_EQ(u.errors[2].code, "record.not_object");
  EXPECT_EQ(u.errors[3].row, 4u);
  EXPECT_EQ(u.errors[3].code, "record.subject");
  EXPECT_EQ(u.errors[3].params.at("reason"), "is missing");
  EXPECT_EQ(u.errors[4].row, 5u);
  EXPECT_EQ(u.errors[4].params.at("reason"), "must be a string");
}

TEST(RecordsJson, RepeatedMembersAndNestedArraysAreRefused) {
  const std::string text = "[{\"subject\": \"" + residentId(1) +
                           "\", \"name\": \"A\", \"name\": \"B\"}, [{\"subject\": 1}], "
                           "{\"subject\": \"" +
                           residentId(2) + "\", \"name\": {\"first\": \"C\"}}]";
  auto u = upload(UploadFormat::json, text, residents());
  ASSERT_EQ(u.errors.size(), 3u);
  EXPECT_EQ(u.errors[0].row, 1u);
  EXPECT_EQ(u.errors[0].column, "name");
  EXPECT_EQ(u.errors[0].code, "field.duplicate");
  EXPECT_EQ(u.errors[1].row, 2u);
  EXPECT_EQ(u.errors[1].code, "record.not_object");
  EXPECT_EQ(u.errors[2].row, 3u);
  EXPECT_EQ(u.errors[2].code, "field.type");
  EXPECT_TRUE(u.rows.empty());
  EXPECT_EQ(u.read, 3u);
}

TEST(RecordsJson, ASyntaxErrorMidwayKeepsTheRowsBeforeIt) {
  const std::string text = "\xEF\xBB\xBF[\n {\"subject\": \"" + residentId(1) +
                           "\"},\n {\"subject\": \"" + residentId(2) +
                           "\", \"name\": \"B\"},\n {\"subject\": \"" + residentId(3) +
                           "\", \"name\": tru},\n {\"subject\": \"" + residentId(4) + "\"}\n]";
  auto u = upload(UploadFormat::json, text, residents());
  ASSERT_EQ(u.rows.size(), 2u);
  EXPECT_EQ(u.rows[1].values["name"], "B");
  ASSERT_EQ(u.errors.size(), 1u);
  EXPECT_EQ(u.errors[0].code, "record.malformed");
  EXPECT_EQ(u.errors[0].row, 3u);
  const auto& reason = u.errors[0].params.at("reason");
  EXPECT_NE(reason.find("line 4"), std::string::npos) << reason;
  EXPECT_EQ(reason.find("tru"), std::string::npos) << reason;  // what it read is not repeated
  EXPECT_EQ(u.read, 2u);
}

TEST(RecordsJson, TheUploadMustBeAnArray) {
  for (const auto& text : {"{\"subject\": \"x\"}", "42", "", "[1] [2]", "[{}"}) {
    auto u = upload(UploadFormat::json, text, residents());
    ASSERT_FALSE(u.errors.empty()) << text;
    EXPECT_EQ(u.errors.back().code, "record.malformed") << text;
    EXPECT_TRUE(u.rows.empty());
  }
  auto empty = upload(UploadFormat::json, " [ ] ", residents());
  EXPECT_TRUE(empty.errors.empty());
  EXPECT_EQ(empty.read, 0u);
}

TEST(RecordsJson, AfterMaxErrorsTheReadingStops) {
  json array = json::array();
  for (int i = 1; i <= 20; ++i) array.push_back({{"subject", residentId(i)}, {"children", "x"}});
  auto u = upload(UploadFormat::json, array.dump(), residents(), 5);
  ASSERT_EQ(u.errors.size(), 6u);
  EXPECT_EQ(u.errors.back().code, "record.too_many_errors");
  EXPECT_EQ(u.errors.back().params.at("limit"), "5");
  EXPECT_EQ(u.read, 6u);
}

TEST(RecordsNdjson, OneObjectPerLine) {
  const std::string text = "{\"subject\": \"" + residentId(1) + "\", \"name\": \"A\"}\r\n" + "\n" +
                           "{\"subject\": \"" + residentId(2) + "\", \"married\": false}\n" +
                           "[1, 2]\n" + "{\"subject\": \"" + residentId(1) + "\"}\n  \n";
  auto u = upload(UploadFormat::ndjson, text, residents());
  EXPECT_EQ(u.read, 4u);
  ASSERT_EQ(u.rows.size(), 2u);
  EXPECT_EQ(u.rows[0].values["name"], "A");
  EXPECT_EQ(u.rows[1].number, 2u);
  EXPECT_EQ(u.rows[1].values["married"], false);
  ASSERT_EQ(u.errors.size(), 2u);
  EXPECT_EQ(u.errors[0].row, 3u);
  EXPECT_EQ(u.errors[0].code, "record.not_object");
  EXPECT_EQ(u.errors[1].row, 4u);
  EXPECT_EQ(u.errors[1].code, "record.duplicate_subject");
  EXPECT_EQ(u.errors[1].params.at("first_row"), "1");
}

TEST(RecordsNdjson, ASyntaxErrorNamesItsLine) {
  const std::string text = "{\"subject\": \"" + residentId(1) + "\"}\n\n" + "{\"subject\": \"" +
                           residentId(2) + "\", \"name\": \"A\" \"B\"}\n" + "{\"subject\": \"" +
                           residentId(3) + "\"}\n";
  auto u = upload(UploadFormat::ndjson, text, residents());
  ASSERT_EQ(u.rows.size(), 1u);
  ASSERT_EQ(u.errors.size(), 1u);
  EXPECT_EQ(u.errors[0].code, "record.malformed");
  EXPECT_EQ(u.errors[0].row, 2u);
  EXPECT_NE(u.errors[0].params.at("reason").find("line 3,"), std::string::npos)
      << u.errors[0].params.at("reason");
  EXPECT_EQ(u.read, 1u);
}

TEST(RecordsNdjson, DuplicateMembersAreFound) {
  auto u = upload(UploadFormat::ndjson,
                  "{\"subject\": \"" + residentId(1) + "\", \"children\": 1, \"children\": 2}",
                  residents());
  ASSERT_EQ(u.errors.size(), 1u);
  EXPECT_EQ(u.errors[0].code, "field.duplicate");
  EXPECT_EQ(u.errors[0].column, "children");
}

}  // namespace
}  // namespace onceonly::catalog
