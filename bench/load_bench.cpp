// How long the embedded databases take to parse from YAML (what the build-time snapshot
// generator and the loader tests pay; CLI commands decode the snapshot instead, see
// BM_LoadDatabasesFromSnapshot in sim_bench.cpp), a chip name to resolve and every model's tensor
// inventory to build (every prediction pays the last two).

#include <benchmark/benchmark.h>

#include "hardware/chip_db.h"
#include "model/model_loader.h"

namespace siliconsim {
namespace {

void BM_LoadEmbeddedChips(benchmark::State& state) {
  for (auto _ : state) {
    ChipDatabase db = ChipDatabase::Load(DataSources{});
    benchmark::DoNotOptimize(db.chips().data());
  }
}
BENCHMARK(BM_LoadEmbeddedChips)->Unit(benchmark::kMillisecond);

void BM_ResolveChipByName(benchmark::State& state) {
  const ChipDatabase db = ChipDatabase::Load(DataSources{});
  for (auto _ : state) {
    benchmark::DoNotOptimize(&db.Resolve("Apple M4 Max", 40));
  }
}
BENCHMARK(BM_ResolveChipByName)->Unit(benchmark::kMicrosecond);

void BM_LoadEmbeddedModels(benchmark::State& state) {
  for (auto _ : state) {
    ModelDatabase db = ModelDatabase::Load(DataSources{});
    benchmark::DoNotOptimize(db.models().data());
  }
}
BENCHMARK(BM_LoadEmbeddedModels)->Unit(benchmark::kMillisecond);

// Tensor inventory and parameter counts for every model: the start of every prediction.
void BM_InventoryOfEveryModel(benchmark::State& state) {
  const ModelDatabase db = ModelDatabase::Load(DataSources{});
  for (auto _ : state) {
    int64_t total = 0;
    for (const ModelSpec& m : db.models()) total += CountParams(BuildTensorInventory(m)).total;
    benchmark::DoNotOptimize(total);
  }
}
BENCHMARK(BM_InventoryOfEveryModel)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace siliconsim
