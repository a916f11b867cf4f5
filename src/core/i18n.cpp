#include "core/i18n.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_map>

namespace onceonly::i18n {
namespace {

struct Entry {
  std::string_view en;
  std::string_view zh;
};

// One line per message code. Placeholders are {name}; see Params at the throw site.
const std::unordered_map<std::string_view, Entry>& catalog() {
  static const std::unordered_map<std::string_view, Entry> kCatalog = {
      {"validation_failed",
       {"The request has {count} invalid field(s).", "请求中有 {count} 个字段无效。"}},
      {"field.required", {"is required", "为必填项"}},
      {"field.duplicate", {"'{value}' is already taken", "“{value}”已被占用"}},
      {"field.unknown", {"is not a known field", "不是可识别的字段"}},
      {"field.type", {"must be of type {type}", "必须是 {type} 类型"}},
      {"field.length",
       {"must be between {min} and {max} characters long", "长度必须在 {min} 到 {max} 个字符之间"}},
      {"field.range", {"must be between {min} and {max}", "必须在 {min} 到 {max} 之间"}},
      {"field.enum", {"must be one of: {allowed}", "必须是以下之一：{allowed}"}},
      {"field.pattern", {"must match {pattern}", "格式必须符合 {pattern}"}},
      {"field.resident_id",
       {"is not a valid resident ID number: {reason}", "不是有效的居民身份号码：{reason}"}},
      {"field.credit_code",
       {"is not a valid unified social credit code: {reason}",
        "不是有效的统一社会信用代码：{reason}"}},
      {"field.password_weak",
       {"must be at least {min} characters long", "长度至少为 {min} 个字符"}},
      {"field.cursor", {"is not a cursor this list handed out", "不是本列表给出的游标"}},
      {"field.sort", {"cannot sort by this; allowed: {allowed}", "不能按此排序，可选：{allowed}"}},
      {"field.not_found",
       {"refers to {resource} '{id}', which does not exist", "引用的{resource} '{id}' 不存在"}},
      {"field.duplicate", {"appears more than once in its object", "在同一对象中出现了多次"}},
      {"field.repeated", {"is given more than once; give it once", "出现了多次，只能给出一次"}},
      {"field.conflicts", {"cannot be given together with {other}", "不能与 {other} 同时提供"}},
      {"field.immutable", {"cannot be changed after creation", "创建后不能修改"}},
      {"field.role_scope",
       {"role {role} is not available to {kind} accounts", "{kind} 类账户不能拥有角色 {role}"}},
      {"body.malformed_json",
       {"The body is not valid JSON: {reason}", "请求体不是有效的 JSON：{reason}"}},
      {"body.not_object", {"The body must be a JSON object.", "请求体必须是 JSON 对象。"}},
      {"body.invalid_utf8", {"The body is not valid UTF-8 text.", "请求体不是有效的 UTF-8 文本。"}},
      {"body.too_large",
       {"The body exceeds the limit of {limit} bytes.", "请求体超过了 {limit} 字节的限制。"}},
      {"body.content_type",
       {"Send the body as application/json.", "请以 application/json 格式发送请求体。"}},
      {"body.required", {"This request needs a JSON body.", "此请求需要 JSON 请求体。"}},
      {"header.too_large", {"The request headers are too large.", "请求头过大。"}},
      {"request.malformed", {"The request is not valid HTTP.", "请求不是有效的 HTTP。"}},
      {"request.bad_path", {"The request path is not valid.", "请求路径无效。"}},
      {"request.bad_query",
       {"The query string is not valid percent-encoded UTF-8.",
        "查询字符串不是有效的百分号编码 UTF-8。"}},
      {"route.not_found", {"There is nothing at {path}.", "{path} 处没有资源。"}},
      {"route.method_not_allowed",
       {"{method} is not allowed here; use {allowed}.", "此处不允许 {method}，请使用 {allowed}。"}},
      {"not_found",
       {"{resource} '{id}' does not exist or is not visible to you.",
        "{resource} '{id}' 不存在或您无权查看。"}},
      {"auth.required",
       {"Sign in, or send a valid bearer token.", "请先登录，或提供有效的访问令牌。"}},
      {"auth.invalid_token",
       {"The token is unknown, expired or revoked.", "令牌无效、已过期或已被撤销。"}},
      {"auth.bad_credentials", {"The account name or password is wrong.", "账户名或密码错误。"}},
      {"auth.throttled",
       {"Too many wrong passwords; try again in {seconds} seconds.",
        "密码错误次数过多，请在 {seconds} 秒后重试。"}},
      {"auth.not_a_session",
       {"This credential is an API token, not a session; revoke the token instead.",
        "此凭据是 API 令牌而非会话，请改为撤销该令牌。"}},
      {"auth.disabled", {"This account is disabled.", "此账户已停用。"}},
      {"auth.forbidden", {"Your role does not allow this action.", "您的角色无权执行此操作。"}},
      {"auth.csrf",
       {"A change sent with the session cookie needs the X-CSRF-Token header that came with "
        "the session; reload the page.",
        "使用会话 Cookie 提交的修改须带有该会话的 X-CSRF-Token 请求头，请刷新页面。"}},
      {"auth.scope", {"The token lacks the scope {scope}.", "令牌缺少权限范围 {scope}。"}},
      {"auth.role",
       {"Only these may do this: {allowed}.", "只有以下用户可以执行此操作：{allowed}。"}},
      {"rate_limited",
       {"Too many requests; try again in {seconds} seconds.",
        "请求过于频繁，请在 {seconds} 秒后重试。"}},
      {"conflict.duplicate",
       {"Another {resource} already has {field} '{value}'.",
        "{field} 为 '{value}' 的{resource}已存在。"}},
      {"internal",
       {"Something went wrong on our side; quote request id {request_id}.",
        "服务器内部错误，请提供请求编号 {request_id}。"}},
      {"db.unavailable", {"The database is not reachable.", "数据库无法访问。"}},
      {"unavailable",
       {"The service is shutting down; retry shortly.", "服务正在停止，请稍后重试。"}},
  };
  return kCatalog;
}

// Messages the modules added. GUARDED_BY added().mutex.
struct Added {
  std::shared_mutex mutex;
  std::map<std::string, Message, std::less<>> messages;
};
Added& added() {
  static Added a;
  return a;
}

std::string fill(std::string_view tmpl, const Params& params) {
  std::string out;
  out.reserve(tmpl.size() + 16);
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{') {
      auto end = tmpl.find('}', i);
      if (end != std::string_view::npos) {
        auto it = params.find(std::string(tmpl.substr(i + 1, end - i - 1)));
        if (it != params.end()) {
          out += it->second;
          i = end;
          continue;
        }
      }
    }
    out += tmpl[i];
  }
  return out;
}

}  // namespace

Lang negotiate(std::string_view header) {
  // Pick the language range with the highest quality among those we speak; ties keep order.
  double bestQ = -1;
  Lang best = Lang::En;
  std::size_t pos = 0;
  while (pos <= header.size()) {
    auto comma = header.find(',', pos);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view item = header.substr(pos, comma - pos);
    pos = comma + 1;
    double q = 1.0;
    auto semi = item.find(';');
    std::string_view range = item.substr(0, semi);
    if (semi != std::string_view::npos) {
      auto qpos = item.find("q=", semi);
      if (qpos != std::string_view::npos) q = std::atof(std::string(item.substr(qpos + 2)).c_str());
    }
    std::string r;
    for (char c : range)
      if (!std::isspace(static_cast<unsigned char>(c)))
        r += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::optional<Lang> lang;
    if (r.rfind("zh", 0) == 0) lang = Lang::Zh;
    if (r.rfind("en", 0) == 0 || r == "*") lang = Lang::En;
    if (lang && q > bestQ) {
      bestQ = q;
      best = *lang;
    }
  }
  return best;
}

std::string_view tag(Lang lang) {
  return lang == Lang::Zh ? "zh" : "en";
}

void addMessages(const std::vector<Message>& messages) {
  auto& a = added();
  std::unique_lock lock(a.mutex);
  for (const auto& m : messages) {
    if (catalog().count(m.code)) throw std::logic_error("message " + m.code + " is built in");
    auto [it, fresh] = a.messages.emplace(m.code, m);
    if (!fresh && (it->second.en != m.en || it->second.zh != m.zh))
      throw std::logic_error("message " + m.code + " is added twice with different text");
  }
}

std::string message(std::string_view code, const Params& params, Lang lang) {
  auto it = catalog().find(code);
  if (it != catalog().end()) return fill(lang == Lang::Zh ? it->second.zh : it->second.en, params);
  auto& a = added();
  std::shared_lock lock(a.mutex);
  auto m = a.messages.find(code);
  if (m == a.messages.end()) return std::string(code);
  return fill(lang == Lang::Zh ? m->second.zh : m->second.en, params);
}

bool knows(std::string_view code) {
  if (catalog().count(code) > 0) return true;
  auto& a = added();
  std::shared_lock lock(a.mutex);
  return a.messages.find(code) != a.messages.end();
}

std::string title(int status, Lang lang) {
  const bool zh = lang == Lang::Zh;
  switch (status) {
    case 400:
      return zh ? "请求无效" : "Bad Request";
    case 401:
      return zh ? "未认证" : "Unauthorized";
    case 403:
      return zh ? "禁止访问" : "Forbidden";
    case 404:
      return zh ? "未找到" : "Not Found";
    case 405:
      return zh ? "方法不允许" : "Method Not Allowed";
    case 408:
      return zh ? "请求超时" : "Request Timeout";
    case 409:
      return zh ? "冲突" : "Conflict";
    case 413:
      return zh ? "内容过大" : "Content Too Large";
    case 415:
      return zh ? "不支持的媒体类型" : "Unsupported Media Type";
    case 429:
      return zh ? "请求过多" : "Too Many Requests";
    case 431:
      return zh ? "请求头过大" : "Request Header Fields Too Large";
    case 503:
      return zh ? "服务不可用" : "Service Unavailable";
    default:
      return zh ? "服务器错误" : "Internal Server Error";
  }
}

}  // namespace onceonly::i18n
