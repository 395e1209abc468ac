#include "model/model_snapshot.h"

#include <iterator>

#include "common/snapshot.h"
#include "model/model_loader.h"

namespace siliconsim {

// Every member, in declaration order: a member left out here would come back default from the
// snapshot, which SnapshotTest.BuiltinSnapshotEqualsTheYaml catches.
template <class A>
void Fields(A& a, AttentionSpec& s) {
  a(s.num_heads, s.num_kv_heads, s.head_dim, s.qkv_bias, s.output_bias, s.qk_norm, s.output_gate, s.sinks,
    s.sliding_window_tokens, s.chunk_tokens);
}
template <class A>
void Fields(A& a, MlaSpec& s) {
  a(s.q_lora_rank, s.kv_lora_rank, s.qk_nope_head_dim, s.qk_rope_head_dim, s.v_head_dim);
}
template <class A>
void Fields(A& a, LinearAttentionSpec& s) {
  a(s.num_key_heads, s.num_value_heads, s.key_head_dim, s.value_head_dim, s.conv_kernel);
}
template <class A>
void Fields(A& a, Mamba2Spec& s) {
  a(s.num_heads, s.head_dim, s.state_size, s.num_groups, s.conv_kernel, s.conv_bias, s.proj_bias);
}
template <class A>
void Fields(A& a, FfnSpec& s) {
  a(s.intermediate_size, s.gated, s.bias);
}
template <class A>
void Fields(A& a, MoeSpec& s) {
  a(s.num_experts, s.experts_per_token, s.expert_intermediate_size, s.num_shared_experts,
    s.shared_expert_intermediate_size, s.shared_expert_gate, s.router_bias, s.expert_bias);
}
template <class A>
void Fields(A& a, PublishedCount& p) {
  a(p.value, p.source, p.text, p.includes_token_embedding);
}
template <class A>
void Fields(A& a, ModelSpec& m) {
  a(m.id, m.name, m.family, m.aliases, m.source);
  a(m.hidden_size, m.num_layers, m.vocab_size, m.tie_word_embeddings, m.max_context_tokens, m.norms_per_layer);
  a(m.attention, m.mla, m.linear_attention, m.mamba2, m.ffn, m.moe);
  a(m.layer_attention, m.layer_ffn, m.published_total_params, m.published_active_params, m.where);
}
template <class A>
void Fields(A& a, ModelLayerEntries& e) {
  a(e.models, e.warnings);
}

// A ggml type is a row of the static table in model/ggml_types.cpp: stored by its id.
template <class A>
void Fields(A& a, GgmlType& t) {
  int id = t.id;
  a(id);
  if constexpr (A::kReading) {
    const std::optional<GgmlType> known = GgmlTypeById(id);
    if (!known) throw SnapshotError("snapshot: unknown ggml type id " + std::to_string(id));
    t = *known;
  }
}
template <class A, typename T>
void Fields(A& a, QuantFact<T>& f) {
  a(f.value, f.source, f.note, f.where);
}
template <class A>
void Fields(A& a, GgufFileType& g) {
  a(g.id, g.name, g.aliases, g.description, g.ftype, g.default_type, g.promoted_types, g.requires_imatrix, g.where);
}
template <class A>
void Fields(A& a, MlxQuant& m) {
  a(m.id, m.name, m.aliases, m.mode, m.bits, m.group_size, m.scale_dtype, m.bias_dtype, m.unquantized_dtype,
    m.high_bits, m.router_bits, m.router_group_size, m.where);
}
template <class A>
void Fields(A& a, KvCacheType& k) {
  a(k.id, k.name, k.aliases, k.engine, k.ggml_type, k.bits, k.group_size, k.scale_dtype,
    k.v_requires_flash_attention, k.where);
}
template <class A>
void Fields(A& a, QuantLayerEntries& e) {
  a(e.tables.gguf_file_types, e.tables.mlx_quants, e.tables.kv_cache_types, e.warnings);
}

ModelLayerEntries ReadModelLayer(const DataLayer& layer) {
  if (layer.snapshot) return DecodeModelSnapshot(*layer.snapshot);
  ModelLayerEntries entries;
  ModelLoadContext context;  // duplicate ids are an error within a layer, an override across layers
  for (const DataFile& file : layer.files) {
    for (ModelSpec& m : LoadModelsFromString(file.text, file.name, context)) entries.models.push_back(std::move(m));
  }
  entries.warnings = std::move(context.warnings);
  return entries;
}

QuantLayerEntries ReadQuantLayer(const DataLayer& layer) {
  if (layer.snapshot) return DecodeQuantSnapshot(*layer.snapshot);
  QuantLayerEntries entries;
  QuantLoadContext context;  // duplicate ids are an error within a layer, an override across layers
  for (const DataFile& file : layer.files) {
    QuantTables t = LoadQuantsFromString(file.text, file.name, context);
    auto append = [](auto& into, auto& from) { into.insert(into.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end())); };
    append(entries.tables.gguf_file_types, t.gguf_file_types);
    append(entries.tables.mlx_quants, t.mlx_quants);
    append(entries.tables.kv_cache_types, t.kv_cache_types);
  }
  entries.warnings = std::move(context.warnings);
  return entries;
}

std::string EncodeModelSnapshot(const ModelLayerEntries& entries) { return EncodeObject(entries); }
ModelLayerEntries DecodeModelSnapshot(std::string_view bytes) { return DecodeObject<ModelLayerEntries>(bytes); }
std::string EncodeQuantSnapshot(const QuantLayerEntries& entries) { return EncodeObject(entries); }
QuantLayerEntries DecodeQuantSnapshot(std::string_view bytes) { return DecodeObject<QuantLayerEntries>(bytes); }

}  // namespace siliconsim
