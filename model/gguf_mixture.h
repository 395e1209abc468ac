#pragma once
// Which ggml block type llama.cpp's quantizer gives each tensor of a model for a file type
// (Q4_K_M and friends), and what the resulting GGUF file weighs.
//
// The rules follow llama_tensor_get_type / llama_tensor_get_type_impl / tensor_type_fallback /
// tensor_allows_quantization in ggml-org/llama.cpp@007dbbf3fd17eefe9b47fee45f48f7ba5e62b714
// src/llama-quant.cpp (the older name-based chain in
// ggerganov/llama.cpp@1a9c2635b32814915b8e6a8af57cfd77606c1b23 gives the same numbers, apart
// from the differences listed in docs/quantization.md). Our own code; see docs/quantization.md.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/ggml_types.h"
#include "model/quant_spec.h"
#include "model/tensor.h"

namespace siliconsim {

/// `enum llama_ftype` values the mixture rules distinguish
/// (ggml-org/llama.cpp@3679b65db16ebaabba95a893c62eb6c4840e832c include/llama.h; 38 from later copies).
enum class LlamaFtype : int {
  kAllF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ8_0 = 7,
  kQ5_0 = 8,
  kQ5_1 = 9,
  kQ2_K = 10,
  kQ3_K_S = 11,
  kQ3_K_M = 12,
  kQ3_K_L = 13,
  kQ4_K_S = 14,
  kQ4_K_M = 15,
  kQ5_K_S = 16,
  kQ5_K_M = 17,
  kQ6_K = 18,
  kIQ2_XXS = 19,
  kIQ2_XS = 20,
  kQ2_K_S = 21,
  kIQ3_XS = 22,
  kIQ3_XXS = 23,
  kIQ1_S = 24,
  kIQ4_NL = 25,
  kIQ3_S = 26,
  kIQ3_M = 27,
  kIQ2_S = 28,
  kIQ2_M = 29,
  kIQ4_XS = 30,
  kIQ1_M = 31,
  kBF16 = 32,
  kTQ1_0 = 36,
  kTQ2_0 = 37,
  kMXFP4_MOE = 38,
};

/// The llama-quantize name of a llama_ftype value the rules know (`Q4_K_M`), if any.
std::optional<std::string_view> LlamaFtypeName(int ftype);

/// llama.cpp's use_more_bits(i, n): the first and last eighth of the layers and every third in between.
bool UseMoreBits(int i_layer, int n_layers);

/// The model facts the quantizer looks at (llama_hparams and llm_type in llama.cpp).
struct GgufModelTraits {
  std::string arch = "llama";  ///< general.architecture: `llama`, `qwen3moe`, `falcon`, ...
  int n_layer = 0;
  int n_head = 0;
  int n_head_kv = 0;
  int n_expert = 0;             ///< routed experts; 0 for dense models
  bool size_class_70b = false;  ///< llama.cpp's LLM_TYPE_70B (see LlamaCppIs70BClass)

  /// n_head / n_head_kv, as llama_hparams::n_gqa() computes it.
  int n_gqa() const { return n_head_kv > 0 ? n_head / n_head_kv : 0; }
};

/// Whether llama.cpp's loader classes the model as LLM_TYPE_70B, for the archs whose rule we
/// read: llama with 80 layers and GQA (MHA is 65B), qwen2 and deci with 80 layers.
bool LlamaCppIs70BClass(std::string_view arch, int n_layer, int n_head, int n_head_kv);

/// llama-quantize options that change the mixture.
struct GgufQuantizeOptions {
  bool imatrix = false;              ///< --imatrix given (changes IQ3_XXS, IQ4_NL/XS, Q4_0/Q5_0 rules)
  bool pure = false;                 ///< --pure: every quantizable tensor at the default type
  bool leave_output_tensor = false;  ///< --leave-output-tensor
  std::optional<GgmlType> output_tensor_type = std::nullopt;    ///< --output-tensor-type
  std::optional<GgmlType> token_embedding_type = std::nullopt;  ///< --token-embedding-type
  /// Type the converter wrote for 2-D tensors that are never quantized (F16 or BF16 outtype).
  GgmlType source_type = *GgmlTypeByName("BF16");
  /// Fill each choice's `name` and `reason`. The simulator needs only types and bytes and turns
  /// this off: formatting a reason for every tensor was a third of planning a model's weights.
  bool explain = true;
};

/// The type chosen for one tensor and why.
struct GgufTensorChoice {
  std::string name;        ///< empty unless GgufQuantizeOptions::explain
  GgmlType type;
  int64_t bytes = 0;       ///< GgmlTensorBytes, unpadded
  bool quantized = false;  ///< went through the quantizer (false: kept as the converter wrote it)
  bool fallback = false;   ///< the row length forced a different type
  std::string reason;      ///< the rule that decided, e.g. `attn_v: use_more_bits(3, 32)` (empty unless explain)
};

/// A whole model's assignment, in inventory order.
struct GgufMixture {
  std::vector<GgufTensorChoice> tensors;
  int64_t tensor_bytes = 0;          ///< sum of tensor sizes
  int64_t aligned_tensor_bytes = 0;  ///< each tensor padded to the GGUF alignment, as written
  int fallbacks = 0;                 ///< tensors whose row length forced another type
};

/// GGUF_DEFAULT_ALIGNMENT: tensor data offsets are multiples of this.
inline constexpr int64_t kGgufAlignment = 32;

/// What llama-quantize reads from the tensor names (each tensor's category, whether it may be
/// quantized, the quantizer's visiting order), worked out once per inventory. The names are the
/// same for every file type, so planning six file types of a model reads them once, not six
/// times (`fit` plans the whole database; this was a third of its planning time).
struct GgufQuantizerIndex {
  struct Entry {
    uint8_t category = 0;        ///< llama-quant.cpp's tensor_category (private enum)
    bool quantizable = false;    ///< tensor_allows_quantization, before --leave-output-tensor
    bool converter_f32 = false;  ///< the converter writes it in F32 whatever the outtype
    int block = -1;              ///< the `blk.N.` number, -1 outside the blocks
  };
  std::vector<Entry> entries;    ///< inventory order
  std::vector<uint32_t> order;   ///< inventory indices in the quantizer's order
  int n_attention_wv = 0;        ///< attn_v-like tensors (init_quantize_state_counters)
  bool has_output = false;       ///< an output.weight exists (untied LM head)
};

/// Indexes `tensors` for AssignGgufTypes.
GgufQuantizerIndex IndexForQuantizer(const TensorInventory& tensors);

/// Assigns every tensor its ggml type as llama-quantize would for `file_type`. Throws
/// UsageError when a tensor cannot be stored (a row length that no fallback fits).
GgufMixture AssignGgufTypes(const GgufFileType& file_type, const TensorInventory& tensors,
                            const GgufModelTraits& traits, const GgufQuantizeOptions& options = {});
/// The same with the index of `tensors` made beforehand (IndexForQuantizer(tensors)).
GgufMixture AssignGgufTypes(const GgufFileType& file_type, const TensorInventory& tensors,
                            const GgufQuantizerIndex& index, const GgufModelTraits& traits,
                            const GgufQuantizeOptions& options = {});

/// Bytes of a GGUF file's header: magic/version/counts, the key-value metadata (tokenizer and
/// hyperparameters) and one tensor-info record per tensor, padded to the alignment.
struct GgufMetadataEstimate {
  int64_t tensor_info_bytes = 0;  ///< exact: from the names and dimensions
  int64_t tokenizer_bytes = 0;    ///< estimated: tokens, token types, scores, merges
  int64_t other_kv_bytes = 0;     ///< estimated: hyperparameters, chat template
  int64_t total_bytes = 0;        ///< header + all of the above, padded
};

/// Estimates the header of a GGUF file holding `tensors` (see docs/quantization.md for the model).
GgufMetadataEstimate EstimateGgufMetadata(const TensorInventory& tensors, const TokenizerTraits& tokenizer);

/// A predicted GGUF file.
struct GgufFileEstimate {
  int64_t tensor_data_bytes = 0;  ///< aligned tensor data
  int64_t metadata_bytes = 0;     ///< header estimate
  int64_t file_bytes = 0;
};

/// File size = header estimate + tensor data with each tensor padded to 32 bytes.
GgufFileEstimate EstimateGgufFile(const GgufMixture& mixture, const TensorInventory& tensors,
                                  const TokenizerTraits& tokenizer);

}  // namespace siliconsim
