#include "support/test_support.h"

#include <cstdlib>
#include <random>

#include "core/log.h"

namespace onceonly::testing {
namespace {

std::string randomSuffix() {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  static const char* kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (int i = 0; i < 12; ++i) out.push_back(kAlphabet[gen() % 36]);
  return out;
}

std::string pgBaseUrl() {
  const char* url = std::getenv("ONCEONLY_TEST_PG_URL");
  return url ? url : "";
}

// Quiet logs unless a test asks otherwise.
const bool kLogInit = [] {
  log::init("off", false);
  return true;
}();

}  // namespace

TempDir::TempDir() {
  path_ = std::filesystem::temp_directory_path() / ("onceonly-test-" + randomSuffix());
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string backendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::Sqlite ? "Sqlite" : "Postgres";
}

std::vector<Backend> backends() {
  std::vector<Backend> out{Backend::Sqlite};
  const char* require = std::getenv("ONCEONLY_TEST_REQUIRE_PG");
  if (!pgBaseUrl().empty()) {
    out.push_back(Backend::Postgres);
  } else if (require && std::string(require) == "1") {
    // Registering the backend makes every PostgreSQL test fail loudly in ScratchDatabase.
    out.push_back(Backend::Postgres);
  }
  return out;
}

ScratchDatabase::ScratchDatabase(Backend backend) : backend_(backend) {
  if (backend == Backend::Sqlite) {
    url_ = "sqlite://" + (dir_.path() / "test.db").string();
    return;
  }
  std::string base = pgBaseUrl();
  if (base.empty()) throw std::runtime_error("ONCEONLY_TEST_PG_URL is not set");
  schema_ = "t_" + randomSuffix();
  auto admin = store::Database::open(base, 1);
  admin->connect().exec("CREATE SCHEMA " + schema_);
  url_ = base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema_ + "%20-cclient_min_messages%3Dwarning";
}

ScratchDatabase::~ScratchDatabase() {
  if (backend_ != Backend::Postgres || schema_.empty()) return;
  try {
    auto admin = store::Database::open(pgBaseUrl(), 1);
    admin->connect().exec("DROP SCHEMA " + schema_ + " CASCADE");
  } catch (...) {
  }
}

Config testConfig(const std::filesystem::path& dataDir, const std::string& databaseUrl) {
  Config c;
  c.dataDir = dataDir.string();
  c.databaseUrl = databaseUrl;
  c.passwordCost = "min";
  c.dbPoolSize = 4;
  c.rateLimitPerSecond = 1e6;
  c.rateLimitBurst = 1000000;
  c.logLevel = "off";
  c.set("ledger_checkpoint_seconds", "0");  // no background signing: tests decide when
  return c;
}

}  // namespace onceonly::testing
