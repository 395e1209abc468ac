#include "cli/output.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <unistd.h>

#include "cli/table.h"
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

std::string RecordCell(const nlohmann::ordered_json& v, const char* unknown) {
  if (v.is_null()) return unknown;
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string joined;
    for (size_t i = 0; i < v.size(); ++i) joined += (i ? "|" : "") + RecordCell(v[i], unknown);
    return joined;
  }
  if (v.is_number_float()) return fmt::format("{:g}", v.get<double>());
  return v.dump();
}

std::string RenderRecordsCsv(const std::vector<nlohmann::ordered_json>& records) {
  std::vector<std::string> header;
  for (const auto& r : records) {
    for (const auto& [key, value] : r.items()) {
      if (key != "schema_version" && std::find(header.begin(), header.end(), key) == header.end()) {
        header.push_back(key);
      }
    }
  }
  if (header.empty()) return "";
  std::ostringstream out;
  WriteCsvRow(out, header);
  for (const auto& r : records) {
    std::vector<std::string> cells;
    for (const std::string& key : header) cells.push_back(r.contains(key) ? RecordCell(r.at(key), "") : "");
    WriteCsvRow(out, cells);
  }
  return out.str();
}

std::string TodayUtc() {
  const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::chrono::year_month_day ymd{days};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

}  // namespace siliconsim
