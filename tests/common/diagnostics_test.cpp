#include "common/diagnostics.h"

#include <gtest/gtest.h>

namespace siliconsim {
namespace {

Diagnostic At(int line, int column, std::string source_line) {
  Diagnostic d;
  d.location.file = "f.yaml";
  d.location.line = line;
  d.location.column = column;
  d.message = "bad";
  d.source_line = std::move(source_line);
  return d;
}

TEST(FormatDiagnostic, ShortLineShownWholeWithCaretUnderColumn) {
  EXPECT_EQ(FormatDiagnostic(At(3, 5, "key: value")),
            "f.yaml:3:5: error: bad\n    3 | key: value\n      |     ^");
}

TEST(FormatDiagnostic, HugeLineIsClippedAroundTheColumnAndCaretStillPointsAtIt) {
  std::string line(20000, '[');
  line[10007] = 'X';  // column 10008
  const std::string text = FormatDiagnostic(At(2, 10008, line));
  EXPECT_LT(text.size(), 400u);
  const size_t shown = text.find("\n    2 | ") + 9;
  const size_t caret_line = text.find('\n', shown) + 1;
  const size_t caret = text.find('^', caret_line);
  ASSERT_NE(caret, std::string::npos);
  // The caret's offset in its line equals the X's offset in the shown line.
  EXPECT_EQ(text[shown + (caret - caret_line) - 8], 'X');  // both gutters are 8 wide
  EXPECT_EQ(text.substr(shown, 3), "...");
  EXPECT_EQ(text.substr(text.find('\n', shown) - 3, 3), "...");
}

}  // namespace
}  // namespace siliconsim
