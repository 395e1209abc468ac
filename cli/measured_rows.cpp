#include "cli/measured_rows.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "cli/output.h"
#include "cli/table.h"
#include "common/text.h"

namespace siliconsim {
namespace {

using Json = nlohmann::ordered_json;

[[noreturn]] void FailAt(const Measurement& m, const std::string& message) {
  throw InputError(Diagnostic{Severity::kError, m.where, "", message, ""});
}

// "M4 Max" with 64 GB: the variants of that name sold with that much memory; the largest GPU wins.
ChipSpec ResolveMeasuredChip(const ChipDatabase& chips, const Measurement& m) {
  std::vector<const ChipSpec*> found = chips.Match(m.chip, m.gpu_cores);
  if (found.size() > 1 && m.memory_gb) {
    std::vector<const ChipSpec*> sold;
    for (const ChipSpec* c : found) {
      const auto& options = c->memory_options_gb.value;
      if (options && std::find(options->begin(), options->end(), static_cast<int>(*m.memory_gb)) != options->end()) {
        sold.push_back(c);
      }
    }
    if (!sold.empty()) found = sold;
  }
  if (found.empty()) FailAt(m, fmt::format("chip '{}' is not in the chip database", m.chip));
  const ChipSpec* best = found.front();
  for (const ChipSpec* c : found) {
    if (c->gpu_cores.value.value_or(0) > best->gpu_cores.value.value_or(0)) best = c;
  }
  return *best;
}

}  // namespace

QuantChoice ResolveMeasuredQuant(const QuantDatabase& quants, const std::string& quant, bool mlx) {
  if (mlx) {
    // mlx-lm's own spellings: q4, q8, q5 g32, 4bit, bf16.
    std::string s = ToLower(quant);
    std::string bits;
    std::string group;
    size_t i = s.starts_with("q") ? 1 : 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) bits += s[i++];
    std::string rest = s.substr(i);
    if (rest.starts_with("bit")) rest = rest.substr(3);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '-' || rest.front() == '_')) rest.erase(0, 1);
    if (rest.starts_with("g")) group = rest.substr(1);
    if (!bits.empty() && (rest.empty() || !group.empty())) {
      const std::string id = group.empty() || group == "64" ? fmt::format("mlx-{}bit", bits)
                                                            : fmt::format("mlx-{}bit-g{}", bits, group);
      return quants.Resolve(id);
    }
    if (s == "bf16" || s == "fp16" || s == "f16") return quants.Resolve(s == "bf16" ? "mlx-bf16" : "mlx-fp16");
  }
  return quants.Resolve(quant);
}

ResolvedModel ResolveMeasuredModel(const ModelDatabase& models, const std::string& text) {
  std::vector<std::string> candidates = {text};
  const size_t open = text.find('(');
  const size_t close = text.find(')', open == std::string::npos ? 0 : open);
  if (open != std::string::npos && close != std::string::npos) candidates.push_back(text.substr(open + 1, close - open - 1));
  for (const std::string& candidate : candidates) {
    const std::string q = Squash(candidate);
    for (const ModelSpec& m : models.models()) {
      if (Squash(m.id) == q) return {m, std::nullopt};
      for (const std::string& a : m.aliases) {
        const size_t slash = a.find('/');
        if (Squash(a) == q || (slash != std::string::npos && Squash(a.substr(slash + 1)) == q)) return {m, std::nullopt};
      }
    }
  }
  return models.ResolveWithWeights(text);  // files, or the database's own error with a suggestion
}

std::vector<MeasuredRow> ResolveMeasurements(const SimData& data, const std::vector<Measurement>& measurements) {
  std::vector<MeasuredRow> rows;
  std::map<std::string, std::shared_ptr<const NamedModel>> models;
  std::map<std::string, std::shared_ptr<const ChipSpec>> chips;
  for (const Measurement& m : measurements) {
    try {
      MeasuredRow row;
      row.measurement = m;
      const EngineSpec& engine = data.engines.Resolve(m.engine.empty() ? "llama.cpp-metal" : m.engine);
      auto& model = models[m.model];
      if (!model) model = std::make_shared<NamedModel>(NamedModel{m.model, ResolveMeasuredModel(data.models, m.model)});
      const std::string chip_key = fmt::format("{}|{}|{}", m.chip, m.gpu_cores.value_or(0), m.memory_gb.value_or(0));
      auto& chip = chips[chip_key];
      if (!chip) chip = std::make_shared<ChipSpec>(ResolveMeasuredChip(data.chips, m));
      const QuantChoice q = ResolveMeasuredQuant(data.quants, m.quant, engine.weight_format == QuantFormat::kMlx);
      QuantArg quant{q.gguf ? q.gguf->name : q.mlx->id, q};
      CheckCompatible(engine, *chip, quant, m.model);
      row.scenario = Scenario{model, quant, chip, &engine, nullptr, m.memory_gb.value_or(DefaultMemoryGib(*chip)), {}};
      if (engine.device == EngineDevice::kCpu) row.scenario.threads = m.threads;
      row.workload.kv_bytes_per_element = KvBytesPerElement(data.quants, row.scenario);
      row.workload.ram_gib = row.scenario.ram_gib;
      row.workload.depth_tokens = m.depth_tokens;
      if (m.phase == MeasuredPhase::kPrefill) {
        row.workload.prompt_tokens = m.prompt_tokens;
        row.workload.gen_tokens = 0;
        row.test = fmt::format("pp{}", m.prompt_tokens);
      } else {
        row.workload.prompt_tokens = 0;
        row.workload.gen_tokens = m.gen_tokens;
        row.test = fmt::format("tg{}", m.gen_tokens);
      }
      if (m.depth_tokens > 0) row.test += fmt::format(" @ d{}", m.depth_tokens);
      rows.push_back(std::move(row));
    } catch (const InputError& e) {
      if (!e.diagnostic().location.file.empty()) throw;
      FailAt(m, e.diagnostic().message);
    }
  }
  return rows;
}

ResidualReport Residuals(ScenarioRunner& runner, const std::vector<MeasuredRow>& rows) {
  ResidualReport report;
  Table table({{"ROW"}, {"ENGINE"}, {"CHIP"}, {"MODEL"}, {"QUANT"}, {"TEST"}, {"MEASURED t/s", Align::kRight},
               {"PREDICTED t/s", Align::kRight}, {"ERROR %", Align::kRight}});
  struct Sum {
    double abs_pct = 0;
    int n = 0;
  };
  std::map<std::string, Sum> sums;
  for (const MeasuredRow& r : rows) {
    const sim::Prediction p = runner.Run(r.scenario, r.workload);
    const bool decode = r.measurement.phase == MeasuredPhase::kDecode;
    const double predicted = decode ? p.decode.tokens_per_second : p.prefill.tokens_per_second;
    const double measured = r.measurement.tokens_per_second;
    const double error_pct = 100.0 * (predicted - measured) / measured;
    const std::string where = fmt::format("{}:{}", r.measurement.where.file, r.measurement.where.line);
    table.AddRow({where, r.scenario.engine->id, r.scenario.chip->id, r.scenario.model->resolved.spec.id, r.scenario.quant.label,
                  r.test, fmt::format("{:.2f}", measured), fmt::format("{:.2f}", predicted),
                  fmt::format("{:+.1f}", error_pct)});
    Json j;
    j["schema_version"] = kOutputSchemaVersion;
    j["row"] = where;
    j["engine"] = r.scenario.engine->id;
    j["chip"] = r.scenario.chip->id;
    j["model"] = r.scenario.model->resolved.spec.id;
    j["quant"] = r.scenario.quant.label;
    j["test"] = r.test;
    j["phase"] = decode ? "decode" : "prefill";
    j["measured_tps"] = measured;
    j["predicted_tps"] = predicted;
    j["error_pct"] = error_pct;
    report.records.push_back(std::move(j));
    Sum& s = sums[fmt::format("{} {}", r.scenario.engine->id, decode ? "decode" : "prefill")];
    s.abs_pct += std::abs(error_pct);
    s.n += 1;
  }
  std::ostringstream out;
  table.Print(out);
  out << "\n";
  Table summary({{"ENGINE / PHASE"}, {"ROWS", Align::kRight}, {"MAPE %", Align::kRight}});
  for (const auto& [key, s] : sums) summary.AddRow({key, std::to_string(s.n), fmt::format("{:.1f}", s.abs_pct / s.n)});
  summary.Print(out);
  report.table = out.str();
  return report;
}

}  // namespace siliconsim
