#pragma once
// Weight matrices in GGUF block layouts and the threaded matmul over them: GEMV for one token
// (decode), GEMM over a chunk of tokens (prefill). Quantized weights take activations that are
// quantized once per matmul input to Q8 blocks; float weights take float activations.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "kernel/formats.h"
#include "kernel/kernels.h"
#include "kernel/thread_pool.h"

namespace siliconsim::kernel {

/// An owning, 64-byte aligned, uninitialized byte buffer (first touched by whoever fills it).
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(int64_t bytes);
  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  int64_t size_bytes() const { return bytes_; }

 private:
  struct Free {
    void operator()(uint8_t* p) const;
  };
  std::unique_ptr<uint8_t, Free> data_;
  int64_t bytes_ = 0;
};

/// A `rows` x `cols` matrix (ggml: ne[1] x ne[0]) stored row by row in `format`.
struct WeightMatrix {
  WeightFormat format = WeightFormat::kF32;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t row_bytes = 0;
  AlignedBuffer data;

  int64_t bytes() const { return rows * row_bytes; }
  const uint8_t* row(int64_t r) const { return data.data() + r * row_bytes; }
};

/// Encodes row-major floats (rows x cols) with QuantizeRow.
WeightMatrix QuantizeMatrix(WeightFormat format, int64_t rows, int64_t cols, std::span<const float> values);
/// Deterministic pseudo-random weights in [-scale, scale], written directly in `format` by every
/// thread of `pool`: a counter-based hash of (seed, stream, position), so the same arguments give
/// the same bytes whatever the thread count. Block scales vary over [scale/2, scale] per block.
WeightMatrix SyntheticMatrix(WeightFormat format, int64_t rows, int64_t cols, float scale, uint64_t seed,
                             uint64_t stream, ThreadPool& pool);
/// Row `r` as floats (cols of them).
void DequantizeMatrixRow(const WeightMatrix& w, int64_t r, float* out);
/// The whole matrix as row-major floats.
std::vector<float> DequantizeMatrix(const WeightMatrix& w);

/// splitmix64's finalizer: the counter-based hash behind SyntheticMatrix and the synthetic prompts.
uint64_t HashMix(uint64_t value);

/// The activations of one or more tokens, prepared once for every matmul that reads them.
class MatmulInput {
 public:
  /// Points at `x` ([n_tokens][k] floats, which must outlive the matmuls) and, when
  /// `quantize` (quantized weights will read it), quantizes each row to Q8 blocks.
  void Prepare(const KernelTable& kernels, ThreadPool& pool, const float* x, int64_t n_tokens, int64_t k,
               bool quantize);

  const float* x() const { return x_; }
  int64_t n_tokens() const { return n_tokens_; }
  int64_t k() const { return k_; }
  bool quantized() const { return quantized_; }
  Q8Rows q8() const { return {q_.data(), d_.data(), sum_.data()}; }

 private:
  const float* x_ = nullptr;
  int64_t n_tokens_ = 0;
  int64_t k_ = 0;
  bool quantized_ = false;
  std::vector<int8_t> q_;
  std::vector<float> d_;
  std::vector<int32_t> sum_;
};

/// out[t * w.rows + r] = dot(row r of w, token t of in) for every row and token; rows are split
/// across the pool's threads in chunks small enough to stay in L2 while every token tile reads them.
void Matmul(const KernelTable& kernels, ThreadPool& pool, const WeightMatrix& w, const MatmulInput& in, float* out);

}  // namespace siliconsim::kernel
