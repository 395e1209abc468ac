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

}  // namespace
}  // namespace siliconsim::kernel
