#pragma once
// Diagnostics for user-supplied files: one shape for every reader, printed the way compilers
// print them so editors can jump to the spot:
//
//   data/chips/m4.yaml:12:5: error: chips[2].gpu_cores.value: expected an integer, got "forty"
//      12 |     gpu_cores: {value: forty, source: "..."}
//         |                       ^

#include <stdexcept>
#include <string>
#include <vector>

namespace siliconsim {

/// Where in a text file something was found; line and column are 1-based, 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  bool operator==(const SourceLocation&) const = default;
};

/// Severity of a diagnostic.
enum class Severity { kError, kWarning };

/// One finding about an input file: where, which key, what is wrong, and the offending line.
struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLocation location;
  std::string key_path;     ///< e.g. `chips[2].gpu_cores.value`; empty for file-level problems
  std::string message;      ///< what is wrong, without location
  std::string source_line;  ///< the text of `location.line`, empty if unknown

  bool operator==(const Diagnostic&) const = default;
};

/// Renders `file:line:col: error: key: message`, then the source line and a caret.
std::string FormatDiagnostic(const Diagnostic& d);

/// Thrown for bad input (files, flags). The CLI turns it into exit status 2.
class InputError : public std::runtime_error {
 public:
  explicit InputError(Diagnostic d);
  /// The structured finding behind `what()`.
  const Diagnostic& diagnostic() const { return diagnostic_; }

 private:
  Diagnostic diagnostic_;
};

/// Bad input that is not tied to a file position (an unknown chip name, a bad flag value).
InputError UsageError(std::string message);

/// Warnings gathered while loading; printed by the CLI, asserted on by tests.
using Warnings = std::vector<Diagnostic>;

}  // namespace siliconsim
