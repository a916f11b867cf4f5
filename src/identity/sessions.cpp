// Sign-in, sessions, API tokens and throttling. Tokens are random (32 bytes) and only their
// SHA-256 is stored, so a copy of the database does not let anyone sign in.
#include <chrono>

#include "core/encoding.h"
#include "core/error.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "identity/identity.h"
#include "identity/roles.h"
#include "store/store.h"

namespace onceonly::identity {
namespace {

constexpr const char* kSessionPrefix = "oos_";
constexpr const char* kTokenPrefix = "oot_";

std::string inMinutes(int minutes) {
  return toRfc3339(Clock::now() + std::chrono::minutes(minutes));
}

std::set<std::string> splitScopes(const std::string& s) {
  std::set<std::string> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    auto end = s.find(' ', pos);
    if (end == std::string::npos) end = s.size();
    if (end > pos) out.insert(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::string joinScopes(const std::set<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

// Verifying against a fixed hash when the account does not exist keeps the answer's timing the
// same for unknown names and wrong passwords.
const std::string& decoyHash(const std::string& cost) {
  static const std::string kHash = crypto::hashPassword("decoy password for timing", cost);
  return kHash;
}

}  // namespace

Principal Identity::principalFor(const Account& a, std::string credential, std::string hash) {
  Principal p;
  p.accountId = a.id;
  p.kind = a.kind;
  p.displayName = a.displayName;
  p.orgId = a.orgId;
  if (a.orgId) {
    if (auto org = findOrg(*a.orgId)) p.orgPath = org->path;
  }
  p.roles = a.roles;
  p.credential = std::move(credential);
  p.credentialHash = std::move(hash);
  return p;
}

SignIn Identity::signIn(const std::optional<std::string>& username,
                        const std::optional<std::string>& residentId, const std::string& password,
                        const std::string& client) {
  FieldErrors errors;
  if (!username && !residentId) errors.add(FieldLocation::Body, "/username", "field.required");
  if (username && residentId)
    errors.add(FieldLocation::Body, "/resident_id", "field.conflicts", {{"other", "username"}});
  errors.throwIfAny();
  const std::string subjectText = username ? "u:" + *username : "r:" + *residentId;
  const std::string everywhere = keys_.index(subjectText, "sign_in");
  const std::string fromClient = keys_.index(subjectText + "\n" + client, "sign_in");
  auto c = db_.connect();
  const std::string now = nowRfc3339();
  throwIfThrottled(c, fromClient);
  throwIfThrottled(c, everywhere);
  std::optional<store::Row> row;
  if (username) {
    row = c.queryOne("SELECT id, password_hash, status FROM accounts WHERE username = ?",
                     {*username});
  } else {
    row = c.queryOne("SELECT id, password_hash, status FROM accounts WHERE resident_id_index = ?",
                     {keys_.index(*residentId, "resident_id")});
  }
  bool ok;
  if (row && !row->isNull("password_hash")) {
    ok = crypto::verifyPassword(row->text("password_hash"), password);
  } else {
    crypto::verifyPassword(decoyHash(options_.passwordCost), password);
    ok = false;
  }
  if (!ok) {
    recordFailure(fromClient, options_.maxFailures);
    recordFailure(everywhere, options_.maxFailuresEverywhere);
    throw Error(401, "auth.bad_credentials");
  }
  if (row->text("status") != "active") throw forbidden("auth.disabled");
  clearFailures(c, fromClient);
  clearFailures(c, everywhere);
  c.exec("DELETE FROM sessions WHERE expires_at <= ?", {now});  // keeps the table small
  auto account = findAccount(row->text("id"));
  SignIn out;
  out.token = crypto::randomToken(kSessionPrefix);
  out.expiresAt = inMinutes(options_.sessionTtlMinutes);
  out.account = *account;
  c.exec(
      "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
      {crypto::sha256Hex(out.token), account->id, now, out.expiresAt});
  return out;
}

std::optional<Principal> Identity::cachedPrincipal(const std::string& hash) {
  if (options_.principalCacheSeconds <= 0) return std::nullopt;
  std::lock_guard lock(cacheMutex_);
  auto it = cache_.find(hash);
  if (it == cache_.end()) return std::nullopt;
  if (it->second.until < std::chrono::steady_clock::now() ||
      (!it->second.expiresAt.empty() && it->second.expiresAt <= nowRfc3339())) {
    cache_.erase(it);
    return std::nullopt;
  }
  return it->second.principal;
}

void Identity::cachePrincipal(const std::string& hash, const Principal& p,
                              const std::string& expiresAt) {
  if (options_.principalCacheSeconds <= 0) return;
  std::lock_guard lock(cacheMutex_);
  if (cache_.size() >= 100000) cache_.clear();  // bounded; the database has the truth
  cache_[hash] = CachedPrincipal{
      p, std::chrono::steady_clock::now() + std::chrono::seconds(options_.principalCacheSeconds),
      expiresAt};
}

void Identity::forgetPrincipals() {
  std::lock_guard lock(cacheMutex_);
  cache_.clear();
  orgCache_.clear();
}

std::optional<Principal> Identity::authenticate(const std::string& token) {
  if (token.size() < 8 || token.size() > 200) return std::nullopt;
  const std::string hash = crypto::sha256Hex(token);
  if (auto cached = cachedPrincipal(hash)) return cached;
  const std::string now = nowRfc3339();
  std::string expiresAt;
  auto c = db_.connect();
  std::optional<std::string> accountId;
  std::optional<std::set<std::string>> scopes;
  std::string credential;
  if (token.rfind(kSessionPrefix, 0) == 0) {
    auto row =
        c.queryOne("SELECT account_id, expires_at FROM sessions WHERE token_hash = ?", {hash});
    if (!row || row->text("expires_at") <= now) return std::nullopt;
    accountId = row->text("account_id");
    expiresAt = row->text("expires_at");
    credential = "session";
  } else if (token.rfind(kTokenPrefix, 0) == 0) {
    auto row = c.queryOne(
        "SELECT account_id, scopes, expires_at, revoked_at FROM api_tokens WHERE token_hash = ?",
        {hash});
    if (!row || !row->isNull("revoked_at")) return std::nullopt;
    if (!row->isNull("expires_at") && row->text("expires_at") <= now) return std::nullopt;
    accountId = row->text("account_id");
    expiresAt = row->text("expires_at");
    scopes = splitScopes(row->text("scopes"));
    credential = "token";
  } else {
    return std::nullopt;
  }
  auto account = findAccount(*accountId);
  if (!account || account->status != "active") return std::nullopt;
  Principal p = principalFor(*account, credential, hash);
  p.scopes = std::move(scopes);
  cachePrincipal(hash, p, expiresAt);
  return p;
}

void Identity::signOut(const Principal& p) {
  {
    std::lock_guard lock(cacheMutex_);
    cache_.erase(p.credentialHash);
  }
  if (p.credential == "session")
    db_.connect().exec("DELETE FROM sessions WHERE token_hash = ?", {p.credentialHash});
}

bool Identity::checkPassword(const std::string& accountId, const std::string& password) {
  // Its own counter: guesses through a stolen session lock out password changes, not sign-in.
  const std::string subject = keys_.index("a:" + accountId, "sign_in");
  auto c = db_.connect();
  throwIfThrottled(c, subject);
  auto row = c.queryOne("SELECT password_hash FROM accounts WHERE id = ?", {accountId});
  if (!row || row->isNull("password_hash") ||
      !crypto::verifyPassword(row->text("password_hash"), password)) {
    recordFailure(subject, options_.maxFailures);
    return false;
  }
  clearFailures(c, subject);
  return true;
}

void Identity::throwIfThrottled(store::Connection& c, const std::string& subject) {
  auto throttle =
      c.queryOne("SELECT locked_until FROM sign_in_failures WHERE subject = ?", {subject});
  if (!throttle || throttle->isNull("locked_until") ||
      throttle->text("locked_until") <= nowRfc3339())
    return;
  auto until = parseRfc3339(throttle->text("locked_until"));
  auto secs =
      until ? std::chrono::duration_cast<std::chrono::seconds>(*until - Clock::now()).count() + 1
            : 60;
  throw Error(429, "auth.throttled", {{"seconds", std::to_string(secs)}});
}

void Identity::recordFailure(const std::string& subject, int maxFailures) {
  const std::string now = nowRfc3339();
  // Apart from the request's unit of work, which rolls back with the refusal: a failed guess
  // must count.
  auto record = [&] {
    db_.transactionApart([&](store::Connection& t) {
      auto cur = t.queryOne("SELECT failures, window_start FROM sign_in_failures WHERE subject = ?",
                            {subject});
      const std::string windowStart =
          toRfc3339(Clock::now() - std::chrono::minutes(options_.failureWindowMinutes));
      std::int64_t failures = 1;
      std::string start = now;
      if (cur && cur->text("window_start") > windowStart) {
        failures = cur->integer("failures") + 1;
        start = cur->text("window_start");
      }
      store::Value locked = failures >= maxFailures ? store::Value(inMinutes(options_.lockMinutes))
                                                    : store::Value(store::Null{});
      if (cur)
        t.exec(
            "UPDATE sign_in_failures SET failures = ?, window_start = ?, locked_until = ? WHERE "
            "subject = ?",
            {failures, start, locked, subject});
      else
        t.exec(
            "INSERT INTO sign_in_failures (subject, failures, window_start, locked_until) VALUES "
            "(?, ?, ?, ?)",
            {subject, failures, start, locked});
    });
  };
  try {
    record();
  } catch (const store::SqlError& e) {
    // Two first failures at once: the other inserted the row; count this one on top of it.
    if (!e.isUniqueViolation()) throw;
    record();
  }
}

void Identity::clearFailures(store::Connection& c, const std::string& subject) {
  c.exec("DELETE FROM sign_in_failures WHERE subject = ?", {subject});
}

int Identity::purgeExpiredSessions() {
  return static_cast<int>(
      db_.connect().exec("DELETE FROM sessions WHERE expires_at <= ?", {nowRfc3339()}));
}

std::pair<ApiToken, std::string> Identity::createApiToken(const std::string& accountId,
                                                          const std::string& name,
                                                          const std::set<std::string>& scopes,
                                                          std::optional<int> ttlDays) {
  FieldErrors errors;
  if (!lengthWithin(name, 1, 100))
    errors.add(FieldLocation::Body, "/name", "field.length", {{"min", "1"}, {"max", "100"}});
  if (scopes.empty()) errors.add(FieldLocation::Body, "/scopes", "field.required");
  for (const auto& s : scopes) {
    if (!isScope(s)) {
      std::string allowed;
      for (const auto& k : scopeNames()) allowed += (allowed.empty() ? "" : ", ") + k;
      errors.add(FieldLocation::Body, "/scopes", "field.enum", {{"allowed", allowed}});
      break;
    }
  }
  if (ttlDays && (*ttlDays < 1 || *ttlDays > 3650))
    errors.add(FieldLocation::Body, "/ttl_days", "field.range", {{"min", "1"}, {"max", "3650"}});
  errors.throwIfAny();
  auto account = findAccount(accountId);
  if (!account) throw notFound("account", accountId);
  if (account->kind != "machine")
    throw invalidField(FieldLocation::Body, "/scopes", "field.role_scope",
                       {{"role", "api token"}, {"kind", account->kind}});
  ApiToken t;
  t.id = crypto::newId("tok");
  t.accountId = accountId;
  t.name = name;
  t.scopes = scopes;
  t.createdAt = nowRfc3339();
  if (ttlDays) t.expiresAt = inMinutes(*ttlDays * 24 * 60);
  std::string token = crypto::randomToken(kTokenPrefix);
  db_.connect().exec(
      "INSERT INTO api_tokens (id, account_id, name, token_hash, scopes, created_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {t.id, accountId, name, crypto::sha256Hex(token), joinScopes(scopes), t.createdAt,
       t.expiresAt ? store::Value(*t.expiresAt) : store::Value(store::Null{})});
  return {t, token};
}

std::vector<ApiToken> Identity::listApiTokens(const std::string& accountId) {
  std::vector<ApiToken> out;
  for (const auto& r : db_.connect().query(
           "SELECT id, account_id, name, scopes, created_at, expires_at, revoked_at FROM "
           "api_tokens WHERE account_id = ? ORDER BY created_at, id",
           {accountId})) {
    out.push_back(ApiToken{r.text("id"), r.text("account_id"), r.text("name"),
                           splitScopes(r.text("scopes")), r.text("created_at"),
                           r.optText("expires_at"), r.optText("revoked_at")});
  }
  return out;
}

void Identity::revokeApiToken(const std::string& accountId, const std::string& tokenId) {
  auto n = db_.connect().exec(
      "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL",
      {nowRfc3339(), tokenId, accountId});
  if (n == 0) throw notFound("api token", tokenId);
  forgetPrincipals();
}

}  // namespace onceonly::identity
