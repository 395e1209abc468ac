#pragma once
// The siliconsim command line as a function of its arguments and streams, so tests drive
// it in-process exactly as a user drives the binary.

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/data_sources.h"
#include "common/diagnostics.h"

namespace CLI {
class App;
}

namespace siliconsim {

/// What the process environment contributes (injected so tests control it).
struct CliEnvironment {
  std::optional<std::string> data_path;  ///< SILICONSIM_DATA
  /// SILICONSIM_SYSCTL: a captured `sysctl -a` of a Mac, read in place of probing this machine
  /// (to plan for another Mac from its dump, and to test the Mac path on any OS).
  std::optional<std::string> sysctl_path;
};

/// Exit statuses; scripts depend on them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 2;

/// Runs `siliconsim args...` (args exclude the program name). Returns the exit status.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const CliEnvironment& env = {});

/// Options every command shares, filled in by CLI11 before a command runs.
struct GlobalOptions {
  std::vector<std::string> data_dirs;  ///< --data, in order; after SILICONSIM_DATA's
  bool no_builtin_data = false;        ///< --no-builtin-data: only the directories given
  std::optional<std::string> output_path;  ///< --output
};

/// What a command needs at run time.
struct CommandContext {
  const GlobalOptions& options;
  const CliEnvironment& env;
  std::ostream& out;  ///< where results go when there is no --output
  std::ostream& err;  ///< warnings and errors
};

/// A subcommand: its CLI11 node and what to do when it was the one chosen.
struct Command {
  CLI::App* app = nullptr;
  std::function<void(const CommandContext&)> run;
};

/// Registers `chips` and `chips show`.
std::vector<Command> AddChipsCommands(CLI::App& app, GlobalOptions& options);
/// Registers `models`, `models show` and `import hf`.
std::vector<Command> AddModelsCommands(CLI::App& app, GlobalOptions& options);
/// Registers `quants` and `import gguf`.
std::vector<Command> AddQuantsCommands(CLI::App& app, GlobalOptions& options);
/// Registers `predict`.
std::vector<Command> AddPredictCommands(CLI::App& app, GlobalOptions& options);
/// Registers `engines` and `engines show`.
std::vector<Command> AddEnginesCommands(CLI::App& app, GlobalOptions& options);
/// Registers `fit`, `which-mac` and `sweep`.
std::vector<Command> AddPlanCommands(CLI::App& app, GlobalOptions& options);
/// Registers `calibrate` and `validate published`.
std::vector<Command> AddCalibrateCommands(CLI::App& app, GlobalOptions& options);
/// Registers `host` (probe, and with --measure the microbenchmarks).
std::vector<Command> AddHostCommands(CLI::App& app, GlobalOptions& options);

}  // namespace siliconsim

namespace siliconsim {

/// The data layers a command reads: built-ins, then SILICONSIM_DATA, then --data.
DataSources SourcesFor(const CommandContext& context);

/// Prints loader warnings (cross-check mismatches) on stderr.
void ReportWarnings(const CommandContext& context, const Warnings& warnings);

}  // namespace siliconsim
