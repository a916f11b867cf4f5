#include "core/i18n.h"

#include <gtest/gtest.h>

namespace onceonly::i18n {
namespace {

TEST(I18n, NegotiatesByQuality) {
  EXPECT_EQ(negotiate(""), Lang::En);
  EXPECT_EQ(negotiate("zh-CN"), Lang::Zh);
  EXPECT_EQ(negotiate("en;q=0.4, zh;q=0.8"), Lang::Zh);
  EXPECT_EQ(negotiate("fr, en;q=0.5"), Lang::En);
  EXPECT_EQ(negotiate("zh;q=0.1, en"), Lang::En);
}

TEST(I18n, FillsPlaceholders) {
  EXPECT_EQ(message("field.length", {{"min", "1"}, {"max", "5"}}, Lang::En),
            "must be between 1 and 5 characters long");
  EXPECT_EQ(message("field.length", {{"min", "1"}, {"max", "5"}}, Lang::Zh),
            "长度必须在 1 到 5 个字符之间");
  EXPECT_EQ(message("no.such.code", {}, Lang::En), "no.such.code");
}

}  // namespace
}  // namespace onceonly::i18n
