#include "cli/table.h"

#include <gtest/gtest.h>

#include <sstream>

namespace siliconsim {
namespace {

TEST(TableTest, AlignsColumnsToTheWidestCell) {
  Table table({{"ID"}, {"GB/s", Align::kRight}, {"NOTE"}});
  table.AddRow({"m1-8c", "68.25", "base"});
  table.AddRow({"m2-ultra-76c", "800", "two dies"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "ID             GB/s  NOTE\n"
            "------------  -----  --------\n"
            "m1-8c         68.25  base\n"
            "m2-ultra-76c    800  two dies\n");
}

TEST(TableTest, RowWithWrongCellCountIsALogicError) {
  Table table({{"A"}, {"B"}});
  EXPECT_THROW(table.AddRow({"only one"}), std::logic_error);
}

TEST(CsvTest, QuotesOnlyCellsThatNeedIt) {
  std::ostringstream out;
  WriteCsvRow(out, {"plain", "a,b", "say \"hi\"", "two\nlines", ""});
  EXPECT_EQ(out.str(), "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\n");
}

}  // namespace
}  // namespace siliconsim
