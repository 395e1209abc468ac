#include <gtest/gtest.h>

#include "common/data_sources.h"
#include "engine/engine_db.h"
#include "engine/engine_loader.h"

namespace siliconsim {
namespace {

TEST(EngineWriterTest, WritesEveryValueSoThatItReadsBackExactly) {
  EngineSpec e = EngineDatabase::Load(DataSources{}).Resolve("reference");
  e.param(EngineParamId::kDispatchSeconds).value = 0.99999999;  // 6 digits would round it to 1, out of range
  e.param(EngineParamId::kRowStallWeights).value = 812.3456789012345;
  e.kernels.front().decode_ops_per_weight.value = 3.141592653589793;
  const std::vector<EngineSpec> back = LoadEnginesFromString(WriteEngineYaml({e}, "test"), "round-trip.yaml");
  ASSERT_EQ(back.size(), 1u);
  for (int i = 0; i < kEngineParamCount; ++i) {
    EXPECT_EQ(back[0].params[static_cast<size_t>(i)].value, e.params[static_cast<size_t>(i)].value)
        << kEngineParamNames[static_cast<size_t>(i)];
  }
  EXPECT_EQ(back[0].kernels.front().decode_ops_per_weight.value, 3.141592653589793);
}

}  // namespace
}  // namespace siliconsim
