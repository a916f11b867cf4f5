// Strict reading of JSON request bodies: the body must be UTF-8 JSON sent as application/json,
// an object, with fields of the right types; unknown fields are errors, so a misspelt field is
// reported instead of silently ignored, and so are duplicate keys, which nlohmann::json would
// resolve silently (the last wins). Every problem is collected and reported at once.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "http/http.h"

namespace onceonly::api {

class JsonBody {
 public:
  // Throws 415 (not JSON), 400 (malformed, not an object, bad UTF-8, a key given twice in one
  // object at any depth: field.duplicate at each duplicate's JSON pointer).
  explicit JsonBody(const http::Request& req);

  std::optional<std::string> text(const std::string& name, bool required = false);
  // Distinguishes absent (nullopt) from an explicit null (optional holding nullopt).
  std::optional<std::optional<std::string>> nullableText(const std::string& name);
  std::optional<std::int64_t> integer(const std::string& name, bool required, std::int64_t min,
                                      std::int64_t max);
  std::optional<std::set<std::string>> textSet(const std::string& name, bool required = false);
  std::optional<bool> boolean(const std::string& name, bool required = false);
  bool has(const std::string& name) const { return json_.contains(name); }
  // The member, an array, as it is (nullopt when absent, null or not an array), for structures
  // the caller checks itself, adding what it finds to errors().
  std::optional<nlohmann::json> array(const std::string& name, bool required = false);
  // The member, an object, as it is (like array()).
  std::optional<nlohmann::json> object(const std::string& name, bool required = false);
  // Where the caller adds its own findings, reported with the others by finish().
  FieldErrors& errors() { return errors_; }

  // Reports unknown fields and throws one 400 listing every problem found.
  void finish();

 private:
  bool typed(const std::string& name, bool ok, const char* type);
  nlohmann::json json_;
  std::set<std::string> seen_;
  FieldErrors errors_;
};

}  // namespace onceonly::api
