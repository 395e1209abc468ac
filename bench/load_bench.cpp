// How long the embedded chip database takes to parse and a chip name to resolve: every
// command pays this before it answers, so it must stay a small part of a millisecond budget.

#include <benchmark/benchmark.h>

#include "hardware/chip_db.h"

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

}  // namespace
}  // namespace siliconsim
