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

ChipSpec ReadChip(const YamlFile& file, const YAML::Node& node, const std::string& path, ChipLoadContext& context) {
  const MapView chip(file, node, path,
                     {"id", "name", "family", "tier", "confidence", "year", "cpu_performance_cores",
                      "cpu_efficiency_cores", "gpu_cores", "gpu_alus_per_core", "gpu_clock_mhz", "fp32_tflops",
                      "fp16_tflops", "memory_bandwidth_gbs", "memory_bus_width_bits", "memory_type",
                      "memory_options_gb", "slc_mb", "gpu_neural_accelerators", "products"});
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
  const std::string tier = ReadChoice(file, chip.Required("tier"), chip.PathOf("tier"), {"base", "pro", "max", "ultra"});
  spec.tier = tier == "base" ? ChipTier::kBase : tier == "pro" ? ChipTier::kPro : tier == "max" ? ChipTier::kMax
                                                                                                : ChipTier::kUltra;
  if (auto c = chip.Optional("confidence")) {
    spec.confidence = ReadChoice(file, *c, chip.PathOf("confidence"), {"high", "low"}) == "high" ? Confidence::kHigh
                                                                                                   : Confidence::kLow;
  }

  spec.year = ReadFact<int>(chip, "year", ReadPositiveInt, false);
  spec.cpu_performance_cores = ReadFact<int>(chip, "cpu_performance_cores", ReadPositiveInt, false);
  spec.cpu_efficiency_cores = ReadFact<int>(chip, "cpu_efficiency_cores", ReadNonNegativeInt, false);
  spec.gpu_cores = ReadFact<int>(chip, "gpu_cores", ReadPositiveInt, true);
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

  CrossCheck(file, node, chip, spec, context.warnings);
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
