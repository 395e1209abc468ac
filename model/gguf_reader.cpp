#include "model/gguf_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <filesystem>
#include <fstream>
#include <limits>
#include <unordered_map>

#include "common/diagnostics.h"

namespace siliconsim {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian uint32
constexpr uint32_t kMaxValueType = 12;
constexpr uint32_t kMaxDims = 4;
// Fewest bytes one record can take, used to refuse counts the file cannot hold before looping.
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;                  // empty key length, value type, a uint8
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;  // name length, n_dims, one dim, type, offset
constexpr size_t kFileChunkBytes = 1u << 20;

// Bytes of one element of a fixed-size type; 0 for string and array.
uint64_t FixedSize(GgufValueType t) {
  switch (t) {
    case GgufValueType::kUint8:
    case GgufValueType::kInt8:
    case GgufValueType::kBool:
      return 1;
    case GgufValueType::kUint16:
    case GgufValueType::kInt16:
      return 2;
    case GgufValueType::kUint32:
    case GgufValueType::kInt32:
    case GgufValueType::kFloat32:
      return 4;
    case GgufValueType::kUint64:
    case GgufValueType::kInt64:
    case GgufValueType::kFloat64:
      return 8;
    case GgufValueType::kString:
    case GgufValueType::kArray:
      return 0;
  }
  return 0;
}

// A name from the file as it may appear in a message: control bytes escaped (a hostile name must
// not drive the terminal) and long names cut.
std::string Printable(std::string_view s) {
  constexpr size_t kMaxShown = 80;
  std::string out;
  for (size_t i = 0; i < s.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\') {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMaxShown) out += fmt::format("... ({} bytes)", s.size());
  return out;
}

std::string Hex(uint64_t v) { return fmt::format("{:#x}", v); }

// Random access to the bytes of the file. The caller has checked that [offset, offset + n) lies
// within the readable size, so sources only ever read what exists.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Pointer to `n` bytes at `offset`, valid until the next call; `n` > 0.
  virtual const uint8_t* Fetch(uint64_t offset, size_t n) = 0;
};

class SpanSource final : public ByteSource {
 public:
  explicit SpanSource(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  const uint8_t* Fetch(uint64_t offset, size_t /*n*/) override { return bytes_.data() + offset; }

 private:
  std::span<const uint8_t> bytes_;
};

// Reads the file in chunks as the cursor moves through it; skipped spans are never read.
class FileSource final : public ByteSource {
 public:
  FileSource(std::ifstream& in, uint64_t size, const std::string& path) : in_(in), size_(size), path_(path) {}

  const uint8_t* Fetch(uint64_t offset, size_t n) override {
    if (offset >= start_ && offset - start_ <= buffer_.size() && n <= buffer_.size() - (offset - start_)) {
      return buffer_.data() + (offset - start_);
    }
    const size_t want = static_cast<size_t>(std::min<uint64_t>(std::max(n, kFileChunkBytes), size_ - offset));
    buffer_.resize(want);
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(reinterpret_cast<char*>(buffer_.data()), static_cast<std::streamsize>(want));
    if (!in_ || static_cast<size_t>(in_.gcount()) != want) {
      Diagnostic d;
      d.location.file = path_;
      d.message =
          fmt::format("cannot read {} bytes at byte {} (was the file changed while reading?)", want, Hex(offset));
      throw InputError(std::move(d));
    }
    start_ = offset;
    return buffer_.data();
  }

 private:
  std::ifstream& in_;
  uint64_t size_;
  const std::string& path_;
  std::vector<uint8_t> buffer_;
  uint64_t start_ = 0;
};

// What is being read, rendered into the diagnostic's key path only when something is wrong
// (so walking a 150,000-string vocabulary builds no strings).
struct Where {
  Where() = default;
  explicit Where(std::string b, std::string_view f = {}) : base(std::move(b)), field(f) {}

  std::string base;                // `metadata[12] 'general.name'`, `tensors[3] 'output.weight'`
  std::string_view field;          // `n_dims`, `dims`, `type`, `offset`; empty for none
  int field_index = -1;            // the `1` of `dims[1]`
  std::vector<uint64_t> elements;  // array element indices, outermost first

  std::string Render() const {
    std::string out = base;
    for (uint64_t i : elements) out += fmt::format("[{}]", i);
    if (!field.empty()) out += fmt::format(".{}", field);
    if (field_index >= 0) out += fmt::format("[{}]", field_index);
    return out;
  }
};

class Parser {
 public:
  Parser(ByteSource& source, uint64_t readable, uint64_t file_size, const std::string& name)
      : source_(source), readable_(readable), file_size_(file_size), name_(name) {
    in_what_ = readable == file_size ? std::string("the file") : fmt::format("the {} bytes given", readable);
  }

  GgufHeader Parse() {
    GgufHeader h;
    h.file_size_bytes = file_size_;
    ReadPreamble(h);
    ReadMetadata(h);
    ReadTensorInfos(h);
    where_ = Where{};
    const uint64_t header_end = pos_;
    if (header_end > std::numeric_limits<uint64_t>::max() - (h.alignment - 1)) {
      Fail(header_end, "the aligned start of the tensor data overflows 64 bits");
    }
    h.data_offset = (header_end + h.alignment - 1) / h.alignment * h.alignment;
    CheckTensorRanges(h);
    return h;
  }

 private:
  [[noreturn]] void Fail(uint64_t at, const std::string& message) const {
    Diagnostic d;
    d.location.file = name_;
    d.key_path = where_.Render();
    d.message = fmt::format("{} (at byte {})", message, Hex(at));
    throw InputError(std::move(d));
  }

  uint64_t Left() const { return readable_ - pos_; }

  void Need(uint64_t n, std::string_view what) const {
    if (n > Left()) {
      Fail(pos_, fmt::format("truncated: {} needs {} bytes but only {} are left in {}", what, n, Left(), in_what_));
    }
  }

  // Little-endian unsigned integer of `Bytes` bytes.
  template <size_t Bytes>
  uint64_t ReadUint(std::string_view what) {
    Need(Bytes, what);
    const uint8_t* p = source_.Fetch(pos_, Bytes);
    uint64_t v = 0;
    for (size_t i = 0; i < Bytes; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    pos_ += Bytes;
    return v;
  }
  uint32_t U32(std::string_view what) { return static_cast<uint32_t>(ReadUint<4>(what)); }
  uint64_t U64(std::string_view what) { return ReadUint<8>(what); }

  // Length-prefixed string: the length is checked against the bytes left, then against `max_len`,
  // then (when kept) against the in-memory budget, before anything is allocated or read.
  // `kind` names it in messages (`string`, `key`, `name`); `what` is `a <kind> length`.
  std::string ReadString(std::string_view kind, std::string_view what, uint64_t max_len, bool keep) {
    const uint64_t at = pos_;
    const uint64_t len = U64(what);
    if (len > Left()) {
      Fail(at, fmt::format("{} length {} exceeds the {} bytes left in {}", kind, len, Left(), in_what_));
    }
    if (len > max_len) Fail(at, fmt::format("{} length {} exceeds the limit of {} bytes", kind, len, max_len));
    if (!keep || len == 0) {
      pos_ += len;
      return {};
    }
    if (len > kGgufMaxKeptStringBytes - kept_string_bytes_) {
      Fail(at, fmt::format("a {}-byte {} would take the strings kept in memory past the limit of {} bytes", len, kind,
                           kGgufMaxKeptStringBytes));
    }
    kept_string_bytes_ += len;
    const size_t n = static_cast<size_t>(len);
    const uint8_t* p = source_.Fetch(pos_, n);
    pos_ += len;
    return std::string(reinterpret_cast<const char*>(p), n);
  }

  GgufValueType ReadValueType(std::string_view what) {
    const uint64_t at = pos_;
    const uint32_t t = U32(what);
    if (t > kMaxValueType) Fail(at, fmt::format("unknown {} {}; GGUF value types are 0 to {}", what, t, kMaxValueType));
    return static_cast<GgufValueType>(t);
  }

  // One value of type `type`; `depth` is the number of arrays around it. When `keep` is false the
  // value is validated and skipped.
  GgufValue ReadValue(GgufValueType type, int depth, bool keep) {
    GgufValue v;
    v.type = type;
    switch (type) {
      case GgufValueType::kUint8:
      case GgufValueType::kUint16:
      case GgufValueType::kUint32:
      case GgufValueType::kUint64: {
        const uint64_t u = ReadSized(FixedSize(type), "a value");
        if (keep) v.scalar = u;
        break;
      }
      case GgufValueType::kInt8:
      case GgufValueType::kInt16:
      case GgufValueType::kInt32:
      case GgufValueType::kInt64: {
        const uint64_t size = FixedSize(type);
        const uint64_t u = ReadSized(size, "a value");
        if (keep) v.scalar = SignExtend(u, size);
        break;
      }
      case GgufValueType::kFloat32: {
        const auto bits = static_cast<uint32_t>(ReadUint<4>("a value"));
        if (keep) v.scalar = static_cast<double>(std::bit_cast<float>(bits));
        break;
      }
      case GgufValueType::kFloat64: {
        const uint64_t bits = ReadUint<8>("a value");
        if (keep) v.scalar = std::bit_cast<double>(bits);
        break;
      }
      case GgufValueType::kBool: {
        const uint64_t at = pos_;
        const uint64_t b = ReadUint<1>("a value");
        if (b > 1) Fail(at, fmt::format("bool value {} is not 0 or 1", b));
        if (keep) v.scalar = b == 1;
        break;
      }
      case GgufValueType::kString: {
        std::string s = ReadString("string", "a string length", kGgufMaxKeptStringBytes, keep);
        if (keep) v.scalar = std::move(s);
        break;
      }
      case GgufValueType::kArray:
        ReadArray(v, depth, keep);
        break;
    }
    return v;
  }

  uint64_t ReadSized(uint64_t size, std::string_view what) {
    switch (size) {
      case 1:
        return ReadUint<1>(what);
      case 2:
        return ReadUint<2>(what);
      case 4:
        return ReadUint<4>(what);
      default:
        return ReadUint<8>(what);
    }
  }

  static int64_t SignExtend(uint64_t u, uint64_t size) {
    switch (size) {
      case 1:
        return static_cast<int8_t>(static_cast<uint8_t>(u));
      case 2:
        return static_cast<int16_t>(static_cast<uint16_t>(u));
      case 4:
        return static_cast<int32_t>(static_cast<uint32_t>(u));
      default:
        return static_cast<int64_t>(u);
    }
  }

  void ReadArray(GgufValue& v, int depth, bool keep) {
    const uint64_t type_at = pos_;
    v.element_type = ReadValueType("array element type");
    if (v.element_type == GgufValueType::kArray && depth + 2 > kGgufMaxArrayDepth) {
      Fail(type_at, fmt::format("arrays nested more than {} deep are not supported", kGgufMaxArrayDepth));
    }
    const uint64_t count_at = pos_;
    v.count = U64("an array count");
    const uint64_t fixed = FixedSize(v.element_type);
    // A string takes at least its 8-byte length, an array its 4-byte type and 8-byte count.
    const uint64_t min_bytes = fixed > 0 ? fixed : v.element_type == GgufValueType::kString ? 8 : 12;
    if (v.count > Left() / min_bytes) {
      Fail(count_at,
           fmt::format("array count {} of {} elements ({}{} bytes each) exceeds the {} bytes left in {}", v.count,
                       GgufValueTypeName(v.element_type), fixed > 0 ? "" : "at least ", min_bytes, Left(), in_what_));
    }
    const bool store =
        keep && v.count <= kGgufMaxStoredArrayElements && v.count <= kGgufMaxStoredElementsTotal - stored_elements_;
    if (!store && fixed > 0 && v.element_type != GgufValueType::kBool) {
      pos_ += v.count * fixed;  // checked above: fits in what is left; never read
      return;
    }
    if (store) {
      stored_elements_ += v.count;
      v.elements.reserve(static_cast<size_t>(v.count));
      v.elements_stored = true;
    }
    where_.elements.push_back(0);
    for (uint64_t i = 0; i < v.count; ++i) {
      where_.elements.back() = i;
      GgufValue e = ReadValue(v.element_type, depth + 1, store);
      if (store) v.elements.push_back(std::move(e));
    }
    where_.elements.pop_back();
  }

  void ReadPreamble(GgufHeader& h) {
    where_.base = "magic";
    if (Left() < 4) Fail(0, fmt::format("not a GGUF file: {} is only {} bytes long", in_what_, Left()));
    const uint32_t magic = U32("the magic");
    if (magic != kGgufMagic) {
      std::string shown;
      for (int i = 0; i < 4; ++i) {
        const auto c = static_cast<unsigned char>(magic >> (8 * i));
        shown += c >= 0x20 && c < 0x7f ? fmt::format("{}", static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
      }
      Fail(0, fmt::format("not a GGUF file: it starts with '{}', not 'GGUF'", shown));
    }
    where_.base = "version";
    h.version = U32("the version");
    if (h.version != 2 && h.version != 3) {
      const uint32_t swapped =
          ((h.version & 0xffu) << 24) | ((h.version & 0xff00u) << 8) | ((h.version >> 8) & 0xff00u) | (h.version >> 24);
      if (swapped >= 1 && swapped <= 3) {
        Fail(4, fmt::format("version {} reads as {} byte-swapped: a big-endian GGUF file, which is not supported",
                            h.version, swapped));
      }
      if (h.version == 1) Fail(4, "GGUF version 1 (32-bit counts) is not supported; only versions 2 and 3 are");
      Fail(4, fmt::format("GGUF version {} is not supported; only versions 2 and 3 are", h.version));
    }
    where_.base = "tensor_count";
    const uint64_t tensor_count_at = pos_;
    h.tensor_count = U64("tensor_count");
    where_.base = "metadata_kv_count";
    const uint64_t kv_count_at = pos_;
    h.metadata_count = U64("metadata_kv_count");

    where_.base = "tensor_count";
    if (h.tensor_count > kGgufMaxTensors) {
      Fail(tensor_count_at,
           fmt::format("tensor_count {} exceeds the limit of {} tensors", h.tensor_count, kGgufMaxTensors));
    }
    if (h.tensor_count > Left() / kMinTensorInfoBytes) {
      Fail(tensor_count_at,
           fmt::format("tensor_count {} needs at least {} bytes of tensor infos but only {} are left in {}",
                       h.tensor_count, h.tensor_count * kMinTensorInfoBytes, Left(), in_what_));
    }
    where_.base = "metadata_kv_count";
    if (h.metadata_count > kGgufMaxMetadataCount) {
      Fail(kv_count_at, fmt::format("metadata_kv_count {} exceeds the limit of {} key/value pairs", h.metadata_count,
                                    kGgufMaxMetadataCount));
    }
    const uint64_t need = h.tensor_count * kMinTensorInfoBytes + h.metadata_count * kMinKvBytes;  // both bounded
    if (need > Left()) {
      Fail(kv_count_at, fmt::format("metadata_kv_count {} with tensor_count {} needs at least {} bytes but only {} "
                                    "are left in {}",
                                    h.metadata_count, h.tensor_count, need, Left(), in_what_));
    }
  }

  void ReadMetadata(GgufHeader& h) {
    std::unordered_map<std::string, uint64_t> seen;
    for (uint64_t i = 0; i < h.metadata_count; ++i) {
      where_ = Where{fmt::format("metadata[{}]", i)};
      const uint64_t key_at = pos_;
      std::string key = ReadString("key", "a key length", kGgufMaxNameBytes, true);
      if (key.empty()) Fail(key_at, "the key is empty");
      where_.base += fmt::format(" '{}'", Printable(key));
      if (const auto [it, added] = seen.emplace(key, i); !added) {
        Fail(key_at, fmt::format("duplicate key (first at metadata[{}])", it->second));
      }
      const uint64_t type_at = pos_;
      const GgufValueType type = ReadValueType("value type");
      const uint64_t value_at = pos_;
      GgufValue value = ReadValue(type, 0, true);
      if (key == "general.alignment") {
        if (type != GgufValueType::kUint32) {
          Fail(type_at, fmt::format("general.alignment must be a uint32, not {}", GgufValueTypeName(type)));
        }
        const uint64_t a = std::get<uint64_t>(value.scalar);
        if (a == 0 || (a & (a - 1)) != 0) {
          Fail(value_at, fmt::format("alignment {} is not a non-zero power of two", a));
        }
        h.alignment = a;
      }
      h.metadata.emplace_back(std::move(key), std::move(value));
    }
  }

  void ReadTensorInfos(GgufHeader& h) {
    std::unordered_map<std::string, uint64_t> seen;
    offset_field_at_.reserve(static_cast<size_t>(h.tensor_count));  // checked: <= bytes left / 32
    for (uint64_t i = 0; i < h.tensor_count; ++i) {
      where_ = Where{fmt::format("tensors[{}]", i)};
      GgufTensorRecord t;
      const uint64_t name_at = pos_;
      t.name = ReadString("name", "a name length", kGgufMaxNameBytes, true);
      if (t.name.empty()) Fail(name_at, "the tensor name is empty");
      where_.base += fmt::format(" '{}'", Printable(t.name));
      if (const auto [it, added] = seen.emplace(t.name, i); !added) {
        Fail(name_at, fmt::format("duplicate tensor name (first at tensors[{}])", it->second));
      }

      where_.field = "n_dims";
      const uint64_t n_dims_at = pos_;
      const uint32_t n_dims = U32("n_dims");
      if (n_dims == 0 || n_dims > kMaxDims)
        Fail(n_dims_at, fmt::format("n_dims {} is not between 1 and {}", n_dims, kMaxDims));

      where_.field = "dims";
      t.elements = 1;
      for (uint32_t d = 0; d < n_dims; ++d) {
        where_.field_index = static_cast<int>(d);
        const uint64_t dim_at = pos_;
        const uint64_t dim = U64("a dim");
        if (dim == 0) Fail(dim_at, "dim is 0; every dim must be at least 1");
        if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          Fail(dim_at, fmt::format("dim {} does not fit int64", dim));
        }
        const auto dim64 = static_cast<int64_t>(dim);
        if (t.elements > std::numeric_limits<int64_t>::max() / dim64) {
          Fail(dim_at, fmt::format("element count {} × {} overflows int64", t.elements, dim));
        }
        t.elements *= dim64;
        t.dims.push_back(dim64);
      }
      where_.field_index = -1;

      where_.field = "type";
      const uint64_t type_at = pos_;
      const uint32_t type_id = U32("a ggml type");
      if (type_id > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
        Fail(type_at, fmt::format("ggml type id {} is out of range", type_id));
      }
      t.type_id = static_cast<int>(type_id);
      t.type = GgmlTypeById(t.type_id);
      if (t.type) {
        const GgmlType& g = *t.type;
        if (t.dims[0] % g.block_elements != 0) {
          Fail(type_at, fmt::format("row length dims[0] = {} is not a multiple of the {}-element {} block", t.dims[0],
                                    g.block_elements, g.name));
        }
        if (t.elements / g.block_elements > std::numeric_limits<int64_t>::max() / g.block_bytes) {
          Fail(type_at, fmt::format("{} elements of {} take more than 2^63 bytes", t.elements, g.name));
        }
        t.bytes = GgmlTensorBytes(g, t.dims[0], t.elements);
      }

      where_.field = "offset";
      offset_field_at_.push_back(pos_);
      t.offset = U64("an offset");
      if (t.offset % h.alignment != 0) {
        Fail(offset_field_at_.back(),
             fmt::format("offset {} ({}) is not a multiple of the alignment {}", t.offset, Hex(t.offset), h.alignment));
      }
      h.tensors.push_back(std::move(t));
    }
  }

  // Every tensor's data must lie within the file. Checked once the data start is known.
  void CheckTensorRanges(const GgufHeader& h) {
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    for (size_t i = 0; i < h.tensors.size(); ++i) {
      const GgufTensorRecord& t = h.tensors[i];
      where_ = Where{fmt::format("tensors[{}] '{}'", i, Printable(t.name)), "offset"};
      const uint64_t at = offset_field_at_[i];
      const uint64_t size = t.bytes ? static_cast<uint64_t>(*t.bytes) : 1;  // unknown type: at least a byte
      if (t.offset > kMax - h.data_offset || h.data_offset + t.offset > kMax - size) {
        Fail(at,
             fmt::format("offset {} puts the tensor data beyond the end of the {}-byte file", t.offset, file_size_));
      }
      const uint64_t start = h.data_offset + t.offset;
      if (start + size > file_size_) {
        if (t.bytes) {
          Fail(at, fmt::format("tensor data [{}, {}) ({} bytes of {} at data start {} + offset {}) runs past the end "
                               "of the {}-byte file",
                               Hex(start), Hex(start + size), size, t.type->name, Hex(h.data_offset), Hex(t.offset),
                               file_size_));
        }
        Fail(at, fmt::format("tensor data starts at byte {} (data start {} + offset {}), past the end of the {}-byte "
                             "file",
                             Hex(start), Hex(h.data_offset), Hex(t.offset), file_size_));
      }
    }
  }

  ByteSource& source_;
  uint64_t readable_;   // bytes the cursor may read
  uint64_t file_size_;  // of the whole file, for the tensor data checks
  const std::string& name_;
  std::string in_what_;  // "the file", or "the N bytes given" when only a prefix is available
  uint64_t pos_ = 0;
  Where where_;
  uint64_t kept_string_bytes_ = 0;
  uint64_t stored_elements_ = 0;
  std::vector<uint64_t> offset_field_at_;  // byte position of each tensor's offset field
};

[[noreturn]] void FileError(const std::string& path, std::string message) {
  Diagnostic d;
  d.location.file = path;
  d.message = std::move(message);
  throw InputError(std::move(d));
}

}  // namespace

std::string_view GgufValueTypeName(GgufValueType type) {
  switch (type) {
    case GgufValueType::kUint8:
      return "uint8";
    case GgufValueType::kInt8:
      return "int8";
    case GgufValueType::kUint16:
      return "uint16";
    case GgufValueType::kInt16:
      return "int16";
    case GgufValueType::kUint32:
      return "uint32";
    case GgufValueType::kInt32:
      return "int32";
    case GgufValueType::kFloat32:
      return "float32";
    case GgufValueType::kBool:
      return "bool";
    case GgufValueType::kString:
      return "string";
    case GgufValueType::kArray:
      return "array";
    case GgufValueType::kUint64:
      return "uint64";
    case GgufValueType::kInt64:
      return "int64";
    case GgufValueType::kFloat64:
      return "float64";
  }
  return "unknown";
}

std::optional<int64_t> GgufValue::AsInt() const {
  if (const auto* s = std::get_if<int64_t>(&scalar)) return *s;
  if (const auto* u = std::get_if<uint64_t>(&scalar)) {
    if (*u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return static_cast<int64_t>(*u);
  }
  return std::nullopt;
}

std::optional<double> GgufValue::AsFloat() const {
  if (const auto* d = std::get_if<double>(&scalar)) return *d;
  return std::nullopt;
}

std::optional<bool> GgufValue::AsBool() const {
  if (const auto* b = std::get_if<bool>(&scalar)) return *b;
  return std::nullopt;
}

std::optional<std::string> GgufValue::AsString() const {
  if (const auto* s = std::get_if<std::string>(&scalar)) return *s;
  return std::nullopt;
}

const GgufValue* GgufHeader::Find(std::string_view key) const {
  for (const auto& [k, v] : metadata) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::optional<std::string> GgufHeader::GetString(std::string_view key) const {
  const GgufValue* v = Find(key);
  return v ? v->AsString() : std::nullopt;
}

std::optional<int64_t> GgufHeader::GetInt(std::string_view key) const {
  const GgufValue* v = Find(key);
  return v ? v->AsInt() : std::nullopt;
}

std::optional<double> GgufHeader::GetFloat(std::string_view key) const {
  const GgufValue* v = Find(key);
  return v ? v->AsFloat() : std::nullopt;
}

std::optional<bool> GgufHeader::GetBool(std::string_view key) const {
  const GgufValue* v = Find(key);
  return v ? v->AsBool() : std::nullopt;
}

std::optional<uint64_t> GgufHeader::GetArrayCount(std::string_view key) const {
  const GgufValue* v = Find(key);
  if (v == nullptr || !v->is_array()) return std::nullopt;
  return v->count;
}

const GgufTensorRecord* GgufHeader::FindTensor(std::string_view name) const {
  for (const GgufTensorRecord& t : tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

GgufHeader ReadGgufHeader(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) FileError(path, "no such file");
  if (!fs::is_regular_file(status)) FileError(path, "not a regular file");
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) FileError(path, fmt::format("cannot read the file size: {}", ec.message()));
  std::ifstream in(path, std::ios::binary);
  if (!in) FileError(path, "cannot open for reading");
  FileSource source(in, size, path);
  return Parser(source, size, size, path).Parse();
}

GgufHeader ParseGgufHeader(std::span<const uint8_t> bytes, const std::string& name,
                           std::optional<uint64_t> declared_file_size) {
  const uint64_t file_size = declared_file_size.value_or(bytes.size());
  const uint64_t readable = std::min<uint64_t>(bytes.size(), file_size);
  SpanSource source(bytes);
  return Parser(source, readable, file_size, name).Parse();
}

}  // namespace siliconsim
