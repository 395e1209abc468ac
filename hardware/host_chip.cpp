#include "hardware/host_chip.h"

#include <cmath>

#include <fmt/format.h>

namespace siliconsim {
namespace {

std::string VendorName(const std::string& vendor) {
  if (vendor == "GenuineIntel") return "Intel";
  if (vendor == "AuthenticAMD") return "AMD";
  return vendor;
}

template <typename T>
Fact<T> Known(T value, std::string source, std::string note = {}) {
  Fact<T> fact;
  fact.value = std::move(value);
  fact.source = std::move(source);
  fact.note = std::move(note);
  return fact;
}

std::string HumanBytes(int64_t bytes) {
  if (bytes >= int64_t{1} << 20) return fmt::format("{:.4g} MiB", static_cast<double>(bytes) / (1 << 20));
  return fmt::format("{:.4g} KiB", static_cast<double>(bytes) / (1 << 10));
}

// Two decimals are more than a noisy measurement supports; keeps files readable.
double Round2(double v) { return std::round(v * 100) / 100; }

}  // namespace

std::string HostChipId(std::string_view cpu_model) {
  std::string id = "host";
  bool dash = true;
  for (const char c : cpu_model) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
    if (alnum) {
      if (dash) id += '-';
      id += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      dash = false;
    } else {
      dash = true;
    }
    if (id.size() >= 48) break;
  }
  return id;
}

ChipSpec BuildHostChipSpec(const HostInfo& host, const MicrobenchResult& measured, std::string_view date) {
  ChipSpec chip;
  const std::string model = host.cpu_model.empty() ? "unknown CPU" : host.cpu_model;
  chip.id = HostChipId(host.cpu_model);
  chip.name = model;
  chip.family = host.cpu_vendor.empty() ? "host" : VendorName(host.cpu_vendor);
  chip.kind = ChipKind::kCpu;
  chip.confidence = measured.quick ? Confidence::kLow : Confidence::kHigh;

  const int threads = measured.thread_counts.empty() ? 1 : measured.thread_counts.back();
  const std::string how = fmt::format("siliconsim host --measure{} {} on {}", measured.quick ? " --quick" : "", date,
                                      model);
  const std::string probe_source = host.os == "macos" ? "sysctl" : "/proc/cpuinfo";

  if (host.performance_cores) {
    chip.cpu_performance_cores = Known(*host.performance_cores, "sysctl hw.perflevel0.physicalcpu");
    if (host.efficiency_cores) {
      chip.cpu_efficiency_cores = Known(*host.efficiency_cores, "sysctl hw.perflevel1.physicalcpu");
    }
  } else if (host.physical_cores > 0) {
    auto it = host.sources.find("cores");
    chip.cpu_performance_cores = Known(host.physical_cores, it != host.sources.end() ? it->second : probe_source,
                                       "every core of the host (no P/E distinction)");
  }
  chip.cpu_threads = Known(threads, how,
                           fmt::format("{} logical CPUs, {} usable", host.logical_threads, host.usable_threads));
  if (!host.simd_features.empty()) {
    auto it = host.sources.find("simd_features");
    chip.cpu_features = Known(host.simd_features, it != host.sources.end() ? it->second : probe_source);
  }

  // Memory: DRAM read with all threads.
  if (auto dram = measured.ReadGbs("DRAM", threads)) {
    chip.memory_bandwidth_gbs =
        Known(Round2(*dram), fmt::format("{}: read of a {} MiB working set, {} threads, best of {}, {} kernel", how,
                                         measured.WorkingSetBytes("DRAM", threads) >> 20, threads,
                                         measured.repetitions, measured.read_kernel));
  }
  if (host.memory_bytes > 0) {
    const double gib = static_cast<double>(host.memory_bytes) / static_cast<double>(int64_t{1} << 30);
    const int rounded = std::max(1, static_cast<int>(std::lround(gib)));
    auto it = host.sources.find("memory");
    chip.memory_options_gb =
        Known(std::vector<int>{rounded}, it != host.sources.end() ? it->second : "host probe",
              fmt::format("{} bytes = {:.2f} GiB, rounded to whole GiB", host.memory_bytes, gib));
  }
  if (measured.AllThreadCounts()) {
    std::vector<double> bw, fma;
    for (int t : measured.thread_counts) {
      if (auto v = measured.ReadGbs("DRAM", t)) bw.push_back(Round2(*v));
      if (auto v = measured.FmaGflops(t)) fma.push_back(Round2(*v));
    }
    if (bw.size() == measured.thread_counts.size()) {
      chip.memory_bandwidth_by_threads_gbs = Known(bw, how + ": DRAM read with 1..N threads");
    }
    if (fma.size() == measured.thread_counts.size()) {
      chip.cpu_fma_gflops_by_threads = Known(fma, how + ": f32 FMA with 1..N threads");
    }
  }
  if (auto peak = measured.FmaGflops(threads)) {
    chip.cpu_fma_gflops = Known(Round2(*peak), fmt::format("{}: f32 FMA, {} threads, best of {}, {} kernel", how,
                                                           threads, measured.repetitions, measured.fma_kernel));
  }
  for (const HostCache& c : host.DataCaches()) {
    CacheLevel level;
    level.name = c.name;
    level.size_bytes = c.size_bytes;
    level.instances = std::max(1, c.instances);
    level.threads_sharing = std::max(1, c.threads_sharing);
    level.source = c.source;
    if (auto bw = measured.ReadGbs(c.name, threads)) {
      level.read_bandwidth_gbs = Round2(*bw);
      level.source += fmt::format("; read bandwidth: {} ({} working set, {} threads)", how,
                                  HumanBytes(measured.WorkingSetBytes(c.name, threads)), threads);
    }
    // The loader wants each level larger than the one before (true of every real hierarchy).
    if (!chip.caches.empty() && level.size_bytes <= chip.caches.back().size_bytes) continue;
    chip.caches.push_back(std::move(level));
  }
  return chip;
}

}  // namespace siliconsim
