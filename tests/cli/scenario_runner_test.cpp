// ScenarioRunner::Precompile: the parallel planning `fit` uses must give exactly what compiling
// one scenario at a time gives, and report errors as a serial run would.

#include <gtest/gtest.h>

#include "cli/predict_args.h"
#include "common/diagnostics.h"

namespace siliconsim {
namespace {

const SimData& Data() {
  static const SimData data{ChipDatabase::Load(DataSources{}), ModelDatabase::Load(DataSources{}),
                            QuantDatabase::Load(DataSources{}), EngineDatabase::Load(DataSources{})};
  return data;
}

std::vector<Scenario> Scenarios(const std::vector<const EngineSpec*>& engines) {
  const SimData& d = Data();
  auto chip = std::make_shared<const ChipSpec>(d.chips.Resolve("m4-pro-20c"));
  std::vector<Scenario> out;
  for (const char* id : {"llama-3.1-8b", "qwen3-30b-a3b", "gemma-3-12b", "deepseek-v3", "qwen3-next-80b-a3b"}) {
    auto model = std::make_shared<const NamedModel>(NamedModel{id, {d.models.Resolve(id), std::nullopt}});
    for (const EngineSpec* engine : engines) {
      const char* quant = engine->weight_format == QuantFormat::kMlx ? "mlx-4bit" : "Q4_K_M";
      out.push_back(Scenario{model, QuantArg{quant, d.quants.Resolve(quant)}, chip, engine, nullptr, 48, {}});
    }
  }
  return out;
}

TEST(ScenarioRunnerTest, PrecompileOnThreadsEqualsCompilingOneByOne) {
  const SimData& d = Data();
  const std::vector<Scenario> scenarios = Scenarios({&d.engines.Resolve("llama.cpp-metal"), &d.engines.Resolve("mlx")});
  ScenarioRunner parallel(d), serial(d);
  parallel.Precompile(scenarios, 4);
  for (const Scenario& s : scenarios) {
    const sim::CompiledModel& a = parallel.Compiled(s);
    const sim::CompiledModel& b = serial.Compiled(s);
    EXPECT_EQ(a.weights_bytes, b.weights_bytes) << s.model->query << " " << s.quant.label;
    EXPECT_EQ(a.dispatches_per_step, b.dispatches_per_step);
    ASSERT_EQ(a.matmuls.size(), b.matmuls.size());
    for (size_t i = 0; i < a.matmuls.size(); ++i) {
      EXPECT_EQ(a.matmuls[i].label, b.matmuls[i].label);
      EXPECT_EQ(a.matmuls[i].bytes, b.matmuls[i].bytes);
    }
    const sim::Workload w = parallel.BaseWorkload(s);
    EXPECT_EQ(parallel.Run(s, w).decode.tokens_per_second, serial.Run(s, w).decode.tokens_per_second);
  }
  // Precompiling again compiles nothing new and keeps the references callers hold.
  const sim::CompiledModel* before = &parallel.Compiled(scenarios.front());
  parallel.Precompile(scenarios, 2);
  EXPECT_EQ(before, &parallel.Compiled(scenarios.front()));
}

TEST(ScenarioRunnerTest, PrecompileRethrowsTheFirstFailingScenarioInOrder) {
  const SimData& d = Data();
  EngineSpec no_q4k = d.engines.Resolve("llama.cpp-metal");
  std::erase_if(no_q4k.kernels, [](const KernelCost& k) { return k.kernel_class == "q4_k"; });
  no_q4k.id = "metal-without-q4_k";
  EngineSpec no_q6k = d.engines.Resolve("llama.cpp-metal");
  std::erase_if(no_q6k.kernels, [](const KernelCost& k) { return k.kernel_class == "q6_k"; });
  no_q6k.id = "metal-without-q6_k";
  std::vector<Scenario> scenarios = Scenarios({&d.engines.Resolve("llama.cpp-metal")});
  const std::vector<Scenario> bad_q4k = Scenarios({&no_q4k}), bad_q6k = Scenarios({&no_q6k});
  scenarios.insert(scenarios.begin() + 2, bad_q4k.front());  // fails first in scenario order
  scenarios.push_back(bad_q6k.front());
  ScenarioRunner runner(d);
  try {
    runner.Precompile(scenarios, 4);
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("metal-without-q4_k has no kernel for q4_k"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace siliconsim
