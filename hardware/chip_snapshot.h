#pragma once
// The chips section of the build-time snapshot (common/snapshot.h).

#include <string>
#include <string_view>
#include <vector>

#include "common/data_sources.h"
#include "common/diagnostics.h"
#include "hardware/chip_spec.h"

namespace siliconsim {

/// One layer's chips as the loader produced them, and its warnings.
struct ChipLayerEntries {
  std::vector<ChipSpec> chips;
  Warnings warnings;
};

/// One layer's chips: decoded from its snapshot section, or parsed from its YAML files (duplicate
/// ids within the layer are errors). Throws InputError on a bad file.
ChipLayerEntries ReadChipLayer(const DataLayer& layer);

std::string EncodeChipSnapshot(const ChipLayerEntries& entries);
/// Throws SnapshotError when `bytes` is not what EncodeChipSnapshot wrote.
ChipLayerEntries DecodeChipSnapshot(std::string_view bytes);

}  // namespace siliconsim
