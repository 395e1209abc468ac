#pragma once
// Reads engine YAML (data/engines/*.yaml) into EngineSpec, strictly (common/strict_yaml.h), and
// writes it back: `siliconsim calibrate` rewrites the fitted values of an engine file.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostics.h"
#include "engine/engine_spec.h"

namespace siliconsim {

/// The engine file format this build reads.
inline constexpr int kEngineSchemaVersion = 1;

/// State shared by the files of one data layer: ids seen so far.
struct EngineLoadContext {
  std::map<std::string, SourceLocation> ids;
};

/// Parses one engine file. Throws InputError on the first problem.
std::vector<EngineSpec> LoadEnginesFromString(std::string_view text, const std::string& name,
                                              EngineLoadContext& context);
/// Same with a fresh context (tests, one-off use).
std::vector<EngineSpec> LoadEnginesFromString(std::string_view text, const std::string& name = "input");

/// An engine file holding `engines`, which LoadEnginesFromString reads back to the same specs.
/// `header` becomes a comment block at the top.
std::string WriteEngineYaml(const std::vector<EngineSpec>& engines, std::string_view header);

}  // namespace siliconsim
