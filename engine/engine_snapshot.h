#pragma once
// The engines section of the build-time snapshot (common/snapshot.h).

#include <string>
#include <string_view>
#include <vector>

#include "common/data_sources.h"
#include "engine/engine_spec.h"

namespace siliconsim {

/// One layer's engines: decoded from its snapshot section, or parsed from its YAML files. Throws
/// InputError on a bad file.
std::vector<EngineSpec> ReadEngineLayer(const DataLayer& layer);

std::string EncodeEngineSnapshot(const std::vector<EngineSpec>& engines);
/// Throws SnapshotError when `bytes` is not what EncodeEngineSnapshot wrote.
std::vector<EngineSpec> DecodeEngineSnapshot(std::string_view bytes);

}  // namespace siliconsim
