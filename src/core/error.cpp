#include "core/error.h"

#include "core/i18n.h"

namespace onceonly {

Error::Error(int status, std::string code, Params params, std::vector<FieldError> fields)
    : status_(status),
      code_(std::move(code)),
      params_(std::move(params)),
      fields_(std::move(fields)),
      english_(i18n::message(code_, params_, i18n::Lang::En)) {
  for (const auto& f : fields_) {
    english_ += "; " + f.name + " " + i18n::message(f.code, f.params, i18n::Lang::En);
  }
}

Error invalid(std::vector<FieldError> fields) {
  Params p{{"count", std::to_string(fields.size())}};
  return Error(400, "validation_failed", std::move(p), std::move(fields));
}

Error invalidField(FieldLocation where, std::string name, std::string code, Params params) {
  return invalid({FieldError{where, std::move(name), std::move(code), std::move(params)}});
}

Error badRequest(std::string code, Params params) {
  return Error(400, std::move(code), std::move(params));
}

Error unauthenticated(std::string code) {
  return Error(401, std::move(code));
}

Error forbidden(std::string code, Params params) {
  return Error(403, std::move(code), std::move(params));
}

Error notFound(std::string resource, std::string id) {
  return Error(404, "not_found", {{"resource", std::move(resource)}, {"id", std::move(id)}});
}

Error conflict(std::string code, Params params) {
  return Error(409, std::move(code), std::move(params));
}

Error duplicate(std::string resource, const std::string& member, std::string value) {
  FieldError field{FieldLocation::Body, "/" + member, "field.duplicate", {{"value", value}}};
  return Error(409, "conflict.duplicate",
               {{"resource", std::move(resource)}, {"field", member}, {"value", std::move(value)}},
               {std::move(field)});
}

void FieldErrors::add(FieldLocation where, std::string name, std::string code, Params params) {
  errors_.push_back(FieldError{where, std::move(name), std::move(code), std::move(params)});
}

void FieldErrors::throwIfAny() const {
  if (!errors_.empty()) throw invalid(errors_);
}

}  // namespace onceonly
