#pragma once
// GGUF header -> ModelSpec and the file's exact per-tensor types. Shapes come from the
// `<arch>.*` metadata as llama.cpp's loader reads them (src/llama-model.cpp load_hparams);
// options that llama.cpp infers from which tensors exist (biases, QK norms, tied embeddings,
// which layers are MoE, shared experts) are read the same way, from the tensor infos. Only the
// header is needed: the tensor data is never read.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/ggml_types.h"
#include "model/gguf_reader.h"
#include "model/model_spec.h"

namespace siliconsim {

/// `general.architecture` values ModelSpecFromGguf understands.
std::vector<std::string> SupportedGgufArchitectures();

/// Builds the architecture of the model in a GGUF file from its header. `file_name` is used in
/// errors and as the model's id and source. Throws InputError naming the missing or bad key
/// (`model.gguf: error: llama.embedding_length: missing: ...`) or the unsupported architecture.
ModelSpec ModelSpecFromGguf(const GgufHeader& header, const std::string& file_name);

/// One tensor as the file stores it.
struct ImportedTensor {
  std::string name;    ///< GGUF name, e.g. `blk.0.attn_q.weight`
  GgmlType type;       ///< the exact block type in the file
  int64_t bytes = 0;   ///< tensor data size, unpadded
};

/// The weights of a GGUF file exactly as stored: what a prediction should use instead of the
/// rule-based mixture (model/gguf_mixture.h) when the user names a GGUF file.
struct ImportedWeights {
  std::vector<ImportedTensor> tensors;  ///< in file order
  int64_t tensor_bytes = 0;             ///< sum of `bytes` (the file adds alignment padding)
};

/// The tensors of `header` with their exact types. Throws InputError naming the first tensor whose
/// type id this build does not know (its bytes cannot be computed).
ImportedWeights ImportedWeightsFromGguf(const GgufHeader& header, const std::string& file_name);

/// A model named on the command line: its architecture, and, when it came from a GGUF file, the
/// weights as stored in that file.
struct ResolvedModel {
  ModelSpec spec;
  std::optional<ImportedWeights> gguf_weights;  ///< set only for a .gguf query
};

}  // namespace siliconsim
