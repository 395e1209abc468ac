#include "kernel/matmul.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "kernel/simd.h"

namespace siliconsim::kernel {

AlignedBuffer::AlignedBuffer(int64_t bytes) : bytes_(bytes) {
  if (bytes < 0) throw std::invalid_argument("kernel: negative buffer size");
  // Weight buffers of several MiB go on 2 MiB pages where the OS allows (Linux THP in madvise
  // mode): first-touching a 7 GB model one 4 KiB page at a time cost more than generating it
  // (tens of microseconds per fault in this VM), and the TLB misses would tax every GEMV.
  constexpr size_t kHugePage = size_t{2} << 20;
  const size_t alignment = bytes >= int64_t{8} << 20 ? kHugePage : 64;
  const size_t rounded = std::max<size_t>((static_cast<size_t>(bytes) + alignment - 1) / alignment * alignment, alignment);
  auto* p = static_cast<uint8_t*>(std::aligned_alloc(alignment, rounded));
  if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (alignment == kHugePage) madvise(p, rounded, MADV_HUGEPAGE);  // advisory: failure is harmless
#endif
  data_.reset(p);
}

void AlignedBuffer::Free::operator()(uint8_t* p) const { std::free(p); }

uint64_t HashMix(uint64_t z) {  // splitmix64's finalizer
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

namespace {

WeightMatrix Allocate(WeightFormat format, int64_t rows, int64_t cols) {
  if (rows <= 0 || cols <= 0) throw std::invalid_argument("kernel: a matrix needs positive dimensions");
  if (cols % kQuantBlockElements != 0) {
    throw std::invalid_argument("kernel: matrix rows must be a multiple of 32 elements long");
  }
  WeightMatrix w;
  w.format = format;
  w.rows = rows;
  w.cols = cols;
  w.row_bytes = RowBytes(format, cols);
  w.data = AlignedBuffer(w.bytes());
  return w;
}

// 24 random bits as a float in [-1, 1).
inline float Uniform(uint64_t bits24) { return static_cast<float>(bits24 & 0xffffffu) * (2.0f / 16777216.0f) - 1.0f; }

void FillSyntheticRows(WeightMatrix& w, float scale, uint64_t key, int64_t r0, int64_t r1, const KernelTable& k,
                       std::vector<float>& scratch) {
  const int64_t blocks = w.cols / kQuantBlockElements;
  for (int64_t r = r0; r < r1; ++r) {
    uint8_t* row = w.data.data() + r * w.row_bytes;
    const uint64_t row_key = key + static_cast<uint64_t>(r * w.cols);
    switch (w.format) {
      case WeightFormat::kF32:
      case WeightFormat::kF16: {
        scratch.resize(static_cast<size_t>(w.cols));
        for (int64_t i = 0; i < w.cols; i += 2) {
          const uint64_t h = HashMix(row_key + static_cast<uint64_t>(i));
          scratch[static_cast<size_t>(i)] = scale * Uniform(h);
          scratch[static_cast<size_t>(i + 1)] = scale * Uniform(h >> 32);
        }
        if (w.format == WeightFormat::kF32) {
          std::memcpy(row, scratch.data(), static_cast<size_t>(w.cols) * 4);
        } else {
          k.fp32_to_fp16(scratch.data(), reinterpret_cast<uint16_t*>(row), w.cols);
        }
        break;
      }
      case WeightFormat::kQ8_0:
      case WeightFormat::kQ4_0: {
        const bool q8 = w.format == WeightFormat::kQ8_0;
        const int block_bytes = q8 ? kQ8_0BlockBytes : kQ4_0BlockBytes;
        for (int64_t b = 0; b < blocks; ++b) {
          uint8_t* blk = row + b * block_bytes;
          const uint64_t block_key = HashMix(key ^ HashMix(static_cast<uint64_t>(r * blocks + b)));
          const float spread = 0.75f + 0.25f * Uniform(block_key >> 40);  // [0.5, 1) of the range
          const float d = scale * spread / (q8 ? 127.0f : 8.0f);
          const uint16_t d_bits = Fp32ToFp16(d);
          std::memcpy(blk, &d_bits, 2);
          const int quant_bytes = q8 ? 32 : 16;
          for (int j = 0; j < quant_bytes; j += 8) {
            uint64_t h = HashMix(block_key + static_cast<uint64_t>(j) + 1);
            if (q8) {
              // int8 in [-127, 127]: -128 is not a value ggml's quantizer writes. Bytes equal to
              // 0x80 become 0x81, eight at a time (zero-byte test on h ^ 0x80..).
              constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7full;
              const uint64_t y = h ^ 0x8080808080808080ull;
              const uint64_t zero_bytes = ~(((y & kLow7) + kLow7) | y | kLow7);
              h |= zero_bytes >> 7;
            }
            std::memcpy(blk + 2 + j, &h, 8);  // Q4_0: two uniform nibbles per byte
          }
        }
        break;
      }
    }
  }
}

}  // namespace

WeightMatrix QuantizeMatrix(WeightFormat format, int64_t rows, int64_t cols, std::span<const float> values) {
  WeightMatrix w = Allocate(format, rows, cols);
  if (static_cast<int64_t>(values.size()) != rows * cols) {
    throw std::invalid_argument("kernel: QuantizeMatrix needs rows * cols values");
  }
  for (int64_t r = 0; r < rows; ++r) {
    QuantizeRow(format, values.subspan(static_cast<size_t>(r * cols), static_cast<size_t>(cols)),
                std::span<uint8_t>(w.data.data() + r * w.row_bytes, static_cast<size_t>(w.row_bytes)));
  }
  return w;
}

WeightMatrix SyntheticMatrix(WeightFormat format, int64_t rows, int64_t cols, float scale, uint64_t seed,
                             uint64_t stream, ThreadPool& pool) {
  WeightMatrix w = Allocate(format, rows, cols);
  const uint64_t key = HashMix(seed ^ HashMix(stream + 0x5157a7e5ull));
  const KernelTable& kernels = KernelsFor(BestSimdLevel());
  const int64_t grain = std::max<int64_t>(1, (1 << 20) / std::max<int64_t>(w.row_bytes, 1));  // ~1 MiB per chunk
  pool.ParallelFor(rows, grain, [&](int64_t r0, int64_t r1, int) {
    std::vector<float> scratch;
    FillSyntheticRows(w, scale, key, r0, r1, kernels, scratch);
  });
  return w;
}

void DequantizeMatrixRow(const WeightMatrix& w, int64_t r, float* out) {
  DequantizeRow(w.format, std::span<const uint8_t>(w.row(r), static_cast<size_t>(w.row_bytes)),
                std::span<float>(out, static_cast<size_t>(w.cols)));
}

std::vector<float> DequantizeMatrix(const WeightMatrix& w) {
  std::vector<float> out(static_cast<size_t>(w.rows * w.cols));
  for (int64_t r = 0; r < w.rows; ++r) DequantizeMatrixRow(w, r, out.data() + r * w.cols);
  return out;
}

void MatmulInput::Prepare(const KernelTable& kernels, ThreadPool& pool, const float* x, int64_t n_tokens, int64_t k,
                          bool quantize) {
  if (k % kQuantBlockElements != 0) throw std::invalid_argument("kernel: activation rows must be a multiple of 32");
  x_ = x;
  n_tokens_ = n_tokens;
  k_ = k;
  quantized_ = quantize;
  if (!quantize) return;
  const int64_t blocks = k / kQuantBlockElements;
  q_.resize(static_cast<size_t>(n_tokens * k));
  d_.resize(static_cast<size_t>(n_tokens * blocks));
  sum_.resize(static_cast<size_t>(n_tokens * blocks));
  pool.ParallelFor(n_tokens, 8, [&](int64_t t0, int64_t t1, int) {
    for (int64_t t = t0; t < t1; ++t) {
      kernels.quantize_row_q8(x + t * k, k, q_.data() + t * k, d_.data() + t * blocks, sum_.data() + t * blocks);
    }
  });
}

void Matmul(const KernelTable& kernels, ThreadPool& pool, const WeightMatrix& w, const MatmulInput& in, float* out) {
  if (w.cols != in.k()) throw std::invalid_argument("kernel: matmul shapes do not match");
  MatmulFn fn = nullptr;
  switch (w.format) {
    case WeightFormat::kF32: fn = kernels.matmul_f32; break;
    case WeightFormat::kF16: fn = kernels.matmul_f16; break;
    case WeightFormat::kQ8_0: fn = kernels.matmul_q8_0; break;
    case WeightFormat::kQ4_0: fn = kernels.matmul_q4_0; break;
  }
  if (IsBlockQuantized(w.format) && !in.quantized()) {
    throw std::invalid_argument("kernel: quantized weights need quantized activations");
  }
  MatmulArgs args;
  args.w = w.data.data();
  args.row_bytes = w.row_bytes;
  args.k = w.cols;
  args.x = in.x();
  if (in.quantized()) args.xq = in.q8();
  args.n_tokens = in.n_tokens();
  args.out = out;
  args.out_stride = w.rows;
  // Decode: a few chunks per thread for balance on a shared machine. Prefill: chunks of about
  // 256 KiB of weights, which every token tile then re-reads from L2.
  const int64_t threads = pool.threads();
  int64_t grain;
  if (in.n_tokens() == 1) {
    grain = (w.rows + threads * 8 - 1) / (threads * 8);
  } else {
    grain = std::max<int64_t>(4, (256 << 10) / w.row_bytes);
    grain = std::min(grain, (w.rows + threads * 4 - 1) / (threads * 4));
  }
  grain = std::max<int64_t>(4, (grain + 3) / 4 * 4);
  pool.ParallelFor(w.rows, grain, [&](int64_t r0, int64_t r1, int) { fn(args, r0, r1); });
}

}  // namespace siliconsim::kernel
