#include "sim/weights.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "common/diagnostics.h"
#include "common/text.h"
#include "model/mlx_quant.h"

namespace siliconsim::sim {
namespace {

TensorRole RoleOf(const TensorInfo& t, bool tied) {
  if (t.name == "token_embd.weight") return tied ? TensorRole::kLmHead : TensorRole::kTokenEmbedding;
  if (t.name == "output.weight") return TensorRole::kLmHead;
  if (t.experts > 0) return TensorRole::kRoutedExperts;
  if (t.n_dims == 1 || t.ne[0] == 1 || t.ne[1] == 1) return TensorRole::kVector;
  return TensorRole::kMatrix;
}

WeightTensor Describe(const TensorInfo& t, bool tied) {
  WeightTensor w;
  w.name = t.name;
  w.layer = t.layer;
  w.role = RoleOf(t, tied);
  w.elements = t.elements();
  w.row_elements = t.ne[0];
  w.experts = t.experts;
  w.active_experts = t.active_experts;
  return w;
}

bool IsTied(const TensorInventory& tensors) {
  for (const TensorInfo& t : tensors) {
    if (t.name == "output.weight") return false;
  }
  return true;
}

void Total(WeightPlan& plan) {
  plan.total_bytes = 0;
  for (const WeightTensor& w : plan.tensors) plan.total_bytes += w.bytes;
}

}  // namespace

std::string KernelClassOf(const GgmlType& type) { return ToLower(type.name); }

std::string MlxKernelClass(MlxMode mode, int bits, MlxDtype unquantized) {
  if (mode == MlxMode::kAffine) return fmt::format("mlx-affine-{}", bits);
  if (mode == MlxMode::kMxfp4) return "mlx-mxfp4";
  return ToString(unquantized);
}

GgufModelTraits LlamaCppTraits(const ModelSpec& model) {
  // HF model_type -> llama.cpp general.architecture (convert_hf_to_gguf.py's model classes).
  static const std::map<std::string, std::string, std::less<>> kArch = {
      {"llama", "llama"},         {"mistral", "llama"},        {"mixtral", "llama"},
      {"qwen2", "qwen2"},         {"qwen3", "qwen3"},          {"qwen3_moe", "qwen3moe"},
      {"qwen3_next", "qwen3next"}, {"gemma2", "gemma2"},       {"gemma3", "gemma3"},
      {"gemma3_text", "gemma3"},  {"phi3", "phi3"},            {"deepseek_v2", "deepseek2"},
      {"deepseek_v3", "deepseek2"}, {"gpt_oss", "gpt-oss"},    {"llama4", "llama4"}};
  GgufModelTraits traits;
  auto it = kArch.find(model.family);
  traits.arch = it != kArch.end() ? it->second : model.family;
  traits.n_layer = model.num_layers;
  traits.n_head = model.attention.num_heads;
  traits.n_head_kv = model.attention.num_kv_heads;
  traits.n_expert = model.moe ? model.moe->num_experts : 0;
  traits.size_class_70b = LlamaCppIs70BClass(traits.arch, traits.n_layer, traits.n_head, traits.n_head_kv);
  return traits;
}

WeightPlan PlanGgufWeights(const ModelSpec& model, const GgufFileType& file_type) {
  return PlanGgufWeights(model, BuildTensorInventory(model), file_type);
}

WeightPlan PlanGgufWeights(const ModelSpec& model, const TensorInventory& tensors, const GgufFileType& file_type) {
  return PlanGgufWeights(model, tensors, IndexForQuantizer(tensors), file_type);
}

WeightPlan PlanGgufWeights(const ModelSpec& model, const TensorInventory& tensors, const GgufQuantizerIndex& index,
                           const GgufFileType& file_type) {
  GgufQuantizeOptions options;
  options.explain = false;  // types and bytes only
  const GgufMixture mixture = AssignGgufTypes(file_type, tensors, index, LlamaCppTraits(model), options);
  const bool tied = !index.has_output;
  WeightPlan plan;
  plan.tensors.reserve(tensors.size());
  plan.description = fmt::format("{} (llama.cpp quantizer rules)", file_type.name);
  std::vector<std::pair<int, std::string>> classes;  // ggml type id -> kernel class, named once
  for (size_t i = 0; i < tensors.size(); ++i) {
    WeightTensor w = Describe(tensors[i], tied);
    w.bytes = mixture.tensors[i].bytes;
    const GgmlType& type = mixture.tensors[i].type;
    auto known = std::find_if(classes.begin(), classes.end(), [&](const auto& c) { return c.first == type.id; });
    if (known == classes.end()) known = classes.emplace(classes.end(), type.id, KernelClassOf(type));
    w.kernel_class = known->second;
    plan.tensors.push_back(std::move(w));
  }
  Total(plan);
  return plan;
}

WeightPlan PlanMlxWeights(const ModelSpec& model, const MlxQuant& quant) {
  return PlanMlxWeights(BuildTensorInventory(model), quant);
}

WeightPlan PlanMlxWeights(const TensorInventory& tensors, const MlxQuant& quant) {
  const MlxSizing sizing = SizeMlxWeights(quant, tensors, /*explain=*/false);
  const bool tied = IsTied(tensors);
  WeightPlan plan;
  plan.description = quant.id;
  plan.tensors.reserve(tensors.size());
  // A recipe uses two or three kernel classes: name each once, not once per tensor.
  std::vector<std::pair<std::pair<MlxMode, int>, std::string>> classes;
  const auto class_of = [&](const MlxTensorChoice& c) -> const std::string& {
    const std::pair<MlxMode, int> key = c.quantized ? std::pair{c.mode, c.bits} : std::pair{MlxMode::kNone, 0};
    for (const auto& [k, name] : classes) {
      if (k == key) return name;
    }
    classes.emplace_back(key, c.quantized ? MlxKernelClass(c.mode, c.bits, quant.unquantized_dtype.value)
                                          : std::string(ToString(quant.unquantized_dtype.value)));
    return classes.back().second;
  };
  for (size_t i = 0; i < tensors.size(); ++i) {
    const MlxTensorChoice& c = sizing.tensors[i];
    if (!c.stored) continue;
    WeightTensor w = Describe(tensors[i], tied);
    w.bytes = c.bytes;
    w.kernel_class = class_of(c);
    plan.tensors.push_back(std::move(w));
  }
  Total(plan);
  return plan;
}

WeightPlan PlanUniformWeights(const ModelSpec& model, const GgmlType& type) {
  const TensorInventory tensors = BuildTensorInventory(model);
  const bool tied = IsTied(tensors);
  const GgmlType f32 = *GgmlTypeByName("F32");
  WeightPlan plan;
  plan.description = fmt::format("every matrix in {}", type.name);
  for (const TensorInfo& t : tensors) {
    WeightTensor w = Describe(t, tied);
    const GgmlType& chosen = w.role == TensorRole::kVector ? f32 : type;
    const std::optional<int64_t> bytes = GgmlTensorBytes(chosen, t.ne[0], t.elements());
    if (!bytes) {
      throw UsageError(fmt::format("{}: a row of {} elements is not a whole number of {} blocks of {}", t.name,
                                   t.ne[0], chosen.name, chosen.block_elements));
    }
    w.bytes = *bytes;
    w.kernel_class = KernelClassOf(chosen);
    plan.tensors.push_back(std::move(w));
  }
  Total(plan);
  return plan;
}

WeightPlan PlanImportedWeights(const ModelSpec& model, const ImportedWeights& imported, const std::string& description) {
  const TensorInventory tensors = BuildTensorInventory(model);
  const bool tied = IsTied(tensors);
  std::map<std::string, const ImportedTensor*, std::less<>> by_name;
  for (const ImportedTensor& t : imported.tensors) by_name.emplace(t.name, &t);
  WeightPlan plan;
  plan.description = description;
  std::vector<std::string> missing;
  for (const TensorInfo& t : tensors) {
    auto it = by_name.find(t.name);
    if (it == by_name.end()) {
      if (t.name.ends_with("rope_freqs.weight")) continue;  // some converters compute it instead
      missing.push_back(t.name);
      continue;
    }
    WeightTensor w = Describe(t, tied);
    w.bytes = it->second->bytes;
    w.kernel_class = KernelClassOf(it->second->type);
    plan.tensors.push_back(std::move(w));
  }
  if (!missing.empty()) {
    if (missing.size() > 5) missing.resize(5);
    throw UsageError(fmt::format("{}: the file lacks tensors the model needs ({}...)", description, Join(missing, ", ")));
  }
  Total(plan);
  return plan;
}

}  // namespace siliconsim::sim
