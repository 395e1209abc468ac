#include "common/text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace siliconsim {
namespace {

TEST(EditDistanceTest, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", "abc"), 0u);
  EXPECT_EQ(EditDistance("bandwith", "bandwidth"), 1u);
  EXPECT_EQ(EditDistance("nmae", "name"), 2u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
}

TEST(NearestMatchTest, SuggestsOnlyPlausibleTypos) {
  const std::vector<std::string> keys = {"gpu_cores", "memory_bandwidth_gbs", "name"};
  EXPECT_EQ(NearestMatch("gpu_core", keys), "gpu_cores");
  EXPECT_EQ(NearestMatch("memory_bandwith_gbs", keys), "memory_bandwidth_gbs");
  EXPECT_EQ(NearestMatch("NAME", keys), "name");
  EXPECT_EQ(NearestMatch("completely_unrelated", keys), std::nullopt);
}

TEST(SquashTest, KeepsLowercaseLettersAndDigits) {
  EXPECT_EQ(Squash("Apple M4 Max (40-core)"), "applem4max40core");
  EXPECT_EQ(Squash("m4-max-40c"), "m4max40c");
}

}  // namespace
}  // namespace siliconsim
