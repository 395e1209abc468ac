#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/diagnostics.h"
#include "hardware/chip_loader.h"
#include "snapshot/builtin_snapshot.h"

namespace siliconsim {
namespace {

// Subcommands, registered in this order; more specific ones (`chips show`) come before
// their parents so the deepest chosen command runs.
using CommandFactory = std::vector<Command> (*)(CLI::App&, GlobalOptions&);
constexpr CommandFactory kCommandFactories[] = {AddChipsCommands, AddModelsCommands, AddQuantsCommands, AddEnginesCommands, AddPredictCommands, AddPlanCommands, AddCalibrateCommands, AddHostCommands};

constexpr const char* kMainFooter = R"(Examples:
  siliconsim chips                          every Apple Silicon chip variant
  siliconsim chips --format json            the same, for scripts
  siliconsim chips show "M4 Max" --gpu-cores 40
  siliconsim chips --data ./mydata          add or override chips from ./mydata/chips/*.yaml

Data: the databases are built in; --data DIR (repeatable) or SILICONSIM_DATA=DIR1:DIR2 add
entries from DIR/chips/*.yaml, replacing built-in entries with the same id.
Exit status: 0 on success, 2 on bad input (the reason is printed on stderr).)";

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, const CliEnvironment& env) {
  CLI::App app("siliconsim: will this LLM fit my Mac, and how fast will it run?", "siliconsim");
  app.footer(kMainFooter);
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("siliconsim {} (chip data schema {})", SILICONSIM_VERSION,
                                                kChipSchemaVersion));
  GlobalOptions options;

  std::vector<Command> commands;
  for (CommandFactory factory : kCommandFactories) {
    for (Command& c : factory(app, options)) commands.push_back(std::move(c));
  }
  for (Command& c : commands) {
    c.app->add_option("--data", options.data_dirs,
                      "Directory with chips/*.yaml that adds or overrides built-in entries (repeatable)")
        ->type_name("DIR");
    c.app->add_flag("--no-builtin-data", options.no_builtin_data,
                    "Use only the --data / SILICONSIM_DATA directories, not the built-in databases");
    c.app->add_option("-o,--output", options.output_path,
                      "Write the result to FILE (whole, or not at all) instead of stdout")
        ->type_name("FILE");
  }

  // CLI11 wants argv order with the program name first; it parses a reversed vector.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    err << "siliconsim: error: " << e.what() << "\n";
    err << "Run with --help for usage.\n";
    return kExitBadInput;
  }

  const CommandContext context{options, env, out, err};
  try {
    for (const Command& c : commands) {
      if (c.app->parsed() && c.run) {
        c.run(context);
        return kExitOk;
      }
    }
  } catch (const InputError& e) {
    err << e.what() << "\n";
    return kExitBadInput;
  }
  err << app.help();
  return kExitBadInput;
}

}  // namespace siliconsim

#include "common/data_sources.h"

namespace siliconsim {

DataSources SourcesFor(const CommandContext& context) {
  DataSources sources;
  sources.include_builtin = !context.options.no_builtin_data;
  sources.builtin_snapshot = BuiltinSnapshot();  // the built-ins as the build parsed them
  if (context.env.data_path) sources.overlay_dirs = DataSources::SplitPathList(*context.env.data_path);
  for (const std::string& dir : context.options.data_dirs) sources.overlay_dirs.push_back(dir);
  return sources;
}

void ReportWarnings(const CommandContext& context, const Warnings& warnings) {
  for (const Diagnostic& w : warnings) context.err << FormatDiagnostic(w) << "\n";
}

}  // namespace siliconsim
