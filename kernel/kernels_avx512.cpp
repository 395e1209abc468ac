// AVX-512 kernels (F, BW, VL, VNNI; floats 16 wide, integer block dots with vpdpbusd).
// Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni -mavx2 -mfma -mf16c (see
// kernel/CMakeLists.txt) and reached only through the cpuid dispatch in simd.cpp; see
// kernels.h for why nothing here may have external linkage but the table accessor.

#include <immintrin.h>

#include "kernel/kernels.h"

namespace siliconsim::kernel {
namespace {

using VecF = __m512;
constexpr int kW = 16;
inline VecF LoadF(const float* p) { return _mm512_loadu_ps(p); }
inline VecF LoadH(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
inline void StoreF(float* p, VecF v) { _mm512_storeu_ps(p, v); }
inline VecF Fma(VecF a, VecF b, VecF c) { return _mm512_fmadd_ps(a, b, c); }
inline VecF Set1(float v) { return _mm512_set1_ps(v); }
inline VecF Zero() { return _mm512_setzero_ps(); }
inline VecF Add(VecF a, VecF b) { return _mm512_add_ps(a, b); }
inline VecF Sub(VecF a, VecF b) { return _mm512_sub_ps(a, b); }
inline VecF Mul(VecF a, VecF b) { return _mm512_mul_ps(a, b); }
inline VecF Min(VecF a, VecF b) { return _mm512_min_ps(a, b); }
inline VecF Max(VecF a, VecF b) { return _mm512_max_ps(a, b); }
inline VecF Div(VecF a, VecF b) { return _mm512_div_ps(a, b); }
inline float HSum(VecF v) { return _mm512_reduce_add_ps(v); }
inline float HMax(VecF v) { return _mm512_reduce_max_ps(v); }
inline VecF RoundNearest(VecF v) { return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
inline VecF Pow2(VecF n) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23));
}
inline __m256i DotU8S8(__m256i acc, __m256i u, __m256i s) { return _mm256_dpbusd_epi32(acc, u, s); }

// 4 rows x 4 tokens: 16 accumulators + 8 weight registers fit the 32 vector registers.
constexpr int kQR = 4;
constexpr int kQT = 4;
constexpr int kQGemvRows = 4;
constexpr int kFR = 4;
constexpr int kFT = 4;
constexpr int kFGemvRows = 4;

#include "kernel/kernels_x86.inc"

// ---- 512-bit block pairs ---------------------------------------------------------------------
// The tiles of kernels_x86.inc spend one 256-bit dot per block; these put two consecutive blocks
// in one zmm, halving the dot, convert, scale and accumulate instructions per weight:
//   Q8_0: bytes [w_b | w_b+1], lanes 0-7 block b, 8-15 block b+1; activations load as they lie.
//   Q4_0: bytes [lo_b | lo_b+1 | hi_b | hi_b+1] (lo = elements 0-15, hi = 16-31), lanes 0-3 and
//         8-11 block b, 4-7 and 12-15 block b+1; activations get the same 128-bit lane order
//         (one shuffle per token and pair, shared by the R rows of a tile).
// An odd last block goes through the 256-bit tile code path, added into the low half.

inline uint16_t Load16(const uint8_t* p) {
  uint16_t v;
  __builtin_memcpy(&v, p, 2);
  return v;
}

template <bool kQ4>
inline __m512 PairScales(uint16_t h0, uint16_t h1) {
  const __m128i a = _mm_set1_epi16(static_cast<short>(h0));
  const __m128i b = _mm_set1_epi16(static_cast<short>(h1));
  if constexpr (kQ4) {
    return _mm512_cvtph_ps(_mm256_broadcastsi128_si256(_mm_unpacklo_epi64(a, b)));  // [b0 x4, b1 x4] x 2
  } else {
    return _mm512_cvtph_ps(_mm256_inserti128_si256(_mm256_castsi128_si256(a), b, 1));  // [b0 x8, b1 x8]
  }
}

template <bool kQ4>
struct PairKernel {
  static constexpr int kBlockBytes = kQ4 ? 18 : 34;
  static constexpr __mmask16 kSecondBlockLanes = kQ4 ? 0xf0f0 : 0xff00;

  template <int R, int T>
  static void Tile(const MatmulArgs& a, int64_t r0, int64_t t0) {
    const int64_t blocks = a.k / kBlock;
    const __m512i nibble = _mm512_set1_epi8(0x0f);
    __m512 acc[R][T];
    const uint8_t* rows[R];
    for (int r = 0; r < R; ++r) {
      rows[r] = a.w + (r0 + r) * a.row_bytes;
      for (int t = 0; t < T; ++t) acc[r][t] = _mm512_setzero_ps();
    }
    int64_t b = 0;
    for (; b + 2 <= blocks; b += 2) {
      __m512i wq[R];
      __m512 dw[R];
      for (int r = 0; r < R; ++r) {
        const uint8_t* blk = rows[r] + b * kBlockBytes;
        if constexpr (T == 1) {
          // Decode streams R short rows at once from DRAM: fetch the same place in the next
          // tile's rows (R rows further), so each tile finds its rows in cache.
          _mm_prefetch(reinterpret_cast<const char*>(blk) + R * a.row_bytes, _MM_HINT_T0);
        }
        dw[r] = PairScales<kQ4>(Load16(blk), Load16(blk + kBlockBytes));
        if constexpr (kQ4) {
          const __m256i q = _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(blk + kBlockBytes + 2),
                                                reinterpret_cast<const __m128i*>(blk + 2));
          wq[r] = _mm512_and_si512(
              _mm512_inserti64x4(_mm512_castsi256_si512(q), _mm256_srli_epi16(q, 4), 1), nibble);
        } else {
          wq[r] = _mm512_inserti64x4(
              _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 2))),
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + kBlockBytes + 2)), 1);
        }
      }
      for (int t = 0; t < T; ++t) {
        const int64_t xi = (t0 + t) * blocks + b;
        const __m512i x = _mm512_loadu_si512(a.xq.q + xi * kBlock);
        const __m512 dx = _mm512_mask_blend_ps(kSecondBlockLanes, _mm512_set1_ps(a.xq.d[xi]),
                                               _mm512_set1_ps(a.xq.d[xi + 1]));
        if constexpr (kQ4) {
          const __m512i xs = _mm512_shuffle_i64x2(x, x, 0xd8);  // 128-bit lanes 0, 2, 1, 3
          const __m512i offset = _mm512_inserti32x4(
              _mm512_zextsi128_si512(_mm_cvtsi32_si128(-8 * a.xq.sum[xi])), _mm_cvtsi32_si128(-8 * a.xq.sum[xi + 1]), 1);
          for (int r = 0; r < R; ++r) {
            const __m512 dot = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(offset, wq[r], xs));
            acc[r][t] = _mm512_fmadd_ps(dot, _mm512_mul_ps(dw[r], dx), acc[r][t]);
          }
        } else {
          const __m512i ax = _mm512_abs_epi8(x);
          const __mmask64 negative = _mm512_movepi8_mask(x);
          for (int r = 0; r < R; ++r) {
            const __m512i signed_w = _mm512_mask_sub_epi8(wq[r], negative, _mm512_setzero_si512(), wq[r]);
            const __m512 dot = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), ax, signed_w));
            acc[r][t] = _mm512_fmadd_ps(dot, _mm512_mul_ps(dw[r], dx), acc[r][t]);
          }
        }
      }
    }
    for (int r = 0; r < R; ++r) {
      for (int t = 0; t < T; ++t) {
        float tail = 0;
        if (b < blocks) {  // odd block count: the last block alone
          TailBlock(a, rows[r], t0 + t, b, &tail);
        }
        a.out[(t0 + t) * a.out_stride + r0 + r] = _mm512_reduce_add_ps(acc[r][t]) + tail;
      }
    }
  }

  static void TailBlock(const MatmulArgs& a, const uint8_t* row, int64_t t, int64_t b, float* out) {
    const int64_t blocks = a.k / kBlock;
    const uint8_t* blk = row + b * kBlockBytes;
    const int64_t xi = t * blocks + b;
    const __m256i xq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.xq.q + xi * kBlock));
    __m256i dot;
    if constexpr (kQ4) {
      const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + 2));
      const __m256i wq = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), _mm256_set1_epi8(0x0f));
      dot = _mm256_dpbusd_epi32(_mm256_zextsi128_si256(_mm_cvtsi32_si128(-8 * a.xq.sum[xi])), wq, xq);
    } else {
      const __m256i wq = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 2));
      dot = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_abs_epi8(xq), _mm256_sign_epi8(wq, xq));
    }
    *out = HSum256(_mm256_cvtepi32_ps(dot)) * (_cvtsh_ss(Load16(blk)) * a.xq.d[xi]);
  }
};

// The one-block-per-256-bit tiles stay compiled (the AVX2 level uses the same source) but unused.
[[maybe_unused]] constexpr MatmulFn kOneBlockTiles[] = {MatmulQ4_0, MatmulQ8_0};

void MatmulQ4_0Pairs(const MatmulArgs& a, int64_t r0, int64_t r1) { Drive<PairKernel<true>, 4, 4, 4>(a, r0, r1); }
void MatmulQ8_0Pairs(const MatmulArgs& a, int64_t r0, int64_t r1) { Drive<PairKernel<false>, 4, 4, 4>(a, r0, r1); }

void QuantizeRowQ8(const float* x, int64_t k, int8_t* q, float* d, int32_t* sum) {
  for (int64_t b = 0; b < k / kBlock; ++b) {
    const __m512 v0 = _mm512_loadu_ps(x + b * kBlock);
    const __m512 v1 = _mm512_loadu_ps(x + b * kBlock + 16);
    const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
    const float scale = amax / 127.0f;
    const __m512 inverse = _mm512_set1_ps(scale != 0 ? 1.0f / scale : 0.0f);
    const __m512i i0 = _mm512_cvtps_epi32(_mm512_mul_ps(v0, inverse));  // round half to even
    const __m512i i1 = _mm512_cvtps_epi32(_mm512_mul_ps(v1, inverse));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + b * kBlock), _mm512_cvtsepi32_epi8(i0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + b * kBlock + 16), _mm512_cvtsepi32_epi8(i1));
    d[b] = scale;
    sum[b] = _mm512_reduce_add_epi32(_mm512_add_epi32(i0, i1));
  }
}

void Fp32ToFp16Row(const float* x, uint16_t* out, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                        _mm512_cvtps_ph(_mm512_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  for (; i < n; ++i) out[i] = _cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT);
}

void Fp16ToFp32Row(const uint16_t* x, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, LoadH(x + i));
  for (; i < n; ++i) out[i] = _cvtsh_ss(x[i]);
}

}  // namespace

const KernelTable& Avx512VnniKernels() {
  static const KernelTable table = {SimdLevel::kAvx512Vnni, "avx512-vnni", MatmulF32, MatmulF16, MatmulQ8_0Pairs,
                                    MatmulQ4_0Pairs, QuantizeRowQ8, Fp32ToFp16Row, Fp16ToFp32Row, AttentionScores,
                                    SoftmaxExp, AttentionValues, SiluMul};
  return table;
}

}  // namespace siliconsim::kernel
