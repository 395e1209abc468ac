#pragma once
// The engine database: built-in engines plus overlays, and how users name an engine
// (`llama.cpp-metal`, `llama.cpp`, `metal`, `mlx`, `mlx-lm`, `reference`).

#include <string_view>
#include <vector>

#include "common/data_sources.h"
#include "engine/engine_spec.h"

namespace siliconsim {

/// Every known engine, in database order.
class EngineDatabase {
 public:
  /// Loads `engines/*.yaml` from every layer; an overlay entry replaces the built-in one with the
  /// same id. Throws InputError on the first bad entry.
  static EngineDatabase Load(const DataSources& sources);

  explicit EngineDatabase(std::vector<EngineSpec> engines);

  const std::vector<EngineSpec>& engines() const { return engines_; }

  /// The engine with this id or alias (any case; `-`, `_`, `.` and spaces ignored), or a
  /// UsageError suggesting the nearest name.
  const EngineSpec& Resolve(std::string_view query) const;

  /// The engine with exactly this id, or nullptr.
  const EngineSpec* Find(std::string_view id) const;

 private:
  std::vector<EngineSpec> engines_;
};

}  // namespace siliconsim
