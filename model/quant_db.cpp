#include "model/quant_db.h"

#include "model/model_snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "common/text.h"

namespace siliconsim {
namespace {

// "LLAMA_FTYPE_MOSTLY_Q4_K_M" -> "q4km"; "Q4_K_M.gguf" -> "q4km"; "MLX 4-bit" -> "mlx4bit".
std::string NormalizeQuery(std::string_view query) {
  std::string s = Squash(query);
  s = StripPrefix(StripPrefix(s, "llamaftypemostly"), "llamaftype");
  s = StripPrefix(s, "gguf");
  s = StripSuffix(s, "gguf");
  return s;
}

template <typename Entry>
bool Names(const Entry& e, const std::string& q, bool by_name) {
  if (q == Squash(e.id) || (by_name && q == Squash(e.name))) return true;
  return std::any_of(e.aliases.begin(), e.aliases.end(), [&](const std::string& a) { return q == Squash(a); });
}

std::string Describe(const QuantChoice& c) {
  if (c.gguf) {
    return fmt::format("  {:<14} llama.cpp file type {} (llama_ftype {}, mostly {})", c.gguf->id, c.gguf->name,
                       c.gguf->ftype.value, c.gguf->default_type.value.name);
  }
  return fmt::format("  {:<14} {}", c.mlx->id, c.mlx->name);
}

}  // namespace

QuantDatabase::QuantDatabase(QuantTables tables, Warnings warnings)
    : tables_(std::move(tables)), warnings_(std::move(warnings)) {}

QuantDatabase QuantDatabase::Load(const DataSources& sources) {
  QuantTables all;
  Warnings warnings;
  for (const DataLayer& layer : sources.Layers("quants")) {
    QuantLayerEntries entries = ReadQuantLayer(layer);
    QuantTables& tables = entries.tables;
    for (GgufFileType& e : tables.gguf_file_types) {
      // An id moving between GGUF and MLX replaces the old entry too.
      std::erase_if(all.mlx_quants, [&](const MlxQuant& m) { return m.id == e.id; });
      OverrideById(all.gguf_file_types, std::move(e));
    }
    for (MlxQuant& e : tables.mlx_quants) {
      std::erase_if(all.gguf_file_types, [&](const GgufFileType& g) { return g.id == e.id; });
      OverrideById(all.mlx_quants, std::move(e));
    }
    for (KvCacheType& e : tables.kv_cache_types) OverrideById(all.kv_cache_types, std::move(e));
    warnings.insert(warnings.end(), entries.warnings.begin(), entries.warnings.end());
  }
  return QuantDatabase(std::move(all), std::move(warnings));
}

std::vector<QuantChoice> QuantDatabase::Match(std::string_view query) const {
  std::vector<QuantChoice> found;
  const std::string q = NormalizeQuery(query);
  if (q.empty()) return found;
  for (const GgufFileType& g : tables_.gguf_file_types) {
    if (Names(g, q, true)) found.push_back({QuantFormat::kGguf, &g, nullptr});
  }
  for (const MlxQuant& m : tables_.mlx_quants) {
    if (Names(m, q, false)) found.push_back({QuantFormat::kMlx, nullptr, &m});
  }
  return found;
}

QuantChoice QuantDatabase::Resolve(std::string_view query) const {
  const std::vector<QuantChoice> found = Match(query);
  if (found.size() == 1) return found.front();
  if (found.size() > 1) {
    std::string list;
    for (const QuantChoice& c : found) list.append("\n").append(Describe(c));
    throw UsageError(
        fmt::format("quant '{}' is ambiguous: it names {} entries; pick one by id:{}", query, found.size(), list));
  }
  std::vector<std::string> names;
  for (const GgufFileType& g : tables_.gguf_file_types) names.push_back(g.name);
  for (const MlxQuant& m : tables_.mlx_quants) names.push_back(m.id);
  std::string message = fmt::format("unknown quant '{}'", query);
  if (auto near = NearestMatch(query, names)) message += fmt::format("; did you mean '{}'?", *near);
  message += " ('siliconsim quants' lists every quantization)";
  throw UsageError(message);
}

const KvCacheType& QuantDatabase::ResolveKvCache(std::string_view query) const {
  const std::string q = NormalizeQuery(query);
  std::vector<const KvCacheType*> found;
  for (const KvCacheType& k : tables_.kv_cache_types) {
    if (!q.empty() && Names(k, q, false)) found.push_back(&k);
  }
  if (found.size() == 1) return *found.front();
  if (found.size() > 1) {
    std::vector<std::string> ids;
    for (const KvCacheType* k : found) ids.push_back(k->id);
    throw UsageError(fmt::format("KV cache type '{}' is ambiguous: it names {}", query, Join(ids, ", ")));
  }
  std::vector<std::string> ids;
  for (const KvCacheType& k : tables_.kv_cache_types) ids.push_back(k.id);
  std::string message = fmt::format("unknown KV cache type '{}'", query);
  if (auto near = NearestMatch(query, ids)) message += fmt::format("; did you mean '{}'?", *near);
  message += fmt::format(" (known: {})", Join(ids, ", "));
  throw UsageError(message);
}

const GgufFileType* QuantDatabase::FindByFtype(int ftype) const {
  for (const GgufFileType& g : tables_.gguf_file_types) {
    if (g.ftype.value == ftype) return &g;
  }
  return nullptr;
}

double KvCacheType::bytes_per_element() const {
  if (ggml_type) return static_cast<double>(ggml_type->value.block_bytes) / ggml_type->value.block_elements;
  if (bits && group_size && scale_dtype) {
    // Packed values plus one scale and one bias per group (mlx_lm QuantizedKVCache).
    return bits->value / 8.0 + 2.0 * MlxDtypeBytes(scale_dtype->value) / group_size->value;
  }
  return 0;
}

int KvCacheType::block_elements() const {
  if (ggml_type) return ggml_type->value.block_elements;
  if (group_size) return group_size->value;
  return 1;
}

}  // namespace siliconsim
