// WriteChipYaml: the inverse of the chip loader, for `siliconsim host --measure -o host.yaml`.

#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/strict_yaml.h"
#include "hardware/chip_loader.h"

namespace siliconsim {
namespace {

// Shortest text that reads back to the same double.
std::string Value(double v) { return fmt::format("{}", v); }
std::string Value(int v) { return fmt::format("{}", v); }
std::string Value(bool v) { return v ? "true" : "false"; }
std::string Value(const std::string& v) { return QuoteYamlString(v); }

template <typename T>
std::string Value(const std::vector<T>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += Value(values[i]);
  }
  return out + "]";
}

template <typename T>
void WriteFact(std::string& out, const char* key, const Fact<T>& fact) {
  // An absent fact reads as unknown with the note "not given"; leaving out an unknown fact
  // without a note or source of its own reads back the same.
  if (!fact.value && (fact.note.empty() || fact.note == "not given") && fact.source.empty() && !fact.derived &&
      fact.formula.empty()) {
    return;
  }
  std::string map = fmt::format("{{value: {}", fact.value ? Value(*fact.value) : "null");
  if (!fact.source.empty()) map += fmt::format(", source: {}", QuoteYamlString(fact.source));
  if (!fact.note.empty()) map += fmt::format(", note: {}", QuoteYamlString(fact.note));
  if (fact.derived) map += ", derived: true";
  if (!fact.formula.empty()) map += fmt::format(", formula: {}", QuoteYamlString(fact.formula));
  map += "}";
  out += fmt::format("    {:<32} {}\n", std::string(key) + ":", map);
}

}  // namespace

std::string WriteChipYaml(const ChipSpec& c, std::string_view header_comment) {
  std::string out;
  size_t start = 0;
  while (start < header_comment.size()) {
    size_t end = header_comment.find('\n', start);
    if (end == std::string_view::npos) end = header_comment.size();
    const std::string_view line = header_comment.substr(start, end - start);
    out += line.empty() ? "#\n" : fmt::format("# {}\n", line);
    start = end + 1;
  }
  out += fmt::format("schema_version: {}\nchips:\n", kChipSchemaVersion);
  out += fmt::format("  - id: {}\n", QuoteYamlString(c.id));
  out += fmt::format("    name: {}\n", QuoteYamlString(c.name));
  out += fmt::format("    family: {}\n", QuoteYamlString(c.family));
  out += fmt::format("    kind: {}\n", ToString(c.kind));
  if (c.kind == ChipKind::kAppleSilicon || c.tier != ChipTier::kBase) out += fmt::format("    tier: {}\n", ToString(c.tier));
  out += fmt::format("    confidence: {}\n", ToString(c.confidence));
  WriteFact(out, "year", c.year);
  WriteFact(out, "cpu_performance_cores", c.cpu_performance_cores);
  WriteFact(out, "cpu_efficiency_cores", c.cpu_efficiency_cores);
  WriteFact(out, "cpu_p_core_clock_ghz", c.cpu_p_core_clock_ghz);
  WriteFact(out, "cpu_p_core_fp32_flops_per_cycle", c.cpu_p_core_fp32_flops_per_cycle);
  WriteFact(out, "gpu_cores", c.gpu_cores);
  WriteFact(out, "gpu_alus_per_core", c.gpu_alus_per_core);
  WriteFact(out, "gpu_clock_mhz", c.gpu_clock_mhz);
  WriteFact(out, "fp32_tflops", c.fp32_tflops);
  WriteFact(out, "fp16_tflops", c.fp16_tflops);
  WriteFact(out, "memory_bandwidth_gbs", c.memory_bandwidth_gbs);
  WriteFact(out, "memory_bus_width_bits", c.memory_bus_width_bits);
  WriteFact(out, "memory_type", c.memory_type);
  WriteFact(out, "memory_options_gb", c.memory_options_gb);
  WriteFact(out, "slc_mb", c.slc_mb);
  WriteFact(out, "gpu_neural_accelerators", c.gpu_neural_accelerators);
  WriteFact(out, "products", c.products);
  WriteFact(out, "cpu_threads", c.cpu_threads);
  WriteFact(out, "cpu_fma_gflops", c.cpu_fma_gflops);
  WriteFact(out, "cpu_features", c.cpu_features);
  WriteFact(out, "memory_bandwidth_by_threads_gbs", c.memory_bandwidth_by_threads_gbs);
  WriteFact(out, "cpu_fma_gflops_by_threads", c.cpu_fma_gflops_by_threads);
  if (!c.caches.empty()) {
    out += "    caches:\n";
    for (const CacheLevel& level : c.caches) {
      std::string bw;
      if (level.read_bandwidth_gbs) bw = fmt::format(", read_bandwidth_gbs: {}", Value(*level.read_bandwidth_gbs));
      out += fmt::format("      - {{name: {}, size_bytes: {}, instances: {}, threads_sharing: {}{}, source: {}}}\n",
                         QuoteYamlString(level.name), level.size_bytes, level.instances, level.threads_sharing, bw,
                         QuoteYamlString(level.source));
    }
  }
  return out;
}

}  // namespace siliconsim
