// Shared test fixtures: temporary directories, and the database backends every repository test
// runs against (a fresh SQLite file, and a fresh schema on the PostgreSQL server that
// scripts/test.sh starts, named by ONCEONLY_TEST_PG_URL).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "store/store.h"

namespace onceonly::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

enum class Backend { Sqlite, Postgres };
std::string backendName(const ::testing::TestParamInfo<Backend>& info);
// SQLite always; PostgreSQL when the test script provides one. With ONCEONLY_TEST_REQUIRE_PG=1
// a missing server is a failure, not a skip.
std::vector<Backend> backends();

// A fresh, empty database of one backend, removed when destroyed.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(Backend backend);
  ~ScratchDatabase();
  const std::string& url() const { return url_; }

 private:
  Backend backend_;
  TempDir dir_;
  std::string url_;
  std::string schema_;
};

// A Config for tests: scratch data dir, given database, cheap password hashing.
Config testConfig(const std::filesystem::path& dataDir, const std::string& databaseUrl);

}  // namespace onceonly::testing
