#include "common/value_parse.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace siliconsim {
namespace {

using test::ErrorOf;

TEST(ParseTokenCount, PlainAndSuffixed) {
  EXPECT_EQ(ParseTokenCount("512"), 512);
  EXPECT_EQ(ParseTokenCount("0"), 0);
  EXPECT_EQ(ParseTokenCount("4k"), 4096);
  EXPECT_EQ(ParseTokenCount("128K"), 131072);
  EXPECT_EQ(ParseTokenCount("1m"), 1048576);
  EXPECT_EQ(ParseTokenCount("2M"), 2097152);
  EXPECT_EQ(ParseTokenCount(" 32k "), 32768);
  EXPECT_EQ(ParseTokenCount("1099511627776"), kMaxTokenCount);
  EXPECT_EQ(ParseTokenCount("1048576m"), kMaxTokenCount);
}

TEST(ParseTokenCount, Errors) {
  EXPECT_EQ(ErrorOf([] { ParseTokenCount(""); }),
            "siliconsim: error: expected a token count like 512 or 4k, got an empty value");
  EXPECT_EQ(ErrorOf([] { ParseTokenCount("-5"); }), "siliconsim: error: token count '-5' is negative");
  EXPECT_EQ(ErrorOf([] { ParseTokenCount("4x"); }),
            "siliconsim: error: '4x' is not a token count; write a whole number like 512, 4k (4096) or 1m (1048576)");
  for (const char* junk : {"k", "1.5k", "1kk", "+5", "0x10", "4 k", "1e3", "4g"}) {
    EXPECT_NE(ErrorOf([&] { ParseTokenCount(junk); }).find("is not a token count"), std::string::npos) << junk;
  }
  EXPECT_EQ(ErrorOf([] { ParseTokenCount("1099511627777"); }),
            "siliconsim: error: token count '1099511627777' is larger than the 1099511627776 (2^40) allowed");
  EXPECT_EQ(ErrorOf([] { ParseTokenCount("1048577m"); }),
            "siliconsim: error: token count '1048577m' is larger than the 1099511627776 (2^40) allowed");
  EXPECT_EQ(ErrorOf([] { ParseTokenCount("99999999999999999999999"); }),
            "siliconsim: error: token count '99999999999999999999999' is larger than the 1099511627776 (2^40) allowed");
}

TEST(ParseTokenList, ListsAndRanges) {
  EXPECT_EQ(ParseTokenList("1k,2k,4k"), (std::vector<int64_t>{1024, 2048, 4096}));
  EXPECT_EQ(ParseTokenList("1k..128k:x2"),
            (std::vector<int64_t>{1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072}));
  EXPECT_EQ(ParseTokenList("512..4096:+512"),
            (std::vector<int64_t>{512, 1024, 1536, 2048, 2560, 3072, 3584, 4096}));
  EXPECT_EQ(ParseTokenList("0"), (std::vector<int64_t>{0}));
  EXPECT_EQ(ParseTokenList("0,512..2048:x2"), (std::vector<int64_t>{0, 512, 1024, 2048}));
  EXPECT_EQ(ParseTokenList("100..1000:x3"), (std::vector<int64_t>{100, 300, 900}));  // 1000 not reached
  EXPECT_EQ(ParseTokenList("0..10:+4"), (std::vector<int64_t>{0, 4, 8}));
  EXPECT_EQ(ParseTokenList("5..5:x2"), (std::vector<int64_t>{5}));
  EXPECT_EQ(ParseTokenList("1k, 1k ,512"), (std::vector<int64_t>{1024, 1024, 512}));  // duplicates kept
  EXPECT_EQ(ParseTokenList("1..1099511627776:x2").size(), 41u);
  EXPECT_EQ(ParseTokenList("1..4096:+1").size(), 4096u);
}

TEST(ParseTokenList, Errors) {
  EXPECT_EQ(ErrorOf([] { ParseTokenList(" "); }),
            "siliconsim: error: expected a list of token counts like 1k,2k,4k or a range like 1k..128k:x2, got an "
            "empty value");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("1k,,2k"); }),
            "siliconsim: error: '1k,,2k' has an empty item; separate counts with single commas");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("1k,"); }),
            "siliconsim: error: '1k,' has an empty item; separate counts with single commas");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("1k..8k"); }),
            "siliconsim: error: range '1k..8k' needs a step: append :x2 to multiply by 2 or :+512 to add 512");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("1k..8k:x1"); }),
            "siliconsim: error: range '1k..8k:x1': the factor must be a whole number of at least 2, got '1'");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("1k..8k:x1.5"); }),
            "siliconsim: error: range '1k..8k:x1.5': the factor must be a whole number of at least 2, got '1.5'");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("0..8k:x2"); }),
            "siliconsim: error: range '0..8k:x2': a geometric range must start above 0 (list 0 on its own: 0,1..)");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("1k..8k:+0"); }),
            "siliconsim: error: range '1k..8k:+0': the step must be greater than 0");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("1k..8k:*2"); }),
            "siliconsim: error: range '1k..8k:*2': the step must be xN (multiply by N) or +N (add N), got '*2'");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("8k..1k:x2"); }),
            "siliconsim: error: range '8k..1k:x2' runs backwards: 8192 is greater than 1024");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("0..1m:+1"); }),
            "siliconsim: error: '0..1m:+1' expands to more than 4096 values");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("1..4097:+1"); }),
            "siliconsim: error: '1..4097:+1' expands to more than 4096 values");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("1k..2k:+1,5"); }), "");  // 1025 values: fine
  EXPECT_EQ(ErrorOf([] { ParseTokenList("1..2000000000000:x2"); }),
            "siliconsim: error: token count '2000000000000' is larger than the 1099511627776 (2^40) allowed");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("1..8:x99999999999999999999"); }),
            "siliconsim: error: range '1..8:x99999999999999999999': the factor must be a whole number of at least 2, "
            "got '99999999999999999999'");
  EXPECT_EQ(ErrorOf([] { ParseTokenList("a..b:x2"); }),
            "siliconsim: error: 'a' is not a token count; write a whole number like 512, 4k (4096) or 1m (1048576)");
}

TEST(ParseMemoryGb, AsWritten) {
  EXPECT_EQ(ParseMemoryGb("48"), 48.0);
  EXPECT_EQ(ParseMemoryGb("48GB"), 48.0);
  EXPECT_EQ(ParseMemoryGb("48 GB"), 48.0);
  EXPECT_EQ(ParseMemoryGb("64g"), 64.0);
  EXPECT_EQ(ParseMemoryGb("36 GiB"), 36.0);
  EXPECT_EQ(ParseMemoryGb("24.5"), 24.5);
  EXPECT_EQ(ParseMemoryGb("65536"), kMaxMemoryGb);
}

TEST(ParseMemoryGb, Errors) {
  EXPECT_EQ(ErrorOf([] { ParseMemoryGb(""); }),
            "siliconsim: error: expected a memory size in GB like 48 or 48GB, got an empty value");
  EXPECT_EQ(ErrorOf([] { ParseMemoryGb("lots"); }),
            "siliconsim: error: 'lots' is not a memory size; write GB like 48, 48GB or 64g");
  EXPECT_EQ(ErrorOf([] { ParseMemoryGb("48MB"); }),
            "siliconsim: error: '48MB' is not a memory size; write GB like 48, 48GB or 64g");
  for (const char* junk : {"1e3", "0x30", "inf", "nan", "4..8", "48 G B", "GB", "."}) {
    EXPECT_NE(ErrorOf([&] { ParseMemoryGb(junk); }).find("is not a memory size"), std::string::npos) << junk;
  }
  EXPECT_EQ(ErrorOf([] { ParseMemoryGb("0"); }), "siliconsim: error: memory size '0' must be greater than zero");
  EXPECT_EQ(ErrorOf([] { ParseMemoryGb("-16GB"); }),
            "siliconsim: error: memory size '-16GB' must be greater than zero");
  EXPECT_EQ(ErrorOf([] { ParseMemoryGb("65537"); }),
            "siliconsim: error: memory size '65537' is larger than the 65536 GB allowed");
  EXPECT_EQ(ErrorOf([] { ParseMemoryGb(std::string(400, '9')); }),
            "siliconsim: error: memory size '" + std::string(64, '9') + "...' is larger than the 65536 GB allowed");
}

TEST(SplitList, TrimsAndRejectsEmptyItems) {
  EXPECT_EQ(SplitList("a,b, c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(SplitList("M4 Max"), (std::vector<std::string>{"M4 Max"}));
  EXPECT_EQ(ErrorOf([] { SplitList(""); }), "siliconsim: error: expected a comma-separated list, got an empty value");
  EXPECT_EQ(ErrorOf([] { SplitList("a,,b"); }),
            "siliconsim: error: 'a,,b' has an empty item; separate names with single commas");
  EXPECT_EQ(ErrorOf([] { SplitList("a, "); }),
            "siliconsim: error: 'a,' has an empty item; separate names with single commas");
}

}  // namespace
}  // namespace siliconsim
