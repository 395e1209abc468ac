#pragma once
// Test-only GGUF writer: builds the bytes of a GGUF file from a description, so the reader's
// tests can make a valid file and then break it in exactly one place. Independent of the reader
// (its own type numbers and block sizes), so a round trip checks one against the other.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace siliconsim::gguf_test {

// GGUF metadata value type ids (ggml docs/gguf.md).
inline constexpr uint32_t kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7, kString = 8,
                          kArray = 9, kU64 = 10, kI64 = 11, kF64 = 12;

// ggml type ids of the tensor types the writer can size by itself.
inline constexpr uint32_t kTypeF32 = 0, kTypeF16 = 1, kTypeQ4_0 = 2, kTypeQ8_0 = 8, kTypeQ4_K = 12, kTypeMXFP4 = 39;

/// Appends little-endian values to a byte vector.
struct ByteWriter {
  std::vector<uint8_t> data;

  /// The low `n` bytes of `v`, least significant first.
  ByteWriter& Le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) data.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  ByteWriter& U8(uint8_t v) { return Le(v, 1); }
  ByteWriter& U16(uint16_t v) { return Le(v, 2); }
  ByteWriter& U32(uint32_t v) { return Le(v, 4); }
  ByteWriter& U64(uint64_t v) { return Le(v, 8); }
  /// A GGUF string: uint64 length, then the bytes (no NUL).
  ByteWriter& Str(std::string_view s) {
    U64(s.size());
    data.insert(data.end(), s.begin(), s.end());
    return *this;
  }
  ByteWriter& Raw(const std::vector<uint8_t>& bytes) {
    data.insert(data.end(), bytes.begin(), bytes.end());
    return *this;
  }
};

/// A metadata value as written: its type id and its encoding without the type id (for an array:
/// element type, count, elements).
struct Value {
  uint32_t type = kU8;
  std::vector<uint8_t> payload;
};

inline Value Scalar(uint32_t type, uint64_t bits, int n) { return {type, ByteWriter{}.Le(bits, n).data}; }
inline Value U8(uint8_t v) { return Scalar(kU8, v, 1); }
inline Value I8(int8_t v) { return Scalar(kI8, static_cast<uint8_t>(v), 1); }
inline Value U16(uint16_t v) { return Scalar(kU16, v, 2); }
inline Value I16(int16_t v) { return Scalar(kI16, static_cast<uint16_t>(v), 2); }
inline Value U32(uint32_t v) { return Scalar(kU32, v, 4); }
inline Value I32(int32_t v) { return Scalar(kI32, static_cast<uint32_t>(v), 4); }
inline Value U64(uint64_t v) { return Scalar(kU64, v, 8); }
inline Value I64(int64_t v) { return Scalar(kI64, static_cast<uint64_t>(v), 8); }
inline Value F32(float v) { return Scalar(kF32, std::bit_cast<uint32_t>(v), 4); }
inline Value F64(double v) { return Scalar(kF64, std::bit_cast<uint64_t>(v), 8); }
inline Value Bool(bool v) { return Scalar(kBool, v ? 1 : 0, 1); }
inline Value Str(std::string_view s) { return {kString, ByteWriter{}.Str(s).data}; }
/// Any type id with any payload, for hostile files.
inline Value Raw(uint32_t type, std::vector<uint8_t> payload) { return {type, std::move(payload)}; }

/// An array; every element must have type `element_type` (its type id is not written per element).
inline Value Array(uint32_t element_type, const std::vector<Value>& elements) {
  ByteWriter w;
  w.U32(element_type).U64(elements.size());
  for (const Value& e : elements) w.Raw(e.payload);
  return {kArray, std::move(w.data)};
}

inline Value StringArray(const std::vector<std::string>& strings) {
  ByteWriter w;
  w.U32(kString).U64(strings.size());
  for (const std::string& s : strings) w.Str(s);
  return {kArray, std::move(w.data)};
}

/// An array header claiming `count` elements followed by `elements` as given (maybe too few).
inline Value RawArray(uint32_t element_type, uint64_t count, const std::vector<uint8_t>& elements = {}) {
  ByteWriter w;
  w.U32(element_type).U64(count).Raw(elements);
  return {kArray, std::move(w.data)};
}

/// One tensor info; its data is written as zeros.
struct Tensor {
  Tensor(std::string n, std::vector<uint64_t> d, uint32_t type = kTypeF32, std::optional<uint64_t> at = std::nullopt,
         std::optional<uint64_t> size = std::nullopt)
      : name(std::move(n)), dims(std::move(d)), type_id(type), offset(at), data_bytes(size) {}

  std::string name;
  std::vector<uint64_t> dims;
  uint32_t type_id = kTypeF32;
  std::optional<uint64_t> offset;      ///< default: after the previous tensor, aligned
  std::optional<uint64_t> data_bytes;  ///< default: computed for the types above, else 0
};

/// Bytes of a tensor of a type the writer knows (block sizes from ggml-common.h), else 0.
inline uint64_t TensorDataBytes(uint32_t type_id, const std::vector<uint64_t>& dims) {
  struct Block {
    uint32_t id;
    uint64_t elements, bytes;
  };
  constexpr Block kBlocks[] = {{kTypeF32, 1, 4},    {kTypeF16, 1, 2},      {kTypeQ4_0, 32, 18},
                               {kTypeQ8_0, 32, 34}, {kTypeQ4_K, 256, 144}, {kTypeMXFP4, 32, 17}};
  for (const Block& block : kBlocks) {
    if (block.id != type_id) continue;
    uint64_t elements = 1;
    for (uint64_t d : dims) elements *= d;
    return elements / block.elements * block.bytes;
  }
  return 0;
}

/// A whole file. Counts default to the true ones; the layout alignment is the u32
/// `general.alignment` in `metadata` when present, else 32.
struct Spec {
  uint32_t magic = 0x46554747;  // "GGUF"
  uint32_t version = 3;
  std::optional<uint64_t> tensor_count;
  std::optional<uint64_t> metadata_count;
  std::vector<std::pair<std::string, Value>> metadata;
  std::vector<Tensor> tensors;
  bool write_data = true;  ///< false: the file ends right after the tensor infos
};

/// The bytes and where things landed in them.
struct Built {
  std::vector<uint8_t> bytes;
  uint64_t alignment = 32;
  uint64_t header_end = 0;               ///< end of the tensor infos
  uint64_t data_offset = 0;              ///< header_end rounded up to the alignment
  std::vector<uint64_t> kv_at;           ///< byte where each metadata pair starts
  std::vector<uint64_t> tensor_info_at;  ///< byte where each tensor info starts
  std::vector<uint64_t> tensor_offsets;  ///< as written, relative to data_offset
  std::vector<uint64_t> tensor_bytes;    ///< data bytes of each tensor
};

/// Lays out and writes `spec`. Tensor data is not padded after the last tensor, so every proper
/// prefix of a file with tensor data is missing some of it.
inline Built Build(const Spec& spec) {
  Built b;
  for (const auto& [key, value] : spec.metadata) {
    if (key == "general.alignment" && value.type == kU32 && value.payload.size() == 4) {
      uint64_t a = 0;
      for (int i = 0; i < 4; ++i) a |= static_cast<uint64_t>(value.payload[static_cast<size_t>(i)]) << (8 * i);
      if (a != 0 && (a & (a - 1)) == 0) b.alignment = a;
    }
  }
  ByteWriter w;
  w.U32(spec.magic).U32(spec.version);
  w.U64(spec.tensor_count.value_or(spec.tensors.size()));
  w.U64(spec.metadata_count.value_or(spec.metadata.size()));
  for (const auto& [key, value] : spec.metadata) {
    b.kv_at.push_back(w.data.size());
    w.Str(key).U32(value.type).Raw(value.payload);
  }
  uint64_t next = 0, data_end = 0;
  for (const Tensor& t : spec.tensors) {
    const uint64_t bytes = t.data_bytes.value_or(TensorDataBytes(t.type_id, t.dims));
    const uint64_t offset = t.offset.value_or((next + b.alignment - 1) / b.alignment * b.alignment);
    b.tensor_info_at.push_back(w.data.size());
    w.Str(t.name).U32(static_cast<uint32_t>(t.dims.size()));
    for (uint64_t d : t.dims) w.U64(d);
    w.U32(t.type_id).U64(offset);
    b.tensor_offsets.push_back(offset);
    b.tensor_bytes.push_back(bytes);
    next = offset + bytes;
    data_end = std::max(data_end, next);
  }
  b.header_end = w.data.size();
  b.data_offset = (b.header_end + b.alignment - 1) / b.alignment * b.alignment;
  if (spec.write_data && !spec.tensors.empty()) w.data.resize(b.data_offset + data_end, 0);
  b.bytes = std::move(w.data);
  return b;
}

}  // namespace siliconsim::gguf_test
