#pragma once
// A GGUF header reader that treats the file as hostile: it reads the header, the metadata and
// the tensor infos (never the tensor data) through a bounds-checked cursor, checks every count
// and length against the bytes actually left before allocating anything, and reports each
// problem as an InputError naming the file, what was being read and the byte offset:
//
//   model.gguf: error: metadata[12] 'tokenizer.ggml.tokens'[7]: string length 18446744073709551615
//   exceeds the 1234 bytes left in the file (at byte 0x1a2)
//
// Format: ggml's docs/gguf.md (versions 2 and 3; version 1 used 32-bit counts and is refused).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "model/ggml_types.h"

namespace siliconsim {

/// GGUF metadata value types, numbered as in the file.
enum class GgufValueType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

/// The spec's name for a value type (`uint32`, `string`, `array`, ...).
std::string_view GgufValueTypeName(GgufValueType type);

// Limits. Each bounds what a hostile file can make the reader allocate or do; real files are
// far below them (a few hundred keys, a few thousand tensors, names under 100 bytes).

/// Most tensors a file may declare.
inline constexpr uint64_t kGgufMaxTensors = 1'000'000;
/// Most metadata key/value pairs a file may declare.
inline constexpr uint64_t kGgufMaxMetadataCount = 65'536;
/// Longest metadata key or tensor name, in bytes.
inline constexpr uint64_t kGgufMaxNameBytes = 65'536;
/// Most bytes of strings (keys, string values, stored array strings, tensor names) kept in memory.
inline constexpr uint64_t kGgufMaxKeptStringBytes = 64u << 20;
/// Deepest array nesting: an array of arrays is allowed, an array of arrays of arrays is not.
inline constexpr int kGgufMaxArrayDepth = 2;
/// Arrays of at most this many elements have their elements stored; longer ones (a tokenizer
/// vocabulary, its scores and merges) are walked, validated and counted but not kept.
inline constexpr uint64_t kGgufMaxStoredArrayElements = 64;
/// Most array elements stored over the whole file; later short arrays are only counted.
inline constexpr uint64_t kGgufMaxStoredElementsTotal = 65'536;

/// One metadata value: a scalar, or an array (its element type and count, and its elements
/// when the array is short enough to keep).
struct GgufValue {
  GgufValueType type = GgufValueType::kUint8;
  /// The scalar: unsigned types as uint64_t, signed as int64_t, f32/f64 as double, bool, string;
  /// monostate for arrays.
  std::variant<std::monostate, uint64_t, int64_t, double, bool, std::string> scalar;
  GgufValueType element_type = GgufValueType::kUint8;  ///< arrays only
  uint64_t count = 0;                                  ///< arrays only: elements in the file
  bool elements_stored = false;                        ///< arrays only: `elements` holds all `count`
  std::vector<GgufValue> elements;                     ///< arrays only, when stored

  /// True for arrays.
  bool is_array() const { return type == GgufValueType::kArray; }
  /// Any integer type whose value fits int64_t (not bool, not float).
  std::optional<int64_t> AsInt() const;
  /// f32 or f64.
  std::optional<double> AsFloat() const;
  /// bool.
  std::optional<bool> AsBool() const;
  /// string.
  std::optional<std::string> AsString() const;
};

/// One tensor info record. `type` and `bytes` are empty for type ids this build does not know.
struct GgufTensorRecord {
  std::string name;              ///< e.g. `blk.0.attn_q.weight`; unique within the file
  std::vector<int64_t> dims;     ///< ggml order: dims[0] is the row length; 1 to 4 entries, each > 0
  int type_id = 0;               ///< ggml_type as written in the file
  uint64_t offset = 0;           ///< from the start of the tensor data (`GgufHeader::data_offset`)
  std::optional<GgmlType> type;  ///< the type `type_id` names, if this build knows it
  int64_t elements = 0;          ///< product of `dims`
  std::optional<int64_t> bytes;  ///< size of the tensor data, without alignment padding
};

/// Everything in a GGUF file before the tensor data.
struct GgufHeader {
  uint32_t version = 0;                                     ///< 2 or 3
  uint64_t tensor_count = 0;                                ///< as declared; equals `tensors.size()`
  uint64_t metadata_count = 0;                              ///< as declared; equals `metadata.size()`
  uint64_t alignment = 32;                                  ///< `general.alignment`, or 32 when absent
  std::vector<std::pair<std::string, GgufValue>> metadata;  ///< in file order
  std::vector<GgufTensorRecord> tensors;                    ///< in file order
  uint64_t data_offset = 0;      ///< start of the tensor data: end of the tensor infos, aligned
  uint64_t file_size_bytes = 0;  ///< of the whole file

  /// The value stored under `key`, or null.
  const GgufValue* Find(std::string_view key) const;
  /// A string value.
  std::optional<std::string> GetString(std::string_view key) const;
  /// An integer value of any integer type that fits int64_t.
  std::optional<int64_t> GetInt(std::string_view key) const;
  /// An f32 or f64 value.
  std::optional<double> GetFloat(std::string_view key) const;
  /// A bool value.
  std::optional<bool> GetBool(std::string_view key) const;
  /// The element count of an array value (known even when its elements were not stored).
  std::optional<uint64_t> GetArrayCount(std::string_view key) const;
  /// The tensor named `name`, or null.
  const GgufTensorRecord* FindTensor(std::string_view name) const;
};

/// Reads only the header, metadata and tensor infos of a GGUF file (never the tensor data),
/// in chunks, so a multi-GB file costs a few MB of reading.
GgufHeader ReadGgufHeader(const std::string& path);

/// Same from bytes in memory (the tests and fuzzers use this); `name` is used in errors.
/// `file_size_bytes` is the buffer size unless `declared_file_size` is given (for a buffer that
/// holds only the start of a file); the header itself must lie within the buffer.
GgufHeader ParseGgufHeader(std::span<const uint8_t> bytes, const std::string& name,
                           std::optional<uint64_t> declared_file_size = std::nullopt);

}  // namespace siliconsim
