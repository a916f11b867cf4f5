// The one error model of onceonly. Domain code throws onceonly::Error; the HTTP layer catches
// it in one place (http/problem.cpp) and answers with RFC 9457 problem details. An error carries
// a stable machine code (also the message key in core/i18n), an HTTP status, named parameters
// for the human message, and for validation failures one entry per offending field.
#pragma once

#include <exception>
#include <map>
#include <string>
#include <vector>

namespace onceonly {

// Named arguments for a message template, e.g. {"field", "name"}.
using Params = std::map<std::string, std::string>;

// Where a field error points: a JSON pointer into the body, or a query/path parameter name.
enum class FieldLocation { Body, Query, Path, Header };

struct FieldError {
  FieldLocation location = FieldLocation::Body;
  std::string name;  // JSON pointer ("/parent_id") for Body, parameter name otherwise
  std::string code;  // message key, e.g. "field.required"
  Params params;
};

class Error : public std::exception {
 public:
  Error(int status, std::string code, Params params = {}, std::vector<FieldError> fields = {});

  int status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }
  const Params& params() const noexcept { return params_; }
  const std::vector<FieldError>& fields() const noexcept { return fields_; }
  // The English message, for logs and tests.
  const char* what() const noexcept override { return english_.c_str(); }

 private:
  int status_;
  std::string code_;
  Params params_;
  std::vector<FieldError> fields_;
  std::string english_;
};

// Shorthands for the common kinds.
Error invalid(std::vector<FieldError> fields);
Error invalidField(FieldLocation where, std::string name, std::string code, Params params = {});
Error badRequest(std::string code, Params params = {});
Error unauthenticated(std::string code = "auth.required");
Error forbidden(std::string code = "auth.forbidden", Params params = {});
Error notFound(std::string resource, std::string id);
Error conflict(std::string code, Params params = {});
// 409 conflict.duplicate: a `resource` with this value of a unique body member exists already;
// the problem names the member (errors[].pointer), so a form can show it next to the field.
Error duplicate(std::string resource, const std::string& member, std::string value);

// Collects field errors while validating a whole request, so the caller hears of every problem
// at once; throwIfAny() raises a single 400 error that lists them.
class FieldErrors {
 public:
  void add(FieldLocation where, std::string name, std::string code, Params params = {});
  void add(FieldError e) { errors_.push_back(std::move(e)); }
  bool empty() const { return errors_.empty(); }
  void throwIfAny() const;

 private:
  std::vector<FieldError> errors_;
};

}  // namespace onceonly
