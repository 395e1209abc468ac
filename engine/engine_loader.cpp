#include "engine/engine_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/strict_yaml.h"

namespace siliconsim {

const char* ToString(EngineDevice device) { return device == EngineDevice::kGpu ? "gpu" : "cpu"; }
const char* ToString(KvAllocation allocation) {
  return allocation == KvAllocation::kFullContext ? "full-context" : "grows";
}

double KernelCost::RowStallWeights(double cols, double engine_wide) const {
  if (row_stall_weights.empty()) return engine_wide;
  if (cols <= static_cast<double>(row_stall_weights.front().cols)) return row_stall_weights.front().weights.value;
  if (cols >= static_cast<double>(row_stall_weights.back().cols)) return row_stall_weights.back().weights.value;
  size_t i = 1;
  while (static_cast<double>(row_stall_weights[i].cols) < cols) ++i;
  const RowStallPoint& lo = row_stall_weights[i - 1];
  const RowStallPoint& hi = row_stall_weights[i];
  const double f = std::log(cols / static_cast<double>(lo.cols)) /
                   std::log(static_cast<double>(hi.cols) / static_cast<double>(lo.cols));
  return lo.weights.value + f * (hi.weights.value - lo.weights.value);
}

const KernelCost* EngineSpec::FindKernel(std::string_view kernel_class) const {
  for (const KernelCost& k : kernels) {
    if (k.kernel_class == kernel_class) return &k;
  }
  return nullptr;
}

namespace {

// Engine ids are what users type: lower-case letters, digits, '-', '_' and '.'.
bool IsValidId(const std::string& id) {
  const auto ok = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (!first && (c == '-' || c == '_' || c == '.'));
  };
  if (id.empty() || !ok(id[0], true)) return false;
  return std::all_of(id.begin() + 1, id.end(), [&](char c) { return ok(c, false); });
}

// Reads `{value: 0.8, source: "..."}` or `{value: 0.8, fitted: "..."}`: exactly one of the two.
// The value and provenance of a parameter map (its other keys are the caller's).
EngineParam ReadParamFields(const YamlFile& file, const MapView& map, const YAML::Node& node, const std::string& path,
                            bool positive) {
  EngineParam param;
  param.where = file.Locate(node);
  const YAML::Node value = map.Required("value");
  param.value = positive ? ReadPositiveNumber(file, value, map.PathOf("value"))
                         : ReadNumber(file, value, map.PathOf("value"));
  if (!positive && param.value < 0) file.Fail(value, map.PathOf("value"), "must not be negative");
  if (auto s = map.Optional("source")) param.source = ReadNonEmptyString(file, *s, map.PathOf("source"));
  if (auto f = map.Optional("fitted")) param.fitted = ReadNonEmptyString(file, *f, map.PathOf("fitted"));
  if (auto n = map.Optional("note")) param.note = ReadNonEmptyString(file, *n, map.PathOf("note"));
  if (param.source.empty() == param.fitted.empty()) {
    file.Fail(node, path, "needs exactly one of `source` (where the value comes from) or `fitted` (what calibrate fitted it on)");
  }
  return param;
}

EngineParam ReadParam(const YamlFile& file, const YAML::Node& node, const std::string& path, bool positive) {
  if (!node.IsMap()) {
    file.Fail(node, path, "expected a parameter map such as {value: 0.8, fitted: \"what it was fitted on\"}");
  }
  const MapView map(file, node, path, {"value", "source", "fitted", "note"});
  return ReadParamFields(file, map, node, path, positive);
}

EngineParam ReadParamKey(const MapView& map, std::string_view key, bool positive) {
  return ReadParam(map.file(), map.Required(key), map.PathOf(key), positive);
}

// Bounds that keep the physics meaningful; a file outside them is wrong, not just unusual.
void CheckParamRange(const YamlFile& file, const YAML::Node& node, const std::string& path, double value,
                     EngineParamId id) {
  auto fail = [&](std::string_view what) { file.Fail(node, path, fmt::format("{} (got {:g})", what, value)); };
  switch (id) {
    case EngineParamId::kMemoryEfficiency:
    case EngineParamId::kDualDieMemoryEfficiency:
    case EngineParamId::kAttentionMemoryEfficiency:
    case EngineParamId::kComputeEfficiency:
    case EngineParamId::kAttentionComputeEfficiency:
      if (!(value > 0 && value <= 1.0)) fail("must be a fraction in (0, 1]");
      break;
    case EngineParamId::kOverlapExponent:
      if (!(value >= 1.0 && value <= 64.0)) fail("must be between 1 (no overlap) and 64 (a sharp max)");
      break;
    case EngineParamId::kDispatchSeconds:
    case EngineParamId::kStepOverheadSeconds:
    case EngineParamId::kMatrixSeconds:
      if (!(value >= 0 && value < 1.0)) fail("must be in seconds, at least 0 and below 1");
      break;
    case EngineParamId::kRowStallWeights:
    case EngineParamId::kRowComputeWeights:
      if (!(value >= 0 && value <= 1e6)) fail("must be a number of weights, at least 0 and at most 1e6");
      break;
    case EngineParamId::kMatrixUnitSpeedup:
      if (!(value >= 1.0 && value <= 64.0)) fail("must be a speed-up factor between 1 and 64");
      break;
    case EngineParamId::kCount:
      break;
  }
}

EngineSpec ReadEngine(const YamlFile& file, const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) file.Fail(node, path, "expected an engine map");
  const MapView e(file, node, path,
                  {"id", "name", "aliases", "description", "device", "weight_format", "kv_allocation",
                   "default_kv_type", "uses_matrix_units", "prefill_chunk_tokens", "kv_step_tokens",
                   "runtime_overhead_bytes", "calibration", "parameters", "kernels"});
  EngineSpec spec;
  spec.where = file.Locate(node);
  spec.id = ReadNonEmptyString(file, e.Required("id"), e.PathOf("id"));
  if (!IsValidId(spec.id)) {
    file.Fail(e.Required("id"), e.PathOf("id"),
              fmt::format("'{}' is not a valid id (lower-case letters, digits, '-', '_', '.')", spec.id));
  }
  spec.name = ReadNonEmptyString(file, e.Required("name"), e.PathOf("name"));
  if (auto a = e.Optional("aliases")) {
    RequireSequence(file, *a, e.PathOf("aliases"));
    for (size_t i = 0; i < a->size(); ++i) {
      spec.aliases.push_back(ReadNonEmptyString(file, (*a)[i], JoinPath(e.PathOf("aliases"), i)));
    }
  }
  if (auto d = e.Optional("description")) spec.description = ReadNonEmptyString(file, *d, e.PathOf("description"));
  spec.device = ReadChoice(file, e.Required("device"), e.PathOf("device"), {"gpu", "cpu"}) == "gpu"
                    ? EngineDevice::kGpu
                    : EngineDevice::kCpu;
  spec.weight_format = ReadChoice(file, e.Required("weight_format"), e.PathOf("weight_format"), {"gguf", "mlx"}) == "gguf"
                           ? QuantFormat::kGguf
                           : QuantFormat::kMlx;
  spec.kv_allocation =
      ReadChoice(file, e.Required("kv_allocation"), e.PathOf("kv_allocation"), {"full-context", "grows"}) ==
              "full-context"
          ? KvAllocation::kFullContext
          : KvAllocation::kGrows;
  spec.default_kv_type = ReadNonEmptyString(file, e.Required("default_kv_type"), e.PathOf("default_kv_type"));
  spec.uses_matrix_units = ReadBool(file, e.Required("uses_matrix_units"), e.PathOf("uses_matrix_units"));
  spec.prefill_chunk_tokens = ReadParamKey(e, "prefill_chunk_tokens", true);
  if (spec.prefill_chunk_tokens.value != std::floor(spec.prefill_chunk_tokens.value)) {
    file.Fail(e.Required("prefill_chunk_tokens"), e.PathOf("prefill_chunk_tokens"), "must be a whole number of tokens");
  }
  if (e.Has("kv_step_tokens")) spec.kv_step_tokens = ReadParamKey(e, "kv_step_tokens", true);
  spec.runtime_overhead_bytes = ReadParamKey(e, "runtime_overhead_bytes", false);
  // Token counts and byte sizes the simulator converts to integers: bounded so the conversion is defined.
  constexpr double kMaxTokens = 1099511627776.0;  // 2^40
  auto bound = [&](const char* key, double value, double max, const char* unit) {
    if (value > max) file.Fail(e.Required(key), e.PathOf(key), fmt::format("must be at most {:g} {} (got {:g})", max, unit, value));
  };
  bound("prefill_chunk_tokens", spec.prefill_chunk_tokens.value, kMaxTokens, "tokens");
  if (spec.kv_step_tokens) bound("kv_step_tokens", spec.kv_step_tokens->value, kMaxTokens, "tokens");
  bound("runtime_overhead_bytes", spec.runtime_overhead_bytes.value, 1125899906842624.0, "bytes");  // 2^50
  if (auto c = e.Optional("calibration")) spec.calibration = ReadNonEmptyString(file, *c, e.PathOf("calibration"));

  const YAML::Node params = e.Required("parameters");
  const std::string params_path = e.PathOf("parameters");
  if (!params.IsMap()) file.Fail(params, params_path, "expected a map of parameters");
  const MapView p(file, params, params_path,
                  {kEngineParamNames[0], kEngineParamNames[1], kEngineParamNames[2], kEngineParamNames[3],
                   kEngineParamNames[4], kEngineParamNames[5], kEngineParamNames[6], kEngineParamNames[7],
                   kEngineParamNames[8], kEngineParamNames[9], kEngineParamNames[10], kEngineParamNames[11]});
  static_assert(kEngineParamCount == 12, "list every parameter name above");
  for (int i = 0; i < kEngineParamCount; ++i) {
    const auto id = static_cast<EngineParamId>(i);
    const bool positive = id != EngineParamId::kDispatchSeconds && id != EngineParamId::kStepOverheadSeconds &&
                          id != EngineParamId::kRowStallWeights && id != EngineParamId::kMatrixSeconds &&
                          id != EngineParamId::kRowComputeWeights;
    spec.params[static_cast<size_t>(i)] = ReadParamKey(p, kEngineParamNames[static_cast<size_t>(i)], positive);
    CheckParamRange(file, p.Required(kEngineParamNames[static_cast<size_t>(i)]),
                    p.PathOf(kEngineParamNames[static_cast<size_t>(i)]), spec.params[static_cast<size_t>(i)].value, id);
  }

  const YAML::Node kernels = e.Required("kernels");
  const std::string kernels_path = e.PathOf("kernels");
  RequireSequence(file, kernels, kernels_path);
  if (kernels.size() == 0) file.Fail(kernels, kernels_path, "an engine runs at least one kernel class");
  for (size_t i = 0; i < kernels.size(); ++i) {
    const std::string kpath = JoinPath(kernels_path, i);
    if (!kernels[i].IsMap()) file.Fail(kernels[i], kpath, "expected a kernel map with class, decode_ops_per_weight, prefill_ops_per_weight");
    const MapView k(file, kernels[i], kpath, {"class", "decode_ops_per_weight", "prefill_ops_per_weight", "row_stall_weights"});
    KernelCost cost;
    cost.where = file.Locate(kernels[i]);
    cost.kernel_class = ReadNonEmptyString(file, k.Required("class"), k.PathOf("class"));
    if (spec.FindKernel(cost.kernel_class)) {
      file.Fail(k.Required("class"), k.PathOf("class"), fmt::format("kernel class '{}' is listed twice", cost.kernel_class));
    }
    cost.decode_ops_per_weight = ReadParamKey(k, "decode_ops_per_weight", true);
    cost.prefill_ops_per_weight = ReadParamKey(k, "prefill_ops_per_weight", true);
    if (k.Has("row_stall_weights")) {
      const YAML::Node points = k.Required("row_stall_weights");
      const std::string ppath = k.PathOf("row_stall_weights");
      RequireSequence(file, points, ppath);
      if (points.size() == 0) file.Fail(points, ppath, "list at least one {cols, value} point, or leave the key out");
      for (size_t j = 0; j < points.size(); ++j) {
        const std::string point_path = JoinPath(ppath, j);
        if (!points[j].IsMap()) file.Fail(points[j], point_path, "expected {cols: 2048, value: 900, fitted: \"...\"}");
        const MapView point(file, points[j], point_path, {"cols", "value", "source", "fitted", "note"});
        RowStallPoint rs;
        const double cols = ReadPositiveNumber(file, point.Required("cols"), point.PathOf("cols"));
        if (cols != std::floor(cols) || cols > 1e9) {
          file.Fail(point.Required("cols"), point.PathOf("cols"), "must be a whole number of weights per row, at most 1e9");
        }
        rs.cols = static_cast<int64_t>(cols);
        if (!cost.row_stall_weights.empty() && rs.cols <= cost.row_stall_weights.back().cols) {
          file.Fail(point.Required("cols"), point.PathOf("cols"),
                    fmt::format("row widths must increase (the previous point is {} wide)", cost.row_stall_weights.back().cols));
        }
        rs.weights = ReadParamFields(file, point, points[j], point_path, false);
        CheckParamRange(file, point.Required("value"), point.PathOf("value"), rs.weights.value, EngineParamId::kRowStallWeights);
        cost.row_stall_weights.push_back(std::move(rs));
      }
    }
    spec.kernels.push_back(std::move(cost));
  }
  return spec;
}

}  // namespace

std::vector<EngineSpec> LoadEnginesFromString(std::string_view text, const std::string& name,
                                              EngineLoadContext& context) {
  const YamlFile file(name, text);
  if (IsNullValue(file.root())) file.Fail(file.root(), "", "the file is empty; expected schema_version and engines");
  const MapView top(file, file.root(), "", {"schema_version", "engines"});
  CheckSchemaVersion(top, kEngineSchemaVersion);
  const YAML::Node list = top.Required("engines");
  RequireSequence(file, list, "engines");
  std::vector<EngineSpec> engines;
  for (size_t i = 0; i < list.size(); ++i) {
    EngineSpec spec = ReadEngine(file, list[i], JoinPath("engines", i));
    if (auto [it, inserted] = context.ids.emplace(spec.id, spec.where); !inserted) {
      file.Fail(list[i], JoinPath(JoinPath("engines", i), "id"),
                fmt::format("duplicate id '{}' (first defined at {}:{})", spec.id, it->second.file, it->second.line));
    }
    engines.push_back(std::move(spec));
  }
  return engines;
}

std::vector<EngineSpec> LoadEnginesFromString(std::string_view text, const std::string& name) {
  EngineLoadContext context;
  return LoadEnginesFromString(text, name, context);
}

namespace {

std::string WriteParam(const EngineParam& p) {
  // 6 significant digits: enough to reproduce the fit's error to the reported precision.
  std::string s = fmt::format("{{value: {}", p.value);  // shortest text that reads back to the same double
  if (!p.source.empty()) s += ", source: " + QuoteYamlString(p.source);
  if (!p.fitted.empty()) s += ", fitted: " + QuoteYamlString(p.fitted);
  if (!p.note.empty()) s += ", note: " + QuoteYamlString(p.note);
  return s + "}";
}

}  // namespace

std::string WriteEngineYaml(const std::vector<EngineSpec>& engines, std::string_view header) {
  std::string out;
  size_t start = 0;
  while (start < header.size()) {
    size_t end = header.find('\n', start);
    if (end == std::string_view::npos) end = header.size();
    out += fmt::format("# {}\n", header.substr(start, end - start));
    start = end + 1;
  }
  out += fmt::format("schema_version: {}\nengines:\n", kEngineSchemaVersion);
  for (const EngineSpec& e : engines) {
    out += fmt::format("  - id: {}\n    name: {}\n", e.id, QuoteYamlString(e.name));
    if (!e.aliases.empty()) {
      std::string list;
      for (const std::string& a : e.aliases) list += (list.empty() ? "" : ", ") + QuoteYamlString(a);
      out += fmt::format("    aliases: [{}]\n", list);
    }
    if (!e.description.empty()) out += fmt::format("    description: {}\n", QuoteYamlString(e.description));
    out += fmt::format("    device: {}\n    weight_format: {}\n    kv_allocation: {}\n    default_kv_type: {}\n",
                       ToString(e.device), e.weight_format == QuantFormat::kGguf ? "gguf" : "mlx",
                       ToString(e.kv_allocation), e.default_kv_type);
    out += fmt::format("    uses_matrix_units: {}\n", e.uses_matrix_units ? "true" : "false");
    out += fmt::format("    prefill_chunk_tokens: {}\n", WriteParam(e.prefill_chunk_tokens));
    if (e.kv_step_tokens) out += fmt::format("    kv_step_tokens: {}\n", WriteParam(*e.kv_step_tokens));
    out += fmt::format("    runtime_overhead_bytes: {}\n", WriteParam(e.runtime_overhead_bytes));
    if (!e.calibration.empty()) out += fmt::format("    calibration: {}\n", QuoteYamlString(e.calibration));
    out += "    parameters:\n";
    for (int i = 0; i < kEngineParamCount; ++i) {
      out += fmt::format("      {}: {}\n", kEngineParamNames[static_cast<size_t>(i)],
                         WriteParam(e.params[static_cast<size_t>(i)]));
    }
    out += "    kernels:\n";
    for (const KernelCost& k : e.kernels) {
      out += fmt::format("      - class: {}\n        decode_ops_per_weight: {}\n        prefill_ops_per_weight: {}\n",
                         k.kernel_class, WriteParam(k.decode_ops_per_weight), WriteParam(k.prefill_ops_per_weight));
      if (!k.row_stall_weights.empty()) {
        out += "        row_stall_weights:\n";
        for (const RowStallPoint& rs : k.row_stall_weights) {
          const std::string param = WriteParam(rs.weights);  // {value: ..., ...}
          out += fmt::format("          - {{cols: {}, {}\n", rs.cols, param.substr(1));
        }
      }
    }
  }
  return out;
}

}  // namespace siliconsim
