#pragma once
// Reads chip YAML (data/chips/*.yaml) into ChipSpec, strictly: see common/strict_yaml.h.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostics.h"
#include "hardware/chip_spec.h"

namespace siliconsim {

/// The chip file format this build reads.
inline constexpr int kChipSchemaVersion = 1;

/// Relative disagreement between a declared and a recomputed value that we still call equal:
/// Apple rounds its published figures ("800 GB/s" for 819.2), and 3% covers that rounding
/// while a wrong clock or a wrong bin is further off.
inline constexpr double kCrossCheckTolerance = 0.03;

/// State shared by the files of one data layer: ids seen so far and warnings.
struct ChipLoadContext {
  std::map<std::string, SourceLocation> ids;  ///< id -> where it was first defined
  Warnings warnings;
};

/// Parses one chip file. Throws InputError on the first problem; appends cross-check
/// warnings to `context`.
std::vector<ChipSpec> LoadChipsFromString(std::string_view text, const std::string& name,
                                          ChipLoadContext& context);

/// Same, for tests and one-off use: a fresh context, warnings discarded unless asked for.
std::vector<ChipSpec> LoadChipsFromString(std::string_view text, const std::string& name = "input",
                                          Warnings* warnings = nullptr);

/// A whole chip file (schema_version + one entry) that LoadChipsFromString reads back to the
/// same ChipSpec (source locations aside). `header_comment` lines are written as `# ...`.
/// Facts that are absent (unknown with the loader's "not given" note) are left out.
std::string WriteChipYaml(const ChipSpec& chip, std::string_view header_comment = {});

}  // namespace siliconsim
