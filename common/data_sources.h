#pragma once
// Where the YAML databases come from: the copies compiled into the binary, then any
// directories named by --data or SILICONSIM_DATA, each able to add entries or replace
// built-in ones by id.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace siliconsim {

/// One file of data/ compiled into the binary (see cmake/EmbedData.cmake).
struct EmbeddedFile {
  std::string_view path;  ///< relative to data/, e.g. `chips/m4.yaml`
  std::string_view text;
};

/// Every file of data/ as it was at build time, sorted by path.
std::span<const EmbeddedFile> EmbeddedDataFiles();

/// A YAML text and the name diagnostics should call it by.
struct DataFile {
  std::string name;  ///< `data/chips/m4.yaml` for built-ins, the path on disk otherwise
  std::string text;
};

/// The files one origin (the built-ins, or one directory) contributes to a database.
struct DataLayer {
  std::string origin;  ///< `built-in` or the directory
  std::vector<DataFile> files;
  /// The built-in layer's entries pre-parsed at build time (common/snapshot.h): one database's
  /// section of DataSources::builtin_snapshot. When set, `files` is empty.
  std::optional<std::string_view> snapshot;
};

/// Largest data file we read; anything bigger is not a database a person wrote.
inline constexpr size_t kMaxDataFileBytes = 16u << 20;

/// The built-ins plus overlay directories; later layers override earlier ones.
struct DataSources {
  bool include_builtin = true;
  std::vector<std::string> overlay_dirs;  ///< each holds `chips/*.yaml`, `models/*.yaml`, ...
  /// The built-ins parsed at build time (snapshot/builtin_snapshot.h); empty: parse the embedded
  /// YAML. The CLI sets it; tests of the loaders leave it empty so they read the YAML.
  std::string_view builtin_snapshot;

  /// Splits a SILICONSIM_DATA value (`dir1:dir2`) into directories, ignoring empty parts.
  static std::vector<std::string> SplitPathList(std::string_view value);

  /// The layers for one database (`chips`, `models`, ...), built-ins first. Missing
  /// overlay directories are an input error; a directory without that subfolder is empty.
  std::vector<DataLayer> Layers(std::string_view database) const;
};

/// Adds `entry` to a database's entries, replacing the one with the same `id`: a later layer
/// overrides an earlier one.
template <typename Entry>
void OverrideById(std::vector<Entry>& into, Entry entry) {
  for (Entry& e : into) {
    if (e.id == entry.id) {
      e = std::move(entry);
      return;
    }
  }
  into.push_back(std::move(entry));
}

/// Reads a whole text file, refusing non-regular files and files above `max_bytes`.
std::string ReadTextFile(const std::string& path, size_t max_bytes = kMaxDataFileBytes);

}  // namespace siliconsim
