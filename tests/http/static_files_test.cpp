#include "http/static_files.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.h"

namespace onceonly::http {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  onceonly::testing::TempDir dir;
  std::filesystem::path root = dir.path() / "www";

  void SetUp() override {
    std::filesystem::create_directories(root / "assets");
    std::ofstream(root / "index.html") << "<h1>hi</h1>";
    std::ofstream(root / "assets" / "app.js") << "console.log(1)";
    std::ofstream(dir.path() / "secret.txt") << "secret";
    std::filesystem::create_symlink(dir.path() / "secret.txt", root / "link.txt");
  }
};

TEST_F(StaticFilesTest, ServesFilesWithTheirContentType) {
  StaticFiles files(root);
  auto r = files.serve("/assets/app.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "console.log(1)");
  EXPECT_EQ(r->contentType, "text/javascript; charset=utf-8");
  auto index = files.serve("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->contentType, "text/html; charset=utf-8");
}

TEST_F(StaticFilesTest, NeverLeavesTheRoot) {
  StaticFiles files(root);
  EXPECT_FALSE(files.serve("/../secret.txt"));
  EXPECT_FALSE(files.serve("/assets/../../secret.txt"));
  EXPECT_FALSE(files.serve("/link.txt"));
  EXPECT_FALSE(files.serve("/missing.css"));
}

}  // namespace
}  // namespace onceonly::http
