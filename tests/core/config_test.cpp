#include "core/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.h"

namespace onceonly {
namespace {

TEST(Config, DefaultsAreUsable) {
  Config c = loadConfig(std::nullopt, {}, {});
  EXPECT_EQ(c.listenHost, "127.0.0.1");
  EXPECT_EQ(c.listenPort, 8080);
  EXPECT_EQ(c.effectiveDatabaseUrl(), "sqlite://data/onceonly.db");
  EXPECT_EQ(c.effectiveKeysDir(), "data/keys");
}

// A module declares its section; its settings are read from the module's table in a file, or
// by their full name from the environment and flags, checked by the module's rule, and have
// their default otherwise. A setting no module declares is named as unknown.
TEST(Config, ModulesDeclareTheirOwnSections) {
  declareSettings({{"sample_colour", "blue", {}},
                   {"sample_count", "3", numberFrom("sample_count", 1, 9)},
                   {"sample_size", "7", numberFrom("sample_size", 1, 9)}});
  onceonly::testing::TempDir dir;
  auto file = (dir.path() / "onceonly.toml").string();
  std::ofstream(file) << "log_level = \"warn\"\n[sample]\ncolour = \"red\"\ncount = 5\n";
  Config c = loadConfig(file, {}, {});
  EXPECT_EQ(c.setting("sample_colour"), "red");
  EXPECT_EQ(c.settingNumber("sample_count"), 5);
  EXPECT_EQ(c.settingNumber("sample_size"), 7);  // its default
  c = loadConfig(file, {{"ONCEONLY_SAMPLE_COUNT", "8"}}, {{"sample_colour", "green"}});
  EXPECT_EQ(c.settingNumber("sample_count"), 8);
  EXPECT_EQ(c.setting("sample_colour"), "green");
  try {
    loadConfig(std::nullopt, {{"ONCEONLY_SAMPLE_COUNT", "12"}}, {});
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'sample_count'"), std::string::npos) << e.what();
  }
  std::ofstream(file) << "[sample]\nshape = \"round\"\n";
  EXPECT_THROW(loadConfig(file, {}, {}), ConfigError);  // sample_shape: no module has it
  Config given;
  given.set("sample_count", "0");
  EXPECT_THROW(checkModuleSettings(given), ConfigError);
  given.set("sample_count", "2");
  EXPECT_NO_THROW(checkModuleSettings(given));
  EXPECT_THROW(c.setting("sample_weight"), std::logic_error);
}

TEST(Config, FileThenEnvironmentThenFlagsWin) {
  onceonly::testing::TempDir dir;
  auto file = (dir.path() / "onceonly.toml").string();
  std::ofstream(file) << "listen = \"0.0.0.0:9000\"\nlog_level = \"debug\"\nbody_limit = 4096\n"
                         "data_dir = \"/srv/a\"\n";
  Config c = loadConfig(file, {{"ONCEONLY_DATA_DIR", "/srv/b"}, {"ONCEONLY_LOG_LEVEL", "warn"}},
                        {{"log_level", "error"}});
  EXPECT_EQ(c.listenHost, "0.0.0.0");
  EXPECT_EQ(c.listenPort, 9000);
  EXPECT_EQ(c.bodyLimit, 4096u);
  EXPECT_EQ(c.dataDir, "/srv/b");
  EXPECT_EQ(c.logLevel, "error");
}

TEST(Config, EnvironmentNamesOperatorsRelyOn) {
  Config c = loadConfig(std::nullopt,
                        {{"ONCEONLY_LISTEN", "127.0.0.1:18080"},
                         {"ONCEONLY_DATABASE_URL", "postgresql://app@127.0.0.1:5432/gov"},
                         {"ONCEONLY_DATA_DIR", "/var/lib/onceonly"}},
                        {});
  EXPECT_EQ(c.listenPort, 18080);
  EXPECT_EQ(c.effectiveDatabaseUrl(), "postgresql://app@127.0.0.1:5432/gov");
  EXPECT_EQ(c.dataDir, "/var/lib/onceonly");
}

void expectErrorNaming(const std::function<void()>& f, const std::string& setting) {
  try {
    f();
    FAIL() << "expected a configuration error naming " << setting;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(setting), std::string::npos) << e.what();
  }
}

TEST(Config, BadValuesNameTheSetting) {
  expectErrorNaming(
      [] {
        loadConfig(std::nullopt, {{"ONCEONLY_LISTEN", "nowhere"}}, {});
      },
      "listen");
  expectErrorNaming(
      [] {
        loadConfig(std::nullopt, {{"ONCEONLY_LISTEN", "h:99999"}}, {});
      },
      "listen");
  expectErrorNaming(
      [] {
        loadConfig(std::nullopt, {{"ONCEONLY_DATABASE_URL", "mysql://x"}}, {});
      },
      "database_url");
  expectErrorNaming([] { loadConfig(std::nullopt, {}, {{"log_level", "loud"}}); }, "log_level");
  expectErrorNaming([] { loadConfig(std::nullopt, {}, {{"body_limit", "12abc"}}); }, "body_limit");
  expectErrorNaming(
      [] {
        loadConfig(std::nullopt, {{"ONCEONLY_COLOUR", "red"}}, {});
      },
      "ONCEONLY_COLOUR");
}

TEST(Config, BrokenFileIsReportedWithItsLine) {
  onceonly::testing::TempDir dir;
  auto file = (dir.path() / "bad.toml").string();
  std::ofstream(file) << "listen = \"127.0.0.1:1\"\nthis is not toml\n";
  expectErrorNaming([&] { loadConfig(file, {}, {}); }, "line 2");
  std::ofstream(file) << "colour = \"red\"\n";
  expectErrorNaming([&] { loadConfig(file, {}, {}); }, "colour");
}

}  // namespace
}  // namespace onceonly
