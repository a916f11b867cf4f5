#include "http/url.h"

#include <gtest/gtest.h>

namespace onceonly::http {
namespace {

TEST(Url, DecodesPercentAndPlus) {
  EXPECT_EQ(percentDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(percentDecode("a+b", false), "a+b");
  EXPECT_EQ(percentDecode("%E4%B8%AD", false), "中");
}

TEST(Url, RejectsBrokenEscapesNulAndBadUtf8) {
  EXPECT_FALSE(percentDecode("%", false));
  EXPECT_FALSE(percentDecode("%4", false));
  EXPECT_FALSE(percentDecode("%zz", false));
  EXPECT_FALSE(percentDecode("a%00b", false));
  EXPECT_FALSE(percentDecode("%C3%28", false));
  EXPECT_FALSE(percentDecode("%ED%A0%80", false));  // a surrogate
}

TEST(Url, ParsesQueries) {
  auto q = parseQuery("limit=10&q=%E5%B8%82&flag&=x");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->size(), 4u);
  EXPECT_EQ((*q)[0], (std::pair<std::string, std::string>{"limit", "10"}));
  EXPECT_EQ((*q)[1].second, "市");
  EXPECT_EQ((*q)[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_FALSE(parseQuery("a=%GG"));
}

TEST(Url, Utf8Validation) {
  EXPECT_TRUE(isValidUtf8("plain"));
  EXPECT_TRUE(isValidUtf8("政务服务"));
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xE4\xB8"));          // truncated
}

TEST(Url, EncodeRoundTrips) {
  std::string s = "a b/中?&=";
  EXPECT_EQ(percentDecode(percentEncode(s), false), s);
}

}  // namespace
}  // namespace onceonly::http
