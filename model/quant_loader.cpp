#include "model/quant_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "common/strict_yaml.h"
#include "common/text.h"
#include "model/gguf_mixture.h"

namespace siliconsim {
namespace {

template <typename T>
using ValueReader = std::function<T(const YamlFile&, const YAML::Node&, const std::string&)>;

// Reads a fact map `{value: ..., source: "...", note: "..."}`. Quant facts are never unknown:
// a file type whose default block type nobody knows is not a file type.
template <typename T>
QuantFact<T> ReadFact(const MapView& entry, std::string_view key, const ValueReader<T>& read_value) {
  const YamlFile& file = entry.file();
  const YAML::Node node = entry.Required(key);
  const std::string path = entry.PathOf(key);
  if (!node.IsMap()) file.Fail(node, path, "expected a fact map such as {value: 4, source: \"where it was read\"}");
  const MapView map(file, node, path, {"value", "source", "note"});
  QuantFact<T> fact;
  fact.where = file.Locate(node);
  const YAML::Node value = map.Required("value");
  if (IsNullValue(value)) file.Fail(value, map.PathOf("value"), "must be known: sizes depend on it");
  fact.value = read_value(file, value, map.PathOf("value"));
  if (auto source = map.Optional("source")) fact.source = ReadNonEmptyString(file, *source, map.PathOf("source"));
  if (auto note = map.Optional("note")) fact.note = ReadNonEmptyString(file, *note, map.PathOf("note"));
  if (fact.source.empty()) file.Fail(node, map.PathOf("source"), "a known value needs a source");
  return fact;
}

template <typename T>
std::optional<QuantFact<T>> ReadOptionalFact(const MapView& entry, std::string_view key,
                                             const ValueReader<T>& read_value) {
  if (!entry.Has(key)) return std::nullopt;
  return ReadFact<T>(entry, key, read_value);
}

// Ids are what users type: lower-case letters, digits, '-', '_' and '.', starting with a letter or digit.
bool IsValidId(const std::string& id) {
  const auto ok = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (!first && (c == '-' || c == '_' || c == '.'));
  };
  if (id.empty() || !ok(id[0], true)) return false;
  return std::all_of(id.begin() + 1, id.end(), [&](char c) { return ok(c, false); });
}

GgmlType ReadGgmlType(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  const std::string name = ReadNonEmptyString(f, n, p);
  if (auto type = GgmlTypeByName(name)) return *type;
  std::vector<std::string> names;
  for (const GgmlType& t : GgmlTypes()) names.emplace_back(t.name);
  std::string message = fmt::format("unknown ggml type '{}'", name);
  if (auto near = NearestMatch(name, names))
    message += fmt::format("; did you mean '{}'?", *near);
  else
    message += fmt::format("; known types: {}", Join(names, ", "));
  f.Fail(n, p, message);
}

std::vector<GgmlType> ReadGgmlTypes(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  RequireSequence(f, n, p);
  std::vector<GgmlType> types;
  for (size_t i = 0; i < n.size(); ++i) {
    const GgmlType t = ReadGgmlType(f, n[i], JoinPath(p, i));
    if (std::any_of(types.begin(), types.end(), [&](const GgmlType& u) { return u.id == t.id; })) {
      f.Fail(n[i], JoinPath(p, i), fmt::format("{} is listed twice", t.name));
    }
    types.push_back(t);
  }
  return types;
}

int ReadFtypeNumber(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  const int64_t v = ReadInteger(f, n, p);
  // LLAMA_FTYPE_GUESSED = 1024 is a marker, not a file type.
  if (v < 0 || v >= 1024) f.Fail(n, p, fmt::format("a llama_ftype is between 0 and 1023, got {}", v));
  return static_cast<int>(v);
}

bool ReadFlag(const YamlFile& f, const YAML::Node& n, const std::string& p) { return ReadBool(f, n, p); }

int ReadSmallPositive(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  const int64_t v = ReadPositiveInteger(f, n, p);
  if (v > 4096) f.Fail(n, p, fmt::format("{} is implausibly large", v));
  return static_cast<int>(v);
}

MlxMode ReadMlxMode(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  const std::string m = ReadChoice(f, n, p, {"affine", "mxfp4", "none"});
  return m == "affine" ? MlxMode::kAffine : m == "mxfp4" ? MlxMode::kMxfp4 : MlxMode::kNone;
}

MlxDtype ReadMlxDtype(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  const std::string d = ReadChoice(f, n, p, {"bf16", "fp16", "fp32", "e8m0"});
  return d == "bf16"   ? MlxDtype::kBf16
         : d == "fp16" ? MlxDtype::kFp16
         : d == "fp32" ? MlxDtype::kFp32
                       : MlxDtype::kE8m0;
}

std::vector<std::string> ReadAliases(const MapView& entry) {
  std::vector<std::string> aliases;
  if (auto node = entry.Optional("aliases")) {
    const std::string path = entry.PathOf("aliases");
    RequireSequence(entry.file(), *node, path);
    for (size_t i = 0; i < node->size(); ++i) {
      aliases.push_back(ReadNonEmptyString(entry.file(), (*node)[i], JoinPath(path, i)));
    }
  }
  return aliases;
}

// Reads and registers an entry's id; duplicates within a layer are errors.
std::string ReadId(const MapView& entry, std::map<std::string, SourceLocation>& ids, SourceLocation& where) {
  const YamlFile& file = entry.file();
  const YAML::Node id_node = entry.Required("id");
  std::string id = ReadNonEmptyString(file, id_node, entry.PathOf("id"));
  if (!IsValidId(id)) {
    file.Fail(id_node, entry.PathOf("id"),
              fmt::format("'{}' is not a valid id: use lower-case letters, digits, '-', '_' and '.'", id));
  }
  where = file.Locate(id_node);
  if (auto [it, inserted] = ids.emplace(id, where); !inserted) {
    file.Fail(id_node, entry.PathOf("id"),
              fmt::format("duplicate id '{}' (first defined at {}:{})", id, it->second.file, it->second.line));
  }
  return id;
}

GgufFileType ReadGgufFileType(const YamlFile& file, const YAML::Node& node, const std::string& path,
                              QuantLoadContext& context) {
  const MapView entry(
      file, node, path,
      {"id", "name", "aliases", "description", "ftype", "default_type", "promoted_types", "requires_imatrix"});
  GgufFileType ft;
  ft.id = ReadId(entry, context.quant_ids, ft.where);
  ft.name = ReadNonEmptyString(file, entry.Required("name"), entry.PathOf("name"));
  ft.aliases = ReadAliases(entry);
  if (auto d = entry.Optional("description"))
    ft.description = ReadNonEmptyString(file, *d, entry.PathOf("description"));
  ft.ftype = ReadFact<int>(entry, "ftype", ReadFtypeNumber);
  ft.default_type = ReadFact<GgmlType>(entry, "default_type", ReadGgmlType);
  ft.promoted_types = ReadFact<std::vector<GgmlType>>(entry, "promoted_types", ReadGgmlTypes);
  ft.requires_imatrix = ReadFact<bool>(entry, "requires_imatrix", ReadFlag);

  // The mixture rules are keyed by the llama_ftype number: a known number under another name
  // would silently get another type's rules.
  if (auto known = LlamaFtypeName(ft.ftype.value); known && Squash(*known) != Squash(ft.name)) {
    const YAML::Node value = entry.Required("ftype")["value"];
    file.Fail(
        value, entry.PathOf("ftype") + ".value",
        fmt::format("llama_ftype {} is {} in llama.h, but this entry is named '{}'", ft.ftype.value, *known, ft.name));
  }
  for (size_t i = 0; i < ft.promoted_types.value.size(); ++i) {
    if (ft.promoted_types.value[i].id == ft.default_type.value.id) {
      const YAML::Node value = entry.Required("promoted_types")["value"];
      file.Fail(
          value[i], JoinPath(entry.PathOf("promoted_types") + ".value", i),
          fmt::format("{} is the default type; list only the types the rules promote to", ft.default_type.value.name));
    }
  }
  return ft;
}

bool IsAffineBits(int bits) { return bits == 2 || bits == 3 || bits == 4 || bits == 5 || bits == 6 || bits == 8; }
bool IsAffineGroup(int g) { return g == 32 || g == 64 || g == 128; }

MlxQuant ReadMlxQuant(const YamlFile& file, const YAML::Node& node, const std::string& path,
                      QuantLoadContext& context) {
  const MapView entry(file, node, path,
                      {"id", "name", "aliases", "mode", "bits", "group_size", "scale_dtype", "bias_dtype",
                       "unquantized_dtype", "high_bits", "router_bits", "router_group_size"});
  MlxQuant q;
  q.id = ReadId(entry, context.quant_ids, q.where);
  q.name = ReadNonEmptyString(file, entry.Required("name"), entry.PathOf("name"));
  q.aliases = ReadAliases(entry);
  q.mode = ReadFact<MlxMode>(entry, "mode", ReadMlxMode);
  q.bits = ReadFact<int>(entry, "bits", ReadSmallPositive);
  q.unquantized_dtype = ReadFact<MlxDtype>(entry, "unquantized_dtype", ReadMlxDtype);
  const auto value_of = [&](std::string_view key) { return entry.Required(key)["value"]; };
  const auto fail_value = [&](std::string_view key, const std::string& message) {
    file.Fail(value_of(key), entry.PathOf(key) + ".value", message);
  };
  const auto forbid = [&](std::string_view key, const char* why) {
    if (entry.Has(key)) file.Fail(entry.KeyNode(key), entry.PathOf(key), why);
  };

  if (q.unquantized_dtype.value == MlxDtype::kE8m0) {
    fail_value("unquantized_dtype", "e8m0 is a scale format, not a weight dtype");
  }
  switch (q.mode.value) {
    case MlxMode::kNone:
      if (q.bits.value != 16 && q.bits.value != 32)
        fail_value("bits", fmt::format("an unquantized model has 16 or 32 bits per weight, got {}", q.bits.value));
      forbid("group_size", "an unquantized model has no groups");
      forbid("scale_dtype", "an unquantized model has no scales");
      forbid("bias_dtype", "an unquantized model has no per-group biases");
      forbid("high_bits", "only affine recipes mix bit widths");
      forbid("router_bits", "an unquantized model has no router override");
      forbid("router_group_size", "an unquantized model has no router override");
      return q;
    case MlxMode::kAffine:
      if (!IsAffineBits(q.bits.value))
        fail_value("bits", fmt::format("affine quantization takes 2, 3, 4, 5, 6 or 8 bits, got {}", q.bits.value));
      break;
    case MlxMode::kMxfp4:
      if (q.bits.value != 4) fail_value("bits", fmt::format("mxfp4 has 4 bits per weight, got {}", q.bits.value));
      break;
  }
  q.group_size = ReadFact<int>(entry, "group_size", ReadSmallPositive);
  q.scale_dtype = ReadFact<MlxDtype>(entry, "scale_dtype", ReadMlxDtype);
  q.bias_dtype = ReadOptionalFact<MlxDtype>(entry, "bias_dtype", ReadMlxDtype);
  q.high_bits = ReadOptionalFact<int>(entry, "high_bits", ReadSmallPositive);
  q.router_bits = ReadOptionalFact<int>(entry, "router_bits", ReadSmallPositive);
  q.router_group_size = ReadOptionalFact<int>(entry, "router_group_size", ReadSmallPositive);

  if (q.mode.value == MlxMode::kAffine) {
    if (!IsAffineGroup(q.group_size.value))
      fail_value("group_size",
                 fmt::format("affine quantization takes a group size of 32, 64 or 128, got {}", q.group_size.value));
    if (q.scale_dtype.value == MlxDtype::kE8m0)
      fail_value("scale_dtype", "affine scales are floating point (bf16, fp16 or fp32)");
    if (!q.bias_dtype) entry.Required("bias_dtype");
    if (q.bias_dtype->value == MlxDtype::kE8m0)
      fail_value("bias_dtype", "affine biases are floating point (bf16, fp16 or fp32)");
  } else {  // mxfp4
    if (q.group_size.value != 32)
      fail_value("group_size", fmt::format("mxfp4 groups are 32 weights, got {}", q.group_size.value));
    if (q.scale_dtype.value != MlxDtype::kE8m0) fail_value("scale_dtype", "mxfp4 scales are e8m0");
    forbid("bias_dtype", "mxfp4 has no per-group bias");
    forbid("high_bits", "only affine recipes mix bit widths");
  }
  if (q.high_bits) {
    if (!IsAffineBits(q.high_bits->value) || q.high_bits->value <= q.bits.value) {
      fail_value("high_bits",
                 fmt::format("must be an affine bit width above bits ({}), got {}", q.bits.value, q.high_bits->value));
    }
    forbid("router_bits", "mixed recipes replace the model's predicate, router included");
  }
  if (q.router_bits.has_value() != q.router_group_size.has_value()) {
    const std::string_view missing = q.router_bits ? "router_group_size" : "router_bits";
    entry.Required(missing);
  }
  if (q.router_bits && !IsAffineBits(q.router_bits->value))
    fail_value("router_bits",
               fmt::format("affine quantization takes 2, 3, 4, 5, 6 or 8 bits, got {}", q.router_bits->value));
  if (q.router_group_size && !IsAffineGroup(q.router_group_size->value))
    fail_value("router_group_size", fmt::format("affine quantization takes a group size of 32, 64 or 128, got {}",
                                                q.router_group_size->value));
  return q;
}

KvCacheType ReadKvCacheType(const YamlFile& file, const YAML::Node& node, const std::string& path,
                            QuantLoadContext& context) {
  const MapView entry(file, node, path,
                      {"id", "name", "aliases", "engine", "ggml_type", "bits", "group_size", "scale_dtype",
                       "v_requires_flash_attention"});
  KvCacheType kv;
  kv.id = ReadId(entry, context.kv_ids, kv.where);
  kv.name = ReadNonEmptyString(file, entry.Required("name"), entry.PathOf("name"));
  kv.aliases = ReadAliases(entry);
  const std::string engine = ReadChoice(file, entry.Required("engine"), entry.PathOf("engine"), {"llama.cpp", "mlx"});
  kv.engine = engine == "mlx" ? KvEngine::kMlx : KvEngine::kLlamaCpp;
  kv.v_requires_flash_attention = ReadFact<bool>(entry, "v_requires_flash_attention", ReadFlag);
  const auto forbid = [&](std::string_view key) {
    if (entry.Has(key))
      file.Fail(entry.KeyNode(key), entry.PathOf(key), fmt::format("does not apply to {} cache types", engine));
  };
  if (kv.engine == KvEngine::kLlamaCpp) {
    kv.ggml_type = ReadFact<GgmlType>(entry, "ggml_type", ReadGgmlType);
    forbid("bits");
    forbid("group_size");
    forbid("scale_dtype");
  } else {
    forbid("ggml_type");
    kv.bits = ReadFact<int>(entry, "bits", ReadSmallPositive);
    kv.group_size = ReadFact<int>(entry, "group_size", ReadSmallPositive);
    kv.scale_dtype = ReadFact<MlxDtype>(entry, "scale_dtype", ReadMlxDtype);
    if (!IsAffineBits(kv.bits->value)) {
      file.Fail(entry.Required("bits")["value"], entry.PathOf("bits") + ".value",
                fmt::format("affine quantization takes 2, 3, 4, 5, 6 or 8 bits, got {}", kv.bits->value));
    }
    if (!IsAffineGroup(kv.group_size->value)) {
      file.Fail(entry.Required("group_size")["value"], entry.PathOf("group_size") + ".value",
                fmt::format("affine quantization takes a group size of 32, 64 or 128, got {}", kv.group_size->value));
    }
  }
  return kv;
}

template <typename T, typename Reader>
void ReadList(const MapView& top, std::string_view key, std::vector<T>& out, QuantLoadContext& context, Reader read) {
  const std::optional<YAML::Node> list = top.Optional(key);
  if (!list) return;
  const std::string path(key);
  RequireSequence(top.file(), *list, path);
  for (size_t i = 0; i < list->size(); ++i) out.push_back(read(top.file(), (*list)[i], JoinPath(path, i), context));
}

}  // namespace

QuantTables LoadQuantsFromString(std::string_view text, const std::string& name, QuantLoadContext& context) {
  const YamlFile file(name, text);
  if (IsNullValue(file.root())) {
    file.Fail(file.root(), "",
              "the file is empty; expected schema_version and gguf_file_types, mlx_quants or kv_cache_types");
  }
  const MapView top(file, file.root(), "", {"schema_version", "gguf_file_types", "mlx_quants", "kv_cache_types"});
  CheckSchemaVersion(top, kQuantSchemaVersion);
  if (!top.Has("gguf_file_types") && !top.Has("mlx_quants") && !top.Has("kv_cache_types")) {
    file.Fail(file.root(), "", "expected at least one of gguf_file_types, mlx_quants, kv_cache_types");
  }
  QuantTables tables;
  ReadList(top, "gguf_file_types", tables.gguf_file_types, context, ReadGgufFileType);
  ReadList(top, "mlx_quants", tables.mlx_quants, context, ReadMlxQuant);
  ReadList(top, "kv_cache_types", tables.kv_cache_types, context, ReadKvCacheType);
  return tables;
}

QuantTables LoadQuantsFromString(std::string_view text, const std::string& name, Warnings* warnings) {
  QuantLoadContext context;
  QuantTables tables = LoadQuantsFromString(text, name, context);
  if (warnings) *warnings = std::move(context.warnings);
  return tables;
}

}  // namespace siliconsim
