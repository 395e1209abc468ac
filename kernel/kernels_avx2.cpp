// AVX2 kernels (FMA, F16C; floats 8 wide, integer block dots with vpmaddubsw + vpmaddwd).
// Compiled with -mavx2 -mfma -mf16c (see kernel/CMakeLists.txt) and reached only through the
// cpuid dispatch in simd.cpp; see kernels.h for why nothing here may have external linkage but
// the table accessor.

#include <immintrin.h>

#include "kernel/kernels.h"

namespace siliconsim::kernel {
namespace {

using VecF = __m256;
constexpr int kW = 8;
inline VecF LoadF(const float* p) { return _mm256_loadu_ps(p); }
inline VecF LoadH(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
inline void StoreF(float* p, VecF v) { _mm256_storeu_ps(p, v); }
inline VecF Fma(VecF a, VecF b, VecF c) { return _mm256_fmadd_ps(a, b, c); }
inline VecF Set1(float v) { return _mm256_set1_ps(v); }
inline VecF Zero() { return _mm256_setzero_ps(); }
inline VecF Add(VecF a, VecF b) { return _mm256_add_ps(a, b); }
inline VecF Sub(VecF a, VecF b) { return _mm256_sub_ps(a, b); }
inline VecF Mul(VecF a, VecF b) { return _mm256_mul_ps(a, b); }
inline VecF Min(VecF a, VecF b) { return _mm256_min_ps(a, b); }
inline VecF Max(VecF a, VecF b) { return _mm256_max_ps(a, b); }
inline VecF Div(VecF a, VecF b) { return _mm256_div_ps(a, b); }
inline float HSum(VecF v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
inline float HMax(VecF v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
inline VecF RoundNearest(VecF v) { return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
inline VecF Pow2(VecF n) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
}
inline __m256i DotU8S8(__m256i acc, __m256i u, __m256i s) {
  // u <= 127 or u <= 15 here, so the pairwise int16 sums of vpmaddubsw never saturate.
  return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
}

// 16 ymm registers: 2 rows x 4 tokens of accumulators.
constexpr int kQR = 2;
constexpr int kQT = 4;
constexpr int kQGemvRows = 4;
constexpr int kFR = 2;
constexpr int kFT = 4;
constexpr int kFGemvRows = 4;

#include "kernel/kernels_x86.inc"

inline int32_t HSumI32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

void QuantizeRowQ8(const float* x, int64_t k, int8_t* q, float* d, int32_t* sum) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (int64_t b = 0; b < k / kBlock; ++b) {
    __m256 v[4];
    for (int i = 0; i < 4; ++i) v[i] = _mm256_loadu_ps(x + b * kBlock + 8 * i);
    const __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v[0]), _mm256_andnot_ps(sign, v[1])),
                                   _mm256_max_ps(_mm256_andnot_ps(sign, v[2]), _mm256_andnot_ps(sign, v[3])));
    const float scale = HMax(m) / 127.0f;
    const __m256 inverse = _mm256_set1_ps(scale != 0 ? 1.0f / scale : 0.0f);
    __m256i i32[4];
    for (int i = 0; i < 4; ++i) i32[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], inverse));  // half to even
    sum[b] = HSumI32(_mm256_add_epi32(_mm256_add_epi32(i32[0], i32[1]), _mm256_add_epi32(i32[2], i32[3])));
    // Packing interleaves 128-bit lanes; the permutation restores element order.
    const __m256i packed = _mm256_packs_epi16(_mm256_packs_epi32(i32[0], i32[1]), _mm256_packs_epi32(i32[2], i32[3]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + b * kBlock),
                        _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
    d[b] = scale;
  }
}

void Fp32ToFp16Row(const float* x, uint16_t* out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  for (; i < n; ++i) out[i] = _cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT);
}

void Fp16ToFp32Row(const uint16_t* x, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, LoadH(x + i));
  for (; i < n; ++i) out[i] = _cvtsh_ss(x[i]);
}

}  // namespace

const KernelTable& Avx2Kernels() {
  static const KernelTable table = {SimdLevel::kAvx2, "avx2", MatmulF32, MatmulF16, MatmulQ8_0, MatmulQ4_0,
                                    QuantizeRowQ8, Fp32ToFp16Row, Fp16ToFp32Row, AttentionScores, SoftmaxExp,
                                    AttentionValues, SiluMul};
  return table;
}

}  // namespace siliconsim::kernel
