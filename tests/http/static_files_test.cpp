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

TEST_F(StaticFilesTest, PathsOfTheApplicationGetItsPage) {
  StaticFiles files(root);
  for (const char* path : {"/me/accesses", "/console/catalog/res_abc", "/sign-in"}) {
    auto r = files.serve(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->body, "<h1>hi</h1>") << path;
    EXPECT_EQ(r->header("Cache-Control").value_or(""), "no-cache") << path;
  }
  // What looks like a file and is missing stays missing, so a stale script is not answered with
  // a page; so does anything under /assets/.
  EXPECT_FALSE(files.serve("/assets/gone-123.js"));
  EXPECT_FALSE(files.serve("/assets/gone"));
  EXPECT_FALSE(files.serve("/robots.txt"));
}

TEST_F(StaticFilesTest, HashedAssetsAreCachedForAYearAndPagesRevalidated) {
  std::ofstream(root / "favicon.svg") << "<svg/>";
  StaticFiles files(root);
  auto asset = files.serve("/assets/app.js");
  ASSERT_TRUE(asset);
  EXPECT_EQ(asset->header("Cache-Control").value_or(""), "public, max-age=31536000, immutable");
  EXPECT_FALSE(asset->header("Content-Security-Policy"));
  auto page = files.serve("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->header("Cache-Control").value_or(""), "no-cache");
  auto csp = page->header("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
  auto icon = files.serve("/favicon.svg");
  ASSERT_TRUE(icon);
  EXPECT_EQ(icon->header("Cache-Control").value_or(""), "public, max-age=300");
}

}  // namespace
}  // namespace onceonly::http
