// arm64 NEON kernels for Apple CPUs: the two quantized matmuls with integer dot products
// (sdot where the compiler targets it, widening multiplies otherwise); every other entry is
// the portable one. Kept small on purpose: it is not compiled on the x86 development host.

#include "kernel/kernels.h"

#if defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>

#include <cstring>

#include "kernel/formats.h"

namespace siliconsim::kernel {
namespace {

float HalfAt(const uint8_t* p) {
  uint16_t bits;
  std::memcpy(&bits, p, 2);
  return Fp16ToFp32(bits);
}

// acc + per-lane sums of four adjacent int8 products.
inline int32x4_t Dot(int32x4_t acc, int8x16_t a, int8x16_t b) {
#if defined(__ARM_FEATURE_DOTPROD)
  return vdotq_s32(acc, a, b);
#else
  return vpadalq_s16(vpadalq_s16(acc, vmull_s8(vget_low_s8(a), vget_low_s8(b))), vmull_high_s8(a, b));
#endif
}

void MatmulQ8_0(const MatmulArgs& a, int64_t r0, int64_t r1) {
  const int64_t blocks = a.k / kQuantBlockElements;
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* row = a.w + r * a.row_bytes;
    for (int64_t t = 0; t < a.n_tokens; ++t) {
      float32x4_t acc = vdupq_n_f32(0);
      for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t* blk = row + b * kQ8_0BlockBytes;
        const int8_t* xq = a.xq.q + (t * blocks + b) * kQuantBlockElements;
        const int8_t* wq = reinterpret_cast<const int8_t*>(blk + 2);
        int32x4_t dot = Dot(vdupq_n_s32(0), vld1q_s8(wq), vld1q_s8(xq));
        dot = Dot(dot, vld1q_s8(wq + 16), vld1q_s8(xq + 16));
        acc = vmlaq_n_f32(acc, vcvtq_f32_s32(dot), HalfAt(blk) * a.xq.d[t * blocks + b]);
      }
      a.out[t * a.out_stride + r] = vaddvq_f32(acc);
    }
  }
}

void MatmulQ4_0(const MatmulArgs& a, int64_t r0, int64_t r1) {
  const int64_t blocks = a.k / kQuantBlockElements;
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* row = a.w + r * a.row_bytes;
    for (int64_t t = 0; t < a.n_tokens; ++t) {
      float32x4_t acc = vdupq_n_f32(0);
      for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t* blk = row + b * kQ4_0BlockBytes;
        const int64_t xi = t * blocks + b;
        const int8_t* xq = a.xq.q + xi * kQuantBlockElements;
        const uint8x16_t q = vld1q_u8(blk + 2);
        const int8x16_t lo = vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0f)));  // elements 0..15
        const int8x16_t hi = vreinterpretq_s8_u8(vshrq_n_u8(q, 4));               // elements 16..31
        int32x4_t dot = vsetq_lane_s32(-8 * a.xq.sum[xi], vdupq_n_s32(0), 0);
        dot = Dot(Dot(dot, lo, vld1q_s8(xq)), hi, vld1q_s8(xq + 16));
        acc = vmlaq_n_f32(acc, vcvtq_f32_s32(dot), HalfAt(blk) * a.xq.d[xi]);
      }
      a.out[t * a.out_stride + r] = vaddvq_f32(acc);
    }
  }
}

}  // namespace

const KernelTable& NeonKernels() {
  static const KernelTable table = [] {
    KernelTable t = ScalarKernels();
    t.level = SimdLevel::kNeon;
    t.name = "neon";
    t.matmul_q8_0 = MatmulQ8_0;
    t.matmul_q4_0 = MatmulQ4_0;
    return t;
  }();
  return table;
}

}  // namespace siliconsim::kernel
#endif
