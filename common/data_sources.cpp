#include "common/data_sources.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "common/diagnostics.h"
#include "common/snapshot.h"

namespace siliconsim {
namespace fs = std::filesystem;

std::vector<std::string> DataSources::SplitPathList(std::string_view value) {
  std::vector<std::string> dirs;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(':', start);
    if (end == std::string_view::npos) end = value.size();
    if (end > start) dirs.emplace_back(value.substr(start, end - start));
    start = end + 1;
  }
  return dirs;
}

std::string ReadTextFile(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw UsageError(fmt::format("{}: no such file", path));
  if (!fs::is_regular_file(status)) throw UsageError(fmt::format("{}: not a regular file", path));
  const auto size = fs::file_size(path, ec);
  if (ec) throw UsageError(fmt::format("{}: cannot read size: {}", path, ec.message()));
  if (size > max_bytes) {
    throw UsageError(fmt::format("{}: {} bytes is larger than the {} bytes a data file may have", path,
                                 size, max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("{}: cannot open for reading", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<DataLayer> DataSources::Layers(std::string_view database) const {
  std::vector<DataLayer> layers;
  if (include_builtin && !builtin_snapshot.empty()) {
    DataLayer builtin{"built-in", {}, FindSnapshotSection(builtin_snapshot, database)};
    if (!builtin.snapshot) throw SnapshotError(fmt::format("snapshot: no section for {}", database));
    layers.push_back(std::move(builtin));
  } else if (include_builtin) {
    DataLayer builtin{"built-in", {}, std::nullopt};
    const std::string prefix = std::string(database) + "/";
    for (const EmbeddedFile& f : EmbeddedDataFiles()) {
      if (f.path.starts_with(prefix)) {
        builtin.files.push_back({"data/" + std::string(f.path), std::string(f.text)});
      }
    }
    layers.push_back(std::move(builtin));
  }
  for (const std::string& dir : overlay_dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      throw UsageError(fmt::format("data directory '{}' does not exist or is not a directory", dir));
    }
    DataLayer layer{dir, {}, std::nullopt};
    const fs::path sub = fs::path(dir) / std::string(database);
    if (fs::is_directory(sub, ec)) {
      std::vector<fs::path> paths;
      for (const auto& entry : fs::directory_iterator(sub, ec)) {
        if (entry.path().extension() == ".yaml" || entry.path().extension() == ".yml") {
          paths.push_back(entry.path());
        }
      }
      std::sort(paths.begin(), paths.end());
      for (const fs::path& p : paths) layer.files.push_back({p.string(), ReadTextFile(p.string())});
    }
    layers.push_back(std::move(layer));
  }
  return layers;
}

}  // namespace siliconsim
