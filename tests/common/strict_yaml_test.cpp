#include "common/strict_yaml.h"

#include <gtest/gtest.h>

#include "../test_util.h"

namespace siliconsim {
namespace {

using test::ErrorOf;

TEST(YamlFileTest, SyntaxErrorNamesFileLineAndColumn) {
  EXPECT_EQ(ErrorOf([] { YamlFile("input", "a: [1, 2\nb: 3\n"); }),
            "input:2:2: error: YAML syntax: end of sequence flow not found\n"
            "    2 | b: 3\n"
            "      |  ^");
}

TEST(MapViewTest, UnknownKeySuggestsTheNearestAllowedKey) {
  const YamlFile file("input", "gpu_cores: 8\nbandwith_gbs: 100\n");
  EXPECT_EQ(ErrorOf([&] { MapView(file, file.root(), "chip", {"gpu_cores", "bandwidth_gbs"}); }),
            "input:2:1: error: chip.bandwith_gbs: unknown key 'bandwith_gbs'; did you mean 'bandwidth_gbs'?\n"
            "    2 | bandwith_gbs: 100\n"
            "      | ^");
}

TEST(MapViewTest, UnknownKeyWithNoNearMatchListsTheAllowedKeys) {
  const YamlFile file("input", "zzzzzzzz: 1\n");
  EXPECT_EQ(ErrorOf([&] { MapView(file, file.root(), "", {"alpha", "beta"}); }),
            "input:1:1: error: zzzzzzzz: unknown key 'zzzzzzzz'; expected one of: alpha, beta\n"
            "    1 | zzzzzzzz: 1\n"
            "      | ^");
}

TEST(MapViewTest, DuplicateKeyIsAnError) {
  const YamlFile file("input", "a: 1\nb: 2\na: 3\n");
  EXPECT_EQ(ErrorOf([&] { MapView(file, file.root(), "", {"a", "b"}); }),
            "input:3:1: error: a: duplicate key (first set on line 1)\n"
            "    3 | a: 3\n"
            "      | ^");
}

TEST(MapViewTest, MissingRequiredKeyIsReportedAtTheMap) {
  const YamlFile file("input", "top:\n  a: 1\n");
  const MapView top(file, file.root()["top"], "top", {"a", "b"});
  EXPECT_EQ(ErrorOf([&] { top.Required("b"); }),
            "input:2:3: error: top.b: missing required field\n"
            "    2 |   a: 1\n"
            "      |   ^");
}

TEST(ScalarTest, QuotedNumberIsAString) {
  const YamlFile file("input", "n: \"12\"\n");
  EXPECT_EQ(ErrorOf([&] { ReadInteger(file, file.root()["n"], "n"); }),
            "input:1:4: error: n: expected an integer, got the string \"12\"\n"
            "    1 | n: \"12\"\n"
            "      |    ^");
}

TEST(ScalarTest, NumbersAreDecimalAndFinite) {
  const YamlFile file("input", "a: 0x10\nb: .inf\nc: 1e400\nd: 2.5e3\ne: -7\n");
  EXPECT_NE(ErrorOf([&] { ReadNumber(file, file.root()["a"], "a"); }), "");
  EXPECT_NE(ErrorOf([&] { ReadNumber(file, file.root()["b"], "b"); }), "");
  EXPECT_EQ(ErrorOf([&] { ReadNumber(file, file.root()["c"], "c"); }),
            "input:3:4: error: c: number 1e400 is out of range\n"
            "    3 | c: 1e400\n"
            "      |    ^");
  EXPECT_DOUBLE_EQ(ReadNumber(file, file.root()["d"], "d"), 2500.0);
  EXPECT_EQ(ReadInteger(file, file.root()["e"], "e"), -7);
}

TEST(ScalarTest, IntegersRejectFractionsAndOverflow) {
  const YamlFile file("input", "a: 1.5\nb: 99999999999999999999\n");
  EXPECT_EQ(ErrorOf([&] { ReadInteger(file, file.root()["a"], "a"); }),
            "input:1:4: error: a: expected an integer, got \"1.5\"\n"
            "    1 | a: 1.5\n"
            "      |    ^");
  EXPECT_EQ(ErrorOf([&] { ReadInteger(file, file.root()["b"], "b"); }),
            "input:2:4: error: b: integer 99999999999999999999 is out of range\n"
            "    2 | b: 99999999999999999999\n"
            "      |    ^");
}

TEST(ScalarTest, PositiveQuantitiesRejectZeroAndNegatives) {
  const YamlFile file("input", "a: 0\nb: -3.5\n");
  EXPECT_EQ(ErrorOf([&] { ReadPositiveInteger(file, file.root()["a"], "a"); }),
            "input:1:4: error: a: must be greater than zero, got 0\n"
            "    1 | a: 0\n"
            "      |    ^");
  EXPECT_EQ(ErrorOf([&] { ReadPositiveNumber(file, file.root()["b"], "b"); }),
            "input:2:4: error: b: must be greater than zero, got -3.5\n"
            "    2 | b: -3.5\n"
            "      |    ^");
}

TEST(ScalarTest, ChoiceSuggestsTheNearestOption) {
  const YamlFile file("input", "tier: maxx\n");
  EXPECT_EQ(ErrorOf([&] { ReadChoice(file, file.root()["tier"], "tier", {"base", "pro", "max", "ultra"}); }),
            "input:1:7: error: tier: 'maxx' is not one of: base, pro, max, ultra (did you mean 'max'?)\n"
            "    1 | tier: maxx\n"
            "      |       ^");
}

TEST(ScalarTest, BoolsAreTrueOrFalse) {
  const YamlFile file("input", "a: true\nb: yes\n");
  EXPECT_TRUE(ReadBool(file, file.root()["a"], "a"));
  EXPECT_EQ(ErrorOf([&] { ReadBool(file, file.root()["b"], "b"); }),
            "input:2:4: error: b: expected true or false, got \"yes\"\n"
            "    2 | b: yes\n"
            "      |    ^");
}

TEST(QuoteYamlStringTest, EveryAsciiByteReadsBackUnchanged) {
  std::string all;
  for (int c = 1; c < 128; ++c) all += static_cast<char>(c);
  const std::string quoted = QuoteYamlString(all);
  for (const char c : quoted) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "raw byte " << static_cast<int>(c) << " written";
  const YamlFile file("input", "s: " + quoted + "\n");
  EXPECT_EQ(ReadString(file, file.root()["s"], "s"), all);
}

TEST(SchemaVersionTest, OtherVersionsAreRejected) {
  const YamlFile file("input", "schema_version: 2\n");
  const MapView top(file, file.root(), "", {"schema_version"});
  EXPECT_EQ(ErrorOf([&] { CheckSchemaVersion(top, 1); }),
            "input:1:17: error: schema_version: unsupported version 2; this build of siliconsim reads version 1\n"
            "    1 | schema_version: 2\n"
            "      |                 ^");
}

}  // namespace
}  // namespace siliconsim
