#include "catalog/records.h"

#include <csv.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/calendar.h"
#include "core/encoding.h"
#include "identity/identity.h"

namespace onceonly::catalog {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxTextLength = 4000;  // characters
constexpr long long kMaxDecimalDigits = 18;
constexpr std::string_view kBom = "\xEF\xBB\xBF";
// How much CSV is handed to libcsv at a time: between two pieces the reading may stop.
constexpr std::size_t kCsvPiece = std::size_t{64} * 1024;

// ----- values ---------------------------------------------------------------------------------

ValueResult accepted(json value) {
  return {std::move(value), {}, {}};
}
ValueResult refused(std::string code, Params params = {}) {
  return {nullptr, std::move(code), std::move(params)};
}
ValueResult wrongType(const Field& f) {
  return refused("field.type", {{"type", f.type}});
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// C0 controls but tab, line feed and carriage return; DEL; C1 controls (U+0080..U+009F, which
// UTF-8 writes as C2 80..C2 9F). Only called on valid UTF-8.
bool hasControlCharacter(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
  }
  return false;
}

ValueResult textValue(std::string_view s) {
  if (!isValidUtf8(s)) return refused("field.encoding");
  if (utf8Length(s) > kMaxTextLength)
    return refused("field.length", {{"min", "0"}, {"max", std::to_string(kMaxTextLength)}});
  if (hasControlCharacter(s)) return refused("field.control_character");
  return accepted(std::string(s));
}

ValueResult integerOutOfRange() {
  return refused("field.range",
                 {{"min", std::to_string(std::numeric_limits<std::int64_t>::min())},
                  {"max", std::to_string(std::numeric_limits<std::int64_t>::max())}});
}

ValueResult integerFromText(const Field& f, std::string_view s) {
  std::int64_t value = 0;
  const char* end = s.data() + s.size();
  auto [stop, ec] = std::from_chars(s.data(), end, value);
  if (stop != end) return wrongType(f);
  if (ec == std::errc::result_out_of_range) return integerOutOfRange();
  if (ec != std::errc{}) return wrongType(f);
  return accepted(value);
}

// A decimal written [-]digits[.digits], and with `exponent` also followed by e[+|-]digits (as a
// JSON number may be), in canonical form.
ValueResult decimalValue(const Field& f, std::string_view s, bool exponent) {
  std::size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) ++i;
  std::string digits;
  auto readDigits = [&] {
    const std::size_t start = i;
    while (i < s.size() && isDigit(s[i])) digits += s[i++];
    return i > start;
  };
  if (!readDigits()) return wrongType(f);
  // Where the point is, counted in digits from the left of `digits`.
  long long point = static_cast<long long>(digits.size());
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!readDigits()) return wrongType(f);
  }
  if (exponent && i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool down = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) down = s[i++] == '-';
    const std::size_t start = i;
    long long e = 0;  // capped: past the cap every value but zero has too many digits anyway
    for (; i < s.size() && isDigit(s[i]); ++i) e = std::min(e * 10 + (s[i] - '0'), 100000LL);
    if (i == start) return wrongType(f);
    point += down ? -e : e;
  }
  if (i != s.size()) return wrongType(f);

  const std::size_t lead = digits.find_first_not_of('0');
  if (lead == std::string::npos) return accepted("0");
  digits.erase(0, lead);
  point -= static_cast<long long>(lead);
  while (static_cast<long long>(digits.size()) > point && digits.back() == '0') digits.pop_back();
  const auto size = static_cast<long long>(digits.size());
  const long long shown = point <= 0 ? size - point : std::max(point, size);
  if (shown > kMaxDecimalDigits)
    return refused("field.digits", {{"max", std::to_string(kMaxDecimalDigits)}});

  std::string out = negative ? "-" : "";
  if (point <= 0)
    out += "0." + std::string(static_cast<std::size_t>(-point), '0') + digits;
  else if (point >= size)
    out += digits + std::string(static_cast<std::size_t>(point - size), '0');
  else
    out += digits.substr(0, static_cast<std::size_t>(point)) + "." +
           digits.substr(static_cast<std::size_t>(point));
  return accepted(std::move(out));
}

ValueResult dateValue(const Field& f, std::string_view s) {
  auto date = Date::parse(s);
  return date ? accepted(date->toString()) : wrongType(f);
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

ValueResult booleanFromText(const Field& f, std::string_view s) {
  if (s == "1" || s == "是" || equalsIgnoringCase(s, "true")) return accepted(true);
  if (s == "0" || s == "否" || equalsIgnoringCase(s, "false")) return accepted(false);
  return wrongType(f);
}

bool isText(const Field& f) {
  return f.type == "string" || f.type == "code";
}

// ----- masks ----------------------------------------------------------------------------------

// Keeps the first `head` and last `tail` characters and stars the others; text shorter than
// `shortest` characters is starred whole.
std::string keepEnds(std::string_view s, std::size_t head, std::size_t tail, std::size_t shortest) {
  std::vector<std::size_t> starts;  // where each character begins
  for (std::size_t i = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
  const std::size_t n = starts.size();
  if (n < shortest) return std::string(n, '*');
  const std::size_t tailFrom = tail == 0 ? s.size() : starts[n - tail];
  return std::string(s.substr(0, starts[head])) + std::string(n - head - tail, '*') +
         std::string(s.substr(tailFrom));
}

}  // namespace

ValueResult valueFromText(const Field& field, std::string_view text) {
  if (text.empty()) return accepted(nullptr);
  if (isText(field)) return textValue(text);
  if (field.type == "integer") return integerFromText(field, text);
  if (field.type == "decimal") return decimalValue(field, text, false);
  if (field.type == "date") return dateValue(field, text);
  if (field.type == "boolean") return booleanFromText(field, text);
  return wrongType(field);
}

ValueResult valueFromJson(const Field& field, const json& value) {
  if (value.is_null()) return accepted(nullptr);
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s.empty()) return accepted(nullptr);
    if (isText(field)) return textValue(s);
    if (field.type == "decimal") return decimalValue(field, s, false);
    if (field.type == "date") return dateValue(field, s);
    return wrongType(field);
  }
  if (field.type == "integer") {
    if (value.is_number_unsigned()) {
      const auto u = value.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return integerOutOfRange();
      return accepted(static_cast<std::int64_t>(u));
    }
    if (value.is_number_integer()) return accepted(value.get<std::int64_t>());
  }
  if (field.type == "decimal") {
    if (value.is_number_integer()) return decimalValue(field, value.dump(), false);
    // A double prints as the shortest text that reads back as the same double.
    if (value.is_number_float() && std::isfinite(value.get<double>()))
      return decimalValue(field, value.dump(), true);
  }
  if (field.type == "boolean" && value.is_boolean()) return accepted(value.get<bool>());
  return wrongType(field);
}

std::optional<std::string> checkSubject(const std::string& subjectKind,
                                        const std::string& subject) {
  if (subjectKind == "none")
    return subject.empty() ? std::nullopt
                           : std::optional<std::string>("this resource's records have no subject");
  if (subject.empty()) return "is missing";
  if (subjectKind == "person") return identity::checkResidentId(subject);
  if (subjectKind == "company") return identity::checkCreditCode(subject);
  return "the resource's subject kind is not known";
}

json maskValue(const std::string& rule, const json& value) {
  if (value.is_null() || rule == "none") return value;
  const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (rule == "name") return keepEnds(text, 1, 0, 2);
  if (rule == "phone") return keepEnds(text, 3, 4, 8);
  if (rule == "id_number") return keepEnds(text, 6, 4, 11);
  return "***";  // "all", and any rule not known here: show nothing
}

// ----- reading uploads ------------------------------------------------------------------------

namespace {

// Thrown from a JSON parser callback to end the reading; never leaves readRecords.
struct StopReading {};

// What the three formats share: checking each row's subject and values, counting problems, and
// handing rows and problems to the caller. A row is begun, given its subject and values, and
// ended; it goes to the caller when nothing was wrong with it.
class RowSink {
 public:
  RowSink(const Resource& resource, const std::function<void(Row&&)>& onRow,
          const std::function<void(RowError&&)>& onError, std::size_t maxErrors)
      : resource_(resource), onRow_(onRow), onError_(onError), maxErrors_(maxErrors) {
    nulls_ = json::object();
    for (const auto& f : resource.fields) {
      fields_.emplace(f.name, &f);
      nulls_[f.name] = nullptr;
    }
  }

  bool hasSubjects() const { return resource_.subjectKind != "none"; }
  const Field* field(const std::string& name) const {
    auto it = fields_.find(name);
    return it == fields_.end() ? nullptr : it->second;
  }
  // Rows begun so far, and the number the next one will have.
  std::size_t rowsRead() const { return rows_; }
  std::size_t nextRow() const { return rows_ + 1; }
  // Once stopped (too many problems, a problem that ends the reading, or a callback that threw),
  // nothing more is reported.
  bool stopped() const { return stopped_; }
  void stop() { stopped_ = true; }
  // Something thrown where it cannot propagate (inside libcsv): kept, rethrown at the end.
  void fail(std::exception_ptr e) {
    if (!thrown_) thrown_ = std::move(e);
    stopped_ = true;
  }
  void rethrowIfFailed() const {
    if (thrown_) std::rethrow_exception(thrown_);
  }

  void problem(std::size_t row, std::string column, std::string code, Params params = {}) {
    if (stopped_) return;
    if (errors_ == maxErrors_) {
      stopped_ = true;
      deliver(RowError{row, "", "record.too_many_errors", {{"limit", std::to_string(maxErrors_)}}});
      return;
    }
    ++errors_;
    deliver(RowError{row, std::move(column), std::move(code), std::move(params)});
  }

  std::size_t begin() {
    current_ = Row{++rows_, "", nulls_};
    errorsAtBegin_ = errors_;
    return current_.number;
  }
  // Read in upper case, as both kinds of identifier are written (a resident ID's final x is X),
  // so that "x" and "X" are one subject.
  void subject(std::string s) {
    for (auto& c : s)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (auto why = checkSubject(resource_.subjectKind, s)) {
      subjectProblem(*why);
      return;
    }
    auto [first, fresh] = firstRow_.try_emplace(s, current_.number);
    if (!fresh) {
      problem(current_.number, "subject", "record.duplicate_subject",
              {{"first_row", std::to_string(first->second)}});
      return;
    }
    current_.subject = std::move(s);
  }
  void subjectProblem(std::string reason) {
    problem(current_.number, "subject", "record.subject", {{"reason", std::move(reason)}});
  }
  void value(const Field& f, ValueResult&& v) {
    if (v.ok())
      current_.values[f.name] = std::move(v.value);
    else
      problem(current_.number, f.name, std::move(v.code), std::move(v.params));
  }
  void end() {
    if (stopped_ || errors_ != errorsAtBegin_) return;
    try {
      onRow_(std::move(current_));
    } catch (...) {
      fail(std::current_exception());
    }
  }

 private:
  void deliver(RowError&& e) {
    try {
      onError_(std::move(e));
    } catch (...) {
      fail(std::current_exception());
    }
  }

  const Resource& resource_;
  const std::function<void(Row&&)>& onRow_;
  const std::function<void(RowError&&)>& onError_;
  const std::size_t maxErrors_;
  std::unordered_map<std::string, const Field*> fields_;
  json nulls_;                                             // every field, null
  std::unordered_map<std::string, std::size_t> firstRow_;  // subject -> the row it came first in
  Row current_;
  std::size_t rows_ = 0, errors_ = 0, errorsAtBegin_ = 0;
  bool stopped_ = false;
  std::exception_ptr thrown_;
};

// RFC 4180 through libcsv, strict: a quote in an unquoted cell, text after a closing quote or an
// unclosed quote at the end is a syntax error, and spaces around cells are kept (they are part
// of the value). libcsv skips empty lines.
class CsvReader {
 public:
  CsvReader(RowSink& sink, std::string_view data) : sink_(sink), data_(data) {}

  void read() {
    csv_parser parser{};
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
      malformed("the CSV reader could not start");
      return;
    }
    csv_set_space_func(&parser, &noSpace);
    bool failed = false;
    for (std::size_t offset = 0; offset < data_.size() && !sink_.stopped();) {
      const std::size_t n = std::min(kCsvPiece, data_.size() - offset);
      const std::size_t done = csv_parse(&parser, data_.data() + offset, n, &onCell, &onEnd, this);
      if (done != n) {
        failed = true;
        syntaxError(csv_error(&parser), offset + done);
        break;
      }
      offset += n;
    }
    if (!failed && !sink_.stopped()) {
      if (csv_fini(&parser, &onCell, &onEnd, this) != 0)
        malformed("a quoted cell is not closed at the end");
      else if (!headerRead_)
        malformed("there is no header row");
    }
    csv_free(&parser);
  }

 private:
  static int noSpace(unsigned char) { return 0; }

  static void onCell(void* text, std::size_t size, void* self) {
    auto& r = *static_cast<CsvReader*>(self);
    if (r.sink_.stopped()) return;
    try {
      // libcsv may pass no buffer at all for an empty cell.
      r.cells_.emplace_back(size == 0 ? std::string()
                                      : std::string(static_cast<char*>(text), size));
    } catch (...) {
      r.sink_.fail(std::current_exception());  // nothing may be thrown through libcsv
    }
  }

  static void onEnd(int, void* self) {
    auto& r = *static_cast<CsvReader*>(self);
    if (r.sink_.stopped()) return;
    try {
      if (r.headerRead_)
        r.record();
      else
        r.header();
      r.cells_.clear();
    } catch (...) {
      r.sink_.fail(std::current_exception());
    }
  }

  void header() {
    headerRead_ = true;
    bool fatal = false;
    std::unordered_set<std::string> seen;
    columns_.assign(cells_.size(), nullptr);
    for (std::size_t i = 0; i < cells_.size(); ++i) {
      const std::string& name = cells_[i];
      if (!seen.insert(name).second) {
        sink_.problem(0, name, "record.duplicate_column");
        fatal = true;
      } else if (name == "subject" && sink_.hasSubjects()) {
        subjectColumn_ = i;
      } else if (const Field* f = sink_.field(name)) {
        columns_[i] = f;
      } else {
        sink_.problem(0, name, "record.unknown_column");
      }
    }
    if (sink_.hasSubjects() && !subjectColumn_) {
      sink_.problem(0, "subject", "record.missing_subject_column");
      fatal = true;
    }
    if (fatal) sink_.stop();
  }

  void record() {
    const std::size_t row = sink_.begin();
    if (cells_.size() != columns_.size()) {
      sink_.problem(row, "", "record.columns",
                    {{"expected", std::to_string(columns_.size())},
                     {"found", std::to_string(cells_.size())}});
    } else {
      for (std::size_t i = 0; i < cells_.size(); ++i) {
        if (subjectColumn_ == i)
          sink_.subject(std::move(cells_[i]));
        else if (columns_[i])
          sink_.value(*columns_[i], valueFromText(*columns_[i], cells_[i]));
      }
    }
    sink_.end();
  }

  void syntaxError(int code, std::size_t at) {
    const auto line = 1 + std::count(data_.begin(), data_.begin() + static_cast<long>(at), '\n');
    const std::string where = "line " + std::to_string(line) + ": ";
    if (code == CSV_EPARSE)
      malformed(where + "a quote inside an unquoted cell, or text after a closing quote");
    else
      malformed(where + "a cell too large to read");
  }

  void malformed(std::string reason) {
    sink_.problem(headerRead_ ? sink_.nextRow() : 0, "", "record.malformed",
                  {{"reason", std::move(reason)}});
    sink_.stop();
  }

  RowSink& sink_;
  std::string_view data_;
  bool headerRead_ = false;
  std::vector<const Field*> columns_;  // per header cell: its field, or null
  std::optional<std::size_t> subjectColumn_;
  std::vector<std::string> cells_;  // of the row being read
};

// What a JSON syntax error says, without the text it was reading (which may be personal data):
// "line 3, column 14: syntax error while parsing object - unexpected end of input".
std::string jsonSyntaxReason(const json::exception& e) {
  if (e.id == 406) return "a number too large to read";  // the message quotes the number
  std::string s = e.what();
  if (auto p = s.find("] "); p != std::string::npos) s.erase(0, p + 2);
  if (auto p = s.find("; last read"); p != std::string::npos) s.erase(p);
  for (std::string_view prefix : {"parse error at ", "parse error: "})
    if (s.starts_with(prefix)) s.erase(0, prefix.size());
  return s;
}

bool isBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// A JSON array of objects, streamed: the parser hands over each element as soon as it is read
// and then drops it, so the array itself never grows; or NDJSON, one object per line.
class JsonReader {
 public:
  explicit JsonReader(RowSink& sink) : sink_(sink) {}

  void readArray(std::string_view data) {
    using Event = json::parse_event_t;
    json::parser_callback_t callback = [this](int depth, Event event, json& parsed) {
      if (sink_.stopped()) throw StopReading{};
      if (depth == 0) {
        if (event == Event::array_start || event == Event::array_end) return true;
        malformed(0, "the upload must be a JSON array of objects");
        throw StopReading{};
      }
      if (depth == 1) {
        switch (event) {
          case Event::object_start:
            startObject();
            return true;
          case Event::object_end:
            record(parsed);
            return false;  // handled: the parser drops it
          case Event::array_start:
          case Event::value:
            notObject();
            return false;
          default:
            return true;
        }
      }
      if (depth == 2 && event == Event::key) noteKey(parsed);
      return true;
    };
    try {
      // What is left is the array's shell: every element was handled and dropped.
      [[maybe_unused]] const json shell = json::parse(data.begin(), data.end(), callback);
    } catch (const json::exception& e) {
      malformed(sink_.nextRow(), jsonSyntaxReason(e));
    } catch (const StopReading&) {
    }
  }

  void readLines(std::string_view data) {
    using Event = json::parse_event_t;
    json::parser_callback_t callback = [this](int depth, Event event, json& parsed) {
      if (depth == 1 && event == Event::key) noteKey(parsed);
      return true;
    };
    std::size_t line = 0;
    for (std::size_t pos = 0; pos < data.size() && !sink_.stopped();) {
      std::size_t end = data.find('\n', pos);
      if (end == std::string_view::npos) end = data.size();
      const std::string_view text = data.substr(pos, end - pos);
      pos = end + 1;
      ++line;
      if (isBlank(text)) continue;
      startObject();
      json element;
      try {
        element = json::parse(text.begin(), text.end(), callback);
      } catch (const json::exception& e) {
        std::string reason = jsonSyntaxReason(e);
        if (reason.starts_with("line 1, ")) reason.erase(0, 8);  // the line within the line
        malformed(sink_.nextRow(), "line " + std::to_string(line) + ", " + reason);
        return;
      }
      if (element.is_object())
        record(element);
      else
        notObject();
    }
  }

 private:
  void startObject() {
    keys_.clear();
    repeated_.clear();
  }
  void noteKey(const json& key) {
    const auto& name = key.get_ref<const std::string&>();
    if (!keys_.insert(name).second &&
        std::find(repeated_.begin(), repeated_.end(), name) == repeated_.end())
      repeated_.push_back(name);
  }

  void record(const json& object) {
    const std::size_t row = sink_.begin();
    for (const auto& name : repeated_) sink_.problem(row, name, "field.duplicate");
    if (sink_.hasSubjects()) {
      auto it = object.find("subject");
      if (it == object.end() || it->is_null())
        sink_.subjectProblem("is missing");
      else if (!it->is_string())
        sink_.subjectProblem("must be a string");
      else
        sink_.subject(it->get<std::string>());
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (it.key() == "subject" && sink_.hasSubjects()) continue;
      if (const Field* f = sink_.field(it.key()))
        sink_.value(*f, valueFromJson(*f, it.value()));
      else
        sink_.problem(row, it.key(), "record.unknown_field");
    }
    sink_.end();
  }

  void notObject() {
    const std::size_t row = sink_.begin();
    sink_.problem(row, "", "record.not_object");
    sink_.end();
  }

  void malformed(std::size_t row, std::string reason) {
    sink_.problem(row, "", "record.malformed", {{"reason", std::move(reason)}});
    sink_.stop();
  }

  RowSink& sink_;
  std::unordered_set<std::string> keys_;  // of the object being read
  std::vector<std::string> repeated_;     // its keys given more than once
};

}  // namespace

std::size_t readRecords(UploadFormat format, std::string_view data, const Resource& resource,
                        const std::function<void(Row&&)>& row,
                        const std::function<void(RowError&&)>& error, std::size_t maxErrors) {
  if (data.starts_with(kBom)) data.remove_prefix(kBom.size());
  RowSink sink(resource, row, error, maxErrors);
  switch (format) {
    case UploadFormat::csv:
      CsvReader(sink, data).read();
      break;
    case UploadFormat::json:
      JsonReader(sink).readArray(data);
      break;
    case UploadFormat::ndjson:
      JsonReader(sink).readLines(data);
      break;
  }
  sink.rethrowIfFailed();
  return sink.rowsRead();
}

}  // namespace onceonly::catalog
