// Accounts and their roles. Citizens' resident ID numbers are sealed with the platform's data
// key and found again through a keyed hash; only the masked form is ever shown.
#include <algorithm>
#include <map>

#include "core/encoding.h"
#include "core/error.h"
#include "core/time.h"
#include "crypto/crypto.h"
#include "identity/identity.h"
#include "identity/roles.h"
#include "identity/rows.h"
#include "store/list.h"
#include "store/store.h"

namespace onceonly::identity {

const std::vector<std::string> kAccountKinds = {"citizen", "company", "staff", "machine"};

namespace {

constexpr std::size_t kMinPassword = 10;
constexpr const char* kAccountColumns =
    "a.id, a.kind, a.username, a.display_name, a.resident_id_masked, a.credit_code, a.pseudonym, "
    "a.company_name, a.org_id, a.status, a.created_at, a.updated_at";

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool validUsername(const std::string& u) {
  if (u.size() < 3 || u.size() > 64) return false;
  return std::all_of(u.begin(), u.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

void checkPasswordStrength(const std::optional<std::string>& pw, FieldErrors& errors) {
  if (!pw) return;
  if (utf8Length(*pw) < kMinPassword)
    errors.add(FieldLocation::Body, "/password", "field.password_weak",
               {{"min", std::to_string(kMinPassword)}});
  else if (utf8Length(*pw) > 256)
    errors.add(FieldLocation::Body, "/password", "field.length", {{"min", "10"}, {"max", "256"}});
}

void checkRoles(const std::set<std::string>& roles, const std::string& kind, FieldErrors& errors) {
  for (const auto& r : roles) {
    if (!isRole(r)) {
      errors.add(FieldLocation::Body, "/roles", "field.enum",
                 {{"allowed", commaList(roleNames())}});
      return;
    }
  }
  // Machine clients act for their organisation in a role too (a department's system querying
  // the exchange as exchange_client); people hold none.
  if (!roles.empty() && kind != "staff" && kind != "machine")
    errors.add(FieldLocation::Body, "/roles", "field.role_scope",
               {{"role", *roles.begin()}, {"kind", kind}});
}

Account accountFromRow(const store::Row& r) {
  Account a;
  a.id = r.text("id");
  a.kind = r.text("kind");
  a.username = r.optText("username");
  a.displayName = r.text("display_name");
  a.residentIdMasked = r.optText("resident_id_masked");
  a.pseudonym = r.text("pseudonym");
  a.creditCode = r.optText("credit_code");
  a.companyName = r.optText("company_name");
  a.orgId = r.optText("org_id");
  a.status = r.text("status");
  a.createdAt = r.text("created_at");
  a.updatedAt = r.text("updated_at");
  return a;
}

void loadRoles(store::Connection& c, std::vector<Account>& accounts) {
  if (accounts.empty()) return;
  std::string sql = "SELECT account_id, role FROM account_roles WHERE account_id IN (";
  store::Args args;
  std::map<std::string, Account*> byId;
  for (auto& a : accounts) {
    sql += args.empty() ? "?" : ", ?";
    args.push_back(a.id);
    byId[a.id] = &a;
  }
  for (const auto& r : c.query(sql + ")", args))
    byId[r.text("account_id")]->roles.insert(r.text("role"));
}

store::Value opt(const std::optional<std::string>& v) {
  return v ? store::Value(*v) : store::Value(store::Null{});
}

}  // namespace

Identity::Identity(store::Database& db, const crypto::KeyRing& keys, IdentityOptions options)
    : db_(db), keys_(keys), options_(std::move(options)) {}

Account Identity::createAccount(const NewAccount& in) {
  FieldErrors errors;
  if (!contains(kAccountKinds, in.kind)) {
    errors.add(FieldLocation::Body, "/kind", "field.enum", {{"allowed", commaList(kAccountKinds)}});
    errors.throwIfAny();
  }
  if (!lengthWithin(in.displayName, 1, 100))
    errors.add(FieldLocation::Body, "/display_name", "field.length",
               {{"min", "1"}, {"max", "100"}});
  auto require = [&](bool present, const char* pointer) {
    if (!present) errors.add(FieldLocation::Body, pointer, "field.required");
  };
  auto forbid = [&](bool present, const char* pointer) {
    if (present)
      errors.add(FieldLocation::Body, pointer, "field.role_scope",
                 {{"role", std::string(pointer).substr(1)}, {"kind", in.kind}});
  };
  const bool citizen = in.kind == "citizen", company = in.kind == "company",
             staff = in.kind == "staff", machine = in.kind == "machine";
  if (citizen) {
    require(in.residentId.has_value(), "/resident_id");
    forbid(in.username.has_value(), "/username");
  } else {
    require(in.username.has_value(), "/username");
    forbid(in.residentId.has_value(), "/resident_id");
  }
  if (in.username && !validUsername(*in.username))
    errors.add(FieldLocation::Body, "/username", "field.pattern",
               {{"pattern", "[a-z0-9._-]{3,64}"}});
  if (in.residentId) {
    if (auto why = checkResidentId(*in.residentId))
      errors.add(FieldLocation::Body, "/resident_id", "field.resident_id", {{"reason", *why}});
  }
  if (company) {
    require(in.creditCode.has_value(), "/credit_code");
    require(in.companyName.has_value(), "/company_name");
  } else {
    forbid(in.creditCode.has_value(), "/credit_code");
    forbid(in.companyName.has_value(), "/company_name");
  }
  if (in.creditCode) {
    if (auto why = checkCreditCode(*in.creditCode))
      errors.add(FieldLocation::Body, "/credit_code", "field.credit_code", {{"reason", *why}});
  }
  if (in.companyName && !lengthWithin(*in.companyName, 1, 200))
    errors.add(FieldLocation::Body, "/company_name", "field.length",
               {{"min", "1"}, {"max", "200"}});
  if (staff || machine)
    require(in.orgId.has_value(), "/org_id");
  else
    forbid(in.orgId.has_value(), "/org_id");
  if (machine)
    forbid(in.password.has_value(), "/password");
  else
    require(in.password.has_value(), "/password");
  checkPasswordStrength(in.password, errors);
  checkRoles(in.roles, in.kind, errors);
  if (staff && in.roles.empty()) errors.add(FieldLocation::Body, "/roles", "field.required");
  if (in.orgId && !findOrg(*in.orgId))
    errors.add(FieldLocation::Body, "/org_id", "field.not_found",
               {{"resource", "organisation"}, {"id", *in.orgId}});
  errors.throwIfAny();

  Account a;
  a.id = crypto::newId("acc");
  a.kind = in.kind;
  a.username = in.username;
  a.displayName = in.displayName;
  a.creditCode = in.creditCode;
  a.companyName = in.companyName;
  a.orgId = in.orgId;
  a.roles = in.roles;
  a.status = "active";
  a.createdAt = a.updatedAt = nowRfc3339();
  std::optional<std::string> sealed, index;
  if (in.residentId) {
    sealed = keys_.encrypt(*in.residentId);
    index = keys_.index(*in.residentId, "resident_id");
    a.residentIdMasked = maskResidentId(*in.residentId);
  }
  // A person is known by their resident ID, a company by its credit code, anyone else by the
  // account: so the same citizen keeps one pseudonym should an account be made again.
  if (in.residentId)
    a.pseudonym = keys_.pseudonym("resident:" + *in.residentId);
  else if (a.kind == "company" && a.creditCode)
    a.pseudonym = keys_.pseudonym("credit:" + *a.creditCode);
  else
    a.pseudonym = keys_.pseudonym(a.id);
  std::optional<std::string> hash;
  if (in.password) hash = crypto::hashPassword(*in.password, options_.passwordCost);
  try {
    db_.transaction([&](store::Connection& c) {
      c.exec(
          "INSERT INTO accounts (id, kind, username, display_name, password_hash, "
          "resident_id_enc, resident_id_index, resident_id_masked, credit_code, company_name, "
          "org_id, status, created_at, updated_at, pseudonym) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?, ?, ?, ?, ?)",
          {a.id, a.kind, opt(a.username), a.displayName, opt(hash), opt(sealed), opt(index),
           opt(a.residentIdMasked), opt(a.creditCode), opt(a.companyName), opt(a.orgId), a.status,
           a.createdAt, a.updatedAt, a.pseudonym});
      for (const auto& r : a.roles)
        c.exec("INSERT INTO account_roles (account_id, role) VALUES (?, ?)", {a.id, r});
    });
  } catch (const store::SqlError& e) {
    if (!e.isUniqueViolation()) throw;
    if (in.residentId) throw duplicate("account", "resident_id", *a.residentIdMasked);
    throw duplicate("account", "username", *a.username);
  }
  return a;
}

std::optional<Account> Identity::findAccount(const std::string& id) {
  auto c = db_.connect();
  auto row = c.queryOne(
      std::string("SELECT ") + kAccountColumns + " FROM accounts a WHERE a.id = ?", {id});
  if (!row) return std::nullopt;
  std::vector<Account> one{accountFromRow(*row)};
  loadRoles(c, one);
  return one.front();
}

std::optional<Account> Identity::findAccountBySubject(const std::string& kind,
                                                      const std::string& identifier) {
  auto c = db_.connect();
  std::optional<store::Row> row;
  if (kind == "citizen")
    row = c.queryOne(std::string("SELECT ") + kAccountColumns +
                         " FROM accounts a WHERE a.kind = 'citizen' AND a.resident_id_index = ?",
                     {keys_.index(identifier, "resident_id")});
  else if (kind == "company")
    row = c.queryOne(std::string("SELECT ") + kAccountColumns +
                         " FROM accounts a WHERE a.kind = 'company' AND a.credit_code = ?",
                     {identifier});
  if (!row) return std::nullopt;
  std::vector<Account> one{accountFromRow(*row)};
  loadRoles(c, one);
  return one.front();
}

Account Identity::updateAccount(const std::string& id, const AccountChanges& ch) {
  FieldErrors errors;
  if (ch.displayName && !lengthWithin(*ch.displayName, 1, 100))
    errors.add(FieldLocation::Body, "/display_name", "field.length",
               {{"min", "1"}, {"max", "100"}});
  if (ch.status && *ch.status != "active" && *ch.status != "disabled")
    errors.add(FieldLocation::Body, "/status", "field.enum", {{"allowed", "active, disabled"}});
  checkPasswordStrength(ch.password, errors);
  auto current = findAccount(id);
  if (!current) throw notFound("account", id);
  if (ch.roles) {
    checkRoles(*ch.roles, current->kind, errors);
    if (current->kind == "staff" && ch.roles->empty())
      errors.add(FieldLocation::Body, "/roles", "field.required");
  }
  if (ch.password && current->kind == "machine")
    errors.add(FieldLocation::Body, "/password", "field.role_scope",
               {{"role", "password"}, {"kind", "machine"}});
  errors.throwIfAny();
  std::optional<std::string> hash;
  if (ch.password) hash = crypto::hashPassword(*ch.password, options_.passwordCost);
  db_.transaction([&](store::Connection& c) {
    std::string now = nowRfc3339();
    if (ch.displayName)
      c.exec("UPDATE accounts SET display_name = ?, updated_at = ? WHERE id = ?",
             {*ch.displayName, now, id});
    if (ch.status)
      c.exec("UPDATE accounts SET status = ?, updated_at = ? WHERE id = ?", {*ch.status, now, id});
    if (hash)
      c.exec("UPDATE accounts SET password_hash = ?, updated_at = ? WHERE id = ?",
             {*hash, now, id});
    if (ch.roles) {
      c.exec("DELETE FROM account_roles WHERE account_id = ?", {id});
      for (const auto& r : *ch.roles)
        c.exec("INSERT INTO account_roles (account_id, role) VALUES (?, ?)", {id, r});
      c.exec("UPDATE accounts SET updated_at = ? WHERE id = ?", {now, id});
    }
    // A disabled account, a new password or new roles end every open session.
    if ((ch.status && *ch.status == "disabled") || hash || ch.roles)
      c.exec("DELETE FROM sessions WHERE account_id = ?", {id});
  });
  forgetPrincipals();  // roles, status or name may have changed
  return *findAccount(id);
}

namespace {

const store::SortColumns<Account>& accountSort() {
  static const store::SortColumns<Account> kColumns({
      {"created_at", "a.created_at", [](const Account& a) { return nlohmann::json(a.createdAt); }},
      {"display_name", "a.display_name",
       [](const Account& a) { return nlohmann::json(a.displayName); }},
  });
  return kColumns;
}

}  // namespace

const Sorting& Identity::accountSorting() {
  return accountSort().sorting();
}

Page<Account> Identity::listAccounts(const AccountFilter& f, ListQuery query) {
  std::string from = " FROM accounts a LEFT JOIN orgs o ON o.id = a.org_id";
  store::Where where;
  where.eq("a.kind", f.kind);
  where.eq("a.org_id", f.orgId);
  where.eq("a.status", f.status);
  if (f.role)
    where.add("EXISTS (SELECT 1 FROM account_roles r WHERE r.account_id = a.id AND r.role = ?)",
              {*f.role});
  where.within("o.path", f.withinPath);
  // Names and usernames only: identifiers are found by exact lookup, never by substring.
  where.search({"a.display_name", "a.username", "a.company_name"}, query.q);
  auto c = db_.connect();
  auto page = store::fetchPage(c, kAccountColumns, from, std::move(where), std::move(query),
                               accountSort(), "a.id", accountFromRow);
  loadRoles(c, page.items);
  return page;
}

std::optional<std::string> Identity::revealResidentId(const std::string& accountId) {
  auto row =
      db_.connect().queryOne("SELECT resident_id_enc FROM accounts WHERE id = ?", {accountId});
  if (!row || row->isNull("resident_id_enc")) return std::nullopt;
  return keys_.decrypt(row->text("resident_id_enc"));
}

}  // namespace onceonly::identity
