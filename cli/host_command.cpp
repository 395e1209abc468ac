// `siliconsim host [--measure [--threads N] [--quick]]`: what this machine is, and how fast it
// reads memory and does FMAs; `-o host.yaml` writes it as a chip file (kind: cpu) for --chip.

#include <chrono>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/app.h"
#include "cli/output.h"
#include "cli/sim_support.h"
#include "cli/table.h"
#include "common/text.h"
#include "hardware/chip_db.h"
#include "hardware/chip_loader.h"
#include "hardware/host_chip.h"
#include "hardware/host_probe.h"
#include "hardware/microbench.h"

namespace siliconsim {
namespace {

using Json = nlohmann::ordered_json;

std::string HumanBytes(int64_t bytes) {
  constexpr double kKiB = 1024.0;
  const auto b = static_cast<double>(bytes);
  if (bytes >= int64_t{1} << 30) return fmt::format("{:.3g} GiB", b / (kKiB * kKiB * kKiB));
  if (bytes >= int64_t{1} << 20) return fmt::format("{:.4g} MiB", b / (kKiB * kKiB));
  if (bytes >= int64_t{1} << 10) return fmt::format("{:.4g} KiB", b / kKiB);
  return fmt::format("{} B", bytes);
}

template <typename T>
Json OrNull(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json CacheRecord(const HostCache& c) {
  Json j;
  j["name"] = c.name;
  j["level"] = c.level;
  j["type"] = c.type;
  j["core_type"] = c.core_type;
  j["size_bytes"] = c.size_bytes;
  j["instances"] = c.instances;
  j["threads_sharing"] = c.threads_sharing;
  j["shared_cpu_lists"] = c.shared_cpu_lists;
  j["line_bytes"] = c.line_bytes;
  j["source"] = c.source;
  return j;
}

// The host as one record (JSON); caches nested.
Json HostRecord(const HostInfo& h) {
  Json j;
  j["schema_version"] = kOutputSchemaVersion;
  j["os"] = h.os;
  j["arch"] = h.arch;
  j["cpu_vendor"] = h.cpu_vendor;
  j["cpu_model"] = h.cpu_model;
  j["physical_cores"] = h.physical_cores;
  j["logical_threads"] = h.logical_threads;
  j["usable_threads"] = h.usable_threads;
  j["performance_cores"] = OrNull(h.performance_cores);
  j["efficiency_cores"] = OrNull(h.efficiency_cores);
  j["simd_features"] = h.simd_features;
  j["memory_bytes"] = h.memory_bytes;
  j["memory_available_bytes"] = OrNull(h.memory_available_bytes);
  j["virtualized"] = h.virtualized;
  j["apple_chip_id"] = h.apple_chip_id.empty() ? Json(nullptr) : Json(h.apple_chip_id);
  j["apple_chip_candidates"] = h.apple_chip_candidates;
  Json caches = Json::array();
  for (const HostCache& c : h.caches) caches.push_back(CacheRecord(c));
  j["caches"] = std::move(caches);
  j["notes"] = h.notes;
  return j;
}

// The host as one flat CSV row: each cache's size, instances and sharing become columns.
Json HostCsvRecord(const HostInfo& h) {
  Json j = HostRecord(h);
  j.erase("caches");
  j.erase("notes");
  for (const HostCache& c : h.caches) {
    const std::string prefix = ToLower(c.name) + (c.core_type.empty() ? "" : "_" + ToLower(c.core_type));
    j[prefix + "_size_bytes"] = c.size_bytes;
    j[prefix + "_instances"] = c.instances;
    j[prefix + "_threads_sharing"] = c.threads_sharing;
  }
  return j;
}

Json MeasurementRecord(const MicrobenchResult& r) {
  Json j;
  j["read_kernel"] = r.read_kernel;
  j["fma_kernel"] = r.fma_kernel;
  j["repetitions"] = r.repetitions;
  j["quick"] = r.quick;
  j["elapsed_s"] = r.elapsed_seconds;
  Json bw = Json::array();
  for (const BandwidthMeasurement& m : r.bandwidth) {
    bw.push_back({{"level", m.level}, {"working_set_bytes", m.working_set_bytes}, {"threads", m.threads},
                  {"read_gbs", m.read_gbs}});
  }
  j["bandwidth"] = std::move(bw);
  Json fma = Json::array();
  for (const FmaMeasurement& m : r.fma) fma.push_back({{"threads", m.threads}, {"fma_gflops", m.gflops}});
  j["fma"] = std::move(fma);
  j["notes"] = r.notes;
  return j;
}

std::string RenderHostTable(const HostInfo& h) {
  std::ostringstream out;
  out << fmt::format("Host: {} ({} {}{})\n", h.cpu_model.empty() ? "unknown CPU" : h.cpu_model, h.os, h.arch,
                     h.virtualized ? ", under a hypervisor" : "");
  std::string cores = fmt::format("{} physical, {} logical, {} usable by this process", h.physical_cores,
                                  h.logical_threads, h.usable_threads);
  if (h.performance_cores) {
    cores += fmt::format(" ({} performance + {} efficiency)", *h.performance_cores, h.efficiency_cores.value_or(0));
  }
  out << "Cores:  " << cores << "\n";
  out << "Memory: " << HumanBytes(h.memory_bytes);
  if (h.memory_available_bytes) out << " (" << HumanBytes(*h.memory_available_bytes) << " available)";
  out << "\n";
  out << "SIMD:   " << (h.simd_features.empty() ? "none known" : Join(h.simd_features, " ")) << "\n";
  if (!h.apple_chip_id.empty()) {
    out << "Chip:   " << h.apple_chip_id;
    if (h.apple_chip_candidates.size() > 1) out << " (also possible: " << Join(h.apple_chip_candidates, ", ") << ")";
    out << "\n";
  }
  out << "\n";
  Table table({{"CACHE"}, {"CORES"}, {"SIZE", Align::kRight}, {"INSTANCES", Align::kRight},
               {"THREADS/INSTANCE", Align::kRight}, {"SHARED BY CPUS"}, {"SOURCE"}});
  for (const HostCache& c : h.caches) {
    std::string lists = Join(c.shared_cpu_lists, " | ");
    if (lists.size() > 40) lists = lists.substr(0, 37) + "...";
    table.AddRow({c.name, c.core_type.empty() ? "all" : c.core_type, HumanBytes(c.size_bytes),
                  std::to_string(c.instances), std::to_string(c.threads_sharing), lists.empty() ? "-" : lists,
                  c.source});
  }
  if (h.caches.empty()) out << "No cache information.\n";
  else table.Print(out);
  if (!h.notes.empty()) {
    out << "\nNotes:\n";
    for (const std::string& n : h.notes) out << "  - " << n << "\n";
  }
  return out.str();
}

std::string RenderMeasurementTable(const MicrobenchResult& r) {
  std::ostringstream out;
  out << fmt::format("\nRead bandwidth ({} kernel, best of {}; GB = 1e9 bytes):\n", r.read_kernel, r.repetitions);
  Table bw({{"LEVEL"}, {"WORKING SET", Align::kRight}, {"THREADS", Align::kRight}, {"GB/s", Align::kRight}});
  for (const BandwidthMeasurement& m : r.bandwidth) {
    bw.AddRow({m.level, HumanBytes(m.working_set_bytes), std::to_string(m.threads), fmt::format("{:.1f}", m.read_gbs)});
  }
  bw.Print(out);
  out << fmt::format("\nPeak f32 FMA ({} kernel, an FMA = 2 FLOP):\n", r.fma_kernel);
  Table fma({{"THREADS", Align::kRight}, {"GFLOP/s", Align::kRight}});
  for (const FmaMeasurement& m : r.fma) fma.AddRow({std::to_string(m.threads), fmt::format("{:.1f}", m.gflops)});
  fma.Print(out);
  out << fmt::format("\nMeasured in {:.1f} s.\n", r.elapsed_seconds);
  if (!r.notes.empty()) {
    out << "Notes:\n";
    for (const std::string& n : r.notes) out << "  - " << n << "\n";
  }
  return out.str();
}

std::string Render(OutputFormat format, const HostInfo& host, const MicrobenchResult* measured) {
  if (format == OutputFormat::kJson) {
    Json record = HostRecord(host);
    if (measured) record["measurements"] = MeasurementRecord(*measured);
    Json array = Json::array();
    array.push_back(std::move(record));
    return RenderJson(array);
  }
  if (format == OutputFormat::kCsv) {
    if (!measured) return RenderRecordsCsv({HostCsvRecord(host)});
    std::vector<Json> rows;
    for (const BandwidthMeasurement& m : measured->bandwidth) {
      rows.push_back({{"schema_version", kOutputSchemaVersion}, {"kind", "read"}, {"level", m.level},
                      {"working_set_bytes", m.working_set_bytes}, {"threads", m.threads}, {"read_gbs", m.read_gbs},
                      {"fma_gflops", nullptr}, {"kernel", measured->read_kernel}});
    }
    for (const FmaMeasurement& m : measured->fma) {
      rows.push_back({{"schema_version", kOutputSchemaVersion}, {"kind", "fma"}, {"level", nullptr},
                      {"working_set_bytes", nullptr}, {"threads", m.threads}, {"read_gbs", nullptr},
                      {"fma_gflops", m.gflops}, {"kernel", measured->fma_kernel}});
    }
    return RenderRecordsCsv(rows);
  }
  std::string text = RenderHostTable(host);
  if (measured) text += RenderMeasurementTable(*measured);
  return text;
}

bool IsYamlPath(const std::string& path) {
  const std::string lowered = ToLower(path);
  return lowered.ends_with(".yaml") || lowered.ends_with(".yml");
}

struct HostOptions {
  std::string format = "table";
  bool measure = false;
  bool quick = false;
  std::optional<int> threads;
};

void Run(const HostOptions& o, const CommandContext& ctx) {
  const bool write_chip = ctx.options.output_path && IsYamlPath(*ctx.options.output_path);
  if (write_chip && !o.measure) {
    throw UsageError("writing the host as a chip file (-o *.yaml) needs --measure: its memory bandwidth must be "
                     "measured, not looked up");
  }
  if (o.threads && *o.threads < 1) throw UsageError(fmt::format("--threads must be at least 1, got {}", *o.threads));
  if (o.threads && *o.threads > 1024) throw UsageError(fmt::format("--threads {} is implausibly large", *o.threads));
  if (!o.measure && (o.quick || o.threads)) throw UsageError("--quick and --threads only apply with --measure");

  if (o.measure && ctx.env.sysctl_path) {
    throw UsageError("--measure measures this machine, but SILICONSIM_SYSCTL names another's sysctl dump; unset it");
  }
  HostInfo host = ProbeThisMachine(ctx);
  if (host.cpu_model.starts_with("Apple M")) {
    const ChipDatabase db = ChipDatabase::Load(SourcesFor(ctx));
    ReportWarnings(ctx, db.warnings());
    MatchAppleChip(db, host);
  }
  const OutputFormat format = ParseOutputFormat(o.format);
  if (!o.measure) {
    EmitOutput(Render(format, host, nullptr), ctx.options.output_path, ctx.out);
    return;
  }
  MicrobenchOptions options;
  options.quick = o.quick;
  options.max_threads = o.threads.value_or(0);
  if (format == OutputFormat::kTable) {
    options.progress = [&ctx](const std::string& what) { ctx.err << "measuring " << what << "\n"; };
  }
  const MicrobenchResult measured = RunMicrobenchmarks(host, options);
  const std::string report = Render(format, host, &measured);
  if (!write_chip) {
    EmitOutput(report, ctx.options.output_path, ctx.out);
    return;
  }
  const std::string date = TodayUtc();
  const ChipSpec chip = BuildHostChipSpec(host, measured, date);
  const std::string yaml = WriteChipYaml(
      chip, fmt::format("The host measured by `siliconsim host --measure{}` on {}.\n"
                        "Use it with any command: --chip {}",
                        o.quick ? " --quick" : "", date, *ctx.options.output_path));
  LoadChipsFromString(yaml, *ctx.options.output_path);  // never write a file we could not read back
  EmitOutput(yaml, ctx.options.output_path, ctx.out);
  ctx.out << report;
  ctx.err << fmt::format("wrote {} (chip {}, kind cpu)\n", *ctx.options.output_path, chip.id);
}

}  // namespace

std::vector<Command> AddHostCommands(CLI::App& app, GlobalOptions& options) {
  auto state = std::make_shared<HostOptions>();
  CLI::App* host = app.add_subcommand("host", "Describe this machine; with --measure, measure its bandwidth and FLOPS");
  host->add_option("-f,--format", state->format, "Output format: table (for people), json or csv (for scripts)")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kOutputFormatNames), std::end(kOutputFormatNames))))
      ->capture_default_str();
  host->add_flag("--measure", state->measure,
                 "Measure read bandwidth (each cache level and DRAM) and peak f32 FMA throughput, 1..N threads");
  host->add_option("--threads", state->threads, "Measure with up to N threads (default: every usable CPU)")
      ->type_name("N");
  host->add_flag("--quick", state->quick, "Small working sets and few repetitions (tests, CI); not representative");
  host->footer(R"(Examples:
  siliconsim host                              CPU, cores, SIMD features, caches, memory
  siliconsim host --format json
  siliconsim host --measure                    bandwidth per cache level and DRAM, FMA GFLOP/s (~10-20 s)
  siliconsim host --measure -o host.yaml       also write the host as a chip file (kind: cpu)
                                               that commands taking --chip accept: --chip host.yaml

With -o FILE.yaml the table still goes to stdout. On a Mac the Apple chip is matched to the
chips database (sysctl has no GPU core count; an ambiguous match says which one it assumed).
Measurements on a busy machine are noisy: run it when the machine is otherwise idle.)");
  (void)options;
  return {Command{host, [state](const CommandContext& ctx) { Run(*state, ctx); }}};
}

}  // namespace siliconsim
