#include "hardware/chip_db.h"

#include "hardware/chip_snapshot.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "common/text.h"
#include "hardware/chip_loader.h"

namespace siliconsim {
namespace {

// "Apple M4 Max 40-core GPU" -> "m4max40c"; "M4 Max" -> "m4max".
std::string NormalizeQuery(std::string_view query) {
  std::string s = StripPrefix(Squash(query), "apple");
  s = StripSuffix(s, "gpu");
  const std::string before = s;
  s = StripSuffix(StripSuffix(s, "cores"), "core");
  if (s != before && !s.empty() && std::isdigit(static_cast<unsigned char>(s.back()))) s += 'c';
  return s;
}

// Every spelling that names `chip` as a variant or as a family member.
bool NamesChip(const ChipSpec& chip, const std::string& q) {
  const std::string name = StripPrefix(Squash(chip.name), "apple");
  if (q == name || q == Squash(chip.id)) return true;
  if (chip.gpu_cores.known()) {
    const std::string cores = std::to_string(*chip.gpu_cores.value);
    if (q == name + cores || q == name + cores + "c") return true;
  }
  return false;
}

std::string Describe(const ChipSpec& c) {
  return fmt::format("  {:<16} {} GPU cores, {:g} GB/s", c.id, c.gpu_cores.value.value_or(0),
                     c.memory_bandwidth_gbs.value.value_or(0));
}

}  // namespace

ChipDatabase::ChipDatabase(std::vector<ChipSpec> chips, Warnings warnings)
    : chips_(std::move(chips)), warnings_(std::move(warnings)) {}

ChipDatabase ChipDatabase::Load(const DataSources& sources) {
  std::vector<ChipSpec> chips;
  Warnings warnings;
  for (const DataLayer& layer : sources.Layers("chips")) {
    ChipLayerEntries entries = ReadChipLayer(layer);
    for (ChipSpec& chip : entries.chips) OverrideById(chips, std::move(chip));
    warnings.insert(warnings.end(), entries.warnings.begin(), entries.warnings.end());
  }
  return ChipDatabase(std::move(chips), std::move(warnings));
}

std::vector<const ChipSpec*> ChipDatabase::Match(std::string_view query, std::optional<int> gpu_cores) const {
  std::vector<const ChipSpec*> found;
  const std::string lowered = ToLower(query);
  for (const ChipSpec& c : chips_) {
    if (c.id == lowered) return {&c};  // an id is exact, whatever --gpu-cores says (Resolve checks it)
  }
  const std::string q = NormalizeQuery(query);
  if (q.empty()) return found;
  for (const ChipSpec& c : chips_) {
    if (!NamesChip(c, q)) continue;
    if (gpu_cores && c.gpu_cores.value != gpu_cores) continue;
    found.push_back(&c);
  }
  return found;
}

const ChipSpec& ChipDatabase::Resolve(std::string_view query, std::optional<int> gpu_cores) const {
  const std::vector<const ChipSpec*> found = Match(query, gpu_cores);
  if (found.size() == 1) {
    const ChipSpec& chip = *found.front();
    if (gpu_cores && chip.gpu_cores.value != gpu_cores) {
      throw UsageError(fmt::format("chip '{}' has {} GPU cores, not {}", chip.id, chip.gpu_cores.value.value_or(0),
                                   *gpu_cores));
    }
    return chip;
  }
  if (found.size() > 1) {
    std::string list;
    for (const ChipSpec* c : found) list.append("\n").append(Describe(*c));
    throw UsageError(fmt::format("chip '{}' is ambiguous: it names {} variants; pick one by id or with "
                                 "--gpu-cores N:{}",
                                 query, found.size(), list));
  }
  if (gpu_cores) {
    const std::vector<const ChipSpec*> any = Match(query);
    if (!any.empty()) {
      std::string list;
      for (const ChipSpec* c : any) list.append("\n").append(Describe(*c));
      throw UsageError(fmt::format("no variant of '{}' has {} GPU cores; the variants are:{}", query, *gpu_cores,
                                   list));
    }
  }
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const ChipSpec& c : chips_) {
    names.push_back(c.id);
    const std::string short_name = StripPrefix(c.name, "Apple ");
    if (seen.insert(short_name).second) names.push_back(short_name);
  }
  std::string message = fmt::format("unknown chip '{}'", query);
  if (auto near = NearestMatch(query, names)) message += fmt::format("; did you mean '{}'?", *near);
  message += " ('siliconsim chips' lists every chip)";
  throw UsageError(message);
}

bool IsChipFileArgument(std::string_view query) {
  const std::string lowered = ToLower(query);
  if (!lowered.ends_with(".yaml") && !lowered.ends_with(".yml")) return false;
  std::error_code ec;
  return std::filesystem::is_regular_file(std::filesystem::path(std::string(query)), ec);
}

ChipSpec ResolveChipArgument(const ChipDatabase& db, std::string_view query, std::optional<int> gpu_cores,
                             Warnings* warnings) {
  if (!IsChipFileArgument(query)) return db.Resolve(query, gpu_cores);
  const std::string path(query);
  Warnings file_warnings;
  std::vector<ChipSpec> chips = LoadChipsFromString(ReadTextFile(path), path, &file_warnings);
  if (warnings) warnings->insert(warnings->end(), file_warnings.begin(), file_warnings.end());
  if (chips.size() != 1) {
    throw UsageError(fmt::format("chip file '{}' holds {} chips; --chip FILE needs exactly one", path, chips.size()));
  }
  ChipSpec chip = std::move(chips.front());
  if (gpu_cores && chip.gpu_cores.value != gpu_cores) {
    throw UsageError(fmt::format("chip '{}' from {} has {} GPU cores, not {}", chip.id, path,
                                 chip.gpu_cores.known() ? std::to_string(*chip.gpu_cores.value) : "no known",
                                 *gpu_cores));
  }
  return chip;
}

}  // namespace siliconsim
