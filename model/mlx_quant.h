#pragma once
// What an MLX model weighs under a quantization recipe (mlx_lm.convert), tensor by tensor:
// quantized weights are packed at `bits` per weight with a scale (and for affine a bias) per
// group of `group_size` weights along the input dimension; everything else stays at the
// model's 16-bit dtype. Sources: docs/research/quantization.md §4 and docs/quantization.md.

#include <cstdint>
#include <string>
#include <vector>

#include "model/quant_spec.h"
#include "model/tensor.h"

namespace siliconsim {

/// How one tensor is stored.
struct MlxTensorChoice {
  std::string name;  ///< empty unless SizeMlxWeights was asked to explain
  bool stored = true;  ///< false for GGUF-only tensors MLX computes instead (rope_freqs)
  bool quantized = false;
  MlxMode mode = MlxMode::kNone;
  int bits = 16;  ///< bits per weight of the packed data (16 for unquantized bf16/fp16)
  int group_size = 0;
  int64_t bytes = 0;   ///< packed weights + scales + biases, or elements x dtype bytes
  std::string reason;  ///< e.g. `use_more_bits(3, 32): 6 bits` (empty unless asked to explain)
};

/// A whole model under one recipe, in inventory order.
struct MlxSizing {
  std::vector<MlxTensorChoice> tensors;
  int64_t weight_bytes = 0;   ///< sum over stored tensors: what the weights take in memory
  int64_t stored_arrays = 0;  ///< safetensors arrays written (weight, scales, biases)
};

/// Sizes every tensor of `tensors` under `quant`. Layer indices for mixed recipes come from the
/// `blk.N.` names; the layer count is the largest index + 1. `explain` fills each choice's `name`
/// and `reason`; the simulator needs only bits and bytes and turns it off (formatting a reason per
/// tensor was most of planning a model's MLX weights).
MlxSizing SizeMlxWeights(const MlxQuant& quant, const TensorInventory& tensors, bool explain = true);

/// A predicted Hugging Face repo as mlx_lm.convert writes it: weights, safetensors headers,
/// the tokenizer files and the small JSON/README files.
struct MlxRepoEstimate {
  int64_t weight_bytes = 0;
  int64_t safetensors_header_bytes = 0;  ///< estimated: one JSON record per stored array
  int64_t tokenizer_bytes = 0;           ///< estimated: tokenizer.json from the vocab and merges
  int64_t other_files_bytes = 0;         ///< config.json, tokenizer_config.json, README.md, ...
  int64_t total_bytes = 0;
};

/// Estimates the whole repo's size (see docs/quantization.md for each term).
MlxRepoEstimate EstimateMlxRepo(const MlxSizing& sizing, const TokenizerTraits& tokenizer);

}  // namespace siliconsim
