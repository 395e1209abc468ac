#include "common/diagnostics.h"

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
    const std::string gutter = fmt::format("{:>5} | ", at.line);
    out += "\n" + gutter + d.source_line;
    if (at.column > 0) {
      std::string pad(gutter.size() - 2, ' ');
      pad += "| ";
      // Keep tabs so the caret lines up under tab-indented text.
      for (int i = 0; i < at.column - 1 && i < static_cast<int>(d.source_line.size()); ++i) {
        pad += d.source_line[static_cast<size_t>(i)] == '\t' ? '\t' : ' ';
      }
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
