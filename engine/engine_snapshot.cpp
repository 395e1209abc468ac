#include "engine/engine_snapshot.h"

#include "common/snapshot.h"
#include "engine/engine_loader.h"

namespace siliconsim {

// Every member, in declaration order: a member left out here would come back default from the
// snapshot, which SnapshotTest.BuiltinSnapshotEqualsTheYaml catches.
template <class A>
void Fields(A& a, EngineParam& p) {
  a(p.value, p.source, p.fitted, p.note, p.where);
}
template <class A>
void Fields(A& a, RowStallPoint& p) {
  a(p.cols, p.weights);
}
template <class A>
void Fields(A& a, KernelCost& k) {
  a(k.kernel_class, k.decode_ops_per_weight, k.prefill_ops_per_weight, k.row_stall_weights, k.where);
}
template <class A>
void Fields(A& a, EngineSpec& e) {
  a(e.id, e.name, e.aliases, e.description, e.device, e.weight_format, e.kv_allocation, e.default_kv_type);
  a(e.prefill_chunk_tokens, e.kv_step_tokens, e.runtime_overhead_bytes, e.uses_matrix_units, e.params, e.kernels);
  a(e.calibration, e.where);
}

std::vector<EngineSpec> ReadEngineLayer(const DataLayer& layer) {
  if (layer.snapshot) return DecodeEngineSnapshot(*layer.snapshot);
  std::vector<EngineSpec> engines;
  EngineLoadContext context;  // duplicate ids are an error within a layer, an override across layers
  for (const DataFile& file : layer.files) {
    for (EngineSpec& e : LoadEnginesFromString(file.text, file.name, context)) engines.push_back(std::move(e));
  }
  return engines;
}

std::string EncodeEngineSnapshot(const std::vector<EngineSpec>& engines) { return EncodeObject(engines); }
std::vector<EngineSpec> DecodeEngineSnapshot(std::string_view bytes) {
  return DecodeObject<std::vector<EngineSpec>>(bytes);
}

}  // namespace siliconsim
