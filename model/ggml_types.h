#pragma once
// ggml tensor element types as stored in GGUF files: id, name and block geometry. Facts from
// ggml's ggml-common.h block structs and ggml.h enum (see docs/research/quantization.md §1).

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace siliconsim {

/// One ggml element type: `block_elements` weights are stored in `block_bytes` bytes.
struct GgmlType {
  int id;                  ///< enum ggml_type value written in GGUF tensor infos
  std::string_view name;   ///< `Q4_K`, `F16`, ...
  int block_elements;      ///< weights per block (1 for F32/F16/BF16)
  int block_bytes;         ///< bytes per block
  /// Bits per weight including the per-block scales.
  double bits_per_weight() const { return 8.0 * block_bytes / block_elements; }

  bool operator==(const GgmlType&) const = default;
};

/// Every type that can appear in a GGUF file today.
std::span<const GgmlType> GgmlTypes();

/// The type with this id, if known.
std::optional<GgmlType> GgmlTypeById(int id);

/// The type with this name (case-insensitive: `q4_k` finds Q4_K), if known.
std::optional<GgmlType> GgmlTypeByName(std::string_view name);

/// Bytes of a tensor of `elements` weights whose rows are `row_elements` long, or nothing
/// if rows are not a whole number of blocks (ggml cannot store that).
std::optional<int64_t> GgmlTensorBytes(const GgmlType& type, int64_t row_elements, int64_t elements);

}  // namespace siliconsim
