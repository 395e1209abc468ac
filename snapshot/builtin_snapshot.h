#pragma once
// The built-in databases as the build parsed them (common/snapshot.h). The bytes are generated
// by siliconsim_make_snapshot from the embedded data/ at build time.

#include <string_view>

namespace siliconsim {

/// The snapshot of the databases compiled into this binary.
std::string_view BuiltinSnapshot();

}  // namespace siliconsim
