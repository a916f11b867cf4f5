#include "connector/connector.h"

#include <csv.h>

#include <array>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "core/encoding.h"
#include "core/error.h"
#include "core/i18n.h"
#include "core/log.h"
#include "crypto/crypto.h"
#include "crypto/http_signature.h"
#include "store/store.h"

namespace onceonly::connector {
namespace {

using nlohmann::json;

constexpr std::string_view kLabel = "sig1";
constexpr std::size_t kMaxNonceLength = 256;
constexpr int kMaxWindowSeconds = 86400;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string upperAscii(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

std::string readFile(const std::string& file, std::string_view what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + std::string(what) + " " + file);
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

// ----- trusted keys ---------------------------------------------------------------------------

// Whether a JWK is one this connector can use; RFC 7517 section 5 asks to skip the others.
bool isEd25519SigningKey(const json& jwk) {
  const auto member = [&](const char* name) -> std::optional<std::string> {
    const auto it = jwk.find(name);
    if (it == jwk.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  if (member("kty") != "OKP" || member("crv") != "Ed25519") return false;
  if (jwk.contains("use") && member("use") != "sig") return false;
  if (jwk.contains("alg") && member("alg") != "EdDSA" && member("alg") != "Ed25519") return false;
  return true;
}

// ----- IMF-fixdate (RFC 9110 section 5.6.7) -----------------------------------------------------

std::optional<int> digits(std::string_view s, std::size_t at, std::size_t n) {
  int out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    out = out * 10 + (s[i] - '0');
  }
  return out;
}

// "Sun, 06 Nov 1994 08:49:37 GMT" as unix seconds; nullopt for anything else, a weekday that is
// not the date's included.
std::optional<std::int64_t> parseImfFixdate(std::string_view s) {
  static constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                            "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT")
    return std::nullopt;
  unsigned weekday = 0, month = 0;
  while (weekday < kDays.size() && kDays[weekday] != s.substr(0, 3)) ++weekday;
  while (month < kMonths.size() && kMonths[month] != s.substr(8, 3)) ++month;
  const auto day = digits(s, 5, 2), year = digits(s, 12, 4);
  const auto hour = digits(s, 17, 2), minute = digits(s, 20, 2), second = digits(s, 23, 2);
  if (weekday == kDays.size() || month == kMonths.size() || !day || !year || !hour || !minute ||
      !second || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year}, std::chrono::month{month + 1},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  const std::chrono::sys_days days{date};
  if (std::chrono::weekday{days} != std::chrono::weekday{weekday}) return std::nullopt;
  const std::int64_t seconds = std::int64_t{*hour} * 3600 + std::int64_t{*minute} * 60 + *second;
  return std::int64_t{days.time_since_epoch().count()} * 86400 + seconds;
}

// ----- CSV source -----------------------------------------------------------------------------

// One pass of libcsv over a file, fed a line at a time so that every problem has a line number
// (a record whose quoted cells span lines is reported on the line where it ends). Nothing may be
// thrown through libcsv: a callback's exception is kept and rethrown between lines.
class CsvLoad {
 public:
  CsvLoad(const std::string& file, const std::string& keyColumn)
      : file_(file), keyColumn_(keyColumn) {}

  void read(std::string_view data) {
    if (data.starts_with(kBom)) data.remove_prefix(kBom.size());
    csv_parser parser{};
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
      throw std::runtime_error(file_ + ": the CSV reader could not start");
    csv_set_space_func(&parser, &noSpace);  // spaces around a cell are part of its value
    try {
      for (std::size_t at = 0, line = 1; at < data.size(); ++line) {
        line_ = line;
        const std::size_t end = std::min(data.find('\n', at), data.size() - 1) + 1;
        const std::string_view piece = data.substr(at, end - at);
        at = end;
        // Splitting at '\n' never cuts a UTF-8 character, whose bytes are all above 0x7F.
        if (!isValidUtf8(piece)) fail("not UTF-8 text");
        if (csv_parse(&parser, piece.data(), piece.size(), &onCell, &onEnd, this) != piece.size())
          fail(csv_error(&parser) == CSV_EPARSE
                   ? "a quote inside an unquoted cell, or text after a closing quote"
                   : "a cell too large to read");
        rethrowIfFailed();
      }
      if (csv_fini(&parser, &onCell, &onEnd, this) != 0)
        fail("a quoted cell is not closed at the end of the file");
      rethrowIfFailed();
      if (!headerRead_) throw std::runtime_error(file_ + ": there is no header row");
    } catch (...) {
      csv_free(&parser);
      throw;
    }
    csv_free(&parser);
  }

  std::vector<std::string> columns;
  std::unordered_map<std::string, std::vector<std::string>> rows;  // upper-case key -> cells

 private:
  static int noSpace(unsigned char) { return 0; }

  static void onCell(void* text, std::size_t size, void* self) {
    auto& r = *static_cast<CsvLoad*>(self);
    if (r.failure_) return;
    try {
      // libcsv may pass no buffer at all for an empty cell.
      r.cells_.emplace_back(size == 0 ? std::string()
                                      : std::string(static_cast<char*>(text), size));
    } catch (...) {
      r.failure_ = std::current_exception();
    }
  }

  static void onEnd(int, void* self) {
    auto& r = *static_cast<CsvLoad*>(self);
    if (r.failure_) return;
    try {
      if (r.headerRead_)
        r.record();
      else
        r.header();
      r.cells_.clear();
    } catch (...) {
      r.failure_ = std::current_exception();
    }
  }

  void header() {
    headerRead_ = true;
    for (std::size_t i = 0; i < cells_.size(); ++i) {
      if (cells_[i].empty()) fail("column " + std::to_string(i + 1) + " of the header has no name");
      for (std::size_t j = 0; j < i; ++j)
        if (cells_[j] == cells_[i]) fail("the header names column \"" + cells_[i] + "\" twice");
      if (cells_[i] == keyColumn_) key_ = i;
    }
    if (!key_) fail("the header has no key column \"" + keyColumn_ + "\"");
    columns = std::move(cells_);
  }

  void record() {
    if (cells_.size() != columns.size())
      fail(std::to_string(cells_.size()) + " cells where the header has " +
           std::to_string(columns.size()));
    std::string key = upperAscii(cells_[*key_]);
    if (key.empty()) fail("the key column \"" + keyColumn_ + "\" is empty");
    const auto [first, fresh] = firstLine_.try_emplace(key, line_);
    if (!fresh)
      fail("the key is given twice (first on line " + std::to_string(first->second) + ")");
    rows.emplace(std::move(key), std::move(cells_));
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(file_ + ": line " + std::to_string(line_) + ": " + what);
  }
  void rethrowIfFailed() const {
    if (failure_) std::rethrow_exception(failure_);
  }

  const std::string& file_;
  const std::string& keyColumn_;
  std::size_t line_ = 1;  // the line being read
  bool headerRead_ = false;
  std::optional<std::size_t> key_;
  std::vector<std::string> cells_;  // of the record being read
  std::unordered_map<std::string, std::size_t> firstLine_;
  std::exception_ptr failure_;
};

// Immutable once loaded, so any number of threads may read it.
class CsvSource final : public DataSource {
 public:
  CsvSource(std::vector<std::string> columns,
            std::unordered_map<std::string, std::vector<std::string>> rows)
      : columns_(std::move(columns)), rows_(std::move(rows)) {}

  std::optional<json> find(const std::string& subject) override {
    const auto it = rows_.find(upperAscii(subject));
    if (it == rows_.end()) return std::nullopt;
    json record = json::object();
    for (std::size_t i = 0; i < columns_.size(); ++i)
      record[columns_[i]] = it->second[i].empty() ? json(nullptr) : json(it->second[i]);
    return record;
  }

 private:
  const std::vector<std::string> columns_;
  const std::unordered_map<std::string, std::vector<std::string>> rows_;
};

// ----- database source ------------------------------------------------------------------------

bool isIdentifier(std::string_view name) {
  const auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (name.empty() || name.size() > 63 || !(letter(name[0]) || name[0] == '_')) return false;
  for (char c : name)
    if (!letter(c) && !digit(c) && c != '_') return false;
  return true;
}

json toJson(const store::Value& value) {
  if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return nullptr;
}

// The Database is shared by the worker threads; each find() leases its own connection.
class DatabaseSource final : public DataSource {
 public:
  DatabaseSource(std::unique_ptr<store::Database> db, std::string select)
      : db_(std::move(db)), select_(std::move(select)) {}

  std::optional<json> find(const std::string& subject) override {
    auto c = db_->connect();
    auto rows = c.query(select_, {subject});
    if (const std::string upper = upperAscii(subject); rows.empty() && upper != subject)
      rows = c.query(select_, {upper});
    if (rows.empty()) return std::nullopt;
    // Which of several records would be a guess about someone's data.
    if (rows.size() > 1) throw std::runtime_error("the key column holds a subject more than once");
    json record = json::object();
    for (const auto& column : rows[0].columns()) record[column] = toJson(rows[0].at(column));
    return record;
  }

 private:
  const std::unique_ptr<store::Database> db_;
  const std::string select_;
};

// ----- answers --------------------------------------------------------------------------------

http::Response problem(int status, const std::string& code, const std::string& detail) {
  auto res = http::Response::json(status, {{"title", i18n::title(status, i18n::Lang::En)},
                                           {"status", status},
                                           {"code", code},
                                           {"detail", detail}});
  res.contentType = "application/problem+json";
  return res;
}

std::int64_t systemClock() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t distance(std::int64_t a, std::int64_t b) {
  return a > b ? a - b : b - a;
}

}  // namespace

TrustedKeys parseTrustedKeys(std::string_view jwks) {
  const auto fail = [](const std::string& what) {
    return std::runtime_error("trusted keys: " + what);
  };
  const json doc = json::parse(jwks, nullptr, false);
  if (doc.is_discarded()) throw fail("not JSON");
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array())
    throw fail("a JWK Set needs a \"keys\" array");
  TrustedKeys keys;
  for (std::size_t i = 0; i < doc["keys"].size(); ++i) {
    const json& jwk = doc["keys"][i];
    const std::string where = "keys[" + std::to_string(i) + "]";
    if (!jwk.is_object()) throw fail(where + " is not an object");
    if (jwk.contains("d")) throw fail(where + " holds a private key (\"d\"); publish public keys");
    if (!isEd25519SigningKey(jwk)) continue;
    if (!jwk.contains("kid") || !jwk["kid"].is_string() || jwk["kid"].get<std::string>().empty())
      throw fail(where + " has no kid");
    const auto kid = jwk["kid"].get<std::string>();
    const auto raw = jwk.contains("x") && jwk["x"].is_string()
                         ? fromBase64url(jwk["x"].get<std::string>())
                         : std::nullopt;
    const auto key = raw ? crypto::fromBytes<crypto::Ed25519PublicKey>(*raw) : std::nullopt;
    if (!key)
      throw fail(std::string(where).append(" (kid ").append(kid).append(
          "): x is not the base64url of 32 bytes"));
    if (!keys.emplace(kid, *key).second) throw fail("kid " + kid + " is given twice");
  }
  if (keys.empty()) throw fail("the set has no Ed25519 signing key");
  return keys;
}

TrustedKeys loadTrustedKeys(const std::string& file) {
  const std::string text = readFile(file, "the trusted keys file");
  try {
    return parseTrustedKeys(text);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(file + ": " + e.what());
  }
}

std::unique_ptr<DataSource> csvSource(const std::string& file, const std::string& keyColumn) {
  CsvLoad load(file, keyColumn);
  load.read(readFile(file, "the CSV file"));
  return std::make_unique<CsvSource>(std::move(load.columns), std::move(load.rows));
}

std::unique_ptr<DataSource> databaseSource(const std::string& url, const std::string& table,
                                           const std::string& keyColumn, int poolSize) {
  for (const auto& [what, name] : {std::pair{"table", &table}, std::pair{"key column", &keyColumn}})
    if (!isIdentifier(*name))
      throw std::runtime_error(std::string(what) + " \"" + *name +
                               "\" is not an identifier ([A-Za-z_][A-Za-z0-9_]{0,62})");
  // Opening a SQLite file that is not there would create an empty database.
  if (const auto path = store::sqlitePath(url); path && !std::filesystem::exists(*path))
    throw std::runtime_error("no database file at " + *path);
  auto db = store::Database::open(url, poolSize);
  // The column is named with its table: SQLite reads an unqualified "name" that is no column as
  // the string 'name', which would compare every row with the text of the column's name.
  const std::string quotedTable = "\"" + table + "\"";
  const std::string key = quotedTable + ".\"" + keyColumn + "\"";
  try {
    db->connect().query("SELECT " + key + " FROM " + quotedTable + " WHERE 1 = 0");
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read column " + key + ": " + e.what());
  }
  return std::make_unique<DatabaseSource>(
      std::move(db), "SELECT * FROM " + quotedTable + " WHERE " + key + " = ? LIMIT 2");
}

Connector::Connector(Options options, TrustedKeys trusted, std::unique_ptr<DataSource> data,
                     UnixClock clock)
    : options_(std::move(options)),
      trusted_(std::move(trusted)),
      data_(std::move(data)),
      clock_(clock ? std::move(clock) : UnixClock(&systemClock)) {
  if (!options_.path.starts_with('/') || options_.path.find('?') != std::string::npos)
    throw std::runtime_error("the connector's path must start with '/' and have no query");
  if (options_.windowSeconds < 1 || options_.windowSeconds > kMaxWindowSeconds)
    throw std::runtime_error("the time window must be between 1 and 86400 seconds");
  if (options_.resource && options_.resource->empty())
    throw std::runtime_error("the resource code, when given, must not be empty");
  if (options_.maxNonces == 0) throw std::runtime_error("the nonce store needs room");
  if (trusted_.empty()) throw std::runtime_error("the connector trusts no key");
  if (!data_) throw std::runtime_error("the connector has no data source");
  crypto::init();
}

http::Response Connector::handle(http::Request& req) {
  std::string keyId;  // once the signature is verified
  const auto refuse = [&](int status, const std::string& code, const std::string& detail) {
    log::info("connector.refused",
              {{"status", status}, {"code", code}, {"keyid", keyId}, {"detail", detail}});
    return problem(status, code, detail);
  };

  // The path as sent, not decoded: what the platform signed as @path.
  const std::string& target = req.target.empty() ? req.path : req.target;
  const std::size_t q = target.find('?');
  crypto::SignedRequest signedRequest;
  signedRequest.path = target.substr(0, q);
  signedRequest.query = q == std::string::npos ? "" : target.substr(q);
  if (signedRequest.path != options_.path)
    return refuse(404, "connector.not_found", "this connector serves " + options_.path);
  if (req.method != "POST") {
    auto res = refuse(405, "connector.method", "only POST is allowed here");
    res.setHeader("Allow", "POST");
    return res;
  }

  // 1. Who signed.
  const auto signatureInput = req.header("signature-input");
  const auto signature = req.header("signature");
  if (!signatureInput || !signature)
    return refuse(401, "connector.signature",
                  "the Signature-Input and Signature headers are required");
  signedRequest.method = req.method;
  signedRequest.authority = req.header("host").value_or("");
  signedRequest.headers = req.headers;
  const crypto::VerifyRequirements required{
      {"@method", "@authority", "@path", "content-digest", "date"}, true, true};
  const auto keyFor = [this](const std::string& id) -> std::optional<crypto::Ed25519PublicKey> {
    const auto it = trusted_.find(id);
    if (it == trusted_.end()) return std::nullopt;
    return it->second;
  };
  const auto verified =
      crypto::verifyRequest(signedRequest, *signatureInput, *signature, keyFor, required, kLabel);
  if (!verified.ok) return refuse(401, "connector.signature", verified.problem);
  const auto& params = verified.params;
  keyId = params.keyId;
  if (params.nonce.size() > kMaxNonceLength)
    return refuse(401, "connector.signature",
                  "the nonce is longer than " + std::to_string(kMaxNonceLength) + " characters");

  // 2. What was signed is what came.
  if (!crypto::contentDigestMatches(req.header("content-digest").value_or(""), req.body))
    return refuse(400, "connector.digest", "Content-Digest does not match the body");

  // 3. When.
  const std::int64_t now = clock_();
  const std::int64_t window = options_.windowSeconds;
  const std::string allowed = "; at most " + std::to_string(window) + " s are allowed";
  if (distance(*params.created, now) > window)
    return refuse(401, "connector.stale",
                  "created is " + std::to_string(distance(*params.created, now)) +
                      " s away from the connector's clock" + allowed);
  if (params.expires && *params.expires < now)
    return refuse(401, "connector.stale", "the signature has expired");
  const auto date = parseImfFixdate(req.header("date").value_or(""));
  if (!date) return refuse(401, "connector.stale", "the Date header is not an IMF-fixdate");
  if (distance(*date, now) > window)
    return refuse(401, "connector.stale",
                  "Date is " + std::to_string(distance(*date, now)) +
                      " s away from the connector's clock" + allowed);

  // 4. Once.
  switch (remember(params.keyId, params.nonce, now)) {
    case NonceCheck::fresh:
      break;
    case NonceCheck::replayed:
      return refuse(401, "connector.replay", "this nonce was used before");
    case NonceCheck::full: {
      auto res = refuse(503, "connector.busy", "too many requests in the time window");
      res.setHeader("Retry-After", std::to_string(window));
      return res;
    }
  }

  // 5. What is asked.
  const json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) return refuse(400, "connector.body", "the body is not a JSON object");
  const auto text = [&](const char* name) {
    const auto it = body.find(name);
    return it != body.end() && it->is_string() && !it->get<std::string>().empty();
  };
  if (!text("resource"))
    return refuse(400, "connector.body", "resource must be a non-empty string");
  if (!text("subject")) return refuse(400, "connector.body", "subject must be a non-empty string");
  const auto fields = body.find("fields");
  if (fields == body.end() || !fields->is_array())
    return refuse(400, "connector.body", "fields must be an array of strings");
  for (const auto& f : *fields)
    if (!f.is_string()) return refuse(400, "connector.body", "fields must be an array of strings");
  const auto resource = body["resource"].get<std::string>();
  if (options_.resource && resource != *options_.resource)
    return refuse(404, "connector.resource",
                  "this connector serves resource " + *options_.resource);

  // 6. The record.
  const auto subject = body["subject"].get<std::string>();
  std::optional<json> record;
  try {
    record = data_->find(subject);
  } catch (const Error& e) {
    log::error("connector.data_failed", {{"keyid", keyId}, {"error", e.what()}});
    if (e.status() == 503)
      return refuse(503, "connector.unavailable", "the connector's data cannot be reached");
    return refuse(500, "connector.data", "the connector could not read its data");
  } catch (const std::exception& e) {
    log::error("connector.data_failed", {{"keyid", keyId}, {"error", e.what()}});
    return refuse(500, "connector.data", "the connector could not read its data");
  }
  if (!record) return refuse(404, "connector.no_record", "no record for this subject");
  json values = json::object();
  for (const auto& f : *fields) {
    const auto it = record->find(f.get<std::string>());
    if (it != record->end()) values[it.key()] = *it;
  }
  log::info("connector.answered",
            {{"status", 200}, {"keyid", keyId}, {"resource", resource}, {"fields", values.size()}});
  auto res = http::Response::json(200, {{"subject", subject}, {"values", std::move(values)}});
  res.setHeader("Cache-Control", "no-store");
  return res;
}

Connector::NonceCheck Connector::remember(const std::string& keyId, const std::string& nonce,
                                          std::int64_t now) {
  std::lock_guard lock(mutex_);
  const std::int64_t horizon = now - 2 * std::int64_t{options_.windowSeconds};
  while (!seenAt_.empty() && seenAt_.front().first < horizon) {
    nonces_.erase(nonces_.find(*seenAt_.front().second));
    seenAt_.pop_front();
  }
  std::string key = keyId + '\n' + nonce;  // structured-field strings hold no line feed
  if (nonces_.contains(key)) return NonceCheck::replayed;
  if (nonces_.size() >= options_.maxNonces) return NonceCheck::full;
  const auto inserted = nonces_.insert(std::move(key)).first;
  seenAt_.emplace_back(now, &*inserted);
  return NonceCheck::fresh;
}

}  // namespace onceonly::connector
