#pragma once
// The models and quants sections of the build-time snapshot (common/snapshot.h).

#include <string>
#include <string_view>
#include <vector>

#include "common/data_sources.h"
#include "common/diagnostics.h"
#include "model/model_spec.h"
#include "model/quant_loader.h"

namespace siliconsim {

/// One layer's models as the loader produced them, and its warnings.
struct ModelLayerEntries {
  std::vector<ModelSpec> models;
  Warnings warnings;
};

/// One layer's quantization tables, and its warnings.
struct QuantLayerEntries {
  QuantTables tables;
  Warnings warnings;
};

/// One layer's models: decoded from its snapshot section, or parsed from its YAML files. Throws
/// InputError on a bad file.
ModelLayerEntries ReadModelLayer(const DataLayer& layer);
/// One layer's quantization tables, the same way.
QuantLayerEntries ReadQuantLayer(const DataLayer& layer);

std::string EncodeModelSnapshot(const ModelLayerEntries& entries);
/// Throws SnapshotError when `bytes` is not what EncodeModelSnapshot wrote.
ModelLayerEntries DecodeModelSnapshot(std::string_view bytes);

std::string EncodeQuantSnapshot(const QuantLayerEntries& entries);
/// Throws SnapshotError when `bytes` is not what EncodeQuantSnapshot wrote.
QuantLayerEntries DecodeQuantSnapshot(std::string_view bytes);

}  // namespace siliconsim
