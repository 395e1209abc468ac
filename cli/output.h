#pragma once
// Where command output goes: a string built in memory, then either stdout or a file that is
// written whole (to a temporary name, then renamed), so a failed command never leaves a
// partial or empty output file behind.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace siliconsim {

/// Output formats every listing command offers.
enum class OutputFormat { kTable, kJson, kCsv };

/// The `--format` spellings, for CLI validation.
inline constexpr const char* kOutputFormatNames[] = {"table", "json", "csv"};

/// Parses `table`, `json` or `csv`.
OutputFormat ParseOutputFormat(const std::string& name);

/// Version of the JSON and CSV output layout; bumped when a key changes meaning or goes away.
inline constexpr int kOutputSchemaVersion = 1;

/// Today's date in UTC, `2026-12-02`: what provenance strings (`source:`, `fitted:`) record.
std::string TodayUtc();

/// Writes `content` to `path` atomically, or to `out` when no path is given. Throws
/// InputError if the file cannot be written.
void EmitOutput(const std::string& content, const std::optional<std::string>& path, std::ostream& out);

/// JSON as the CLI prints it: two-space indent, trailing newline.
std::string RenderJson(const nlohmann::ordered_json& value);

/// One record value as a table or CSV cell: lists joined by '|', floats in shortest form,
/// null as `unknown`.
std::string RecordCell(const nlohmann::ordered_json& value, const char* unknown);

/// Records as CSV: the union of the records' keys in first-seen order (less `schema_version`)
/// is the header; a key a record lacks is an empty cell.
std::string RenderRecordsCsv(const std::vector<nlohmann::ordered_json>& records);

}  // namespace siliconsim
