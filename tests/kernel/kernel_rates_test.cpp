// The microbenchmarks validate fits the reference engine to: every point measured, and the
// between-rounds hook (where validate runs its models) called once between consecutive rounds.
// Tiny settings: this checks the plumbing, not the rates.

#include <gtest/gtest.h>

#include <vector>

#include "kernel/rates.h"

namespace siliconsim::kernel {
namespace {

RateOptions Tiny() {
  RateOptions o;
  o.threads = 2;
  o.dram_set_bytes = int64_t{4} << 20;
  o.seconds_per_point = 0.001;
  return o;
}

TEST(KernelRates, HookRunsBetweenRoundsOnly) {
  const std::vector<WeightFormat> formats = {WeightFormat::kQ8_0, WeightFormat::kQ4_0};
  RateOptions o = Tiny();
  o.repetitions = 4;
  std::vector<int> rounds_seen;
  o.between_rounds = [&](int round) { rounds_seen.push_back(round); };
  const KernelRates r = MeasureKernelRates(formats, o);
  EXPECT_EQ(rounds_seen, (std::vector<int>{0, 1, 2}));  // after rounds 0..2, not after the last
  ASSERT_EQ(r.formats.size(), 2u);
  for (const FormatRates& f : r.formats) {
    EXPECT_GT(f.cache_gemv_seconds, 0);
    EXPECT_GT(f.gemm_seconds, 0);
    EXPECT_GE(f.dram_sets.size(), 3u);
  }
  EXPECT_GT(r.attention_seconds, 0);
  EXPECT_GT(r.attention_dram_seconds, 0);

  // One round: no hook call at all.
  o.repetitions = 1;
  rounds_seen.clear();
  MeasureKernelRates(formats, o);
  EXPECT_TRUE(rounds_seen.empty());
}

TEST(KernelRates, EveryRoundHasASpeedForMemoryAndCompute) {
  RateOptions o = Tiny();
  o.repetitions = 3;
  const KernelRates r = MeasureKernelRates(std::vector<WeightFormat>{WeightFormat::kQ8_0, WeightFormat::kQ4_0}, o);
  ASSERT_EQ(r.memory_speed_by_round.size(), 3u);
  ASSERT_EQ(r.compute_speed_by_round.size(), 3u);
  for (double s : r.memory_speed_by_round) EXPECT_GT(s, 0);
  for (double s : r.compute_speed_by_round) EXPECT_GT(s, 0);
}

TEST(RoundSpeeds, ARoundTakingTwiceAsLongRunsAtHalfSpeed) {
  // Three points, five rounds: round 3 took twice as long for every point, round 1 a quarter less.
  const std::vector<double> factor = {1.0, 0.75, 1.0, 2.0, 1.0};
  std::vector<std::vector<double>> seconds;
  for (double base : {0.010, 0.250, 3.0}) {
    std::vector<double> p;
    for (double f : factor) p.push_back(base * f);
    seconds.push_back(p);
  }
  const std::vector<double> speed = RoundSpeeds(seconds);
  ASSERT_EQ(speed.size(), 5u);
  EXPECT_DOUBLE_EQ(speed[0], 1.0);
  EXPECT_NEAR(speed[1], 1.0 / 0.75, 1e-12);
  EXPECT_DOUBLE_EQ(speed[2], 1.0);
  EXPECT_NEAR(speed[3], 0.5, 1e-12);
  // Points that disagree average geometrically: one point 2x slow and one 2x fast in a round is 1.
  const std::vector<double> mixed = RoundSpeeds({{1, 1, 2}, {1, 1, 0.5}});
  EXPECT_NEAR(mixed[2], 1.0, 1e-12);
  EXPECT_TRUE(RoundSpeeds({}).empty());
  EXPECT_THROW(RoundSpeeds({{1, 2}, {1}}), std::invalid_argument);
  EXPECT_THROW(RoundSpeeds({{1, 0}}), std::invalid_argument);
}

}  // namespace
}  // namespace siliconsim::kernel
