// The calibration CSVs of ../shared/data/calibration/, told apart by their columns:
//
// Token-rate CSV (llamacpp_metal_llama2_7b.csv):
//   chip,gpu_cores,bw_gbs,model,quant,pp512_tps,tg128_tps,source
// Each pp<N>_tps cell is a prefill of N tokens from an empty cache, each tg<N>_tps cell a
// decode of N tokens from an empty cache (llama-bench's pp512 and tg128). The engine is
// llama.cpp on Metal with every layer on the GPU (that data set's README) unless an `engine`
// column or the defaults say otherwise.
//
// Prompt-sweep CSV (mlx_lm.csv):
//   chip,memory_gb,engine,model,quant,prompt_tokens,prefill_tps,decode_tps,ttft_s,peak_mem_gb,source
// Each row is one run: a prefill of prompt_tokens, then a decode of gen_tokens (column, or 128)
// at depth prompt_tokens. The 128 is mlx_lm.benchmark -g 128 as the repository's table states;
// the chigkim context sweep (mlx-examples issue 1029) does not state its generation length,
// and 128 is assumed for it too.
//
// Optional columns in both: gpu_cores, memory_gb, engine, threads, peak_mem_gb (or
// peak_memory_gb), source. Other columns (bw_gbs, ttft_s, notes) are not read. A blank cell
// means "not measured" and gives no measurement.

#include <fmt/format.h>

#include "common/value_parse.h"
#include "measure/reader_util.h"

namespace siliconsim::measure_internal {
namespace {

constexpr int64_t kDefaultMlxGenTokens = 128;

struct Columns {
  std::map<std::string, size_t, std::less<>> index;
  const CsvCell* Cell(const CsvRow& row, std::string_view name) const {
    const auto it = index.find(name);
    if (it == index.end() || Trim(row.cells[it->second].text).empty()) return nullptr;
    return &row.cells[it->second];
  }
};

class RowReader {
 public:
  RowReader(const SourceText& src, const Columns& columns, const CsvRow& row)
      : src_(src), columns_(columns), row_(row) {}

  std::string Text(std::string_view name) const {
    const CsvCell* c = columns_.Cell(row_, name);
    return c ? std::string(Trim(c->text)) : "";
  }
  std::optional<double> Positive(std::string_view name, std::string_view what) const {
    const CsvCell* c = columns_.Cell(row_, name);
    if (!c) return std::nullopt;
    const std::optional<double> v = ParseDecimal(Trim(c->text));
    if (!v || *v <= 0) Fail(*c, name, fmt::format("expected a positive {}, got {}", what, Quoted(c->text)));
    return v;
  }
  std::optional<int64_t> Count(std::string_view name, int64_t max, std::string_view what) const {
    const CsvCell* c = columns_.Cell(row_, name);
    if (!c) return std::nullopt;
    const std::optional<int64_t> v = ParseInt(Trim(c->text));
    if (!v || *v <= 0 || *v > max) {
      Fail(*c, name, fmt::format("expected {} from 1 to {}, got {}", what, max, Quoted(c->text)));
    }
    return v;
  }
  [[noreturn]] void Fail(const CsvCell& cell, std::string_view column, const std::string& message) const {
    src_.FailAt(cell.offset, std::string(column), message);
  }
  const CsvRow& row() const { return row_; }

 private:
  const SourceText& src_;
  const Columns& columns_;
  const CsvRow& row_;
};

// Fills what every calibration row may say about the machine and the run.
Measurement Base(const SourceText& src, const RowReader& r, std::string_view default_engine) {
  Measurement m;
  m.where = src.At(r.row().offset);
  m.chip = r.Text("chip");
  if (const auto cores = r.Count("gpu_cores", 1024, "a GPU core count")) m.gpu_cores = static_cast<int>(*cores);
  m.memory_gb = r.Positive("memory_gb", "memory size in GB");
  const std::string engine = r.Text("engine");
  m.engine = engine.empty() ? std::string(default_engine) : NormalizeEngine(engine);
  m.model = r.Text("model");
  m.quant = r.Text("quant");
  if (const auto threads = r.Count("threads", 65536, "a thread count")) m.threads = static_cast<int>(*threads);
  m.peak_memory_gb = r.Positive("peak_mem_gb", "peak memory in GB");
  if (!m.peak_memory_gb) m.peak_memory_gb = r.Positive("peak_memory_gb", "peak memory in GB");
  m.source = r.Text("source");
  if (m.source.empty()) m.source = src.file();
  return m;
}

// `pp512_tps` -> 512 with `prefix` "pp".
std::optional<int64_t> RateColumnTokens(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix) || !name.ends_with("_tps")) return std::nullopt;
  const std::string_view digits = name.substr(prefix.size(), name.size() - prefix.size() - 4);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  const std::optional<int64_t> v = ParseInt(digits);
  if (!v || *v <= 0 || *v > kMaxTokenCount) return std::nullopt;
  return v;
}

}  // namespace

std::vector<Measurement> ReadCalibrationCsv(const SourceText& src, const std::vector<CsvRow>& rows,
                                            MeasurementFormat format, const MeasurementDefaults& defaults) {
  (void)defaults;  // applied by the caller
  Columns columns;
  const CsvRow& header = rows.front();
  for (size_t i = 0; i < header.cells.size(); ++i) {
    const std::string name(Trim(header.cells[i].text));
    if (!columns.index.emplace(name, i).second) {
      src.FailAt(header.cells[i].offset, name, "this column appears twice in the header");
    }
  }
  std::vector<Measurement> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    if (row.cells.size() == 1 && Trim(row.cells[0].text).empty()) continue;
    if (row.cells.size() != header.cells.size()) {
      src.FailAt(row.offset, "",
                 fmt::format("this row has {} fields but the header has {}", row.cells.size(), header.cells.size()));
    }
    const RowReader reader(src, columns, row);
    if (format == MeasurementFormat::kTokenRateCsv) {
      const Measurement base = Base(src, reader, "llama.cpp-metal");
      for (size_t c = 0; c < header.cells.size(); ++c) {
        const std::string_view name = Trim(header.cells[c].text);
        const std::optional<int64_t> prompt = RateColumnTokens(name, "pp");
        const std::optional<int64_t> gen = RateColumnTokens(name, "tg");
        if (!prompt && !gen) continue;
        const std::optional<double> tps = reader.Positive(name, "number of tokens per second");
        if (!tps) continue;
        Measurement m = base;
        m.phase = prompt ? MeasuredPhase::kPrefill : MeasuredPhase::kDecode;
        m.prompt_tokens = prompt.value_or(0);
        m.gen_tokens = gen.value_or(0);
        m.tokens_per_second = *tps;
        out.push_back(std::move(m));
      }
    } else {
      const Measurement base = Base(src, reader, "mlx");
      const std::optional<double> prefill = reader.Positive("prefill_tps", "number of tokens per second");
      const std::optional<double> decode = reader.Positive("decode_tps", "number of tokens per second");
      if (!prefill && !decode) continue;
      const std::optional<int64_t> prompt = reader.Count("prompt_tokens", kMaxTokenCount, "a token count");
      if (!prompt) {
        src.FailAt(row.offset, "prompt_tokens", "missing: the prompt length of this run is needed");
      }
      const int64_t gen = reader.Count("gen_tokens", kMaxTokenCount, "a token count").value_or(kDefaultMlxGenTokens);
      if (prefill) {
        Measurement m = base;
        m.phase = MeasuredPhase::kPrefill;
        m.prompt_tokens = *prompt;
        m.tokens_per_second = *prefill;
        out.push_back(std::move(m));
      }
      if (decode) {
        Measurement m = base;
        m.phase = MeasuredPhase::kDecode;
        m.gen_tokens = gen;
        m.depth_tokens = *prompt;
        m.tokens_per_second = *decode;
        out.push_back(std::move(m));
      }
    }
  }
  return out;
}

}  // namespace siliconsim::measure_internal
