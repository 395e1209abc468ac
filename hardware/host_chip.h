#pragma once
// The host as a chip entry (kind: cpu): probed facts plus measured bandwidths and FMA peak, so
// `siliconsim host --measure -o host.yaml` writes a file every command accepts as --chip.

#include <string>
#include <string_view>

#include "hardware/chip_spec.h"
#include "hardware/host_probe.h"
#include "hardware/microbench.h"

namespace siliconsim {

/// `AMD EPYC 9654 96-Core Processor` -> `host-amd-epyc-9654-96-core-processor` (a valid chip id).
std::string HostChipId(std::string_view cpu_model);

/// A kind-cpu ChipSpec from a probe and a measurement taken on `date` (`2026-11-22`): memory
/// bandwidth is the DRAM read with all threads, caches carry their measured read bandwidth,
/// every measured fact's source names the command, date and CPU model.
ChipSpec BuildHostChipSpec(const HostInfo& host, const MicrobenchResult& measured, std::string_view date);

}  // namespace siliconsim
