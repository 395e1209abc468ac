#pragma once
// Reads quant YAML (data/quants/*.yaml) into GgufFileType / MlxQuant / KvCacheType, strictly:
// see common/strict_yaml.h. Block geometry is checked against model/ggml_types.h, llama_ftype
// numbers against the names the mixture rules know (model/gguf_mixture.h).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostics.h"
#include "model/quant_spec.h"

namespace siliconsim {

/// The quant file format this build reads.
inline constexpr int kQuantSchemaVersion = 1;

/// The entries of one quant file (or of a whole database), in file order.
struct QuantTables {
  std::vector<GgufFileType> gguf_file_types;
  std::vector<MlxQuant> mlx_quants;
  std::vector<KvCacheType> kv_cache_types;
};

/// State shared by the files of one data layer: ids seen so far and warnings. GGUF file types
/// and MLX quants share one id space (both are what `--quant` names); KV types have their own.
struct QuantLoadContext {
  std::map<std::string, SourceLocation> quant_ids;  ///< id -> where it was first defined
  std::map<std::string, SourceLocation> kv_ids;
  Warnings warnings;
};

/// Parses one quant file. Throws InputError on the first problem.
QuantTables LoadQuantsFromString(std::string_view text, const std::string& name, QuantLoadContext& context);

/// Same, for tests and one-off use: a fresh context, warnings discarded unless asked for.
QuantTables LoadQuantsFromString(std::string_view text, const std::string& name = "input",
                                 Warnings* warnings = nullptr);

}  // namespace siliconsim
