#pragma once
// The chip database: built-in chips plus overlays, and how users name a chip.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/data_sources.h"
#include "common/diagnostics.h"
#include "hardware/chip_spec.h"

namespace siliconsim {

/// Every known chip variant, in database order (by file, then by entry).
class ChipDatabase {
 public:
  /// Loads `chips/*.yaml` from every layer; an overlay entry replaces the built-in one with
  /// the same id. Throws InputError on the first bad entry.
  static ChipDatabase Load(const DataSources& sources);

  /// A database of the given chips (tests, tools).
  explicit ChipDatabase(std::vector<ChipSpec> chips, Warnings warnings = {});

  const std::vector<ChipSpec>& chips() const { return chips_; }
  /// Cross-check warnings raised while loading.
  const Warnings& warnings() const { return warnings_; }

  /// The chips a user's words could mean: an id (`m4-max-40c`), a name in any case or
  /// spacing (`"M4 Max"`, `m4max`, `Apple M4 Max 40-core`), narrowed by `gpu_cores`.
  std::vector<const ChipSpec*> Match(std::string_view query, std::optional<int> gpu_cores = {}) const;

  /// Exactly one chip, or an InputError that lists the variants of an ambiguous name or
  /// suggests the nearest name for an unknown one.
  const ChipSpec& Resolve(std::string_view query, std::optional<int> gpu_cores = {}) const;

 private:
  std::vector<ChipSpec> chips_;
  Warnings warnings_;
};

/// True when a `--chip` argument names a chip file rather than a database entry: it ends in
/// `.yaml` or `.yml` (any case) and an existing regular file has that path.
bool IsChipFileArgument(std::string_view query);

/// What `--chip` means to every command: a chip file (`host.yaml`, written by `siliconsim host
/// --measure -o host.yaml`) holding exactly one chip, or else `db.Resolve(query, gpu_cores)`.
/// A file chip must match `gpu_cores` when both are given. Loader cross-check warnings of the
/// file are appended to `warnings` (if not null). Throws InputError on bad input.
ChipSpec ResolveChipArgument(const ChipDatabase& db, std::string_view query, std::optional<int> gpu_cores,
                             Warnings* warnings);

}  // namespace siliconsim
