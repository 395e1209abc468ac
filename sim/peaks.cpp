#include "sim/peaks.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/diagnostics.h"

namespace siliconsim::sim {

namespace {

constexpr double kCacheUsableFraction = 0.5;

// A measurement with `threads` threads from a 1..N list, or the all-threads figure.
double ByThreads(const Fact<std::vector<double>>& list, std::optional<int> threads, double all) {
  if (!threads || !list.known()) return all;
  const std::vector<double>& v = *list.value;
  if (*threads >= 1 && static_cast<size_t>(*threads) <= v.size()) return v[static_cast<size_t>(*threads - 1)];
  return all;
}

ChipPeaks CpuPeaks(const ChipSpec& chip, std::optional<int> threads) {
  ChipPeaks peaks;
  peaks.cpu = true;
  if (!chip.memory_bandwidth_gbs.known() || !chip.cpu_fma_gflops.known()) {
    throw UsageError(fmt::format("CPU host {}: memory_bandwidth_gbs and cpu_fma_gflops must be measured "
                                 "(siliconsim host --measure -o host.yaml)",
                                 chip.id));
  }
  peaks.memory_bandwidth_gbs = ByThreads(chip.memory_bandwidth_by_threads_gbs, threads, *chip.memory_bandwidth_gbs.value);
  peaks.alu_tflops = ByThreads(chip.cpu_fma_gflops_by_threads, threads, *chip.cpu_fma_gflops.value) / 1000.0;
  peaks.matmul_tflops = peaks.alu_tflops;
  const int all_threads = chip.cpu_threads.value.value_or(0);
  for (const CacheLevel& level : chip.caches) {
    if (!level.read_bandwidth_gbs) continue;
    double bandwidth = *level.read_bandwidth_gbs;
    if (threads && all_threads > 0 && *threads < all_threads) {
      // Cache bandwidth is per core: fewer threads read proportionally less.
      bandwidth *= static_cast<double>(*threads) / all_threads;
    }
    // A level is credited with its bandwidth only for working sets up to half its capacity: the
    // size host --measure streams it at (PlanWorkingSets). Past that, a cyclic stream starts
    // evicting itself (and the KV cache, activations and other cores share the level), so the
    // measured figure no longer holds; docs/validation.md shows a 24 MB model in a 32 MiB L3
    // decoding at DRAM speed.
    peaks.caches.push_back({level.name, kCacheUsableFraction * static_cast<double>(level.size_bytes) * level.instances,
                            bandwidth});
  }
  return peaks;
}

// The CPU cores of an Apple chip. Compute: the performance cores' FP32 SIMD peak (clock x FLOP per
// cycle) times the threads on them. Memory: the chip's DRAM peak, which the engine reaches a
// fitted fraction of (memory_efficiency: the CPU complex cannot pull what the GPU does). No cache
// level is credited (Apple publishes no SLC sizes or bandwidths). The AMX/SME units are not
// counted: llama.cpp's CPU backend uses them only through Accelerate (BLAS builds) or KleidiAI.
ChipPeaks AppleCpuPeaks(const ChipSpec& chip, std::optional<int> threads) {
  if (!chip.memory_bandwidth_gbs.known() || !chip.cpu_performance_cores.known() || !chip.cpu_p_core_clock_ghz.known() ||
      !chip.cpu_p_core_fp32_flops_per_cycle.known()) {
    throw UsageError(fmt::format("chip {}: a CPU prediction needs memory_bandwidth_gbs, cpu_performance_cores, "
                                 "cpu_p_core_clock_ghz and cpu_p_core_fp32_flops_per_cycle, and some are unknown",
                                 chip.id));
  }
  const int p_cores = *chip.cpu_performance_cores.value;
  const int used = threads.value_or(p_cores);
  if (used < 1) throw UsageError(fmt::format("--threads must be at least 1 (got {})", used));
  ChipPeaks peaks;
  peaks.cpu = true;
  peaks.cpu_threads = used;
  peaks.dual_die = chip.tier == ChipTier::kUltra;
  peaks.memory_bandwidth_gbs = *chip.memory_bandwidth_gbs.value;
  const int credited = std::min(used, p_cores);
  if (used > p_cores) {
    // llama.cpp splits every op into equal shares, so a thread on a slower core paces the rest.
    peaks.assumptions.push_back(fmt::format("{} threads on {} performance cores: only {} are credited with compute",
                                            used, p_cores, credited));
  }
  peaks.alu_tflops = credited * *chip.cpu_p_core_clock_ghz.value * *chip.cpu_p_core_fp32_flops_per_cycle.value / 1000.0;
  peaks.matmul_tflops = peaks.alu_tflops;
  return peaks;
}

}  // namespace

ChipPeaks PeaksOf(const ChipSpec& chip, std::span<const ChipSpec> database, std::optional<int> threads, PeakSide side) {
  if (chip.kind == ChipKind::kCpu) return CpuPeaks(chip, threads);
  if (side == PeakSide::kCpu) return AppleCpuPeaks(chip, threads);
  ChipPeaks peaks;
  peaks.dual_die = chip.tier == ChipTier::kUltra;
  peaks.matrix_units = chip.gpu_neural_accelerators.value.value_or(false);
  if (!chip.memory_bandwidth_gbs.known()) {
    throw UsageError(fmt::format("chip {}: memory bandwidth is unknown, so no prediction is possible", chip.id));
  }
  peaks.memory_bandwidth_gbs = *chip.memory_bandwidth_gbs.value;

  if (chip.fp32_tflops.known()) {
    peaks.alu_tflops = *chip.fp32_tflops.value;
  } else if (auto computed = ComputeFp32Tflops(chip)) {
    peaks.alu_tflops = *computed;
  } else if (chip.gpu_cores.known() && chip.gpu_alus_per_core.known()) {
    // Same family, same GPU core design: borrow the highest clock measured on a sibling.
    const ChipSpec* lender = nullptr;
    for (const ChipSpec& c : database) {
      if (c.family != chip.family || !c.gpu_clock_mhz.known()) continue;
      if (!lender || *c.gpu_clock_mhz.value > *lender->gpu_clock_mhz.value) lender = &c;
    }
    if (!lender) {
      throw UsageError(fmt::format("chip {}: neither its FP32 TFLOPS nor any {} GPU clock is known", chip.id, chip.family));
    }
    const double clock_mhz = *lender->gpu_clock_mhz.value;
    peaks.alu_tflops = *chip.gpu_cores.value * *chip.gpu_alus_per_core.value * 2.0 * clock_mhz * 1e6 / 1e12;
    peaks.assumptions.push_back(fmt::format(
        "{} GPU clock unpublished: assumed {:g} MHz as measured on {} ({:.2f} FP32 TFLOPS)", chip.id, clock_mhz,
        lender->id, peaks.alu_tflops));
  } else {
    throw UsageError(fmt::format("chip {}: GPU cores or FP32 TFLOPS unknown, so no compute roof", chip.id));
  }

  if (chip.fp16_tflops.known()) {
    peaks.matmul_tflops = *chip.fp16_tflops.value;
  } else {
    peaks.matmul_tflops = peaks.alu_tflops;
    peaks.assumptions.push_back(fmt::format("{} FP16 rate unpublished: assumed equal to FP32", chip.id));
  }
  return peaks;
}

}  // namespace siliconsim::sim
