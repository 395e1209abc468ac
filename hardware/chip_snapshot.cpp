#include "hardware/chip_snapshot.h"

#include "common/snapshot.h"
#include "hardware/chip_loader.h"

namespace siliconsim {

// Every member, in declaration order: a member left out here would come back default from the
// snapshot, which SnapshotTest.BuiltinSnapshotEqualsTheYaml catches.
template <class A, typename T>
void Fields(A& a, Fact<T>& f) {
  a(f.value, f.source, f.note, f.derived, f.formula, f.where);
}
template <class A>
void Fields(A& a, CacheLevel& c) {
  a(c.name, c.size_bytes, c.instances, c.threads_sharing, c.read_bandwidth_gbs, c.source, c.where);
}
template <class A>
void Fields(A& a, ChipSpec& c) {
  a(c.id, c.name, c.family, c.kind, c.tier, c.confidence);
  a(c.year, c.cpu_performance_cores, c.cpu_efficiency_cores, c.cpu_p_core_clock_ghz,
    c.cpu_p_core_fp32_flops_per_cycle, c.gpu_cores, c.gpu_alus_per_core, c.gpu_clock_mhz, c.fp32_tflops,
    c.fp16_tflops, c.memory_bandwidth_gbs, c.memory_bus_width_bits, c.memory_type, c.memory_options_gb,
    c.slc_mb, c.gpu_neural_accelerators, c.products);
  a(c.caches, c.cpu_threads, c.cpu_fma_gflops, c.cpu_features, c.memory_bandwidth_by_threads_gbs,
    c.cpu_fma_gflops_by_threads);
  a(c.where);
}
template <class A>
void Fields(A& a, ChipLayerEntries& e) {
  a(e.chips, e.warnings);
}

ChipLayerEntries ReadChipLayer(const DataLayer& layer) {
  if (layer.snapshot) return DecodeChipSnapshot(*layer.snapshot);
  ChipLayerEntries entries;
  ChipLoadContext context;  // duplicate ids are an error within a layer, an override across layers
  for (const DataFile& file : layer.files) {
    for (ChipSpec& chip : LoadChipsFromString(file.text, file.name, context)) entries.chips.push_back(std::move(chip));
  }
  entries.warnings = std::move(context.warnings);
  return entries;
}

std::string EncodeChipSnapshot(const ChipLayerEntries& entries) { return EncodeObject(entries); }
ChipLayerEntries DecodeChipSnapshot(std::string_view bytes) { return DecodeObject<ChipLayerEntries>(bytes); }

}  // namespace siliconsim
