// Portable kernels: the reference semantics every SIMD level reproduces (up to the order of
// float additions), and the fallback on CPUs without AVX2 or NEON.

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernel/formats.h"
#include "kernel/kernels.h"

namespace siliconsim::kernel {
namespace {

float LoadHalf(const uint8_t* at) {
  uint16_t bits;
  std::memcpy(&bits, at, 2);
  return Fp16ToFp32(bits);
}

void MatmulF32(const MatmulArgs& a, int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* row = a.w + r * a.row_bytes;
    for (int64_t t = 0; t < a.n_tokens; ++t) {
      const float* x = a.x + t * a.k;
      float acc = 0;
      for (int64_t i = 0; i < a.k; ++i) {
        float w;
        std::memcpy(&w, row + 4 * i, 4);
        acc += w * x[i];
      }
      a.out[t * a.out_stride + r] = acc;
    }
  }
}

void MatmulF16(const MatmulArgs& a, int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* row = a.w + r * a.row_bytes;
    for (int64_t t = 0; t < a.n_tokens; ++t) {
      const float* x = a.x + t * a.k;
      float acc = 0;
      for (int64_t i = 0; i < a.k; ++i) acc += LoadHalf(row + 2 * i) * x[i];
      a.out[t * a.out_stride + r] = acc;
    }
  }
}

void MatmulQ8_0(const MatmulArgs& a, int64_t r0, int64_t r1) {
  const int64_t blocks = a.k / kQuantBlockElements;
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* row = a.w + r * a.row_bytes;
    for (int64_t t = 0; t < a.n_tokens; ++t) {
      float acc = 0;
      for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t* blk = row + b * kQ8_0BlockBytes;
        const int8_t* xq = a.xq.q + (t * blocks + b) * kQuantBlockElements;
        int32_t dot = 0;
        for (int j = 0; j < kQuantBlockElements; ++j) {
          int8_t w;
          std::memcpy(&w, blk + 2 + j, 1);
          dot += int32_t{w} * xq[j];
        }
        acc += LoadHalf(blk) * a.xq.d[t * blocks + b] * static_cast<float>(dot);
      }
      a.out[t * a.out_stride + r] = acc;
    }
  }
}

void MatmulQ4_0(const MatmulArgs& a, int64_t r0, int64_t r1) {
  const int64_t blocks = a.k / kQuantBlockElements;
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* row = a.w + r * a.row_bytes;
    for (int64_t t = 0; t < a.n_tokens; ++t) {
      float acc = 0;
      for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t* blk = row + b * kQ4_0BlockBytes;
        const int8_t* xq = a.xq.q + (t * blocks + b) * kQuantBlockElements;
        int32_t dot = -8 * a.xq.sum[t * blocks + b];
        for (int j = 0; j < kQuantBlockElements / 2; ++j) {
          dot += int32_t{blk[2 + j] & 0x0f} * xq[j] + int32_t{blk[2 + j] >> 4} * xq[j + 16];
        }
        acc += LoadHalf(blk) * a.xq.d[t * blocks + b] * static_cast<float>(dot);
      }
      a.out[t * a.out_stride + r] = acc;
    }
  }
}

void QuantizeRowQ8(const float* x, int64_t k, int8_t* q, float* d, int32_t* sum) {
  for (int64_t b = 0; b < k / kQuantBlockElements; ++b) {
    const float* v = x + b * kQuantBlockElements;
    float amax = 0;
    for (int j = 0; j < kQuantBlockElements; ++j) amax = std::max(amax, std::fabs(v[j]));
    const float scale = amax / 127.0f;
    const float inverse = scale != 0 ? 1.0f / scale : 0.0f;
    int32_t s = 0;
    for (int j = 0; j < kQuantBlockElements; ++j) {
      const float scaled = v[j] * inverse;
      const auto value = static_cast<int32_t>(std::nearbyint(scaled));
      q[b * kQuantBlockElements + j] = static_cast<int8_t>(value);
      s += value;
    }
    d[b] = scale;
    sum[b] = s;
  }
}

void Fp32ToFp16Row(const float* x, uint16_t* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = Fp32ToFp16(x[i]);
}

void Fp16ToFp32Row(const uint16_t* x, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = Fp16ToFp32(x[i]);
}

void AttentionScores(const float* q, const uint16_t* k, int64_t stride, int64_t n_pos, int head_dim, float scale,
                     float* scores) {
  for (int64_t j = 0; j < n_pos; ++j) {
    const uint16_t* key = k + j * stride;
    float acc = 0;
    for (int i = 0; i < head_dim; ++i) acc += q[i] * Fp16ToFp32(key[i]);
    scores[j] = acc * scale;
  }
}

float SoftmaxExp(float* scores, int64_t n) {
  float max = -INFINITY;
  for (int64_t j = 0; j < n; ++j) max = std::max(max, scores[j]);
  float sum = 0;
  for (int64_t j = 0; j < n; ++j) {
    scores[j] = std::exp(scores[j] - max);
    sum += scores[j];
  }
  return sum;
}

void AttentionValues(const float* p, const uint16_t* v, int64_t stride, int64_t n_pos, int head_dim, float* out) {
  std::fill(out, out + head_dim, 0.0f);
  for (int64_t j = 0; j < n_pos; ++j) {
    const uint16_t* value = v + j * stride;
    for (int i = 0; i < head_dim; ++i) out[i] += p[j] * Fp16ToFp32(value[i]);
  }
}

void SiluMul(float* gate, const float* up, int64_t n) {
  for (int64_t i = 0; i < n; ++i) gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

}  // namespace

const KernelTable& ScalarKernels() {
  static const KernelTable table = {SimdLevel::kScalar, "scalar", MatmulF32, MatmulF16, MatmulQ8_0, MatmulQ4_0,
                                    QuantizeRowQ8, Fp32ToFp16Row, Fp16ToFp32Row, AttentionScores, SoftmaxExp,
                                    AttentionValues, SiluMul};
  return table;
}

}  // namespace siliconsim::kernel
