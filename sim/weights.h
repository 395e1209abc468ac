#pragma once
// The weight plan: every tensor of a model with the bytes it occupies and the kernel class that
// reads it, under a GGUF file type (llama.cpp's per-tensor rules), an MLX recipe, one uniform
// ggml type (the reference kernel), or the exact types an imported GGUF file recorded.

#include <cstdint>
#include <string>
#include <vector>

#include "model/ggml_types.h"
#include "model/gguf_mixture.h"
#include "model/gguf_model.h"
#include "model/model_spec.h"
#include "model/quant_spec.h"

namespace siliconsim::sim {

/// What a tensor does in the forward pass; decides how often it is read.
enum class TensorRole {
  kTokenEmbedding,  ///< one row per token (a lookup), unless tied to the LM head
  kLmHead,          ///< output projection to the vocabulary (or the tied embedding read whole)
  kMatrix,          ///< a projection every token reads whole (attention, dense FFN, shared experts, mixers)
  kRoutedExperts,   ///< stacked experts: a token reads `active_experts` of `experts`
  kVector,          ///< norms, biases, small per-head vectors: read whole, negligible work
};

/// One tensor as the simulator sees it.
struct WeightTensor {
  std::string name;
  int layer = -1;
  TensorRole role = TensorRole::kMatrix;
  int64_t elements = 0;
  int64_t row_elements = 0;   ///< ne[0]: the input width (a lookup reads one row)
  int64_t experts = 0;        ///< routed experts stacked in the tensor
  int64_t active_experts = 0;
  int64_t bytes = 0;
  std::string kernel_class;   ///< `q4_k`, `f16`, `mlx-affine-4`, `bf16` ... (EngineSpec::kernels)
};

/// Every tensor of a model with its storage.
struct WeightPlan {
  std::vector<WeightTensor> tensors;
  int64_t total_bytes = 0;
  std::string description;  ///< `Q4_K_M (llama.cpp rules)`, `mlx-4bit`, `GGUF file x.gguf`
};

/// The kernel class of a ggml type: its lower-case name (`q4_k`, `f16`, `iq4_xs`).
std::string KernelClassOf(const GgmlType& type);
/// The kernel class of an MLX tensor: `mlx-affine-<bits>`, `mlx-mxfp4` or its dtype (`bf16`).
std::string MlxKernelClass(MlxMode mode, int bits, MlxDtype unquantized);

/// The llama.cpp traits of a model (architecture name, layer and head counts) for its quantizer.
GgufModelTraits LlamaCppTraits(const ModelSpec& model);

/// Weights under a llama.cpp file type, tensor by tensor as llama-quantize assigns them.
/// `tensors` is BuildTensorInventory(model), passed in so sweeps build it once per model.
WeightPlan PlanGgufWeights(const ModelSpec& model, const TensorInventory& tensors, const GgufFileType& file_type);
/// The same with the quantizer's index of `tensors` made once (IndexForQuantizer), for callers
/// that plan several file types of one model.
WeightPlan PlanGgufWeights(const ModelSpec& model, const TensorInventory& tensors, const GgufQuantizerIndex& index,
                           const GgufFileType& file_type);
WeightPlan PlanGgufWeights(const ModelSpec& model, const GgufFileType& file_type);
/// Weights under an MLX recipe.
WeightPlan PlanMlxWeights(const TensorInventory& tensors, const MlxQuant& quant);
WeightPlan PlanMlxWeights(const ModelSpec& model, const MlxQuant& quant);
/// Every 2-D and 3-D weight in one ggml type, vectors in F32 (the reference kernel's layout).
WeightPlan PlanUniformWeights(const ModelSpec& model, const GgmlType& type);
/// Weights with the exact types an imported GGUF file stores, matched to the inventory by name.
/// Tensors the file lacks are an error listing them.
WeightPlan PlanImportedWeights(const ModelSpec& model, const ImportedWeights& imported, const std::string& description);

}  // namespace siliconsim::sim
