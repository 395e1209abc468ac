#pragma once
// The quant database: built-in quants plus overlays, and how users name a quantization.
// GGUF file types are named as llama-quantize spells them (`Q4_K_M`, `q4_k_m`, `Q8_0`, `F16`,
// `IQ2_M`, `mxfp4`); MLX recipes carry an `mlx-` prefix (`mlx-4bit`, `mlx-8bit`,
// `mlx-4bit-g32`, `mlx-mxfp4`). KV-cache types have their own names (`f16`, `q8_0`, `mlx-8bit`).

#include <string>
#include <string_view>
#include <vector>

#include "common/data_sources.h"
#include "common/diagnostics.h"
#include "model/quant_loader.h"
#include "model/quant_spec.h"

namespace siliconsim {

/// What `--quant` names: a llama.cpp file type or an MLX recipe (pointers into the database).
struct QuantChoice {
  QuantFormat format = QuantFormat::kGguf;
  const GgufFileType* gguf = nullptr;  ///< set for kGguf
  const MlxQuant* mlx = nullptr;       ///< set for kMlx

  const std::string& id() const { return gguf ? gguf->id : mlx->id; }
  const std::string& name() const { return gguf ? gguf->name : mlx->name; }
};

/// Every known quantization, in database order (by file, then by entry).
class QuantDatabase {
 public:
  /// Loads `quants/*.yaml` from every layer; an overlay entry replaces the built-in one with
  /// the same id (whole, keeping its place). Throws InputError on the first bad entry.
  static QuantDatabase Load(const DataSources& sources);

  /// A database of the given entries (tests, tools).
  explicit QuantDatabase(QuantTables tables, Warnings warnings = {});

  const std::vector<GgufFileType>& gguf_file_types() const { return tables_.gguf_file_types; }
  const std::vector<MlxQuant>& mlx_quants() const { return tables_.mlx_quants; }
  const std::vector<KvCacheType>& kv_cache_types() const { return tables_.kv_cache_types; }
  const Warnings& warnings() const { return warnings_; }

  /// The quantizations a user's words could mean: an id or alias in any case, with `_`, `-`
  /// and spaces ignored (`Q4_K_M`, `q4km`, `mlx 4bit`), or a `LLAMA_FTYPE_MOSTLY_*` name.
  std::vector<QuantChoice> Match(std::string_view query) const;

  /// Exactly one quantization, or a UsageError that lists the candidates of an ambiguous
  /// name or suggests the nearest name for an unknown one.
  QuantChoice Resolve(std::string_view query) const;

  /// A KV-cache type by id or alias (`f16`, `q8_0`, `mlx-4bit`), or a UsageError with a suggestion.
  const KvCacheType& ResolveKvCache(std::string_view query) const;

  /// The file type with this llama_ftype number (GGUF import reads general.file_type), if any.
  const GgufFileType* FindByFtype(int ftype) const;

 private:
  QuantTables tables_;
  Warnings warnings_;
};

}  // namespace siliconsim
