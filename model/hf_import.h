#pragma once
// Hugging Face config.json -> ModelSpec. The file is untrusted input: size and nesting depth
// are bounded, every field is type-checked, and an architecture we cannot model exactly is
// refused with the reason, never approximated.

#include <string>
#include <string_view>
#include <vector>

#include "model/model_spec.h"

namespace siliconsim {

/// HF `model_type` values the importer understands.
std::vector<std::string> SupportedHfModelTypes();

/// Parses config.json text; `name` is used in errors. Throws InputError.
ModelSpec ImportHfConfig(std::string_view json_text, const std::string& name);

/// Reads and parses a config.json file (at most 16 MiB).
ModelSpec ImportHfConfigFile(const std::string& path);

}  // namespace siliconsim
