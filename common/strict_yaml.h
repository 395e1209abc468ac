#pragma once
// A strict reader on top of yaml-cpp. Loaders in hardware/ and model/ use it so that every
// bad value is reported once, with file, line, column and key path, and nothing is silently
// defaulted: unknown keys are errors (with a "did you mean"), duplicated keys are errors,
// quoted numbers are strings, and a missing key is reported at its parent map.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/diagnostics.h"

namespace siliconsim {

/// A parsed YAML document that remembers its name and text for diagnostics.
class YamlFile {
 public:
  /// Parses `text`; a syntax error becomes an InputError at the offending position.
  YamlFile(std::string name, std::string_view text);

  const YAML::Node& root() const { return root_; }
  const std::string& name() const { return name_; }

  /// The 1-based position of `node`, or the file alone when yaml-cpp has none.
  SourceLocation Locate(const YAML::Node& node) const;

  /// A diagnostic at `node` for `key_path`, with the source line filled in.
  Diagnostic At(Severity severity, const YAML::Node& node, std::string key_path,
                std::string message) const;

  /// Throws an error at `node`.
  [[noreturn]] void Fail(const YAML::Node& node, std::string key_path, std::string message) const;

 private:
  std::string name_;
  std::vector<std::string> lines_;
  YAML::Node root_;
};

/// Appends a map key or a sequence index to a key path: `chips[2]` + `gpu_cores`.
std::string JoinPath(std::string_view parent, std::string_view key);
std::string JoinPath(std::string_view parent, size_t index);

/// A mapping whose keys were checked against the set a schema allows.
class MapView {
 public:
  /// Fails unless `node` is a map with no duplicate and no unknown keys.
  MapView(const YamlFile& file, const YAML::Node& node, std::string path,
          std::initializer_list<std::string_view> allowed_keys);

  bool Has(std::string_view key) const;
  /// The value of a key that must be present; reported at this map when missing.
  YAML::Node Required(std::string_view key) const;
  /// The value of a key that may be absent.
  std::optional<YAML::Node> Optional(std::string_view key) const;
  /// The node of the key itself (for diagnostics about the key).
  YAML::Node KeyNode(std::string_view key) const;

  std::string PathOf(std::string_view key) const { return JoinPath(path_, key); }
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }
  const YamlFile& file() const { return file_; }

 private:
  const YamlFile& file_;
  YAML::Node node_;
  std::string path_;
  std::vector<std::pair<YAML::Node, YAML::Node>> entries_;  // in document order
};

/// True for `~`, `null` or an empty value.
bool IsNullValue(const YAML::Node& node);

/// A string; a number or a bool written without quotes is accepted as its text.
std::string ReadString(const YamlFile& file, const YAML::Node& node, const std::string& path);
/// A non-empty string.
std::string ReadNonEmptyString(const YamlFile& file, const YAML::Node& node, const std::string& path);
/// An unquoted integer.
int64_t ReadInteger(const YamlFile& file, const YAML::Node& node, const std::string& path);
/// An unquoted finite number.
double ReadNumber(const YamlFile& file, const YAML::Node& node, const std::string& path);
/// `true` or `false`, unquoted.
bool ReadBool(const YamlFile& file, const YAML::Node& node, const std::string& path);
/// An integer > 0.
int64_t ReadPositiveInteger(const YamlFile& file, const YAML::Node& node, const std::string& path);
/// A number > 0.
double ReadPositiveNumber(const YamlFile& file, const YAML::Node& node, const std::string& path);
/// One of `choices`, with a suggestion when it is close to one.
std::string ReadChoice(const YamlFile& file, const YAML::Node& node, const std::string& path,
                       std::initializer_list<std::string_view> choices);
/// Fails unless `node` is a sequence.
void RequireSequence(const YamlFile& file, const YAML::Node& node, const std::string& path);

/// `text` as a YAML double-quoted scalar that YamlFile reads back to the same bytes: quotes,
/// backslashes and every control character are escaped (the loader refuses raw control
/// characters, and a value such as "\a" decodes to one). Writers of chip, model and engine
/// YAML use it.
std::string QuoteYamlString(std::string_view text);

/// Reads `schema_version` from a top-level map and fails unless it is `supported`.
void CheckSchemaVersion(const MapView& top, int64_t supported);

}  // namespace siliconsim
