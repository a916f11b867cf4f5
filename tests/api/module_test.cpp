// The module seam: a module plugs in with its migration, message, role, route and demo data
// alone, and the application refuses modules that do not fit (a route without an access rule,
// a migration version claimed twice).
#include <gtest/gtest.h>

#include <stdexcept>

#include "api/application.h"
#include "api/module.h"
#include "api/routes.h"
#include "core/error.h"
#include "demo/demo.h"
#include "identity/roles.h"
#include "store/store.h"
#include "support/api_harness.h"

namespace onceonly::api {
namespace {

using onceonly::testing::ApiHarness;
using onceonly::testing::Backend;

// A small module of notes: one table, one message, one role, one route, one demo note.
Module notesModule() {
  Module m;
  m.name = "notes";
  m.files = {{"0900_notes.sql", "CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL);"}};
  m.messages = {{"notes.empty", "A note needs some text.", "笔记需要内容。"}};
  m.roles = {{"note_taker", false}};
  m.routes = [](Routes& routes, Context& ctx) {
    routes.write("POST", "/api/v1/notes", Access::staff({"note_taker"}), "note.create",
                 [&ctx](http::Request& req, const identity::Principal&, AuditNote& note) {
                   if (req.body.empty()) throw Error(400, "notes.empty");
                   ctx.db.connect().exec("INSERT INTO notes (id, body) VALUES (?, ?)",
                                         {req.requestId, req.body});
                   note.targetType = "note";
                   return http::Response::json(201, {{"body", req.body}});
                 });
  };
  // Idempotent, as every module's demo seeding is.
  m.seedDemo = [](DemoSeeding& d) {
    auto c = d.db.connect();
    if (c.queryOne("SELECT id FROM notes WHERE id = 'demo'")) return;
    c.exec("INSERT INTO notes (id, body) VALUES ('demo', 'Welcome to Qinghe.')");
    d.result.created = true;
  };
  return m;
}

class ModuleTest : public ::testing::TestWithParam<Backend> {};

TEST_P(ModuleTest, AModulePlugsInWithItsOwnPartsAlone) {
  ApiHarness h(GetParam(), {}, {notesModule()});
  // Its migration ran and its demo note is there (the harness seeds the demo government); its
  // role is one accounts may hold; its route is in the table.
  EXPECT_EQ(h.count("notes"), 1);
  EXPECT_TRUE(identity::isRole("note_taker"));
  bool listed = false;
  for (const auto& r : h.app().routes())
    listed = listed || (r.pattern == "/api/v1/notes" && r.module == "notes");
  EXPECT_TRUE(listed);
  auto staff = h.as("admin", "POST", "/api/v1/accounts",
                    {{"kind", "staff"},
                     {"username", "note.taker"},
                     {"display_name", "Note taker"},
                     {"password", demo::kDemoPassword},
                     {"org_id", h.idOfOrg("QH-LS-PSB")},
                     {"roles", {"note_taker"}}});
  ASSERT_EQ(staff.status, 201) << staff.body;
  auto token = h.signIn("username", "note.taker");

  // Its access rule holds: the clerk is refused, the note taker writes.
  auto refused =
      h.call("POST", "/api/v1/notes", "hello", {{"authorization", "Bearer " + h.token("clerk")}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.json["code"], "auth.role");
  auto wrote = h.call("POST", "/api/v1/notes", "hello", {{"authorization", "Bearer " + token}});
  EXPECT_EQ(wrote.status, 201) << wrote.body;
  EXPECT_EQ(h.count("notes"), 2);

  // Its message, in both languages.
  auto empty = h.call("POST", "/api/v1/notes", "",
                      {{"authorization", "Bearer " + token}, {"accept-language", "zh-CN"}});
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(empty.json["detail"], "笔记需要内容。");

  // Seeding the demo again changes nothing.
  EXPECT_FALSE(h.app().seedDemo().created);
  EXPECT_EQ(h.count("notes"), 2);
}

TEST_P(ModuleTest, ARouteWithoutAnAccessRuleStopsStartUp) {
  Module m;
  m.name = "careless";
  m.routes = [](Routes& routes, Context&) {
    routes.read("/api/v1/careless", Access(), [](http::Request&, const identity::Principal&) {
      return http::Response::noContent();
    });
  };
  try {
    ApiHarness h(GetParam(), {}, {m});
    ADD_FAILURE() << "the application started";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("/api/v1/careless"), std::string::npos) << e.what();
  }
}

TEST_P(ModuleTest, TwoModulesClaimingOneMigrationVersionStopStartUp) {
  Module m;
  m.name = "clashing";
  m.files = {{"0001_clashing.sql", "CREATE TABLE clashing (id TEXT);"}};
  EXPECT_THROW(ApiHarness(GetParam(), {}, {m}), std::logic_error);
}

TEST(ModuleList, EveryModuleHasANameAndItsMigrationsOrder) {
  std::set<std::string> names;
  for (const auto& m : modules()) EXPECT_TRUE(names.insert(m.name).second) << m.name;
  EXPECT_TRUE(names.count("identity") && names.count("audit") && names.count("ledger"));
  auto ordered = store::migrations(migrationFiles(), store::Dialect::Sqlite);
  for (std::size_t i = 1; i < ordered.size(); ++i)
    EXPECT_LT(ordered[i - 1].version, ordered[i].version);
}

INSTANTIATE_TEST_SUITE_P(Backends, ModuleTest, ::testing::ValuesIn(onceonly::testing::backends()),
                         onceonly::testing::backendName);

}  // namespace
}  // namespace onceonly::api
