#pragma once
// The per-instruction-set kernels behind the reference model: a table of plain function
// pointers, one table per SIMD level, chosen at run time from cpuid.
//
// This header is included by the files compiled with -mavx2 / -mavx512* (kernels_avx2.cpp,
// kernels_avx512.cpp). Those files must not instantiate any inline function or template with
// external linkage (std:: containers, <cmath> wrappers, ...): the linker could keep their
// AVX-512 copy for the whole program and a machine without AVX-512 would fault in code that is
// never dispatched to. Hence only <cstdint>, <cstddef> and intrinsics here, and anonymous
// namespaces in the ISA files.

#include <cstddef>
#include <cstdint>

namespace siliconsim::kernel {

/// Instruction-set levels of the kernels, each a superset of the one before on x86.
enum class SimdLevel {
  kScalar,      ///< portable C++
  kAvx2,        ///< AVX2 + FMA + F16C; integer dots with vpmaddubsw
  kAvx512Vnni,  ///< AVX-512 F/BW/VL + VNNI; integer dots with vpdpbusd, floats 16 wide
  kNeon,        ///< arm64 NEON (Apple CPUs): sdot, fp16 conversions
};

/// One activation row set quantized Q8_0-style for integer dot products: per 32-element block a
/// float scale `d` and the int8 values `q` (|q| <= 127), plus the block's sum of q (Q4_0 weights
/// store q + 8 unsigned, so a block dot is sum(q_w * q_x) - 8 * sum(q_x)). Token t, block b is at
/// q[(t * blocks + b) * 32], d[t * blocks + b], sum[t * blocks + b].
struct Q8Rows {
  const int8_t* q = nullptr;
  const float* d = nullptr;
  const int32_t* sum = nullptr;
};

/// out[t * out_stride + r] = dot(weight row r, activation row t) for rows [row_begin, row_end)
/// and every token t < n_tokens.
struct MatmulArgs {
  const uint8_t* w = nullptr;  ///< row r starts at w + r * row_bytes
  int64_t row_bytes = 0;
  int64_t k = 0;               ///< row length in elements (a multiple of 32)
  const float* x = nullptr;    ///< float activations [n_tokens][k], for F32/F16 weights
  Q8Rows xq;                   ///< quantized activations, for Q8_0/Q4_0 weights
  int64_t n_tokens = 0;
  float* out = nullptr;
  int64_t out_stride = 0;
};

using MatmulFn = void (*)(const MatmulArgs& args, int64_t row_begin, int64_t row_end);

/// The kernels of one SIMD level.
struct KernelTable {
  SimdLevel level;
  const char* name;
  MatmulFn matmul_f32;
  MatmulFn matmul_f16;
  MatmulFn matmul_q8_0;
  MatmulFn matmul_q4_0;
  /// Quantizes one row of k floats (k a multiple of 32) to Q8 blocks: d = amax / 127,
  /// q = round-half-even(x * (1 / d)); identical bits on every level.
  void (*quantize_row_q8)(const float* x, int64_t k, int8_t* q, float* d, int32_t* sum);
  void (*fp32_to_fp16)(const float* x, uint16_t* out, int64_t n);
  void (*fp16_to_fp32)(const uint16_t* x, float* out, int64_t n);
  /// scores[j] = scale * dot(q, k_j) for n_pos cached keys k_j = k + j * stride (f16, head_dim).
  void (*attention_scores)(const float* q, const uint16_t* k, int64_t stride, int64_t n_pos, int head_dim,
                           float scale, float* scores);
  /// In place: scores = exp(scores - max); returns their sum.
  float (*softmax_exp)(float* scores, int64_t n);
  /// out[0:head_dim] = sum_j p[j] * v_j for v_j = v + j * stride (f16); p need not be normalized.
  void (*attention_values)(const float* p, const uint16_t* v, int64_t stride, int64_t n_pos, int head_dim,
                           float* out);
  /// In place, the SwiGLU activation: gate[i] = SiLU(gate[i]) * up[i] = gate[i] / (1 + e^-gate[i]) * up[i].
  void (*silu_mul)(float* gate, const float* up, int64_t n);
};

const KernelTable& ScalarKernels();
#if defined(__x86_64__) || defined(_M_X64)
const KernelTable& Avx2Kernels();
const KernelTable& Avx512VnniKernels();
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
const KernelTable& NeonKernels();
#endif

}  // namespace siliconsim::kernel
