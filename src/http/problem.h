// RFC 9457 problem details: the one place where an error becomes an HTTP response.
#pragma once

#include <string>

#include "core/error.h"
#include "core/i18n.h"
#include "http/http.h"

namespace onceonly::http {

// {"type": "/problems/<code>", "title", "status", "detail", "instance", "code", "request_id",
//  "errors": [{"pointer" | "parameter" | "header", "code", "detail"}]}
Response problemResponse(const Error& error, i18n::Lang lang, const std::string& instance,
                         const std::string& requestId);
Response problemResponse(int status, const std::string& code, const Params& params, i18n::Lang lang,
                         const std::string& instance, const std::string& requestId);

}  // namespace onceonly::http
