#include "model/mlx_quant.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "model/gguf_mixture.h"

namespace siliconsim {
namespace {

bool Contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

int NDims(const TensorInfo& t) {
  for (int i = 3; i >= 1; --i) {
    if (t.ne[static_cast<size_t>(i)] != 1) return i + 1;
  }
  return 1;
}

std::optional<int> BlockIndex(const std::string& name) {
  if (!name.starts_with("blk.")) return std::nullopt;
  int value = 0;
  const char* begin = name.data() + 4;
  auto [ptr, ec] = std::from_chars(begin, name.data() + name.size(), value);
  if (ec != std::errc() || ptr == begin) return std::nullopt;
  return value;
}

// Modules mlx-lm turns into Quantized* (Linear, Embedding, SwitchLinear): 2-D+ weights that are
// not norms or convolutions. Norms have no to_quantized; biases stay in floating point.
bool IsQuantizableModule(const TensorInfo& t) {
  if (NDims(t) < 2 || !t.name.ends_with(".weight")) return false;
  return !Contains(t.name, "_norm") && !Contains(t.name, "conv1d") && !Contains(t.name, "shortconv");
}

struct Scheme {
  MlxMode mode;
  int bits;
  int group_size;
  std::string reason;
};

int64_t QuantizedBytes(const MlxQuant& q, const Scheme& s, int64_t elements) {
  const int64_t groups = elements / s.group_size;
  const int64_t packed = elements * s.bits / 8;
  if (s.mode == MlxMode::kMxfp4) return packed + groups * MlxDtypeBytes(MlxDtype::kE8m0);
  // Affine: a scale and a bias per group. Inside an mxfp4 model, affine overrides (the router)
  // take the model dtype for their scales, as mx.quantize does.
  const bool own = q.mode.value == MlxMode::kAffine;
  const int scale = MlxDtypeBytes(own ? q.scale_dtype.value : q.unquantized_dtype.value);
  const int bias = own && q.bias_dtype ? MlxDtypeBytes(q.bias_dtype->value) : MlxDtypeBytes(q.unquantized_dtype.value);
  return packed + groups * (scale + bias);
}

}  // namespace

double MlxQuant::bytes_per_weight(int weight_bits) const {
  if (mode.value == MlxMode::kNone || group_size.value <= 0) return MlxDtypeBytes(unquantized_dtype.value);
  const double per_group = MlxDtypeBytes(scale_dtype.value) + (bias_dtype ? MlxDtypeBytes(bias_dtype->value) : 0);
  return weight_bits / 8.0 + per_group / group_size.value;
}

MlxSizing SizeMlxWeights(const MlxQuant& quant, const TensorInventory& tensors, bool explain) {
  int n_layers = 0;
  for (const TensorInfo& t : tensors) n_layers = std::max(n_layers, BlockIndex(t.name).value_or(-1) + 1);
  const int dtype_bytes = MlxDtypeBytes(quant.unquantized_dtype.value);
  // A rule's reason, made only when asked for.
  const auto why = [explain]<typename... Args>(fmt::format_string<Args...> format, Args&&... args) {
    return explain ? fmt::format(format, std::forward<Args>(args)...) : std::string();
  };

  MlxSizing sizing;
  sizing.tensors.reserve(tensors.size());
  for (const TensorInfo& t : tensors) {
    MlxTensorChoice c;
    if (explain) c.name = t.name;
    if (t.name.starts_with("rope_freqs")) {
      c.stored = false;
      c.reason = why("GGUF-only (MLX computes the RoPE frequencies)");
      sizing.tensors.push_back(std::move(c));
      continue;
    }
    c.bits = 8 * dtype_bytes;
    c.bytes = t.elements() * dtype_bytes;
    if (quant.mode.value == MlxMode::kNone) {
      c.reason = why("unquantized model");
    } else if (!IsQuantizableModule(t)) {
      c.reason = why("norm or bias: not quantized");
    } else {
      Scheme s{quant.mode.value, quant.bits.value, quant.group_size.value, why("default")};
      if (quant.high_bits) {
        // mixed_quant_predicate_builder (mlx_lm/convert.py): the layer index is read from the
        // module path, 0 outside the layers; v_proj and down_proj get the high bits on
        // use_more_bits layers, lm_head always.
        const int i = BlockIndex(t.name).value_or(0);
        const bool more = UseMoreBits(i, n_layers);
        if ((Contains(t.name, "attn_v.") || Contains(t.name, "ffn_down")) && more) {
          s.bits = quant.high_bits->value;
          s.reason = why("use_more_bits({}, {}): {} bits", i, n_layers, s.bits);
        } else if (t.name == "output.weight") {
          s.bits = quant.high_bits->value;
          s.reason = why("lm_head: {} bits", s.bits);
        } else {
          s.reason = why("{} bits", s.bits);
        }
      } else if (quant.router_bits && Contains(t.name, "ffn_gate_inp")) {
        s = {MlxMode::kAffine, quant.router_bits->value, quant.router_group_size->value,
             why("router: affine {} bits, group {}", quant.router_bits->value, quant.router_group_size->value)};
      }
      if (t.ne[0] % s.group_size != 0) {
        c.reason = why("input width {} not a multiple of the group size {}: not quantized", t.ne[0], s.group_size);
      } else {
        c.quantized = true;
        c.mode = s.mode;
        c.bits = s.bits;
        c.group_size = s.group_size;
        c.bytes = QuantizedBytes(quant, s, t.elements());
        c.reason = std::move(s.reason);
      }
    }
    sizing.weight_bytes += c.bytes;
    sizing.stored_arrays += !c.quantized ? 1 : c.mode == MlxMode::kMxfp4 ? 2 : 3;
    sizing.tensors.push_back(std::move(c));
  }
  return sizing;
}

namespace {
// One safetensors header record: "model.layers.12.self_attn.q_proj.scales":{"dtype":"BF16",
// "shape":[4096,64],"data_offsets":[123456789,123987654]}, about 120 bytes.
constexpr int64_t kSafetensorsRecordBytes = 120;
// tokenizer.json as the tokenizers library writes it (2-space indent): a vocab entry
// `    "Ġthe": 279,` is the token (9 bytes on average, as in GGUF) plus ~16 bytes; a merge in
// the current format, a two-element list on four lines, is the token plus ~40 bytes.
constexpr int64_t kMeanTokenBytes = 9;
constexpr int64_t kVocabEntryOverhead = 16;
constexpr int64_t kMergeEntryOverhead = 40;
// config.json, tokenizer_config.json (with its chat template), special_tokens_map.json,
// generation_config.json, model.safetensors.index.json and the model card.
constexpr int64_t kOtherFilesBytes = 64 * 1024;
}  // namespace

MlxRepoEstimate EstimateMlxRepo(const MlxSizing& sizing, const TokenizerTraits& tokenizer) {
  MlxRepoEstimate e;
  e.weight_bytes = sizing.weight_bytes;
  e.safetensors_header_bytes = sizing.stored_arrays * kSafetensorsRecordBytes;
  const int64_t merges =
      tokenizer.sentencepiece ? 0 : tokenizer.merges.value_or(std::max<int64_t>(0, tokenizer.vocab_size - 256));
  e.tokenizer_bytes =
      tokenizer.vocab_size * (kMeanTokenBytes + kVocabEntryOverhead) + merges * (kMeanTokenBytes + kMergeEntryOverhead);
  e.other_files_bytes = kOtherFilesBytes;
  e.total_bytes = e.weight_bytes + e.safetensors_header_bytes + e.tokenizer_bytes + e.other_files_bytes;
  return e;
}

}  // namespace siliconsim
