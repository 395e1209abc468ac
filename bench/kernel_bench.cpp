// The reference kernel's throughput on this host:
//   BM_ReadBandwidth   a plain vectorized read loop over 4x the last-level cache, all threads:
//                      the bandwidth the GEMVs are judged against
//   BM_Gemv/<format>   decode-shaped matmuls (one token) streaming a matrix set of >= 4x the LLC;
//                      bytes_per_second counts weight bytes
//   BM_Gemm/<format>   one 512-token prefill chunk against a 4096 x 4096 matrix; GFLOPS counter
//   BM_Model/...       RunReference on a real architecture: prefill and decode tokens per second
// Threads: SILICONSIM_BENCH_THREADS, else every hardware thread.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "common/data_sources.h"
#include "kernel/matmul.h"
#include "kernel/reference.h"
#include "kernel/simd.h"
#include "model/model_loader.h"

namespace siliconsim::kernel {
namespace {

int BenchThreads() {
  if (const char* env = std::getenv("SILICONSIM_BENCH_THREADS")) return std::max(1, std::atoi(env));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

ThreadPool& Pool() {
  static ThreadPool pool(BenchThreads());
  return pool;
}

// sysfs first (index3 is the L3 on Linux); this VM hides it, so cpuid's answer via sysconf.
int64_t LastLevelCacheBytes() {
  std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index3/size");
  std::string text;
  if (in >> text && !text.empty()) {
    int64_t value = std::atoll(text.c_str());
    if (text.back() == 'K') value <<= 10;
    if (text.back() == 'M') value <<= 20;
    if (value > 0) return value;
  }
  const long from_sysconf = sysconf(_SC_LEVEL3_CACHE_SIZE);
  return from_sysconf > 0 ? from_sysconf : int64_t{32} << 20;
}

int64_t StreamSetBytes() { return 4 * LastLevelCacheBytes(); }

uint64_t ReadChunk(const uint8_t* p, int64_t bytes) {
#if defined(__x86_64__)
  // SSE2 (the x86-64 baseline), four independent accumulators: enough loads per cycle to saturate
  // DRAM from one core without depending on the kernel's dispatch.
  __m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
  for (int64_t i = 0; i + 64 <= bytes; i += 64) {
    a0 = _mm_xor_si128(a0, _mm_load_si128(reinterpret_cast<const __m128i*>(p + i)));
    a1 = _mm_xor_si128(a1, _mm_load_si128(reinterpret_cast<const __m128i*>(p + i + 16)));
    a2 = _mm_xor_si128(a2, _mm_load_si128(reinterpret_cast<const __m128i*>(p + i + 32)));
    a3 = _mm_xor_si128(a3, _mm_load_si128(reinterpret_cast<const __m128i*>(p + i + 48)));
  }
  const __m128i all = _mm_xor_si128(_mm_xor_si128(a0, a1), _mm_xor_si128(a2, a3));
  return static_cast<uint64_t>(_mm_cvtsi128_si64(all)) ^ static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_srli_si128(all, 8)));
#else
  uint64_t acc[4] = {0, 0, 0, 0};
  for (int64_t i = 0; i + 32 <= bytes; i += 32) {
    for (int j = 0; j < 4; ++j) {
      uint64_t v;
      __builtin_memcpy(&v, p + i + 8 * j, 8);
      acc[j] ^= v;
    }
  }
  return acc[0] ^ acc[1] ^ acc[2] ^ acc[3];
#endif
}

void BM_ReadBandwidth(benchmark::State& state) {
  const int64_t bytes = StreamSetBytes() / (1 << 20) * (1 << 20);
  AlignedBuffer buffer(bytes);
  constexpr int64_t kChunk = 1 << 20;
  Pool().ParallelFor(bytes / kChunk, 16, [&](int64_t c0, int64_t c1, int) {
    for (int64_t c = c0; c < c1; ++c) std::fill_n(buffer.data() + c * kChunk, kChunk, static_cast<uint8_t>(c));
  });
  std::vector<uint64_t> sink(static_cast<size_t>(Pool().threads()) * 8);
  for (auto _ : state) {
    Pool().ParallelFor(bytes / kChunk, 16, [&](int64_t c0, int64_t c1, int thread) {
      uint64_t acc = 0;
      for (int64_t c = c0; c < c1; ++c) acc ^= ReadChunk(buffer.data() + c * kChunk, kChunk);
      sink[static_cast<size_t>(thread) * 8] ^= acc;
    });
    benchmark::DoNotOptimize(sink.data());
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["threads"] = Pool().threads();
  state.counters["set_MiB"] = static_cast<double>(bytes >> 20);
}
BENCHMARK(BM_ReadBandwidth)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();

// Decode-shaped set: Llama-3-8B FFN matrices (14336 x 4096) until the set is 4x the LLC. One
// format's set lives at a time (each is GiBs).
struct MatrixSet {
  WeightFormat format;
  std::vector<WeightMatrix> matrices;
  int64_t bytes = 0;
};

std::vector<float> RandomActivations(int64_t n) {
  std::vector<float> x(static_cast<size_t>(n));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(HashMix(i) >> 40) / 8388608.0f - 1.0f;
  return x;
}

// Synthetic rows x cols matrices, as many as it takes to hold at least `min_bytes`.
MatrixSet MatricesOfAtLeast(WeightFormat format, int64_t rows, int64_t cols, int64_t min_bytes) {
  MatrixSet set{format, {}, 0};
  for (uint64_t i = 0; set.bytes < min_bytes; ++i) {
    set.matrices.push_back(SyntheticMatrix(format, rows, cols, 0.03f, 7, i, Pool()));
    set.bytes += set.matrices.back().bytes();
  }
  return set;
}

// One decode pass: each matrix times one token `x`, the input quantized once per matmul as decode does.
void GemvPass(const KernelTable& kernels, const std::vector<WeightMatrix>& matrices, const std::vector<float>& x,
              MatmulInput& in, std::vector<float>& out) {
  for (const WeightMatrix& w : matrices) {
    in.Prepare(kernels, Pool(), x.data(), 1, w.cols, IsBlockQuantized(w.format));
    Matmul(kernels, Pool(), w, in, out.data());
  }
  benchmark::DoNotOptimize(out.data());
}

const MatrixSet& GemvSet(WeightFormat format) {
  static std::unique_ptr<MatrixSet> set;
  if (!set || set->format != format) {
    set.reset();
    set = std::make_unique<MatrixSet>(MatricesOfAtLeast(format, 14336, 4096, StreamSetBytes()));
  }
  return *set;
}

void BM_Gemv(benchmark::State& state, WeightFormat format) {
  const KernelTable& kernels = KernelsFor(BestSimdLevel());
  const MatrixSet& set = GemvSet(format);
  const std::vector<float> x = RandomActivations(4096);
  std::vector<float> out(14336);
  MatmulInput in;
  for (auto _ : state) GemvPass(kernels, set.matrices, x, in, out);
  state.SetBytesProcessed(state.iterations() * set.bytes);
  state.counters["threads"] = Pool().threads();
  state.counters["set_MiB"] = static_cast<double>(set.bytes >> 20);
  state.SetLabel(kernels.name);
}
BENCHMARK_CAPTURE(BM_Gemv, Q8_0, WeightFormat::kQ8_0)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();
BENCHMARK_CAPTURE(BM_Gemv, Q4_0, WeightFormat::kQ4_0)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();

// One-token GEMV of a matrix that stays in cache, at several row widths with about the same bytes:
// what a row costs beyond its weights when nothing comes from DRAM (a narrow model pays it on
// many more rows per byte).
void BM_GemvInCache(benchmark::State& state, WeightFormat format) {
  const KernelTable& kernels = KernelsFor(BestSimdLevel());
  const int64_t cols = state.range(0);
  const int64_t rows = (int64_t{3} << 20) / RowBytes(format, cols) / 4 * 4;  // ~3 MiB
  const MatrixSet one = MatricesOfAtLeast(format, rows, cols, 1);
  const std::vector<float> x = RandomActivations(cols);
  std::vector<float> out(static_cast<size_t>(rows));
  MatmulInput in;
  for (auto _ : state) GemvPass(kernels, one.matrices, x, in, out);
  state.SetBytesProcessed(state.iterations() * one.bytes);
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["ns_per_row"] = benchmark::Counter(static_cast<double>(rows) * static_cast<double>(state.iterations()),
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetLabel(kernels.name);
}
BENCHMARK_CAPTURE(BM_GemvInCache, Q8_0, WeightFormat::kQ8_0)->Arg(256)->Arg(512)->Arg(1024)->Arg(2048)->Arg(4096)->UseRealTime();
BENCHMARK_CAPTURE(BM_GemvInCache, Q4_0, WeightFormat::kQ4_0)->Arg(256)->Arg(512)->Arg(1024)->Arg(2048)->Arg(4096)->UseRealTime();

// A set of 1024 x 1024 matrices of state.range(0) MiB in all, one GEMV each in turn, as a forward
// pass visits its matrices: past the private L2s, each comes back from the shared L3 (or DRAM).
void BM_GemvSetOfSize(benchmark::State& state, WeightFormat format) {
  const KernelTable& kernels = KernelsFor(BestSimdLevel());
  constexpr int64_t kSide = 1024;
  const MatrixSet set = MatricesOfAtLeast(format, kSide, kSide, state.range(0) << 20);
  const std::vector<float> x = RandomActivations(kSide);
  std::vector<float> out(kSide);
  MatmulInput in;
  for (auto _ : state) GemvPass(kernels, set.matrices, x, in, out);
  state.SetBytesProcessed(state.iterations() * set.bytes);
  state.counters["matrices"] = static_cast<double>(set.matrices.size());
  state.SetLabel(kernels.name);
}
BENCHMARK_CAPTURE(BM_GemvSetOfSize, Q8_0, WeightFormat::kQ8_0)->Arg(2)->Arg(4)->Arg(8)->Arg(12)->Arg(16)->Arg(24)->Arg(48)->UseRealTime();

// One-token GEMVs over a set of 4x the LLC of matrices with state.range(0) columns (~8 MiB each),
// from DRAM: how the stream rate depends on the row width (the row stall of docs/simulator.md).
void BM_GemvDramByWidth(benchmark::State& state, WeightFormat format) {
  const KernelTable& kernels = KernelsFor(BestSimdLevel());
  const int64_t cols = state.range(0);
  const int64_t rows = (int64_t{8} << 20) / RowBytes(format, cols) / 4 * 4;
  const MatrixSet set = MatricesOfAtLeast(format, rows, cols, StreamSetBytes());
  const std::vector<float> x = RandomActivations(cols);
  std::vector<float> out(static_cast<size_t>(rows));
  MatmulInput in;
  for (auto _ : state) GemvPass(kernels, set.matrices, x, in, out);
  state.SetBytesProcessed(state.iterations() * set.bytes);
  state.counters["rows"] = static_cast<double>(rows);
  state.SetLabel(kernels.name);
}
BENCHMARK_CAPTURE(BM_GemvDramByWidth, Q8_0, WeightFormat::kQ8_0)->Arg(1024)->Arg(2048)->Arg(4096)->Arg(16384)
    ->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();
BENCHMARK_CAPTURE(BM_GemvDramByWidth, Q4_0, WeightFormat::kQ4_0)->Arg(1024)->Arg(2048)->Arg(4096)->Arg(16384)
    ->Unit(benchmark::kMillisecond)->MinTime(1.0)->UseRealTime();

// A 256-token chunk against a matrix that stays in cache (~3 MiB), at several row widths: what each
// output (a row times a token) costs beyond its multiply-adds. Short rows pay it on more outputs
// per weight (docs/simulator.md: the per-row compute cost).
void BM_GemmInCache(benchmark::State& state, WeightFormat format) {
  const KernelTable& kernels = KernelsFor(BestSimdLevel());
  constexpr int64_t kTokens = 256;
  const int64_t cols = state.range(0);
  const int64_t rows = (int64_t{3} << 20) / RowBytes(format, cols) / 4 * 4;
  const WeightMatrix w = SyntheticMatrix(format, rows, cols, 0.03f, 11, 0, Pool());
  const std::vector<float> x = RandomActivations(kTokens * cols);
  std::vector<float> out(static_cast<size_t>(kTokens * rows));
  MatmulInput in;
  for (auto _ : state) {
    in.Prepare(kernels, Pool(), x.data(), kTokens, cols, IsBlockQuantized(format));
    Matmul(kernels, Pool(), w, in, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["FLOPS"] = benchmark::Counter(2.0 * static_cast<double>(rows * cols * kTokens),
                                               benchmark::Counter::kIsIterationInvariantRate);
  state.counters["ns_per_output"] = benchmark::Counter(static_cast<double>(rows * kTokens) * static_cast<double>(state.iterations()),
                                                       benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.SetLabel(kernels.name);
}
BENCHMARK_CAPTURE(BM_GemmInCache, Q8_0, WeightFormat::kQ8_0)->Arg(512)->Arg(768)->Arg(1024)->Arg(2048)->Arg(4096)
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_GemmInCache, Q4_0, WeightFormat::kQ4_0)->Arg(512)->Arg(768)->Arg(1024)->Arg(2048)->Arg(4096)
    ->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Gemm(benchmark::State& state, WeightFormat format) {
  const KernelTable& kernels = KernelsFor(BestSimdLevel());
  constexpr int64_t kRows = 4096, kCols = 4096, kTokens = 512;
  const WeightMatrix w = SyntheticMatrix(format, kRows, kCols, 0.03f, 11, 0, Pool());
  const std::vector<float> x = RandomActivations(kTokens * kCols);
  std::vector<float> out(static_cast<size_t>(kTokens * kRows));
  MatmulInput in;
  for (auto _ : state) {
    in.Prepare(kernels, Pool(), x.data(), kTokens, kCols, IsBlockQuantized(format));
    Matmul(kernels, Pool(), w, in, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["FLOPS"] = benchmark::Counter(2.0 * kRows * kCols * kTokens, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = Pool().threads();
  state.SetLabel(kernels.name);
}
BENCHMARK_CAPTURE(BM_Gemm, Q8_0, WeightFormat::kQ8_0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Gemm, Q4_0, WeightFormat::kQ4_0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Gemm, F16, WeightFormat::kF16)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Gemm, F32, WeightFormat::kF32)->Unit(benchmark::kMillisecond)->UseRealTime();

// Whole model: one timed run of RunReference (weights built outside the timings).
void BM_Model(benchmark::State& state, const char* model_id, WeightFormat format, int64_t prompt, int64_t gen) {
  const ModelDatabase db = ModelDatabase::Load(DataSources{});
  const ModelSpec model = db.Resolve(model_id);
  ReferenceConfig config;
  config.model = &model;
  config.format = format;
  config.threads = BenchThreads();
  config.prompt_tokens = prompt;
  config.gen_tokens = gen;
  ReferenceTiming t;
  for (auto _ : state) {
    t = RunReference(config);
    state.SetIterationTime(t.prefill_seconds + t.decode_seconds);
  }
  state.counters["prefill_tps"] = t.prefill_tps();
  state.counters["decode_tps"] = t.decode_tps();
  state.counters["weight_GB"] = static_cast<double>(t.weight_bytes) / 1e9;
  state.counters["decode_weight_GBps"] =
      static_cast<double>(ForwardChunkCost(model, format, 1, prompt, true).matrix_bytes) * t.decode_tps() / 1e9;
  state.counters["build_s"] = t.build_seconds;
  state.SetLabel(t.simd);
}
BENCHMARK_CAPTURE(BM_Model, llama_3_2_1b_Q8_0, "llama-3.2-1b", WeightFormat::kQ8_0, 512, 32)
    ->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Model, llama_3_2_1b_Q4_0, "llama-3.2-1b", WeightFormat::kQ4_0, 512, 32)
    ->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Model, llama_2_7b_Q8_0, "llama-2-7b", WeightFormat::kQ8_0, 128, 16)
    ->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(BM_Model, llama_2_7b_Q4_0, "llama-2-7b", WeightFormat::kQ4_0, 128, 16)
    ->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

}  // namespace
}  // namespace siliconsim::kernel
