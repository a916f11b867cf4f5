// The records of a hosted data resource: reading what a department uploads (CSV, a JSON array or
// NDJSON) against the resource's fields, checking each record's subject, and masking values for
// a grant that does not unmask them. Pure functions of their arguments: no database, no HTTP;
// the caller decides what becomes of good rows and of problems (store them, refuse the upload).
//
// A record's values are a JSON object, field name -> value, typed by the field:
//   string, code  a string: valid UTF-8, at most 4000 characters (code points, as every length
//                 limit here counts), no control characters but tab, line feed and carriage
//                 return (a quoted CSV cell may hold several lines)
//   integer       a JSON integer in the int64 range
//   decimal       a string in canonical form: "12.5", "-3", "0.25" (no '+', no leading zeros, no
//                 trailing zeros after the point, no exponent), at most 18 digits not counting
//                 the "0" before the point of a value below 1
//   date          "YYYY-MM-DD", a real calendar date in 0001..9999
//   boolean       true or false
// A missing value is JSON null; any field may be missing, and empty text always means missing.
// Code fields are read as strings: whether a value is in the field's code list is the caller's
// check.
//
// Problems name a row, a column and a message code with parameters, never a value or a
// subject, so that they may be logged and shown to anyone who sees the upload.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"

namespace onceonly::catalog {

// One value read from outside, or why it was refused. Codes: field.type (params type: the
// field's type; also for text that is not of the type's form, such as "1e3" for an integer or
// 2026-02-30 for a date), field.range (min, max: an integer outside int64), field.digits (max:
// a decimal with too many digits), field.length (min, max: a string too long), field.encoding
// (not UTF-8), field.control_character.
struct ValueResult {
  nlohmann::json value;  // when accepted: the typed value, null when missing
  std::string code;      // when refused: the message code
  Params params;
  bool ok() const { return code.empty(); }
};

// From text, a CSV cell: integer "-12" (not "+12", " 12", "12.0" or "1e3"); decimal "-12.50" (no
// exponent); boolean true/false (any case), 1/0, 是/否; date YYYY-MM-DD.
ValueResult valueFromText(const Field& field, std::string_view text);
// From JSON, an upload or an API body: integer a JSON integer; decimal a JSON number (read as a
// double: give more than 15 significant digits as a string) or a decimal string as in text;
// date a string; boolean a JSON bool; string and code a string. null and "" are missing.
ValueResult valueFromJson(const Field& field, const nlohmann::json& value);

// Whether `subject` may be the subject of a record of a resource of this subject kind: a resident
// ID (GB 11643) for "person", a unified social credit code (GB 32100) for "company", nothing
// ("") for "none". nullopt when it may; otherwise a short English reason that does not repeat
// the subject.
std::optional<std::string> checkSubject(const std::string& subjectKind, const std::string& subject);

// How a value is shown to someone whose grant does not unmask it. Counts characters (code
// points), so Chinese text is masked as Latin text is:
//   name       the first character, then one '*' per other character ("欧阳娜娜" -> "欧***");
//              a single character is all '*'
//   phone      the first 3 and last 4 characters ("13812345678" -> "138****5678"); shorter than
//              8: all '*'
//   id_number  the first 6 and last 4 characters ("110101199003077777" ->
//              "110101********7777"); shorter than 11: all '*'
//   all        "***", whatever the length
//   none       the value unchanged
// Any other rule masks as "all" does. Values that are not strings are masked on their text form
// (12 -> "12") and give a string; null stays null.
nlohmann::json maskValue(const std::string& rule, const nlohmann::json& value);

// One problem with an upload. row: the 1-based data row (CSV: the header is row 0, and a row is a
// record, however many lines its quoted cells span; JSON: the element's position; NDJSON: the
// record's position, blank lines not counted). column: a field name, "subject", or "" for the
// row as a whole. Codes, besides those of ValueResult (column: the field):
//   record.malformed               not CSV or JSON (params reason: where and what, never the
//                                  text); ends the reading
//   record.unknown_column          row 0: a header cell that is neither "subject" nor a field;
//                                  its cells are ignored
//   record.duplicate_column        row 0: a header cell given twice; ends the reading
//   record.missing_subject_column  row 0: no "subject" column where the resource has subjects;
//                                  ends the reading
//   record.columns                 a CSV row with another number of cells than the header
//                                  (params expected, found)
//   record.not_object              a JSON element that is not an object
//   record.unknown_field           a JSON member that is neither "subject" nor a field
//   field.duplicate                a JSON member given twice in one object
//   record.subject                 a missing or invalid subject (params reason)
//   record.duplicate_subject       a subject an earlier row of the upload has (params first_row)
//   record.too_many_errors         the last problem reported once there are more than maxErrors
//                                  (params limit); ends the reading
struct RowError {
  std::size_t row = 0;
  std::string column;
  std::string code;
  Params params;
};

// A good row: its subject, in upper case as identifiers are written ("" when the resource's
// subject kind is "none"), and every field of the resource, null where the upload gives no
// value. Subjects are upper-cased before they are checked, so "…x" and "…X" are one subject.
struct Row {
  std::size_t number = 0;
  std::string subject;
  nlohmann::json values;
};

enum class UploadFormat {
  csv,     // RFC 4180, UTF-8; a header row names the columns ("subject" and fields, in any
           // order; fields may be left out); empty lines are skipped
  json,    // one JSON array of objects, each with "subject" and field members
  ndjson,  // one such object per line; blank lines are skipped
};

// Reads an upload, calling `row` for every good row and `error` for every problem, in the order
// of the upload, and returns the number of data rows read (good and bad). A leading UTF-8 BOM is
// skipped. Bad input never throws: a syntax error ends the reading with one record.malformed.
// After maxErrors problems the next one is reported as record.too_many_errors and the reading
// ends. Streams: holds one row at a time plus the subjects seen so far (to find duplicates),
// never the whole upload parsed. What `row` or `error` throws ends the reading and propagates.
std::size_t readRecords(UploadFormat format, std::string_view data, const Resource& resource,
                        const std::function<void(Row&&)>& row,
                        const std::function<void(RowError&&)>& error, std::size_t maxErrors = 100);

}  // namespace onceonly::catalog
