// Message catalog in English and Chinese. Every error code and field-error code has a template
// in both languages, with {name} placeholders filled from Params. Negotiation follows the
// request's Accept-Language header (RFC 9110 §12.5.4, quality values honoured).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace onceonly::i18n {

enum class Lang { En, Zh };

Lang negotiate(std::string_view acceptLanguage);
std::string_view tag(Lang lang);  // "en" or "zh"

// A message a module adds to the catalog (api::Module::messages).
struct Message {
  std::string code;
  std::string en;
  std::string zh;
};
// Adds messages beside the built-in ones (the codes every module shares: fields, bodies,
// sign-in, routes). Adding a code again with the same text changes nothing; with other text, or
// a built-in code, it is a std::logic_error. Called at start-up, before any request.
void addMessages(const std::vector<Message>& messages);

// The filled-in message for a code; an unknown code yields the code itself.
std::string message(std::string_view code, const Params& params, Lang lang);
// A short title for an HTTP status ("Not Found" / "未找到").
std::string title(int status, Lang lang);
// True when the catalog has the code in every language (used by tests).
bool knows(std::string_view code);

}  // namespace onceonly::i18n
