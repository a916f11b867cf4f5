#include "identity/identity.h"
#include "api/module.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "crypto/crypto.h"
#include "identity/authz.h"
#include "store/store.h"
#include "support/test_support.h"

namespace onceonly::identity {
namespace {

using onceonly::testing::Backend;

TEST(ResidentId, AcceptsValidNumbersAndNamesWhatIsWrong) {
  std::string first17 = "11010519491231002";
  std::string id = first17 + residentIdCheckDigit(first17);
  EXPECT_EQ(id, "11010519491231002X");  // the GB 11643 example
  EXPECT_FALSE(checkResidentId(id));
  EXPECT_EQ(checkResidentId("11010519491231002"), "must be 18 characters");
  EXPECT_EQ(checkResidentId("110105194912310021"), "the check digit does not match");
  EXPECT_EQ(checkResidentId("11010519491331002X"), "the birth date is not a valid past date");
  EXPECT_EQ(checkResidentId("11010521001231002X").has_value(), true);  // born in the future
  EXPECT_EQ(checkResidentId("1101051949123A002X"), "the first 17 characters must be digits");
  EXPECT_EQ(maskResidentId(id), "110***********002X");
}

TEST(CreditCode, ChecksTheAlphabetAndCheckCharacter) {
  std::string first17 = "91350100M000100Y4";
  std::string code = first17 + creditCodeCheckChar(first17);
  EXPECT_EQ(code, "91350100M000100Y43");  // a published example
  EXPECT_FALSE(checkCreditCode(code));
  EXPECT_EQ(checkCreditCode("91350100M000100Y44"), "the check character does not match");
  EXPECT_TRUE(checkCreditCode("91350100M000100I43"));  // I is not in the alphabet
  EXPECT_TRUE(checkCreditCode("9135"));
}

class IdentityTest : public ::testing::TestWithParam<Backend> {
 protected:
  onceonly::testing::ScratchDatabase scratch{GetParam()};
  onceonly::testing::TempDir dir;
  std::unique_ptr<store::Database> db = [this] {
    auto d = store::Database::open(scratch.url(), 4);
    d->migrate(onceonly::api::migrationFiles());
    return d;
  }();
  crypto::KeyRing keys = crypto::KeyRing::loadOrCreate(dir.path() / "keys");
  Identity id{*db, keys, IdentityOptions{"min", 60, 3, 15, 15}};

  Org gov(const std::string& code, const std::string& level,
          const std::optional<std::string>& parent) {
    OrgFields f;
    f.code = code;
    f.nameZh = code + "政府";
    f.nameEn = code + " Government";
    f.level = level;
    f.kind = "government";
    if (parent) f.parentId = std::optional<std::string>(*parent);
    return id.createOrg(f);
  }
  Org dept(const std::string& code, const Org& parent) {
    OrgFields f;
    f.code = code;
    f.nameZh = code;
    f.nameEn = code;
    f.level = parent.level;
    f.kind = "department";
    f.parentId = std::optional<std::string>(parent.id);
    return id.createOrg(f);
  }
  Account staff(const std::string& username, const Org& org, std::set<std::string> roles) {
    NewAccount a;
    a.kind = "staff";
    a.username = username;
    a.displayName = username;
    a.password = "long enough password";
    a.orgId = org.id;
    a.roles = std::move(roles);
    return id.createAccount(a);
  }
};

int statusOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.status();
  }
  return 0;
}

TEST_P(IdentityTest, TheTreeKeepsItsShape) {
  auto p = gov("P", "province", std::nullopt);
  auto c = gov("C", "city", p.id);
  auto d = dept("C-TAX", c);
  EXPECT_EQ(c.path, p.path + c.id + "/");
  EXPECT_EQ(d.level, "city");
  // A county cannot sit under a province, nor a department under a department.
  EXPECT_EQ(statusOf([&] { gov("X", "county", p.id); }), 400);
  EXPECT_EQ(statusOf([&] { dept("Y", d); }), 400);
  EXPECT_EQ(statusOf([&] { gov("Z", "city", std::nullopt); }), 400);
  // Codes are unique.
  EXPECT_EQ(statusOf([&] { gov("P", "province", std::nullopt); }), 409);
  auto tree = id.orgTree(std::nullopt);
  ASSERT_EQ(tree.size(), 1u);
  ASSERT_EQ(tree[0].children.size(), 1u);
  EXPECT_EQ(tree[0].children[0].children[0].org.code, "C-TAX");
  // Opened a level at a time: the top alone, then one level more, then a subtree's first level.
  auto top = id.orgTree(std::nullopt, 0);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_TRUE(top[0].children.empty());
  auto two = id.orgTree(std::nullopt, 1);
  ASSERT_EQ(two[0].children.size(), 1u);
  EXPECT_TRUE(two[0].children[0].children.empty());
  auto city = id.orgTree(c.id, 1);
  ASSERT_EQ(city.size(), 1u);
  EXPECT_EQ(city[0].org.code, "C");
  ASSERT_EQ(city[0].children.size(), 1u);
  EXPECT_EQ(city[0].children[0].org.code, "C-TAX");
  EXPECT_TRUE(id.orgTree(c.id, 0)[0].children.empty());
  // An organisation with children or accounts is not deleted.
  EXPECT_EQ(statusOf([&] { id.deleteOrg(c.id); }), 409);
  id.deleteOrg(d.id);
  EXPECT_FALSE(id.findOrg(d.id));
}

TEST_P(IdentityTest, MovingAnOrganisationMovesItsSubtree) {
  auto p = gov("P", "province", std::nullopt);
  auto c1 = gov("C1", "city", p.id);
  auto c2 = gov("C2", "city", p.id);
  auto k = gov("K", "county", c1.id);
  auto t = gov("T", "township", k.id);
  OrgFields move;
  move.parentId = std::optional<std::string>(c2.id);
  auto moved = id.updateOrg(k.id, move);
  EXPECT_EQ(moved.path, c2.path + k.id + "/");
  EXPECT_EQ(id.getOrg(t.id).path, moved.path + t.id + "/");
  OrgFields bad;
  bad.level = "city";
  EXPECT_EQ(statusOf([&] { id.updateOrg(k.id, bad); }), 400);
}

TEST_P(IdentityTest, ListsPageWithCursorsAndSearch) {
  auto p = gov("P", "province", std::nullopt);
  for (int i = 0; i < 7; ++i) dept("D" + std::to_string(i), p);
  ListQuery q;
  q.limit = 3;
  std::vector<std::string> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    ListQuery page = q;
    page.sort = "code";
    if (cursor) {
      ASSERT_TRUE(decodeCursor(*cursor, page));
    }
    auto result = id.listOrgs({}, page);
    EXPECT_EQ(result.total, 8);
    for (const auto& o : result.items) seen.push_back(o.code);
    cursor = result.nextCursor;
    ++pages;
  } while (cursor);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"D0", "D1", "D2", "D3", "D4", "D5", "D6", "P"}));
  ListQuery search;
  search.q = "d3";
  EXPECT_EQ(id.listOrgs({}, search).total, 1);  // English names match case-insensitively
  OrgFilter f;
  f.kind = "government";
  EXPECT_EQ(id.listOrgs(f, {}).total, 1);
}

// Levels sort from the top of the tree down (not alphabetically: county < city), page by page.
TEST_P(IdentityTest, LevelsSortTopDown) {
  auto p = gov("P", "province", std::nullopt);
  auto city = gov("C", "city", p.id);
  auto county = gov("K", "county", city.id);
  gov("T", "township", county.id);
  auto pageThrough = [&](bool descending) {
    std::vector<std::string> seen;
    std::optional<std::string> cursor;
    do {
      ListQuery page;
      page.limit = 1;
      page.sort = "level";
      page.descending = descending;
      if (cursor) {
        EXPECT_TRUE(decodeCursor(*cursor, page));
      }
      auto result = id.listOrgs({}, page);
      for (const auto& o : result.items) seen.push_back(o.level);
      cursor = result.nextCursor;
    } while (cursor && seen.size() < 10);
    return seen;
  };
  EXPECT_EQ(pageThrough(false),
            (std::vector<std::string>{"province", "city", "county", "township"}));
  EXPECT_EQ(pageThrough(true),
            (std::vector<std::string>{"township", "county", "city", "province"}));
  // A forged position of the wrong kind is a bad cursor, not a database error.
  ListQuery forged;
  forged.sort = "level";
  forged.afterValue = "city";
  forged.afterId = p.id;
  EXPECT_EQ(statusOf([&] { id.listOrgs({}, forged); }), 400);
  forged.sort = "code";
  forged.afterValue = 3;
  EXPECT_EQ(statusOf([&] { id.listOrgs({}, forged); }), 400);
}

TEST_P(IdentityTest, CitizensResidentIdIsSealedIndexedAndMasked) {
  NewAccount a;
  a.kind = "citizen";
  a.displayName = "Zhang Wei";
  a.residentId = "11010519491231002X";
  a.password = "long enough password";
  auto acc = id.createAccount(a);
  EXPECT_EQ(acc.residentIdMasked, "110***********002X");
  auto row = db->connect().queryOne("SELECT * FROM accounts WHERE id = ?", {acc.id});
  for (const auto& col : row->columns())
    EXPECT_EQ(row->text(col).find("11010519491231002X"), std::string::npos) << col;
  EXPECT_EQ(id.revealResidentId(acc.id), "11010519491231002X");
  // The ledger's name for the person is made once, from the resident ID, and kept: listing
  // accounts decrypts nothing to find it.
  EXPECT_EQ(acc.pseudonym, keys.pseudonym("resident:11010519491231002X"));
  EXPECT_EQ(id.findAccount(acc.id)->pseudonym, acc.pseudonym);
  // The same person cannot register twice; the conflict shows only the masked number.
  try {
    id.createAccount(a);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 409);
    EXPECT_EQ(std::string(e.what()).find("11010519491231002X"), std::string::npos);
    // The problem names the member, so a form shows it next to the field.
    ASSERT_EQ(e.fields().size(), 1u);
    EXPECT_EQ(e.fields()[0].name, "/resident_id");
    EXPECT_EQ(e.fields()[0].code, "field.duplicate");
    EXPECT_EQ(e.fields()[0].params.at("value").find("11010519491231002X"), std::string::npos);
  }
  auto s = id.signIn(std::nullopt, std::string("11010519491231002X"), "long enough password");
  EXPECT_EQ(s.account.id, acc.id);
}

TEST_P(IdentityTest, AccountValidationReportsEveryField) {
  NewAccount a;
  a.kind = "company";
  a.displayName = "";
  a.username = "Bad Name";
  a.creditCode = "91350100M000100Y44";
  a.password = "short";
  try {
    id.createAccount(a);
    FAIL();
  } catch (const Error& e) {
    std::set<std::string> fields;
    for (const auto& f : e.fields()) fields.insert(f.name);
    EXPECT_EQ(fields, (std::set<std::string>{"/display_name", "/username", "/credit_code",
                                             "/company_name", "/password"}));
  }
  EXPECT_EQ(db->connect().queryOne("SELECT COUNT(*) AS n FROM accounts")->integer("n"), 0);
}

// Limits count characters, not bytes: a Chinese name of 100 characters (300 bytes) fits.
TEST_P(IdentityTest, LengthLimitsCountCharacters) {
  auto p = gov("P", "province", std::nullopt);
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "张";
  NewAccount a;
  a.kind = "staff";
  a.username = "long.name";
  a.displayName = hundred;
  a.password = "密码密码密码密码密码";  // ten characters, thirty bytes
  a.orgId = p.id;
  a.roles = {"clerk"};
  EXPECT_EQ(id.createAccount(a).displayName, hundred);
  a.username = "longer.name";
  a.displayName = hundred + "张";
  try {
    id.createAccount(a);
    FAIL() << "101 characters were accepted";
  } catch (const Error& e) {
    ASSERT_EQ(e.fields().size(), 1u);
    EXPECT_EQ(e.fields()[0].name, "/display_name");
    EXPECT_EQ(e.fields()[0].code, "field.length");
  }
  a.displayName = "Short";
  a.password = "密码密码密码密码密";  // nine characters, 27 bytes: too short
  EXPECT_EQ(statusOf([&] { id.createAccount(a); }), 400);
}

TEST_P(IdentityTest, SignInIssuesSessionsThatExpireAndEnd) {
  auto p = gov("P", "province", std::nullopt);
  auto acc = staff("clerk.one", p, {"clerk"});
  auto s = id.signIn(std::string("clerk.one"), std::nullopt, "long enough password");
  EXPECT_EQ(s.token.rfind("oos_", 0), 0u);
  // Only the hash is stored.
  EXPECT_FALSE(
      db->connect().queryOne("SELECT token_hash FROM sessions WHERE token_hash = ?", {s.token}));
  auto principal = id.authenticate(s.token);
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal->accountId, acc.id);
  EXPECT_EQ(principal->orgPath, p.path);
  EXPECT_FALSE(id.authenticate(s.token + "x"));
  EXPECT_FALSE(id.authenticate("oos_forged"));
  // Expired sessions do not authenticate.
  db->connect().exec("UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000Z'");
  EXPECT_FALSE(id.authenticate(s.token));
  auto again = id.signIn(std::string("clerk.one"), std::nullopt, "long enough password");
  id.signOut(*id.authenticate(again.token));
  EXPECT_FALSE(id.authenticate(again.token));
  // Disabling the account ends its sessions and refuses sign-in.
  auto third = id.signIn(std::string("clerk.one"), std::nullopt, "long enough password");
  AccountChanges off;
  off.status = "disabled";
  id.updateAccount(acc.id, off);
  EXPECT_FALSE(id.authenticate(third.token));
  EXPECT_EQ(
      statusOf([&] { id.signIn(std::string("clerk.one"), std::nullopt, "long enough password"); }),
      403);
}

// Sign-in names the account one way: a username and a resident ID together are refused as a
// conflict of the two fields, before any password is checked.
TEST_P(IdentityTest, SignInWithUsernameAndResidentIdIsAConflict) {
  auto p = gov("P", "province", std::nullopt);
  staff("clerk.one", p, {"clerk"});
  try {
    id.signIn(std::string("clerk.one"), std::string("11010519491231002X"), "long enough password");
    FAIL() << "signed in with both a username and a resident ID";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.code(), "validation_failed");
    ASSERT_EQ(e.fields().size(), 1u);
    EXPECT_EQ(e.fields()[0].location, FieldLocation::Body);
    EXPECT_EQ(e.fields()[0].name, "/resident_id");
    EXPECT_EQ(e.fields()[0].code, "field.conflicts");
    EXPECT_EQ(e.fields()[0].params, (Params{{"other", "username"}}));
  }
  EXPECT_EQ(db->connect().queryOne("SELECT COUNT(*) AS n FROM sessions")->integer("n"), 0);
}

TEST_P(IdentityTest, RepeatedFailuresAreThrottled) {
  auto p = gov("P", "province", std::nullopt);
  staff("target", p, {"clerk"});
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(statusOf([&] { id.signIn(std::string("target"), std::nullopt, "wrong password!"); }),
              401);
  // Locked now, even with the right password.
  EXPECT_EQ(
      statusOf([&] { id.signIn(std::string("target"), std::nullopt, "long enough password"); }),
      429);
  // Unknown names fail the same way as wrong passwords.
  EXPECT_EQ(statusOf([&] { id.signIn(std::string("nobody"), std::nullopt, "whatever pw"); }), 401);
}

// Failures from one address lock the name for that address only, so that nobody can lock a
// person out by failing on purpose; failures from many addresses together lock it everywhere.
TEST_P(IdentityTest, FailuresLockTheClientBeforeTheName) {
  IdentityOptions options{"min", 60, 3, 15, 15};
  options.maxFailuresEverywhere = 7;
  Identity guarded{*db, keys, options};
  auto p = gov("P", "province", std::nullopt);
  staff("target", p, {"clerk"});
  auto attempt = [&](const std::string& password, const std::string& client) {
    return statusOf([&] { guarded.signIn(std::string("target"), std::nullopt, password, client); });
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(attempt("wrong password!", "203.0.113.9"), 401);
  EXPECT_EQ(attempt("long enough password", "203.0.113.9"), 429);
  EXPECT_EQ(attempt("long enough password", "198.51.100.4"), 0);  // the owner, elsewhere
  // Guesses spread over addresses: the seventh locks the name for every address.
  for (int i = 0; i < 7; ++i)
    EXPECT_EQ(attempt("wrong password!", "192.0.2." + std::to_string(i)), 401) << i;
  EXPECT_EQ(attempt("long enough password", "198.51.100.4"), 429);
}

TEST_P(IdentityTest, ApiTokensCarryScopesAndCanBeRevoked) {
  auto p = gov("P", "province", std::nullopt);
  NewAccount m;
  m.kind = "machine";
  m.username = "tax.client";
  m.displayName = "Tax system";
  m.orgId = p.id;
  auto machine = id.createAccount(m);
  auto [token, secret] = id.createApiToken(machine.id, "nightly sync", {"orgs:read"}, 30);
  auto principal = id.authenticate(secret);
  ASSERT_TRUE(principal);
  ASSERT_TRUE(principal->scopes);
  EXPECT_EQ(*principal->scopes, (std::set<std::string>{"orgs:read"}));
  EXPECT_NO_THROW(authz::requireScope(*principal, "orgs:read"));
  EXPECT_EQ(statusOf([&] { authz::requireScope(*principal, "audit:read"); }), 403);
  id.revokeApiToken(machine.id, token.id);
  EXPECT_FALSE(id.authenticate(secret));
  EXPECT_EQ(statusOf([&] { id.createApiToken(machine.id, "x", {"root"}, std::nullopt); }), 400);
  auto person = staff("person", p, {"clerk"});
  EXPECT_EQ(statusOf([&] { id.createApiToken(person.id, "x", {"orgs:read"}, std::nullopt); }), 400);
}

TEST_P(IdentityTest, CachedPrincipalsAreForgottenOnSignOutAndAccountChanges) {
  Identity cached{*db, keys, IdentityOptions{"min", 60, 3, 15, 15, 60}};
  auto p = gov("P", "province", std::nullopt);
  auto acc = staff("cached.one", p, {"clerk"});
  auto s = cached.signIn(std::string("cached.one"), std::nullopt, "long enough password");
  ASSERT_TRUE(cached.authenticate(s.token));
  // Served from the cache: the row can go and the token still resolves for a while...
  db->connect().exec("DELETE FROM sessions");
  EXPECT_TRUE(cached.authenticate(s.token));
  // ...but an account change through this node ends that at once.
  AccountChanges ch;
  ch.roles = std::set<std::string>{"approver"};
  cached.updateAccount(acc.id, ch);
  EXPECT_FALSE(cached.authenticate(s.token));
  auto again = cached.signIn(std::string("cached.one"), std::nullopt, "long enough password");
  auto principal = cached.authenticate(again.token);
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal->roles, (std::set<std::string>{"approver"}));
  cached.signOut(*principal);
  EXPECT_FALSE(cached.authenticate(again.token));
  // Organisation lookups are cached too, and a change through this node is seen at once.
  EXPECT_EQ(cached.findOrg(p.id)->nameEn, "P Government");
  OrgFields rename;
  rename.nameEn = "Renamed Province";
  cached.updateOrg(p.id, rename);
  EXPECT_EQ(cached.findOrg(p.id)->nameEn, "Renamed Province");
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityTest, ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

TEST(Authz, SubtreeRolesReachDescendantsAndOthersOnlyTheirOwnOrg) {
  Principal p;
  p.orgPath = "/p/c/";
  p.roles = {"org_admin", "clerk"};
  EXPECT_TRUE(authz::roleReaches(p, "org_admin", "/p/c/k/"));
  EXPECT_TRUE(authz::roleReaches(p, "org_admin", "/p/c/"));
  EXPECT_FALSE(authz::roleReaches(p, "org_admin", "/p/"));
  EXPECT_FALSE(authz::roleReaches(p, "org_admin", "/p/c2/"));
  EXPECT_TRUE(authz::roleReaches(p, "clerk", "/p/c/"));
  EXPECT_FALSE(authz::roleReaches(p, "clerk", "/p/c/k/"));
  EXPECT_FALSE(authz::roleReaches(p, "auditor", "/p/c/"));
}

}  // namespace
}  // namespace onceonly::identity
