#include "measure/measurement.h"

#include <fmt/format.h>

#include "common/data_sources.h"
#include "measure/reader_util.h"

namespace siliconsim {
namespace mi = measure_internal;

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string_view WithoutBom(std::string_view text) {
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  return text;
}

// The names in the first non-blank line, split on commas with quotes stripped; enough to
// recognize a header before the whole file is read as CSV.
std::vector<std::string> HeaderNames(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = mi::Trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty()) continue;
    std::vector<std::string> names;
    size_t s = 0;
    while (s <= line.size()) {
      size_t e = line.find(',', s);
      if (e == std::string_view::npos) e = line.size();
      std::string_view name = mi::Trim(line.substr(s, e - s));
      if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
      names.emplace_back(name);
      s = e + 1;
    }
    return names;
  }
  return {};
}

bool Has(const std::vector<std::string>& names, std::string_view name) {
  for (const std::string& n : names) {
    if (n == name) return true;
  }
  return false;
}

bool IsRateColumn(std::string_view name) {
  if (!(name.starts_with("pp") || name.starts_with("tg")) || !name.ends_with("_tps") || name.size() <= 6) return false;
  const std::string_view digits = name.substr(2, name.size() - 6);
  return digits.find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<MeasurementFormat> CsvFormat(const std::vector<std::string>& names) {
  if (names.size() < 2) return std::nullopt;
  if (Has(names, "n_prompt") && Has(names, "n_gen") && Has(names, "avg_ts")) return MeasurementFormat::kLlamaBenchCsv;
  if (Has(names, "prompt_tokens") && (Has(names, "prefill_tps") || Has(names, "decode_tps"))) {
    return MeasurementFormat::kPromptSweepCsv;
  }
  for (const std::string& n : names) {
    if (IsRateColumn(n)) return MeasurementFormat::kTokenRateCsv;
  }
  return std::nullopt;
}

void ApplyDefaults(const mi::SourceText& src, Measurement& m, const MeasurementDefaults& defaults) {
  if (m.chip.empty()) m.chip = defaults.chip;
  if (!m.gpu_cores) m.gpu_cores = defaults.gpu_cores;
  if (!m.memory_gb) m.memory_gb = defaults.memory_gb;
  if (m.engine.empty()) m.engine = mi::NormalizeEngine(defaults.engine);
  if (m.model.empty()) m.model = defaults.model;
  if (m.quant.empty()) m.quant = defaults.quant;
  if (m.chip.empty()) src.Fail(m.where, "chip", "the file does not say which chip ran this test; name it with --chip");
  if (m.model.empty()) src.Fail(m.where, "model", "the file does not say which model was run; name it with --model");
  if (m.quant.empty()) {
    src.Fail(m.where, "quant", "the file does not say which quantization was run; name it with --quant");
  }
}

}  // namespace

std::string_view MeasurementFormatName(MeasurementFormat format) {
  switch (format) {
    case MeasurementFormat::kLlamaBenchCsv: return "llama-bench CSV";
    case MeasurementFormat::kLlamaBenchJson: return "llama-bench JSON";
    case MeasurementFormat::kLlamaBenchJsonl: return "llama-bench JSONL";
    case MeasurementFormat::kLlamaBenchMarkdown: return "llama-bench markdown";
    case MeasurementFormat::kMlxLmOutput: return "mlx_lm output";
    case MeasurementFormat::kTokenRateCsv: return "token-rate CSV (pp<N>_tps, tg<N>_tps)";
    case MeasurementFormat::kPromptSweepCsv: return "prompt-sweep CSV (prompt_tokens, prefill_tps, decode_tps)";
  }
  return "unknown";
}

MeasurementFormat DetectMeasurementFormat(std::string_view text, const std::string& file_name) {
  text = WithoutBom(text);
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    throw InputError(mi::SourceText(text, file_name).Make({file_name, 0, 0}, "", "empty file: no measurements"));
  }
  if (text[first] == '[') return MeasurementFormat::kLlamaBenchJson;
  if (text[first] == '{') return MeasurementFormat::kLlamaBenchJsonl;
  if (const std::optional<MeasurementFormat> csv = CsvFormat(HeaderNames(text))) return *csv;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (mi::IsLlamaBenchMarkdownHeader(line)) return MeasurementFormat::kLlamaBenchMarkdown;
    if (mi::IsMlxLmStatsLine(line)) return MeasurementFormat::kMlxLmOutput;
  }
  const mi::SourceText src(text, file_name);
  src.FailAt(first, "",
             "cannot tell what this file holds; expected llama-bench output (-o csv, json, jsonl or md), "
             "mlx_lm.benchmark or mlx_lm.generate --verbose output, or a CSV with columns "
             "chip,model,quant,pp512_tps,tg128_tps or chip,model,quant,prompt_tokens,prefill_tps,decode_tps");
}

std::vector<Measurement> ParseMeasurements(std::string_view text, const std::string& file_name,
                                           const MeasurementDefaults& defaults) {
  if (text.size() > kMaxMeasurementTextBytes) {
    throw InputError(mi::SourceText({}, file_name)
                         .Make({file_name, 0, 0}, "",
                               fmt::format("{} bytes is more than the {} bytes a measurement file may have",
                                           text.size(), kMaxMeasurementTextBytes)));
  }
  text = WithoutBom(text);
  const MeasurementFormat format = DetectMeasurementFormat(text, file_name);
  const mi::SourceText src(text, file_name);
  std::vector<Measurement> out;
  switch (format) {
    case MeasurementFormat::kLlamaBenchCsv:
      out = mi::ReadLlamaBenchCsv(src, mi::ReadCsv(src), defaults);
      break;
    case MeasurementFormat::kTokenRateCsv:
    case MeasurementFormat::kPromptSweepCsv:
      out = mi::ReadCalibrationCsv(src, mi::ReadCsv(src), format, defaults);
      break;
    case MeasurementFormat::kLlamaBenchJson:
      out = mi::ReadLlamaBenchJson(src, false, defaults);
      break;
    case MeasurementFormat::kLlamaBenchJsonl:
      out = mi::ReadLlamaBenchJson(src, true, defaults);
      break;
    case MeasurementFormat::kLlamaBenchMarkdown:
      out = mi::ReadLlamaBenchMarkdown(src, defaults);
      break;
    case MeasurementFormat::kMlxLmOutput:
      out = mi::ReadMlxLmOutput(src, defaults);
      break;
  }
  if (out.empty()) {
    const bool llama_bench = format == MeasurementFormat::kLlamaBenchCsv || format == MeasurementFormat::kLlamaBenchJson ||
                             format == MeasurementFormat::kLlamaBenchJsonl ||
                             format == MeasurementFormat::kLlamaBenchMarkdown;
    src.Fail({file_name, 0, 0}, "",
             fmt::format("no measurements in this {}{}", MeasurementFormatName(format),
                         llama_bench ? " (combined pp+tg tests are skipped: they time both phases at once)" : ""));
  }
  for (Measurement& m : out) ApplyDefaults(src, m, defaults);
  return out;
}

std::vector<Measurement> ReadMeasurementsFile(const std::string& path, const MeasurementDefaults& defaults) {
  return ParseMeasurements(ReadTextFile(path, kMaxMeasurementTextBytes), path, defaults);
}

}  // namespace siliconsim
