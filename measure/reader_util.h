#pragma once
// Helpers the measurement readers share: positions in the text, diagnostics, strict number
// parsing and an RFC 4180 CSV reader. Internal to measure/.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostics.h"
#include "measure/measurement.h"

namespace siliconsim::measure_internal {

/// The input with an index of its lines, so byte offsets become `file:line:col`.
class SourceText {
 public:
  SourceText(std::string_view text, std::string file);

  std::string_view text() const { return text_; }
  const std::string& file() const { return file_; }

  /// 1-based line and column (in bytes) of a byte offset.
  SourceLocation At(size_t offset) const;
  /// The text of a 1-based line, without its line break, cut to a printable length.
  std::string Line(int line) const;
  /// A diagnostic at `where` with the source line filled in.
  Diagnostic Make(SourceLocation where, std::string key, std::string message) const;
  [[noreturn]] void Fail(SourceLocation where, std::string key, std::string message) const;
  [[noreturn]] void FailAt(size_t offset, std::string key, std::string message) const {
    Fail(At(offset), std::move(key), std::move(message));
  }

 private:
  std::string_view text_;
  std::string file_;
  std::vector<size_t> line_starts_;
};

/// `s` without spaces, tabs and a trailing CR at either end.
std::string_view Trim(std::string_view s);
/// `s` in quotes for a message, cut short when long.
std::string Quoted(std::string_view s);

/// A plain decimal number (digits, one point, optional exponent; no hex, inf or nan), finite.
std::optional<double> ParseDecimal(std::string_view s);
/// A plain integer, optionally negative, that fits int64_t.
std::optional<int64_t> ParseInt(std::string_view s);

/// One field of a CSV row: its text (quotes removed) and where it starts.
struct CsvCell {
  std::string text;
  size_t offset = 0;
};

/// One CSV record; `offset` is where it starts. Blank lines produce no record.
struct CsvRow {
  std::vector<CsvCell> cells;
  size_t offset = 0;
};

/// Most fields a CSV row may have.
inline constexpr size_t kMaxCsvFields = 4096;

/// Reads RFC 4180 CSV: comma separated, fields optionally in double quotes (with "" for a
/// quote, commas and line breaks allowed inside), LF or CRLF line ends. Throws InputError.
std::vector<CsvRow> ReadCsv(const SourceText& src);

/// The fields of one record keyed by name, whatever the format (CSV row, JSON object,
/// markdown row), with where each value is.
struct Record {
  SourceLocation where;     ///< the record
  std::string key_prefix;   ///< prepended to field names in messages: "" or "[3]."
  struct Field {
    std::string value;
    SourceLocation where;
  };
  std::map<std::string, Field, std::less<>> fields;

  /// The field, or null when it is absent or empty.
  const Field* Get(std::string_view name) const;
};

/// llama-bench: the measurement a record (from CSV, JSON or markdown) describes, or nullopt
/// for a combined prompt+generation test (pp512+tg128) that times both phases at once.
std::optional<Measurement> LlamaBenchMeasurement(const SourceText& src, const Record& record,
                                                 const MeasurementDefaults& defaults);

/// The readers, one per format family.
std::vector<Measurement> ReadLlamaBenchCsv(const SourceText& src, const std::vector<CsvRow>& rows,
                                           const MeasurementDefaults& defaults);
std::vector<Measurement> ReadLlamaBenchJson(const SourceText& src, bool lines, const MeasurementDefaults& defaults);
std::vector<Measurement> ReadLlamaBenchMarkdown(const SourceText& src, const MeasurementDefaults& defaults);
std::vector<Measurement> ReadMlxLmOutput(const SourceText& src, const MeasurementDefaults& defaults);
std::vector<Measurement> ReadCalibrationCsv(const SourceText& src, const std::vector<CsvRow>& rows,
                                            MeasurementFormat format, const MeasurementDefaults& defaults);

/// True when a markdown line is a llama-bench table header (has `test` and `t/s` columns).
bool IsLlamaBenchMarkdownHeader(std::string_view line);
/// True when a line is one of mlx_lm's statistics lines.
bool IsMlxLmStatsLine(std::string_view line);

/// "mlx-lm" -> "mlx", "llama.cpp" -> "llama.cpp-metal", ...; anything else as written.
std::string NormalizeEngine(std::string_view engine);

}  // namespace siliconsim::measure_internal
