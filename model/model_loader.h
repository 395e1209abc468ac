#pragma once
// Model YAML (data/models/*.yaml) <-> ModelSpec. Reading is strict (common/strict_yaml.h);
// writing is what `siliconsim import hf` produces, and reads back to the same spec.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/data_sources.h"
#include "model/gguf_model.h"
#include "model/model_spec.h"

namespace siliconsim {

/// The model file format this build reads and writes.
inline constexpr int kModelSchemaVersion = 1;

/// Ids seen in one data layer, and cross-check warnings.
struct ModelLoadContext {
  std::map<std::string, SourceLocation> ids;
  Warnings warnings;
};

/// Parses one model file. Throws InputError on the first problem; warns when the declared
/// parameter counts disagree with the tensor shapes.
std::vector<ModelSpec> LoadModelsFromString(std::string_view text, const std::string& name,
                                            ModelLoadContext& context);
/// Same with a fresh context (tests, one-off files).
std::vector<ModelSpec> LoadModelsFromString(std::string_view text, const std::string& name = "input",
                                            Warnings* warnings = nullptr);

/// A model file holding `model`, in the format LoadModelsFromString reads.
std::string WriteModelYaml(const ModelSpec& model);

/// Relative tolerance for a published count: 0.5%, or one unit of its last written digit.
double PublishedTolerance(const PublishedCount& count);

/// Every model in the built-in data and overlays; users name models by id, HF repo alias,
/// or a path to a model YAML, a config.json or a GGUF file.
class ModelDatabase {
 public:
  static ModelDatabase Load(const DataSources& sources);
  explicit ModelDatabase(std::vector<ModelSpec> models, Warnings warnings = {});

  const std::vector<ModelSpec>& models() const { return models_; }
  const Warnings& warnings() const { return warnings_; }

  /// One model, or an InputError that suggests the nearest id for an unknown name.
  /// A name ending in .yaml/.yml, .json or .gguf is read from disk (of a GGUF file, only the
  /// header: metadata and tensor infos, never the tensor data).
  ModelSpec Resolve(std::string_view query) const;

  /// Same, plus the exact per-tensor types when `query` is a GGUF file, which predictions use in
  /// place of the rule-based GGUF mixture.
  ResolvedModel ResolveWithWeights(std::string_view query) const;

 private:
  std::vector<ModelSpec> models_;
  Warnings warnings_;
};

}  // namespace siliconsim
