#pragma once
// `siliconsim validate --model M --quant Q`: the simulator checked against the reference kernel
// on this host (docs/validation.md). `validate published` lives in calibrate_command.cpp.

#include "cli/app.h"

namespace siliconsim {

/// Adds the options and the action of `validate` itself to the `validate` node.
Command AddHostValidateCommand(CLI::App* validate);

}  // namespace siliconsim
