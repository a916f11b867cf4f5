#include "api/json_body.h"

#include "http/url.h"

namespace onceonly::api {

JsonBody::JsonBody(const http::Request& req) {
  auto type = req.header("content-type").value_or("");
  auto semi = type.find(';');
  std::string media = type.substr(0, semi);
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  if (req.body.empty()) throw badRequest("body.required");
  if (media != "application/json") throw Error(415, "body.content_type");
  if (!http::isValidUtf8(req.body)) throw badRequest("body.invalid_utf8");
  try {
    json_ = nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::exception& e) {  // parse errors and out-of-range numbers
    std::string reason = e.what();
    auto colon = reason.find("parse error");
    throw badRequest("body.malformed_json",
                     {{"reason", colon == std::string::npos ? reason : reason.substr(colon)}});
  }
  if (!json_.is_object()) throw badRequest("body.not_object");
}

bool JsonBody::typed(const std::string& name, bool ok, const char* type) {
  if (!ok) errors_.add(FieldLocation::Body, "/" + name, "field.type", {{"type", type}});
  return ok;
}

std::optional<std::string> JsonBody::text(const std::string& name, bool required) {
  seen_.insert(name);
  auto it = json_.find(name);
  if (it == json_.end() || it->is_null()) {
    if (required) errors_.add(FieldLocation::Body, "/" + name, "field.required");
    return std::nullopt;
  }
  if (!typed(name, it->is_string(), "string")) return std::nullopt;
  return it->get<std::string>();
}

std::optional<std::optional<std::string>> JsonBody::nullableText(const std::string& name) {
  seen_.insert(name);
  auto it = json_.find(name);
  if (it == json_.end()) return std::nullopt;
  if (it->is_null()) return std::optional<std::string>();
  if (!typed(name, it->is_string(), "string or null")) return std::nullopt;
  return std::optional<std::string>(it->get<std::string>());
}

std::optional<std::int64_t> JsonBody::integer(const std::string& name, bool required,
                                              std::int64_t min, std::int64_t max) {
  seen_.insert(name);
  auto it = json_.find(name);
  if (it == json_.end() || it->is_null()) {
    if (required) errors_.add(FieldLocation::Body, "/" + name, "field.required");
    return std::nullopt;
  }
  if (!typed(name, it->is_number_integer(), "integer")) return std::nullopt;
  auto v = it->get<std::int64_t>();
  if (v < min || v > max) {
    errors_.add(FieldLocation::Body, "/" + name, "field.range",
                {{"min", std::to_string(min)}, {"max", std::to_string(max)}});
    return std::nullopt;
  }
  return v;
}

std::optional<std::set<std::string>> JsonBody::textSet(const std::string& name, bool required) {
  seen_.insert(name);
  auto it = json_.find(name);
  if (it == json_.end() || it->is_null()) {
    if (required) errors_.add(FieldLocation::Body, "/" + name, "field.required");
    return std::nullopt;
  }
  bool ok = it->is_array();
  if (ok)
    for (const auto& v : *it) ok = ok && v.is_string();
  if (!typed(name, ok, "array of strings")) return std::nullopt;
  std::set<std::string> out;
  for (const auto& v : *it) out.insert(v.get<std::string>());
  return out;
}

void JsonBody::finish() {
  for (const auto& [key, value] : json_.items())
    if (!seen_.count(key))
      errors_.add(FieldLocation::Body, (nlohmann::json::json_pointer() / key).to_string(),
                  "field.unknown");
  errors_.throwIfAny();
}

}  // namespace onceonly::api
