#include "api/json_body.h"

#include <algorithm>
#include <string_view>

#include "http/url.h"

namespace onceonly::api {
namespace {

using Json = nlohmann::json;

// Builds the document from nlohmann's SAX events, as its own DOM parser does, but refuses what
// that parser lets through: a key given twice in one object (the last would silently win, so
// `{"username":"clerk",...,"username":"admin"}` would be read as admin). Every duplicate is
// collected with the JSON pointer where it occurs. A syntax error or a number out of range is
// kept in the product's own words, without the library's exception prefix.
// The member names are the ones nlohmann::json::sax_parse calls.
// NOLINTBEGIN(readability-identifier-naming)
class StrictSax {
 public:
  StrictSax(std::string_view text, Json& root) : text_(text), root_(root) {}

  bool null() { return value(nullptr); }
  bool boolean(bool v) { return value(v); }
  bool number_integer(Json::number_integer_t v) { return value(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return value(v); }
  bool number_float(Json::number_float_t v, const Json::string_t&) { return value(v); }
  bool string(Json::string_t& v) { return value(std::move(v)); }
  bool binary(Json::binary_t& v) { return value(Json::binary(std::move(v))); }

  bool start_object(std::size_t) { return open(Json::object()); }
  bool start_array(std::size_t) { return open(Json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(Json::string_t& k) {
    Frame& f = frames_.back();
    // The object itself holds the keys seen so far: each value is placed as it is read.
    auto [it, fresh] = f.node->get_ref<Json::object_t&>().try_emplace(std::move(k));
    if (!fresh)
      duplicates_.add(FieldLocation::Body, (pathOf(frames_.size() - 1) / it->first).to_string(),
                      "field.duplicate");
    f.key = &it->first;
    f.slot = &it->second;
    return true;
  }

  bool parse_error(std::size_t position, const std::string& token, const Json::exception& e) {
    // Lines and columns count from 1; the column is where the offending token starts.
    position = std::min(position, text_.size());
    auto before = text_.substr(0, position);
    auto lineStart = before.rfind('\n');
    auto line = 1 + std::count(before.begin(), before.end(), '\n');
    auto column = position - (lineStart == std::string_view::npos ? 0 : lineStart + 1);
    if (e.id == 406) {  // out_of_range.406: a number too large for a double
      auto start = column >= token.size() ? column - token.size() + 1 : 1;
      reason_ = "number " + token + " at line " + std::to_string(line) + ", column " +
                std::to_string(start) + " is out of range";
      return false;
    }
    // nlohmann's text is "[json.exception.<kind>.<id>] parse error at line L, column C: ...".
    std::string what = e.what();
    auto tag = what.find("] ");
    reason_ =
        what.rfind("[json.exception.", 0) == 0 && tag != std::string::npos
            ? what.substr(tag + 2)
            : "syntax error at line " + std::to_string(line) + ", column " + std::to_string(column);
    return false;
  }

  const std::string& reason() const { return reason_; }
  const FieldErrors& duplicates() const { return duplicates_; }

 private:
  // An open object or array. In an object, the key whose value is being read and where it goes;
  // in an array, the element being read is the last.
  struct Frame {
    Json* node;
    const std::string* key = nullptr;
    Json* slot = nullptr;
  };

  // The pointer to the container of frame `depth`, from the keys and indexes of its ancestors.
  Json::json_pointer pathOf(std::size_t depth) const {
    Json::json_pointer p;
    for (std::size_t i = 0; i < depth; ++i)
      p = frames_[i].node->is_object() ? p / *frames_[i].key : p / (frames_[i].node->size() - 1);
    return p;
  }

  // Places a value in its parent (or as the root) and returns where it now lives.
  Json* place(Json v) {
    if (frames_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Frame& f = frames_.back();
    if (f.node->is_object()) {
      *f.slot = std::move(v);
      return f.slot;
    }
    f.node->push_back(std::move(v));
    return &f.node->back();
  }

  bool value(Json v) {
    place(std::move(v));
    return true;
  }

  bool open(Json v) {
    frames_.push_back(Frame{place(std::move(v))});
    return true;
  }

  bool close() {
    frames_.pop_back();
    return true;
  }

  std::string_view text_;
  Json& root_;
  std::vector<Frame> frames_;
  FieldErrors duplicates_;
  std::string reason_;
};
// NOLINTEND(readability-identifier-naming)

}  // namespace

JsonBody::JsonBody(const http::Request& req) {
  auto type = req.header("content-type").value_or("");
  auto semi = type.find(';');
  std::string media = type.substr(0, semi);
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  if (req.body.empty()) throw badRequest("body.required");
  if (media != "application/json") throw Error(415, "body.content_type");
  if (!http::isValidUtf8(req.body)) throw badRequest("body.invalid_utf8");
  StrictSax sax(req.body, json_);
  if (!Json::sax_parse(req.body, &sax))
    throw badRequest("body.malformed_json", {{"reason", sax.reason()}});
  if (!json_.is_object()) throw badRequest("body.not_object");
  sax.duplicates().throwIfAny();
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

std::optional<bool> JsonBody::boolean(const std::string& name, bool required) {
  seen_.insert(name);
  auto it = json_.find(name);
  if (it == json_.end() || it->is_null()) {
    if (required) errors_.add(FieldLocation::Body, "/" + name, "field.required");
    return std::nullopt;
  }
  if (!typed(name, it->is_boolean(), "boolean")) return std::nullopt;
  return it->get<bool>();
}

std::optional<nlohmann::json> JsonBody::object(const std::string& name, bool required) {
  seen_.insert(name);
  auto it = json_.find(name);
  if (it == json_.end() || it->is_null()) {
    if (required) errors_.add(FieldLocation::Body, "/" + name, "field.required");
    return std::nullopt;
  }
  if (!typed(name, it->is_object(), "object")) return std::nullopt;
  return *it;
}

std::optional<nlohmann::json> JsonBody::array(const std::string& name, bool required) {
  seen_.insert(name);
  auto it = json_.find(name);
  if (it == json_.end() || it->is_null()) {
    if (required) errors_.add(FieldLocation::Body, "/" + name, "field.required");
    return std::nullopt;
  }
  if (!typed(name, it->is_array(), "array")) return std::nullopt;
  return *it;
}

void JsonBody::finish() {
  for (const auto& [key, value] : json_.items())
    if (!seen_.count(key))
      errors_.add(FieldLocation::Body, (nlohmann::json::json_pointer() / key).to_string(),
                  "field.unknown");
  errors_.throwIfAny();
}

}  // namespace onceonly::api
