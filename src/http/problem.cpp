#include "http/problem.h"

namespace onceonly::http {

Response problemResponse(const Error& error, i18n::Lang lang, const std::string& instance,
                         const std::string& requestId) {
  nlohmann::json body = {
      {"type", "/problems/" + error.code()},
      {"title", i18n::title(error.status(), lang)},
      {"status", error.status()},
      {"detail", i18n::message(error.code(), error.params(), lang)},
      {"code", error.code()},
  };
  if (!instance.empty()) body["instance"] = instance;
  if (!requestId.empty()) body["request_id"] = requestId;
  if (!error.fields().empty()) {
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& f : error.fields()) {
      nlohmann::json e;
      switch (f.location) {
        case FieldLocation::Body:
          e["pointer"] = f.name;
          break;
        case FieldLocation::Query:
          e["parameter"] = f.name;
          break;
        case FieldLocation::Path:
          e["path_parameter"] = f.name;
          break;
        case FieldLocation::Header:
          e["header"] = f.name;
          break;
      }
      e["code"] = f.code;
      e["detail"] = i18n::message(f.code, f.params, lang);
      errors.push_back(std::move(e));
    }
    body["errors"] = std::move(errors);
  }
  Response res;
  res.status = error.status();
  res.contentType = "application/problem+json";
  res.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  res.setHeader("Content-Language", std::string(i18n::tag(lang)));
  return res;
}

Response problemResponse(int status, const std::string& code, const Params& params, i18n::Lang lang,
                         const std::string& instance, const std::string& requestId) {
  return problemResponse(Error(status, code, params), lang, instance, requestId);
}

}  // namespace onceonly::http
