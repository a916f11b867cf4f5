#include "crypto/http_signature.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "core/encoding.h"
#include "crypto/crypto.h"

namespace onceonly::crypto {

namespace {

// The few structured-field types (RFC 8941) the two fields use. A bare item keeps its serialized
// text, so that the @signature-params line can be rebuilt from what the sender wrote.
enum class Kind { Integer, Decimal, String, Token, Bytes, Boolean };
struct Bare {
  Kind kind = Kind::Boolean;
  std::string text;          // as serialized
  std::string value;         // string contents, token, or decoded bytes
  std::int64_t integer = 1;  // integer, or 0/1 for a boolean: a bare key means true
};
using Parameters = std::vector<std::pair<std::string, Bare>>;
struct Item {
  Bare bare;
  Parameters params;
};
// A dictionary member: an item, or an inner list of items; either with parameters.
struct Member {
  std::string key;
  bool isList = false;
  Bare bare;
  std::vector<Item> items;
  Parameters params;
};

// A strict parser: anything RFC 8941 would refuse makes it fail, and so do duplicate keys, which
// RFC 8941 would let the last one win: two readings of one field are refused, not resolved.
class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  static bool isDigit(char c) { return c >= '0' && c <= '9'; }
  static bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
  static bool isKeyStart(char c) { return (c >= 'a' && c <= 'z') || c == '*'; }
  static bool oneOf(char c, const char* set) { return c != '\0' && std::strchr(set, c); }
  static bool isKeyChar(char c) { return isKeyStart(c) || isDigit(c) || oneOf(c, "_-."); }
  static bool isKey(std::string_view s) {
    return !s.empty() && isKeyStart(s[0]) && std::all_of(s.begin(), s.end(), isKeyChar);
  }

  std::optional<std::vector<Member>> dictionary() {
    std::vector<Member> members;
    skip(" ");
    while (!done()) {
      Member m;
      if (!key(m.key)) return std::nullopt;
      for (const auto& other : members)
        if (other.key == m.key) return std::nullopt;
      if (eat('=')) {
        if (peek() == '(') {
          m.isList = true;
          if (!innerList(m.items)) return std::nullopt;
        } else if (!bareItem(m.bare)) {
          return std::nullopt;
        }
      }
      if (!parameters(m.params)) return std::nullopt;
      members.push_back(std::move(m));
      skip(" \t");
      if (done()) break;
      if (!eat(',')) return std::nullopt;
      skip(" \t");
      if (done()) return std::nullopt;  // a trailing comma
    }
    return members;
  }

 private:
  bool done() { return pos_ >= s_.size() || s_.find_first_not_of(' ', pos_) == s_.npos; }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool eat(char c) { return peek() == c && (++pos_, true); }
  std::size_t skip(std::string_view chars) {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && chars.find(s_[pos_]) != chars.npos) ++pos_;
    return pos_ - start;
  }

  bool key(std::string& out) {
    if (!isKeyStart(peek())) return false;
    const std::size_t start = pos_;
    while (pos_ < s_.size() && isKeyChar(s_[pos_])) ++pos_;
    out = s_.substr(start, pos_ - start);
    return true;
  }

  bool parameters(Parameters& out) {
    while (eat(';')) {
      skip(" ");
      std::pair<std::string, Bare> p;
      if (!key(p.first)) return false;
      for (const auto& other : out)
        if (other.first == p.first) return false;
      if (eat('=') && !bareItem(p.second)) return false;
      out.push_back(std::move(p));
    }
    return true;
  }

  bool innerList(std::vector<Item>& out) {
    eat('(');
    while (true) {
      skip(" ");
      if (eat(')')) return true;
      Item item;
      if (!bareItem(item.bare) || !parameters(item.params)) return false;
      out.push_back(std::move(item));
      if (peek() != ' ' && peek() != ')') return false;
    }
  }

  bool bareItem(Bare& out) {
    const std::size_t start = pos_;
    const char c = peek();
    bool ok = false;
    if (c == '-' || isDigit(c)) {
      ok = number(out);
    } else if (c == '"') {
      ok = string(out);
    } else if (c == ':') {
      ++pos_;
      const std::size_t end = s_.find(':', pos_);
      if (end == s_.npos) return false;
      std::string text(s_.substr(pos_, end - pos_));
      pos_ = end + 1;
      // RFC 8941 asks parsers to accept base64 without its '=' padding.
      while (text.size() % 4 != 0) text += '=';
      auto bytes = fromBase64(text);
      out.kind = Kind::Bytes;
      ok = bytes.has_value();
      if (ok) out.value = std::move(*bytes);
    } else if (c == '?') {
      ++pos_;
      out.kind = Kind::Boolean;
      out.integer = peek() == '1';
      ok = eat('0') || eat('1');
    } else if (isAlpha(c) || c == '*') {
      out.kind = Kind::Token;
      ++pos_;
      while (pos_ < s_.size() &&
             (isAlpha(s_[pos_]) || isDigit(s_[pos_]) || oneOf(s_[pos_], "!#$%&'*+-.^_`|~:/")))
        ++pos_;
      out.value = s_.substr(start, pos_ - start);
      ok = true;
    }
    out.text = s_.substr(start, pos_ - start);
    return ok;
  }

  bool number(Bare& out) {
    const std::size_t start = pos_;
    eat('-');
    const std::size_t whole = skip("0123456789");
    if (eat('.')) {
      out.kind = Kind::Decimal;
      const std::size_t fraction = skip("0123456789");
      return whole >= 1 && whole <= 12 && fraction >= 1 && fraction <= 3;
    }
    out.kind = Kind::Integer;
    if (whole < 1 || whole > 15) return false;
    out.integer = std::stoll(std::string(s_.substr(start, pos_ - start)));
    return true;
  }

  bool string(Bare& out) {
    ++pos_;
    out.kind = Kind::String;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\\')) return false;
        c = s_[pos_++];
      } else if (c < 0x20 || c > 0x7e) {
        return false;
      }
      out.value += c;
    }
    return false;  // unterminated
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// An sf-string; throws when the text has characters a structured field cannot carry.
std::string sfString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) throw std::invalid_argument("not printable ASCII: " + out);
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A component's value in the base; nullopt when the request does not have it.
std::optional<std::string> componentValue(const SignedRequest& r, const std::string& name) {
  std::string value;
  if (name == "@method") {
    value = r.method;
  } else if (name == "@authority") {
    value = lowered(r.authority);
  } else if (name == "@path") {
    value = r.path.empty() ? "/" : r.path;
  } else if (name == "@query") {
    value = r.query.empty() ? "?" : r.query;  // RFC 9421 section 2.2.7: an absent query is "?"
  } else if (name == "@request-target") {
    value = (r.path.empty() ? "/" : r.path) + r.query;
  } else if (!name.empty() && name[0] != '@') {
    const auto it = r.headers.find(name);
    if (it == r.headers.end()) return std::nullopt;
    const auto first = it->second.find_first_not_of(" \t");
    const auto last = it->second.find_last_not_of(" \t");
    if (first != std::string::npos) value = it->second.substr(first, last - first + 1);
  } else {
    return std::nullopt;
  }
  // A line break in a value would let it pose as further lines of the base.
  if (value.find_first_of("\r\n") != std::string::npos) return std::nullopt;
  return value;
}

// The base from the components and the already serialized @signature-params value.
std::optional<std::string> buildBase(const SignedRequest& r, const SignatureParams& p,
                                     std::string_view serializedParams, std::string* missing) {
  std::string base;
  for (const auto& name : p.components) {
    auto value = componentValue(r, name);
    if (!value) {
      *missing = name;
      return std::nullopt;
    }
    base += sfString(name) + ": " + *value + "\n";
  }
  return base + "\"@signature-params\": " + std::string(serializedParams);
}

std::string serializeParams(const SignatureParams& p) {
  std::string out = "(";
  for (const auto& name : p.components) {
    if (name.empty() || lowered(name) != name)
      throw std::invalid_argument("component names are lower case: " + name);
    out += (out.size() > 1 ? " " : "") + sfString(name);
  }
  out += ")";
  if (p.created) out += ";created=" + std::to_string(*p.created);
  if (!p.keyId.empty()) out += ";keyid=" + sfString(p.keyId);
  if (!p.alg.empty()) out += ";alg=" + sfString(p.alg);
  if (p.expires) out += ";expires=" + std::to_string(*p.expires);
  if (!p.nonce.empty()) out += ";nonce=" + sfString(p.nonce);
  if (!p.tag.empty()) out += ";tag=" + sfString(p.tag);
  return out;
}

// A bare item as RFC 8941 serializes it, which is not always as it was sent ("007", unpadded
// base64). Decimals keep their text.
std::string canonical(const Bare& b) {
  if (b.kind == Kind::Integer) return std::to_string(b.integer);
  if (b.kind == Kind::Bytes) return ":" + base64(b.value) + ":";
  if (b.kind == Kind::Boolean) return b.integer ? "?1" : "?0";
  return b.text;
}

// The inner list as RFC 8941 serializes it: single spaces, a bare key for a true boolean.
std::string reserialize(const std::vector<Item>& items, const Parameters& params) {
  std::string out = "(";
  for (const auto& item : items) out += (out.size() > 1 ? " " : "") + canonical(item.bare);
  out += ")";
  for (const auto& [key, value] : params)
    out += ";" + key + (value.kind == Kind::Boolean && value.integer ? "" : "=" + canonical(value));
  return out;
}

// Why a component has no value: derived components other than ours are not supported.
std::string absent(const std::string& name) {
  return name[0] == '@' ? "unsupported component " + name
                        : "covered component " + name + " missing from the request";
}

const Member* find(const std::vector<Member>& members, std::string_view key) {
  for (const auto& m : members)
    if (m.key == key) return &m;
  return nullptr;
}

VerifyResult refuse(std::string problem) {
  return {false, std::move(problem), {}};
}

}  // namespace

std::string contentDigest(std::string_view body) {
  return "sha-256=:" + base64(sha256(body)) + ":";
}

bool contentDigestMatches(std::string_view header, std::string_view body) {
  const auto members = Parser(header).dictionary();
  if (!members) return false;
  const Member* m = find(*members, "sha-256");
  return m && !m->isList && m->bare.kind == Kind::Bytes && m->bare.value == sha256(body);
}

std::string signatureBase(const SignedRequest& request, const SignatureParams& params) {
  std::string missing;
  auto base = buildBase(request, params, serializeParams(params), &missing);
  if (!base) throw std::invalid_argument(absent(missing));
  return *base;
}

SignatureHeaders signRequest(const SignedRequest& request, const SignatureParams& params,
                             const Ed25519Key& key, std::string_view label) {
  if (!Parser::isKey(label))
    throw std::invalid_argument("not a structured-field key: " + std::string(label));
  const std::string signature = toBytes(key.sign(signatureBase(request, params)));
  return {std::string(label) + "=" + serializeParams(params),
          std::string(label) + "=:" + base64(signature) + ":"};
}

VerifyResult verifyRequest(const SignedRequest& request, std::string_view signatureInput,
                           std::string_view signature, const KeyLookup& keyFor,
                           const VerifyRequirements& required, std::string_view label) {
  const auto inputs = Parser(signatureInput).dictionary();
  if (!inputs || inputs->empty()) return refuse("malformed Signature-Input header");
  const auto signatures = Parser(signature).dictionary();
  if (!signatures || signatures->empty()) return refuse("malformed Signature header");
  if (label.empty() && inputs->size() != 1)
    return refuse("several signatures and no label to choose one");
  const std::string chosen = label.empty() ? inputs->front().key : std::string(label);
  const Member* input = find(*inputs, chosen);
  const Member* value = find(*signatures, chosen);
  if (!input || !value) return refuse("no signature labelled " + chosen);
  if (!input->isList) return refuse("malformed Signature-Input header");
  if (value->isList || value->bare.kind != Kind::Bytes) return refuse("malformed Signature header");
  const auto sig = fromBytes<Ed25519Signature>(value->bare.value);
  if (!sig) return refuse("malformed Signature header");

  SignatureParams p;
  p.alg.clear();
  for (const auto& item : input->items) {
    if (item.bare.kind != Kind::String || item.bare.value.empty() || !item.params.empty())
      return refuse("unsupported component " + item.bare.text);
    if (std::find(p.components.begin(), p.components.end(), item.bare.value) != p.components.end())
      return refuse("component " + item.bare.value + " covered twice");
    p.components.push_back(item.bare.value);
  }
  for (const auto& [key, v] : input->params) {
    const bool integer = key == "created" || key == "expires";
    const bool text = key == "keyid" || key == "nonce" || key == "alg" || key == "tag";
    if ((integer && v.kind != Kind::Integer) || (text && v.kind != Kind::String))
      return refuse("malformed Signature-Input header");
    if (key == "created") p.created = v.integer;
    if (key == "expires") p.expires = v.integer;
    if (key == "keyid") p.keyId = v.value;
    if (key == "nonce") p.nonce = v.value;
    if (key == "alg") p.alg = v.value;
    if (key == "tag") p.tag = v.value;
  }

  if (!p.alg.empty() && p.alg != "ed25519") return refuse("alg " + p.alg + " is not ed25519");
  for (const auto& name : required.components)
    if (std::find(p.components.begin(), p.components.end(), name) == p.components.end())
      return refuse("required component " + name + " not covered");
  if (required.created && !p.created) return refuse("no created parameter");
  if (required.nonce && p.nonce.empty()) return refuse("no nonce parameter");
  if (p.keyId.empty()) return refuse("no keyid parameter");
  const auto publicKey = keyFor(p.keyId);
  if (!publicKey) return refuse("unknown key " + p.keyId);

  std::string missing;
  const auto base = buildBase(request, p, reserialize(input->items, input->params), &missing);
  if (!base) return refuse(absent(missing));
  if (!ed25519Verify(*publicKey, *base, *sig)) return refuse("bad signature");
  return {true, "", std::move(p)};
}

}  // namespace onceonly::crypto
