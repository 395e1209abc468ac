#include "common/diagnostics.h"

#include <algorithm>

#include <fmt/format.h>

namespace siliconsim {

std::string FormatDiagnostic(const Diagnostic& d) {
  std::string out;
  const SourceLocation& at = d.location;
  if (!at.file.empty()) {
    out += at.file;
    if (at.line > 0) out += fmt::format(":{}", at.line);
    if (at.line > 0 && at.column > 0) out += fmt::format(":{}", at.column);
    out += ": ";
  }
  out += d.severity == Severity::kError ? "error: " : "warning: ";
  if (!d.key_path.empty()) out += d.key_path + ": ";
  out += d.message;
  if (!d.source_line.empty() && at.line > 0) {
    // A hostile file can put megabytes on one line: show at most kWindow characters of it,
    // around the column, with "..." where it was cut, so the message stays one screen.
    constexpr size_t kWindow = 120;
    const std::string& line = d.source_line;
    const size_t column = at.column > 0 ? static_cast<size_t>(at.column - 1) : 0;
    size_t begin = 0;
    if (line.size() > kWindow && column > kWindow / 2) begin = std::min(column - kWindow / 2, line.size() - kWindow);
    const size_t end = std::min(line.size(), begin + kWindow);
    const std::string lead = begin > 0 ? "..." : "";
    const std::string shown = lead + line.substr(begin, end - begin) + (end < line.size() ? "..." : "");
    const std::string gutter = fmt::format("{:>5} | ", at.line);
    out += "\n" + gutter + shown;
    if (at.column > 0 && column >= begin && column <= end) {
      std::string pad(gutter.size() - 2, ' ');
      pad += "| " + std::string(lead.size(), ' ');
      // Keep tabs so the caret lines up under tab-indented text.
      for (size_t i = begin; i < column && i < end; ++i) pad += line[i] == '\t' ? '\t' : ' ';
      out += "\n" + pad + "^";
    }
  }
  return out;
}

InputError::InputError(Diagnostic d)
    : std::runtime_error(FormatDiagnostic(d)), diagnostic_(std::move(d)) {}

InputError UsageError(std::string message) {
  Diagnostic d;
  d.location.file = "siliconsim";  // printed as `siliconsim: error: ...`, like other tools
  d.message = std::move(message);
  return InputError(std::move(d));
}

}  // namespace siliconsim
