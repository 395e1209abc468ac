#pragma once
// The quantization database as plain data: llama.cpp file types (llama_ftype), MLX
// quantization recipes and KV-cache types. Every fact carries its source. Block geometry is
// not here: it is a format constant and lives in model/ggml_types.h. Only the loader sees YAML.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostics.h"
#include "model/ggml_types.h"

namespace siliconsim {

/// A fact from the quant database with where it came from.
template <typename T>
struct QuantFact {
  T value{};
  std::string source;    ///< citation (required by the loader)
  std::string note;      ///< caveat, optional
  SourceLocation where;  ///< the line in the data file

  bool operator==(const QuantFact&) const = default;
};

/// Which runtime a quantization belongs to.
enum class QuantFormat { kGguf, kMlx };

/// A llama.cpp file type (`enum llama_ftype`), e.g. Q4_K_M: a default ggml block type plus the
/// per-tensor mixture rules of llama-quant.cpp (model/gguf_mixture.h), which may promote some
/// tensors to other block types.
struct GgufFileType {
  std::string id;                    ///< `q4_k_m`
  std::string name;                  ///< `Q4_K_M`, as llama-quantize spells it
  std::vector<std::string> aliases;  ///< other spellings users write (`Q4_K`)
  std::string description;
  QuantFact<int> ftype;                             ///< llama_ftype value written as general.file_type
  QuantFact<GgmlType> default_type;                 ///< llama_ftype_get_default_type()
  QuantFact<std::vector<GgmlType>> promoted_types;  ///< types the mixture rules may pick instead
  QuantFact<bool> requires_imatrix;                 ///< llama-quantize refuses without --imatrix
  SourceLocation where;                             ///< the entry's `id:` line

  bool operator==(const GgufFileType&) const = default;
};

/// MLX quantization mode (`mx.quantize(mode=...)`); kNone is an unquantized 16-bit model.
enum class MlxMode { kNone, kAffine, kMxfp4 };

/// Element types of MLX scales, biases and unquantized tensors.
enum class MlxDtype { kBf16, kFp16, kFp32, kE8m0 };

/// Bytes of one element of `dtype`.
inline int MlxDtypeBytes(MlxDtype dtype) {
  switch (dtype) {
    case MlxDtype::kBf16:
    case MlxDtype::kFp16:
      return 2;
    case MlxDtype::kFp32:
      return 4;
    case MlxDtype::kE8m0:
      return 1;
  }
  return 2;
}
/// `affine`, `mxfp4`, `none`, as the YAML spells them.
inline const char* ToString(MlxMode mode) {
  return mode == MlxMode::kAffine ? "affine" : mode == MlxMode::kMxfp4 ? "mxfp4" : "none";
}
/// `bf16`, `fp16`, `fp32`, `e8m0`, as the YAML spells them.
inline const char* ToString(MlxDtype dtype) {
  switch (dtype) {
    case MlxDtype::kBf16:
      return "bf16";
    case MlxDtype::kFp16:
      return "fp16";
    case MlxDtype::kFp32:
      return "fp32";
    case MlxDtype::kE8m0:
      return "e8m0";
  }
  return "bf16";
}

/// An MLX quantization as `mlx_lm.convert` produces it: weights packed at `bits` per weight,
/// one scale (and for affine one bias) per `group_size` weights along the input dimension.
struct MlxQuant {
  std::string id;    ///< `mlx-4bit`
  std::string name;  ///< `MLX affine 4-bit, group 64`
  std::vector<std::string> aliases;
  QuantFact<MlxMode> mode;
  QuantFact<int> bits;        ///< bits per quantized weight (16 for kNone)
  QuantFact<int> group_size;  ///< weights per scale; 0 for kNone
  QuantFact<MlxDtype> scale_dtype;
  std::optional<QuantFact<MlxDtype>> bias_dtype;  ///< absent: no per-group bias (mxfp4)
  QuantFact<MlxDtype> unquantized_dtype;          ///< norms, biases, skipped layers
  std::optional<QuantFact<int>> high_bits;    ///< mixed recipes: bits of v_proj/down_proj (use_more_bits) and lm_head
  std::optional<QuantFact<int>> router_bits;  ///< MoE router (mlp.gate) override in uniform recipes
  std::optional<QuantFact<int>> router_group_size;  ///< group size of that override
  SourceLocation where;

  /// Bytes per weight of a quantized tensor: packed bits plus scale and bias per group.
  double bytes_per_weight(int weight_bits) const;

  bool operator==(const MlxQuant&) const = default;
};

/// Which engine a KV-cache type belongs to.
enum class KvEngine { kLlamaCpp, kMlx };

/// A KV-cache element type: llama.cpp's `-ctk/-ctv` types or MLX's `--kv-bits`.
struct KvCacheType {
  std::string id;  ///< `q8_0`, `mlx-8bit`
  std::string name;
  std::vector<std::string> aliases;
  KvEngine engine = KvEngine::kLlamaCpp;
  std::optional<QuantFact<GgmlType>> ggml_type;    ///< llama.cpp: the ggml type of the cache tensors
  std::optional<QuantFact<int>> bits;              ///< MLX: kv_bits
  std::optional<QuantFact<int>> group_size;        ///< MLX: kv_group_size
  std::optional<QuantFact<MlxDtype>> scale_dtype;  ///< MLX: dtype of scales and biases
  QuantFact<bool> v_requires_flash_attention;      ///< llama.cpp refuses a quantized V cache without FA
  SourceLocation where;

  /// Bytes per cached element: block geometry (llama.cpp) or bits/8 + scale and bias per group (MLX).
  double bytes_per_element() const;
  /// Elements per block or group: head dimensions must be a multiple of this.
  int block_elements() const;

  bool operator==(const KvCacheType&) const = default;
};

/// How a tokenizer is stored, for the GGUF metadata and MLX repo-file estimates.
struct TokenizerTraits {
  int64_t vocab_size = 0;         ///< tokens stored (GGUF pads to the embedding rows)
  std::optional<int64_t> merges;  ///< BPE merges; absent: vocab_size - 256 for BPE
  bool sentencepiece = false;     ///< SPM vocab: per-token scores, no merges

  bool operator==(const TokenizerTraits&) const = default;
};

}  // namespace siliconsim
