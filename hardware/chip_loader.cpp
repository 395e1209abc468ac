#include "hardware/chip_loader.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "common/strict_yaml.h"

namespace siliconsim {
namespace {


// Reads a fact map `{value: ..., source: ..., note: ..., derived: ..., formula: ...}`.
template <typename T>
Fact<T> ReadFact(const MapView& chip, std::string_view key,
                 const std::function<T(const YamlFile&, const YAML::Node&, const std::string&)>& read_value,
                 bool must_be_known) {
  Fact<T> fact;
  const std::optional<YAML::Node> node = chip.Optional(key);
  if (!node) {
    if (must_be_known) chip.Required(key);  // reports the missing key
    fact.note = "not given";
    return fact;
  }
  const YamlFile& file = chip.file();
  const std::string path = chip.PathOf(key);
  if (!node->IsMap()) {
    file.Fail(*node, path, "expected a fact map such as {value: 40, source: \"Apple tech specs\"}");
  }
  const MapView map(file, *node, path, {"value", "source", "note", "derived", "formula"});
  fact.where = file.Locate(*node);
  const YAML::Node value = map.Required("value");
  if (!IsNullValue(value)) fact.value = read_value(file, value, map.PathOf("value"));
  if (auto source = map.Optional("source")) fact.source = ReadNonEmptyString(file, *source, map.PathOf("source"));
  if (auto note = map.Optional("note")) fact.note = ReadNonEmptyString(file, *note, map.PathOf("note"));
  if (auto derived = map.Optional("derived")) fact.derived = ReadBool(file, *derived, map.PathOf("derived"));
  if (auto formula = map.Optional("formula")) fact.formula = ReadNonEmptyString(file, *formula, map.PathOf("formula"));

  if (fact.value && fact.source.empty()) {
    file.Fail(*node, map.PathOf("source"), "a known value needs a source");
  }
  if (!fact.value && fact.note.empty()) {
    file.Fail(*node, map.PathOf("note"), "an unknown value (null) needs a note saying why");
  }
  if (!fact.value && must_be_known) {
    file.Fail(value, map.PathOf("value"), "must be known: predictions depend on it");
  }
  if (fact.derived && fact.formula.empty()) {
    file.Fail(*node, map.PathOf("formula"), "a derived value needs the formula it was computed with");
  }
  if (!fact.derived && !fact.formula.empty()) {
    file.Fail(map.KeyNode("formula"), map.PathOf("formula"), "a formula is given but derived is not true");
  }
  return fact;
}

// Ids are what users type: lower-case letters, digits, '-' and '.', starting with a letter or digit.
bool IsValidId(const std::string& id) {
  const auto ok = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (!first && (c == '-' || c == '.'));
  };
  if (id.empty() || !ok(id[0], true)) return false;
  return std::all_of(id.begin() + 1, id.end(), [&](char c) { return ok(c, false); });
}

int ReadPositiveInt(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  const int64_t v = ReadPositiveInteger(f, n, p);
  if (v > 1'000'000) f.Fail(n, p, fmt::format("{} is implausibly large", v));
  return static_cast<int>(v);
}

int ReadNonNegativeInt(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  const int64_t v = ReadInteger(f, n, p);
  if (v < 0) f.Fail(n, p, fmt::format("must not be negative, got {}", v));
  if (v > 1'000'000) f.Fail(n, p, fmt::format("{} is implausibly large", v));
  return static_cast<int>(v);
}

double ReadPositive(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  return ReadPositiveNumber(f, n, p);
}

std::string ReadText(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  return ReadNonEmptyString(f, n, p);
}

bool ReadFlag(const YamlFile& f, const YAML::Node& n, const std::string& p) { return ReadBool(f, n, p); }

std::vector<int> ReadMemoryOptions(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  RequireSequence(f, n, p);
  if (n.size() == 0) f.Fail(n, p, "must list at least one memory size");
  std::vector<int> sizes;
  for (size_t i = 0; i < n.size(); ++i) {
    const int gb = ReadPositiveInt(f, n[i], JoinPath(p, i));
    if (!sizes.empty() && gb <= sizes.back()) {
      f.Fail(n[i], JoinPath(p, i), fmt::format("sizes must be listed in increasing order; {} follows {}", gb,
                                               sizes.back()));
    }
    sizes.push_back(gb);
  }
  return sizes;
}

std::vector<std::string> ReadNames(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  RequireSequence(f, n, p);
  std::vector<std::string> names;
  for (size_t i = 0; i < n.size(); ++i) names.push_back(ReadNonEmptyString(f, n[i], JoinPath(p, i)));
  return names;
}

void CrossCheck(const YamlFile& file, const YAML::Node& chip_node, const MapView& chip, const ChipSpec& spec,
                Warnings& warnings) {
  const auto warn = [&](std::string_view key, std::string message) {
    const YAML::Node at = chip.Has(key) ? *chip.Optional(key) : chip_node;
    warnings.push_back(file.At(Severity::kWarning, at, chip.PathOf(key), std::move(message)));
  };
  const auto apart = [](double declared, double computed) { return std::abs(declared - computed) / computed; };

  if (const auto computed = ComputeFp32Tflops(spec); computed && spec.fp32_tflops.known()) {
    const double declared = *spec.fp32_tflops.value;
    if (apart(declared, *computed) > kCrossCheckTolerance) {
      warn("fp32_tflops",
           fmt::format("declared {:.4g} TFLOPS, but {} GPU cores x {} ALUs x 2 FLOP x {:.4g} MHz = {:.4g} TFLOPS "
                       "({:.1f}% apart)",
                       declared, *spec.gpu_cores.value, *spec.gpu_alus_per_core.value, *spec.gpu_clock_mhz.value,
                       *computed, 100 * apart(declared, *computed)));
    }
  }
  if (const auto computed = ComputeBandwidthGbs(spec); computed && spec.memory_bandwidth_gbs.known()) {
    const double declared = *spec.memory_bandwidth_gbs.value;
    if (apart(declared, *computed) > kCrossCheckTolerance) {
      warn("memory_bandwidth_gbs",
           fmt::format("declared {:.4g} GB/s, but a {}-bit bus of {} = {:.4g} GB/s ({:.1f}% apart)", declared,
                       *spec.memory_bus_width_bits.value, *spec.memory_type.value, *computed,
                       100 * apart(declared, *computed)));
    }
  }
}

std::vector<double> ReadPositiveNumbers(const YamlFile& f, const YAML::Node& n, const std::string& p) {
  RequireSequence(f, n, p);
  if (n.size() == 0) f.Fail(n, p, "must list at least one value");
  std::vector<double> values;
  for (size_t i = 0; i < n.size(); ++i) values.push_back(ReadPositiveNumber(f, n[i], JoinPath(p, i)));
  return values;
}

// `caches: [{name: L1d, size_bytes: 49152, instances: 2, threads_sharing: 1, read_bandwidth_gbs: 180,
// source: "..."}, ...]`, innermost first.
std::vector<CacheLevel> ReadCaches(const YamlFile& file, const YAML::Node& node, const std::string& path) {
  RequireSequence(file, node, path);
  std::vector<CacheLevel> caches;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string at = JoinPath(path, i);
    if (!node[i].IsMap()) {
      file.Fail(node[i], at,
                "expected a cache map such as {name: L2, size_bytes: 1048576, instances: 2, threads_sharing: 1, "
                "source: \"sysfs\"}");
    }
    const MapView map(file, node[i], at,
                      {"name", "size_bytes", "instances", "threads_sharing", "read_bandwidth_gbs", "source"});
    CacheLevel level;
    level.where = file.Locate(node[i]);
    level.name = ReadNonEmptyString(file, map.Required("name"), map.PathOf("name"));
    const YAML::Node size = map.Required("size_bytes");
    level.size_bytes = ReadPositiveInteger(file, size, map.PathOf("size_bytes"));
    level.instances = ReadPositiveInt(file, map.Required("instances"), map.PathOf("instances"));
    level.threads_sharing = ReadPositiveInt(file, map.Required("threads_sharing"), map.PathOf("threads_sharing"));
    if (auto bw = map.Optional("read_bandwidth_gbs"); bw && !IsNullValue(*bw)) {
      level.read_bandwidth_gbs = ReadPositiveNumber(file, *bw, map.PathOf("read_bandwidth_gbs"));
    }
    level.source = ReadNonEmptyString(file, map.Required("source"), map.PathOf("source"));
    for (const CacheLevel& inner : caches) {
      if (inner.name == level.name) {
        file.Fail(node[i], map.PathOf("name"), fmt::format("duplicate cache level '{}'", level.name));
      }
    }
    if (!caches.empty() && level.size_bytes <= caches.back().size_bytes) {
      file.Fail(size, map.PathOf("size_bytes"),
                fmt::format("caches must be listed innermost first, each larger than the one before; {} ({} bytes) "
                            "follows {} ({} bytes)",
                            level.name, level.size_bytes, caches.back().name, caches.back().size_bytes));
    }
    caches.push_back(std::move(level));
  }
  return caches;
}

// Measured CPU hosts: the per-thread-count lists end at the all-thread figures.
void CrossCheckCpu(const YamlFile& file, const YAML::Node& chip_node, const MapView& chip, const ChipSpec& spec,
                   Warnings& warnings) {
  const auto warn = [&](std::string_view key, std::string message) {
    const YAML::Node at = chip.Has(key) ? *chip.Optional(key) : chip_node;
    warnings.push_back(file.At(Severity::kWarning, at, chip.PathOf(key), std::move(message)));
  };
  const auto check_list = [&](const Fact<std::vector<double>>& list, const char* list_key,
                              const Fact<double>& total, const char* total_key) {
    if (!list.known()) return;
    if (spec.cpu_threads.known() && static_cast<int>(list.value->size()) != *spec.cpu_threads.value) {
      warn(list_key, fmt::format("lists {} thread counts, but cpu_threads is {}", list.value->size(),
                                 *spec.cpu_threads.value));
    }
    if (total.known()) {
      const double last = list.value->back();
      const double declared = *total.value;
      if (std::abs(declared - last) / last > kCrossCheckTolerance) {
        warn(total_key, fmt::format("declared {:.4g}, but {} ends at {:.4g} for {} threads", declared, list_key,
                                    last, list.value->size()));
      }
    }
  };
  check_list(spec.memory_bandwidth_by_threads_gbs, "memory_bandwidth_by_threads_gbs", spec.memory_bandwidth_gbs,
             "memory_bandwidth_gbs");
  check_list(spec.cpu_fma_gflops_by_threads, "cpu_fma_gflops_by_threads", spec.cpu_fma_gflops, "cpu_fma_gflops");
}

ChipSpec ReadChip(const YamlFile& file, const YAML::Node& node, const std::string& path, ChipLoadContext& context) {
  const MapView chip(file, node, path,
                     {"id", "name", "family", "kind", "tier", "confidence", "year", "cpu_performance_cores",
                      "cpu_efficiency_cores", "cpu_p_core_clock_ghz", "cpu_p_core_fp32_flops_per_cycle", "gpu_cores",
                      "gpu_alus_per_core", "gpu_clock_mhz", "fp32_tflops",
                      "fp16_tflops", "memory_bandwidth_gbs", "memory_bus_width_bits", "memory_type",
                      "memory_options_gb", "slc_mb", "gpu_neural_accelerators", "products", "caches", "cpu_threads",
                      "cpu_fma_gflops", "cpu_features", "memory_bandwidth_by_threads_gbs",
                      "cpu_fma_gflops_by_threads"});
  ChipSpec spec;
  const YAML::Node id_node = chip.Required("id");
  spec.id = ReadNonEmptyString(file, id_node, chip.PathOf("id"));
  if (!IsValidId(spec.id)) {
    file.Fail(id_node, chip.PathOf("id"),
              fmt::format("'{}' is not a valid id: use lower-case letters, digits, '-' and '.'", spec.id));
  }
  spec.where = file.Locate(id_node);
  if (auto [it, inserted] = context.ids.emplace(spec.id, spec.where); !inserted) {
    file.Fail(id_node, chip.PathOf("id"),
              fmt::format("duplicate id '{}' (first defined at {}:{})", spec.id, it->second.file, it->second.line));
  }
  spec.name = ReadNonEmptyString(file, chip.Required("name"), chip.PathOf("name"));
  spec.family = ReadNonEmptyString(file, chip.Required("family"), chip.PathOf("family"));
  if (auto kind = chip.Optional("kind")) {
    spec.kind = ReadChoice(file, *kind, chip.PathOf("kind"), {"apple-silicon", "cpu"}) == "cpu"
                    ? ChipKind::kCpu
                    : ChipKind::kAppleSilicon;
  }
  const bool apple = spec.kind == ChipKind::kAppleSilicon;
  // A CPU host has no Apple tier; it may still give one, and then it is checked.
  const std::optional<YAML::Node> tier_node = apple ? chip.Required("tier") : chip.Optional("tier");
  if (tier_node) {
    const std::string tier = ReadChoice(file, *tier_node, chip.PathOf("tier"), {"base", "pro", "max", "ultra"});
    spec.tier = tier == "base"  ? ChipTier::kBase
                : tier == "pro" ? ChipTier::kPro
                : tier == "max" ? ChipTier::kMax
                                : ChipTier::kUltra;
  }
  if (auto c = chip.Optional("confidence")) {
    spec.confidence = ReadChoice(file, *c, chip.PathOf("confidence"), {"high", "low"}) == "high" ? Confidence::kHigh
                                                                                                   : Confidence::kLow;
  }

  spec.year = ReadFact<int>(chip, "year", ReadPositiveInt, false);
  spec.cpu_performance_cores = ReadFact<int>(chip, "cpu_performance_cores", ReadPositiveInt, false);
  spec.cpu_efficiency_cores = ReadFact<int>(chip, "cpu_efficiency_cores", ReadNonNegativeInt, false);
  spec.cpu_p_core_clock_ghz = ReadFact<double>(chip, "cpu_p_core_clock_ghz", ReadPositive, false);
  spec.cpu_p_core_fp32_flops_per_cycle = ReadFact<int>(chip, "cpu_p_core_fp32_flops_per_cycle", ReadPositiveInt, false);
  spec.gpu_cores = ReadFact<int>(chip, "gpu_cores", ReadPositiveInt, apple);
  spec.gpu_alus_per_core = ReadFact<int>(chip, "gpu_alus_per_core", ReadPositiveInt, false);
  spec.gpu_clock_mhz = ReadFact<double>(chip, "gpu_clock_mhz", ReadPositive, false);
  spec.fp32_tflops = ReadFact<double>(chip, "fp32_tflops", ReadPositive, false);
  spec.fp16_tflops = ReadFact<double>(chip, "fp16_tflops", ReadPositive, false);
  spec.memory_bandwidth_gbs = ReadFact<double>(chip, "memory_bandwidth_gbs", ReadPositive, true);
  spec.memory_bus_width_bits = ReadFact<int>(chip, "memory_bus_width_bits", ReadPositiveInt, false);
  spec.memory_type = ReadFact<std::string>(chip, "memory_type", ReadText, false);
  spec.memory_options_gb = ReadFact<std::vector<int>>(chip, "memory_options_gb", ReadMemoryOptions, true);
  spec.slc_mb = ReadFact<double>(chip, "slc_mb", ReadPositive, false);
  spec.gpu_neural_accelerators = ReadFact<bool>(chip, "gpu_neural_accelerators", ReadFlag, false);
  spec.products = ReadFact<std::vector<std::string>>(chip, "products", ReadNames, false);

  if (auto caches = chip.Optional("caches")) spec.caches = ReadCaches(file, *caches, chip.PathOf("caches"));
  spec.cpu_threads = ReadFact<int>(chip, "cpu_threads", ReadPositiveInt, false);
  spec.cpu_fma_gflops = ReadFact<double>(chip, "cpu_fma_gflops", ReadPositive, false);
  spec.cpu_features = ReadFact<std::vector<std::string>>(chip, "cpu_features", ReadNames, false);
  spec.memory_bandwidth_by_threads_gbs =
      ReadFact<std::vector<double>>(chip, "memory_bandwidth_by_threads_gbs", ReadPositiveNumbers, false);
  spec.cpu_fma_gflops_by_threads =
      ReadFact<std::vector<double>>(chip, "cpu_fma_gflops_by_threads", ReadPositiveNumbers, false);

  CrossCheck(file, node, chip, spec, context.warnings);
  CrossCheckCpu(file, node, chip, spec, context.warnings);
  return spec;
}

}  // namespace

std::vector<ChipSpec> LoadChipsFromString(std::string_view text, const std::string& name, ChipLoadContext& context) {
  const YamlFile file(name, text);
  if (IsNullValue(file.root())) file.Fail(file.root(), "", "the file is empty; expected schema_version and chips");
  const MapView top(file, file.root(), "", {"schema_version", "chips"});
  CheckSchemaVersion(top, kChipSchemaVersion);
  const YAML::Node list = top.Required("chips");
  RequireSequence(file, list, "chips");
  std::vector<ChipSpec> chips;
  chips.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) chips.push_back(ReadChip(file, list[i], JoinPath("chips", i), context));
  return chips;
}

std::vector<ChipSpec> LoadChipsFromString(std::string_view text, const std::string& name, Warnings* warnings) {
  ChipLoadContext context;
  std::vector<ChipSpec> chips = LoadChipsFromString(text, name, context);
  if (warnings) *warnings = std::move(context.warnings);
  return chips;
}

}  // namespace siliconsim
