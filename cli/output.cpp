#include "cli/output.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <unistd.h>

#include "common/diagnostics.h"

namespace siliconsim {

OutputFormat ParseOutputFormat(const std::string& name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "json") return OutputFormat::kJson;
  if (name == "csv") return OutputFormat::kCsv;
  throw UsageError(fmt::format("unknown format '{}'; expected table, json or csv", name));
}

void EmitOutput(const std::string& content, const std::optional<std::string>& path, std::ostream& out) {
  if (!path || *path == "-") {
    out << content;
    out.flush();
    return;
  }
  namespace fs = std::filesystem;
  const fs::path target(*path);
  const fs::path temp = target.parent_path() / fmt::format(".{}.tmp.{}", target.filename().string(), getpid());
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    file << content;
    file.flush();
    if (!file) {
      std::error_code ignored;
      fs::remove(temp, ignored);
      throw UsageError(fmt::format("cannot write output file '{}'", *path));
    }
  }
  std::error_code ec;
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw UsageError(fmt::format("cannot write output file '{}'", *path));
  }
}

std::string RenderJson(const nlohmann::ordered_json& value) { return value.dump(2) + "\n"; }

}  // namespace siliconsim
