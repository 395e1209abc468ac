#pragma once
// Run-time choice of the kernel instruction set: every level compiled into this binary that the
// CPU (and the OS, for the AVX/AVX-512 register state) supports.

#include <optional>
#include <string_view>
#include <vector>

#include "kernel/kernels.h"

namespace siliconsim::kernel {

/// `scalar`, `avx2`, `avx512-vnni`, `neon`.
const char* ToString(SimdLevel level);
/// Inverse of ToString.
std::optional<SimdLevel> ParseSimdLevel(std::string_view name);

/// Whether this build has the level and this machine can run it.
bool SimdLevelSupported(SimdLevel level);
/// Every supported level, scalar first, best last.
std::vector<SimdLevel> SupportedSimdLevels();
/// The fastest supported level.
SimdLevel BestSimdLevel();
/// The kernels of a supported level; throws std::invalid_argument for an unsupported one.
const KernelTable& KernelsFor(SimdLevel level);

}  // namespace siliconsim::kernel
